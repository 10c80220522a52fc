//! Where the snapshotted fields sat in each original document, recorded as cheaply as the
//! documents allow, so a restore can put them back at exactly that place.
//!
//! Documents written by the same code share one key order. The first snapshotted document
//! gives that order; its keys up to the last touched field form the *prefix*. A document whose
//! own keys begin with exactly the prefix keys it has, in prefix order, is restored by one
//! object literal shared by the whole snapshot (`$mergeObjects` of the prefix, then the
//! current document): its entry is `{_id, v: {field: original value}}`. Any other document
//! records the position of each touched field: `{_id, p: [{i, k, v}]}`, and is restored by
//! inserting each field at its index. Both rebuild the original byte for byte; the first is
//! several times cheaper for the server.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use mongodb::bson::raw::{RawArrayBuf, RawBson, RawDocument, RawDocumentBuf};

/// Builds the snapshot entries of one field snapshot, document by document.
pub(crate) struct Layout {
    /// Touched top-level fields.
    fields: Vec<String>,
    /// Decided from the first document: `None` before it, then the prefix (or `None` inside
    /// when the first document's keys cannot be named in an object literal).
    prefix: Option<Option<Vec<String>>>,
    /// Position of each prefix key, for the per-document check.
    positions: HashMap<String, usize, BuildHasherDefault<Fnv>>,
    /// Documents recorded with positions (not restorable through the prefix).
    pub positioned: u64,
}

impl Layout {
    /// A layout for a write that touches `fields` (top-level names).
    #[must_use]
    pub(crate) fn new(fields: &[String]) -> Self {
        Layout {
            fields: fields.to_vec(),
            prefix: None,
            positions: HashMap::default(),
            positioned: 0,
        }
    }

    /// The prefix the restore's object literal lists, once the first document was seen
    /// (`None` when every entry records positions).
    #[must_use]
    pub(crate) fn prefix(&self) -> Option<&[String]> {
        self.prefix.as_ref().and_then(|p| p.as_deref())
    }

    /// The snapshot entry of one original document.
    pub(crate) fn entry(&mut self, document: &RawDocument) -> Result<RawDocumentBuf, String> {
        if self.prefix.is_none() {
            let prefix = prefix_of(document, &self.fields)?;
            if let Some(keys) = &prefix {
                self.positions = keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| (k.clone(), i))
                    .collect();
            }
            self.prefix = Some(prefix);
        }
        let mut id = None;
        let mut touched = Vec::new();
        // True while the document can be rebuilt from the prefix: its keys so far are
        // prefix keys in prefix order, and no prefix key comes after a key outside it.
        let mut follows = self.prefix().is_some();
        let mut leading = true;
        let (mut next, mut placed) = (0, 0);
        for (index, element) in document.iter_elements().enumerate() {
            let element = element.map_err(|e| format!("unreadable document: {e}"))?;
            let key = element.key();
            if key == "_id" && id.is_none() {
                id = Some(
                    element
                        .value()
                        .map_err(|e| format!("unreadable _id: {e}"))?,
                );
            }
            if self.fields.iter().any(|f| f == key) {
                let value = element
                    .value()
                    .map_err(|e| format!("unreadable field {key}: {e}"))?;
                touched.push((index, key, value));
            }
            if !follows {
                continue;
            }
            // Most documents list the prefix keys in order: try the expected one first.
            let at = match self.prefix() {
                Some(prefix) if prefix.get(next).is_some_and(|k| k == key) => Some(next),
                _ => self.positions.get(key).copied(),
            };
            match at {
                Some(at) if leading && at >= next => {
                    next = at + 1;
                    placed += 1;
                }
                Some(_) => follows = false,
                None => leading = false,
            }
            // Every prefix key is placed (touched fields among them): the rest of the document
            // holds none of them (a key appears once in a document).
            if follows && id.is_some() && placed == self.positions.len() {
                break;
            }
        }
        let id = id.ok_or("a document without _id cannot be snapshotted")?;
        let mut entry = RawDocumentBuf::new();
        entry.append_ref("_id", id);
        if follows {
            let mut values = RawDocumentBuf::new();
            for (_, key, value) in &touched {
                values.append_ref(*key, *value);
            }
            entry.append("v", values);
        } else {
            self.positioned += 1;
            let mut positions = RawArrayBuf::new();
            for (index, key, value) in &touched {
                let mut position = RawDocumentBuf::new();
                position.append("i", i32::try_from(*index).map_err(|e| e.to_string())?);
                position.append("k", *key);
                position.append_ref("v", *value);
                positions.push(position);
            }
            entry.append("p", RawBson::Array(positions));
        }
        Ok(entry)
    }
}

