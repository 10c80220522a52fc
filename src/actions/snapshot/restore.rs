//! The `$merge` `whenMatched` pipeline that puts one snapshot entry (`$$new`, see
//! [`super::layout`]) back into the current document (`$$ROOT`): the restored fields with their
//! original values at their original places (absent if they were absent), every other field
//! as it is now.

use mongodb::bson::{doc, Bson, Document};

/// The pipeline restoring `fields` (a subset of the snapshot's `all` fields) from an entry.
/// `prefix` is the snapshot's shared key order, when it has one. With a `guard` (an expression
/// on the current document), a document for which it is false is left as it is.
#[must_use]
pub(crate) fn when_matched(
    fields: &[String],
    all: &[String],
    prefix: Option<&[String]>,
    guard: Option<&Bson>,
) -> Vec<Document> {
    let positioned = by_position(fields, all);
    let rebuilt = match prefix {
        Some(prefix) => Bson::Document(doc! {"$cond": [
            {"$eq": [{"$type": "$$new.p"}, "missing"]},
            by_prefix(fields, prefix),
            positioned,
        ]}),
        None => positioned,
    };
    let rebuilt = match guard {
        Some(guard) => Bson::Document(doc! {"$cond": [guard.clone(), rebuilt, "$$ROOT"]}),
        None => rebuilt,
    };
    vec![doc! {"$replaceWith": rebuilt}]
}

/// `{$mergeObjects: [prefix literal, current document without the restored fields]}`: the
/// prefix keys first, in prefix order (restored fields from the entry, others from the
/// current document, missing ones left out), then the rest of the current document in its
/// own order. For an entry recorded without positions this is the original document.
fn by_prefix(fields: &[String], prefix: &[String]) -> Bson {
    let mut literal = Document::new();
    for key in prefix {
        let value = if fields.contains(key) {
            field_of("$$new.v", key)
        } else {
            field_of("$$ROOT", key)
        };
        literal.insert(key.clone(), value);
    }
    Bson::Document(doc! {"$mergeObjects": [literal, without(fields)]})
}

/// The current document without `fields`; a field it does not have costs no copy.
fn without(fields: &[String]) -> Bson {
    let mut current = Bson::String("$$ROOT".into());
    for (n, field) in fields.iter().enumerate() {
        let name = format!("d{n}");
        let var = format!("$${name}");
        current = Bson::Document(doc! {"$let": {
            "vars": {&name: current},
            "in": {"$cond": [
                {"$eq": [{"$type": field_of("$$ROOT", field)}, "missing"]},
                &var,
                {"$unsetField": {"field": {"$literal": field}, "input": &var}},
            ]},
        }});
    }
    current
}

/// The current document without `fields` as key/value pairs, with each restored field of the
/// entry's `p` inserted at its original index, lowest first (so every earlier key is already
/// in its final place when a field goes in).
fn by_position(fields: &[String], all: &[String]) -> Bson {
    let entries = if fields.len() == all.len() {
        Bson::String("$$new.p".into())
    } else {
        Bson::Document(
            doc! {"$filter": {"input": "$$new.p", "cond": {"$in": ["$$this.k", fields]}}},
        )
    };
    Bson::Document(doc! {"$arrayToObject": {"$reduce": {
        "input": {"$ifNull": [entries, []]},
        "initialValue": {"$filter": {
            "input": {"$objectToArray": "$$ROOT"},
            "cond": {"$not": [{"$in": ["$$this.k", fields]}]},
        }},
        "in": {"$concatArrays": [
            {"$slice": ["$$value", "$$this.i"]},
            [{"k": "$$this.k", "v": "$$this.v"}],
            {"$slice": ["$$value", "$$this.i", i32::MAX]},
        ]},
    }}})
}

/// An expression for top-level `key` of the document in variable `base` (`$$ROOT`, `$$new.v`):
/// a plain path where the name allows one, `$getField` otherwise.
fn field_of(base: &str, key: &str) -> Bson {
    if key.is_empty() || key.starts_with('$') || key.contains('.') {
        Bson::Document(doc! {"$getField": {"field": {"$literal": key}, "input": base}})
    } else if base == "$$ROOT" {
        Bson::String(format!("${key}"))
    } else {
        Bson::String(format!("{base}.{key}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_literal_takes_restored_fields_from_the_entry() {
        let fields = vec!["s".to_owned()];
        let pipeline = when_matched(
            &fields,
            &fields,
            Some(&["_id".into(), "a".into(), "s".into()]),
            None,
        );
        let text = pipeline[0].to_string();
        assert!(
            text.contains(r#"{ "_id": "$_id", "a": "$a", "s": "$$new.v.s" }"#),
            "{text}"
        );
        assert!(text.contains("$unsetField"), "{text}");
        assert!(text.contains("$$new.p"), "{text}");
    }

    #[test]
    fn without_a_prefix_every_entry_is_placed_by_position() {
        let fields = vec!["s".to_owned()];
        let text = when_matched(&fields, &fields, None, None)[0].to_string();
        assert!(!text.contains("$mergeObjects"), "{text}");
        assert!(text.contains("$reduce"), "{text}");
    }

    #[test]
    fn odd_names_are_read_with_get_field() {
        assert_eq!(
            field_of("$$ROOT", "a.b"),
            Bson::Document(doc! {"$getField": {"field": {"$literal": "a.b"}, "input": "$$ROOT"}})
        );
        assert_eq!(field_of("$$new.v", "s"), Bson::String("$$new.v.s".into()));
    }
}