/// FNV-1a: the prefix map is looked up once per key of every snapshotted document, and
/// its keys are short field names, where this is several times cheaper than `SipHash`.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// The first document's keys up to its last touched field, then the touched fields it lacks;
/// `None` when a key cannot appear in an aggregation object literal or repeats.
fn prefix_of(document: &RawDocument, fields: &[String]) -> Result<Option<Vec<String>>, String> {
    let mut keys = Vec::new();
    for element in document {
        let (key, _) = element.map_err(|e| format!("unreadable document: {e}"))?;
        keys.push(key.to_owned());
    }
    let end = keys
        .iter()
        .rposition(|k| fields.contains(k))
        .map_or(0, |i| i + 1);
    keys.truncate(end);
    for field in fields {
        if !keys.contains(field) {
            keys.push(field.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    let plain = keys
        .iter()
        .all(|k| !k.is_empty() && !k.starts_with('$') && !k.contains('.') && seen.insert(k));
    Ok(plain.then_some(keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::{doc, Bson, Document};

    fn raw(document: &Document) -> RawDocumentBuf {
        RawDocumentBuf::from_document(document).unwrap()
    }

    fn entry(layout: &mut Layout, document: &Document) -> Document {
        layout.entry(&raw(document)).unwrap().to_document().unwrap()
    }

    #[test]
    fn documents_in_the_common_order_record_only_values() {
        let mut layout = Layout::new(&["s".to_owned()]);
        let first = doc! {"_id": 1, "a": 1, "s": "x", "b": 2};
        assert_eq!(entry(&mut layout, &first), doc! {"_id": 1, "v": {"s": "x"}});
        assert_eq!(layout.prefix().unwrap(), ["_id", "a", "s"]);
        // Missing prefix keys and other keys after the field keep the common order.
        let fewer = doc! {"_id": 2, "s": 5_i64, "z": 1, "b": 2};
        assert_eq!(
            entry(&mut layout, &fewer),
            doc! {"_id": 2, "v": {"s": 5_i64}}
        );
        assert_eq!(layout.positioned, 0);
    }

    #[test]
    fn documents_in_another_order_record_positions() {
        let mut layout = Layout::new(&["s".to_owned()]);
        entry(&mut layout, &doc! {"_id": 1, "a": 1, "s": "x"});
        let swapped = doc! {"_id": 2, "s": "y", "a": 1};
        assert_eq!(
            entry(&mut layout, &swapped),
            doc! {"_id": 2, "p": [{"i": 1, "k": "s", "v": "y"}]}
        );
        let interleaved = doc! {"_id": 3, "z": 0, "a": 1, "s": "y"};
        assert_eq!(
            entry(&mut layout, &interleaved),
            doc! {"_id": 3, "p": [{"i": 3, "k": "s", "v": "y"}]}
        );
        let late_prefix_key = doc! {"_id": 4, "s": "y", "z": 0, "a": 1};
        assert!(entry(&mut layout, &late_prefix_key).contains_key("p"));
        let skipped_then_late = doc! {"_id": 5, "s": "y", "a": 1};
        assert!(entry(&mut layout, &skipped_then_late).contains_key("p"));
        assert_eq!(layout.positioned, 4);
    }

    #[test]
    fn several_fields_and_absent_fields() {
        let fields = ["d".to_owned(), "s".to_owned()];
        let mut layout = Layout::new(&fields);
        let first = doc! {"_id": 1, "s": "A", "x": 1, "d": true, "y": 2};
        assert_eq!(
            entry(&mut layout, &first),
            doc! {"_id": 1, "v": {"s": "A", "d": true}}
        );
        assert_eq!(layout.prefix().unwrap(), ["_id", "s", "x", "d"]);
        let without_d = doc! {"_id": 2, "s": "B", "x": 1, "y": 2};
        assert_eq!(
            entry(&mut layout, &without_d),
            doc! {"_id": 2, "v": {"s": "B"}}
        );
    }

    #[test]
    fn a_field_missing_from_the_first_document_joins_the_prefix_last() {
        let mut layout = Layout::new(&["n".to_owned()]);
        entry(&mut layout, &doc! {"_id": 1, "a": 1});
        assert_eq!(layout.prefix().unwrap(), ["n"]);
        // A document that has it elsewhere than first records its position.
        let has = entry(&mut layout, &doc! {"_id": 2, "a": 1, "n": 3});
        assert_eq!(
            has.get("p"),
            Some(&Bson::Array(vec![Bson::Document(
                doc! {"i": 2, "k": "n", "v": 3}
            )]))
        );
    }

    #[test]
    fn keys_an_object_literal_cannot_hold_disable_the_prefix() {
        let mut layout = Layout::new(&["s".to_owned()]);
        let mut first = Document::new();
        first.insert("_id", 1);
        first.insert("a.b", 1);
        first.insert("s", 2);
        assert!(entry(&mut layout, &first).contains_key("p"));
        assert!(layout.prefix().is_none());
    }
}
