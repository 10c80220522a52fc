//! `dump` and `restore` in mongodump's directory format: real mongodump fixtures restore
//! content-identical, dump → restore round-trips every BSON type byte for byte, corrupt backups
//! are refused before anything is touched, and a failure mid-restore changes nothing.

use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::raw::RawDocumentBuf;
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{doc, Binary, Bson, Document, JavaScriptCodeWithScope, Regex, Timestamp};
use mongodb::Client;
use serde_json::Value;

use crate::data;
use crate::harness::{self, Run};

fn fixtures() -> PathBuf {
    harness::repo_root().join("tests/fixtures/mongodump")
}

/// `rollbook ARGS --output json`.
fn archive(args: &[&str]) -> Run {
    Run::new(args).json()
}

/// `rollbook restore --from DIR --db DB --drop --yes --output json`.
fn restore_over(dir: &Path, db: &str) -> Run {
    archive(&["restore", "--from", path_str(dir), "--db", db, "--drop"]).yes()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Canonical Extended JSON of a document, `$numberDouble` normalised so the same value is
/// written the same way (mongodump's tools write `1e+20` where Rust writes `100000000000000000000.0`).
fn canonical(document: &Document) -> Value {
    normalize(Bson::Document(document.clone()).into_canonical_extjson())
}

fn normalize(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some(Value::String(text)) = map.get("$numberDouble") {
                    let number = match text.as_str() {
                        "Infinity" => f64::INFINITY,
                        "-Infinity" => f64::NEG_INFINITY,
                        "NaN" => f64::NAN,
                        other => other.parse::<f64>().unwrap(),
                    };
                    let text = if number.is_nan() {
                        "NaN".to_owned()
                    } else {
                        format!("{number:?}")
                    };
                    return serde_json::json!({"$numberDouble": text});
                }
            }
            Value::Object(map.into_iter().map(|(k, v)| (k, normalize(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        other => other,
    }
}

/// Every document of a collection as normalised canonical Extended JSON, keyed by its `_id`.
async fn canonical_documents(client: &Client, db: &str, collection: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = data::documents(client, db, collection)
        .await
        .iter()
        .map(|bytes| {
            let document: Document = mongodb::bson::from_slice(bytes).unwrap();
            let value = canonical(&document);
            (value["_id"].to_string(), value.to_string())
        })
        .collect();
    out.sort();
    out
}

/// The same for an `expected/*.jsonl` file.
fn expected_documents(file: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out: Vec<(String, String)> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let value = normalize(serde_json::from_str::<Value>(line).unwrap());
            (value["_id"].to_string(), value.to_string())
        })
        .collect();
    out.sort();
    out
}

/// `listCollections` options of a collection, as canonical Extended JSON.
async fn options(client: &Client, db: &str, collection: &str) -> Value {
    let reply = client
        .database(db)
        .run_command(doc! {"listCollections": 1, "filter": {"name": collection}})
        .await
        .unwrap();
    let batch = reply
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(batch.len(), 1, "{db}.{collection} does not exist");
    let options = batch[0]
        .as_document()
        .unwrap()
        .get_document("options")
        .cloned()
        .unwrap_or_default();
    canonical(&options)
}

/// Index specs without `v` and `ns`, sorted by name, as canonical Extended JSON.
async fn index_specs(client: &Client, db: &str, collection: &str) -> Vec<Value> {
    data::indexes(client, db, collection)
        .await
        .into_iter()
        .map(|mut spec| {
            spec.remove("v");
            spec.remove("ns");
            canonical(&spec)
        })
        .collect()
}

fn sorted_by_name(specs: &[Value]) -> Vec<Value> {
    let mut specs = specs.to_vec();
    specs.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    specs
}

async fn collection_names(client: &Client, db: &str) -> Vec<String> {
    let mut names = client.database(db).list_collection_names().await.unwrap();
    names.retain(|n| !n.starts_with("system."));
    names.sort();
    names
}

#[tokio::test]
async fn mongodump_fixtures_restore_content_identical() {
    let client = harness::client().await;
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("manifest.json")).unwrap())
            .unwrap();
    let databases = manifest["databases"].as_object().unwrap();
    for variant in ["plain", "gzip"] {
        for (source, collections) in databases {
            let target =
                harness::fresh_db(&client, &format!("archive_fixture_{variant}_{source}")).await;
            let from = fixtures().join(variant);
            let report = archive(&[
                "restore",
                "--from",
                path_str(&from),
                "--db",
                source,
                "--to-db",
                &target,
            ])
            .status(0)
            .json_doc();
            assert_eq!(report["command"], "restore");
            assert_eq!(report["status"], "ok");
            let restored = report["collections"].as_array().unwrap();
            assert_eq!(restored.len(), collections.as_object().unwrap().len());

            for (name, expected) in collections.as_object().unwrap() {
                let context = format!("{variant} {source}.{name}");
                let count = expected["count"].as_u64().unwrap();
                let entry = restored
                    .iter()
                    .find(|c| c["collection"] == name.as_str())
                    .unwrap_or_else(|| panic!("{context} missing from the report"));
                assert_eq!(entry["documents"], count, "{context}");
                assert_eq!(entry["database"], target.as_str(), "{context}");

                let live = canonical_documents(&client, &target, name).await;
                let wanted =
                    expected_documents(&fixtures().join(format!("expected/{source}.{name}.jsonl")));
                assert_eq!(live.len() as u64, count, "{context}: count");
                assert_eq!(wanted.len() as u64, count, "{context}: expected file");
                for ((live_id, live_doc), (wanted_id, wanted_doc)) in live.iter().zip(&wanted) {
                    assert_eq!(live_id, wanted_id, "{context}: _id");
                    assert_eq!(live_doc, wanted_doc, "{context}: document {live_id}");
                }

                let live_options = options(&client, &target, name).await;
                let wanted_options = normalize(expected["options"].clone());
                for key in ["validator", "capped", "size"] {
                    assert_eq!(
                        live_options.get(key),
                        wanted_options.get(key),
                        "{context}: option {key}"
                    );
                }
                let wanted_indexes: Vec<Value> = expected["indexes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .cloned()
                    .map(normalize)
                    .collect();
                assert_eq!(
                    index_specs(&client, &target, name).await,
                    sorted_by_name(&wanted_indexes),
                    "{context}: indexes"
                );
            }
            assert!(
                !collection_names(&client, &target)
                    .await
                    .iter()
                    .any(|n| n.starts_with("rollbook_tmp_")),
                "{variant} {source}: a temporary collection was left behind"
            );
        }
    }
}

#[tokio::test]
async fn inspect_reads_the_fixtures_and_selects_by_glob() {
    for variant in ["plain", "gzip"] {
        let contents = rollbook::archive::inspect(&fixtures().join(variant), "superkafe_*")
            .await
            .unwrap();
        let names: Vec<&str> = contents.databases.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["superkafe_negoes", "superkafe_tenant2"]);
        assert_eq!(contents.documents(), 570, "{variant}");
        let capped = contents.databases[1]
            .collections
            .iter()
            .find(|c| c.name == "events_capped")
            .unwrap();
        assert_eq!(capped.documents, 20);
        assert_eq!(capped.bytes, 540);
        assert_eq!(capped.options.get_bool("capped"), Ok(true));
        assert_eq!(capped.gzip, variant == "gzip");

        let one = rollbook::archive::inspect(&fixtures().join(variant), "superkafe_tenant2")
            .await
            .unwrap();
        assert_eq!(one.databases.len(), 1);
        let error = rollbook::archive::inspect(&fixtures().join(variant), "nope")
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"nope\" is not a database"), "{error}");
    }
}

/// A hand-made element: `DbPointer` cannot be built through the bson crate's API.
fn with_db_pointer(id: i32) -> RawDocumentBuf {
    let mut bytes = Vec::new();
    bytes.extend([0u8; 4]);
    bytes.push(0x10);
    bytes.extend(b"_id\0");
    bytes.extend(id.to_le_bytes());
    bytes.push(0x0C);
    bytes.extend(b"pointer\0");
    let ns = b"other.things\0";
    bytes.extend((ns.len() as i32).to_le_bytes());
    bytes.extend(ns);
    bytes.extend(
        ObjectId::parse_str("65a500000000000000000042")
            .unwrap()
            .bytes(),
    );
    bytes.push(0);
    let length = bytes.len() as i32;
    bytes[..4].copy_from_slice(&length.to_le_bytes());
    RawDocumentBuf::from_bytes(bytes).unwrap()
}

/// Documents holding every BSON type the server stores, nested, with `_id`s of several types.
fn every_type() -> Vec<RawDocumentBuf> {
    let binary = |subtype: BinarySubtype, bytes: &[u8]| {
        Bson::Binary(Binary {
            subtype,
            bytes: bytes.to_vec(),
        })
    };
    let mut everything = doc! {
        "_id": ObjectId::parse_str("65a500000000000000000001").unwrap(),
        "double": 1.5,
        "double_whole": 2.0,
        "double_negative_zero": -0.0,
        "double_nan": f64::NAN,
        "double_inf": f64::INFINITY,
        "double_neg_inf": f64::NEG_INFINITY,
        "double_big": 1.0e300,
        "string": "kopi ☕ – ünïcödé",
        "empty_string": "",
        "document": {"a": 1, "b": {"c": [1, "two", 3.0]}},
        "empty_document": {},
        "array": [1, "x", {"y": null}, [true, false]],
        "empty_array": [],
        "bin_generic": binary(BinarySubtype::Generic, b"\x00\x01\x02\xff"),
        "bin_empty": binary(BinarySubtype::Generic, b""),
        "bin_function": binary(BinarySubtype::Function, b"fn"),
        "bin_uuid_old": binary(BinarySubtype::UuidOld, &[7u8; 16]),
        "bin_uuid": binary(BinarySubtype::Uuid, &[9u8; 16]),
        "bin_md5": binary(BinarySubtype::Md5, &[5u8; 16]),
        "bin_user": binary(BinarySubtype::UserDefined(0x80), b"user defined"),
    };
    everything.extend(doc! {
        "object_id": ObjectId::parse_str("65a5000000000000000000ff").unwrap(),
        "bool_true": true,
        "bool_false": false,
        "date": mongodb::bson::DateTime::from_millis(1_704_097_800_000),
        "date_before_1970": mongodb::bson::DateTime::from_millis(-86_400_000),
        "null": null,
        "regex": Regex { pattern: "^item-[0-9]+$".into(), options: "imsx".into() },
        "code": Bson::JavaScriptCode("function(x) { return x + 1; }".into()),
        "code_with_scope": Bson::JavaScriptCodeWithScope(JavaScriptCodeWithScope {
            code: "function() { return y; }".into(),
            scope: doc! {"y": 42, "z": {"deep": [1]}},
        }),
        "symbol": Bson::Symbol("a_symbol".into()),
        "undefined": Bson::Undefined,
        "int32": 42_i32,
        "int32_min": i32::MIN,
        "timestamp": Timestamp { time: 1_705_300_000, increment: 7 },
        "int64": 1_099_511_627_776_i64,
        "int64_max": i64::MAX,
        "decimal": "10250.01".parse::<mongodb::bson::Decimal128>().unwrap(),
        "decimal_exp": "-1.5E-10".parse::<mongodb::bson::Decimal128>().unwrap(),
        "min_key": Bson::MinKey,
        "max_key": Bson::MaxKey,
        "nested": {"l1": {"l2": {"l3": {"l4": [[[{"l7": Bson::Decimal128("1".parse().unwrap())}]]]}}}},
        "field.with.dots": 1,
        "$dollar_prefixed_nested": {"ok": true},
    });
    let mut documents = vec![RawDocumentBuf::from_document(&everything).unwrap()];
    for (i, id) in [
        Bson::Int32(1),
        Bson::Int64(2),
        Bson::Double(3.5),
        Bson::String("four".into()),
        Bson::Document(doc! {"compound": 5, "key": "x"}),
        Bson::Decimal128("6".parse().unwrap()),
        binary(BinarySubtype::Uuid, &[6u8; 16]),
        Bson::DateTime(mongodb::bson::DateTime::from_millis(7)),
        Bson::Boolean(true),
    ]
    .into_iter()
    .enumerate()
    {
        let document = doc! {"_id": id, "i": i as i32, "payload": "x".repeat(i * 100), "when": mongodb::bson::DateTime::from_millis(i as i64)};
        documents.push(RawDocumentBuf::from_document(&document).unwrap());
    }
    documents.push(with_db_pointer(100));
    for i in 0..1500 {
        let document = doc! {"_id": 1000 + i, "n": i, "even": i % 2 == 0, "tags": ["a", "b"], "when": mongodb::bson::DateTime::from_millis(i64::from(i) * 1000)};
        documents.push(RawDocumentBuf::from_document(&document).unwrap());
    }
    documents
}

async fn seed_every_type(client: &Client, db: &str) {
    let database = client.database(db);
    database
        .collection::<RawDocumentBuf>("everything")
        .insert_many(every_type())
        .await
        .unwrap();
    database
        .run_command(doc! {"createIndexes": "everything", "indexes": [
            {"key": {"n": 1}, "name": "n_unique", "unique": true, "partialFilterExpression": {"n": {"$exists": true}}},
            {"key": {"even": 1, "n": -1}, "name": "even_n"},
            {"key": {"when": 1}, "name": "when_ttl", "expireAfterSeconds": 2_000_000_000},
            {"key": {"string": "text"}, "name": "string_text", "default_language": "english"},
            {"key": {"tags": 1}, "name": "tags_sparse", "sparse": true},
        ]})
        .await
        .unwrap();
    database
        .run_command(doc! {
            "create": "validated",
            "validator": {"$jsonSchema": {"bsonType": "object", "required": ["email"]}},
            "collation": {"locale": "fr", "strength": 2},
        })
        .await
        .unwrap();
    database
        .collection::<Document>("validated")
        .insert_many((0..10).map(|i| doc! {"_id": i, "email": format!("u{i}@example.test")}))
        .await
        .unwrap();
    database
        .run_command(doc! {"create": "ring", "capped": true, "size": 8192, "max": 50})
        .await
        .unwrap();
    database
        .collection::<Document>("ring")
        .insert_many((0..80).map(|i| doc! {"_id": i, "e": "login"}))
        .await
        .unwrap();
    database
        .run_command(doc! {"create": "evens", "viewOn": "everything", "pipeline": [{"$match": {"even": true}}]})
        .await
        .unwrap();
}

#[tokio::test]
async fn dump_then_restore_round_trips_every_bson_type() {
    let client = harness::client().await;
    let source = harness::fresh_db(&client, "archive_round_trip_src").await;
    seed_every_type(&client, &source).await;
    let ring_before = data::documents(&client, &source, "ring").await;
    assert_eq!(ring_before.len(), 50, "the capped collection keeps 50");
    for gzip in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("backup");
        let mut args = vec!["dump", "--db", source.as_str(), "--out", path_str(&out)];
        if gzip {
            args.push("--gzip");
        }
        let report = archive(&args).status(0).json_doc();
        assert_eq!(report["command"], "dump");
        assert_eq!(report["status"], "ok");
        let dumped = report["collections"].as_array().unwrap();
        let names: Vec<&str> = dumped
            .iter()
            .map(|c| c["collection"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["evens", "everything", "ring", "validated"]);
        let everything = dumped
            .iter()
            .find(|c| c["collection"] == "everything")
            .unwrap();
        assert_eq!(everything["documents"], 1511);
        let gz = if gzip { ".gz" } else { "" };
        for file in [
            format!("everything.bson{gz}"),
            format!("everything.metadata.json{gz}"),
            format!("evens.metadata.json{gz}"),
        ] {
            assert!(out.join(&source).join(&file).is_file(), "{file} missing");
        }
        assert!(
            !out.join(&source).join(format!("evens.bson{gz}")).exists(),
            "a view is dumped as metadata only"
        );
        let contents = rollbook::archive::inspect(&out, &source).await.unwrap();
        let view = contents.databases[0]
            .collections
            .iter()
            .find(|c| c.name == "evens")
            .unwrap();
        assert_eq!(view.kind, "view");
        assert_eq!(view.options.get_str("viewOn"), Ok("everything"));

        let target = harness::fresh_db(&client, &format!("archive_round_trip_dst_{gzip}")).await;
        let report = archive(&[
            "restore",
            "--from",
            path_str(&out),
            "--db",
            &source,
            "--to-db",
            &target,
        ])
        .args(["--batch-size", "100"])
        .status(0)
        .json_doc();
        assert_eq!(report["documents"], 1511 + 10 + 50);
        data::assert_same(
            &client,
            &source,
            &target,
            &["everything", "validated", "ring"],
            &format!("round trip gzip={gzip}"),
        )
        .await;
        for collection in ["everything", "validated", "ring", "evens"] {
            assert_eq!(
                options(&client, &source, collection).await,
                options(&client, &target, collection).await,
                "options of {collection}, gzip={gzip}"
            );
        }
        let evens: Vec<Document> = client
            .database(&target)
            .collection::<Document>("evens")
            .find(doc! {})
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(evens.len(), 750, "the view works on the restored data");
        assert_eq!(
            collection_names(&client, &target).await,
            ["evens", "everything", "ring", "validated"]
        );
    }
}

#[tokio::test]
async fn dump_refuses_bad_requests_before_writing() {
    let client = harness::client().await;
    let source = harness::fresh_db(&client, "archive_dump_refusals").await;
    client
        .database(&source)
        .collection::<Document>("c")
        .insert_one(doc! {"_id": 1})
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    let report = archive(&["dump", "--out", path_str(&out)])
        .status(2)
        .json_doc();
    assert_eq!(report["error"]["code"], "USAGE");
    let output = archive(&[
        "dump",
        "--db",
        "archive_no_such_db",
        "--out",
        path_str(&out),
    ])
    .status(2);
    assert!(output.stderr.contains("does not exist"), "{output}");
    let output = archive(&[
        "dump",
        "--db",
        &source,
        "--collection",
        "missing",
        "--out",
        path_str(&out),
    ])
    .status(2);
    assert!(output.stderr.contains("missing"), "{output}");
    assert!(!out.exists(), "nothing may be written");

    let dump = archive(&["dump", "--db", &source, "--out", path_str(&out)]);
    dump.status(0);
    // A second dump into the same place is refused.
    let output = dump.status(2);
    assert!(output.stderr.contains("already holds files"), "{output}");
}

/// A source database with two collections, a backup of it, and then live data that differs
/// from the backup (so a restore would visibly change it).
async fn live_and_backup(client: &Client, name: &str, gzip: bool) -> (String, tempfile::TempDir) {
    let db = harness::fresh_db(client, name).await;
    let database = client.database(&db);
    for collection in ["orders", "users"] {
        database
            .collection::<Document>(collection)
            .insert_many((0..500).map(|i| doc! {"_id": i, "v": 1, "pad": "x".repeat(200)}))
            .await
            .unwrap();
    }
    database
        .run_command(
            doc! {"createIndexes": "orders", "indexes": [{"key": {"v": 1}, "name": "v_1"}]},
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["dump", "--db", db.as_str(), "--out", path_str(dir.path())];
    if gzip {
        args.push("--gzip");
    }
    archive(&args).status(0);
    for collection in ["orders", "users"] {
        database
            .collection::<Document>(collection)
            .update_many(doc! {}, doc! {"$set": {"v": 2}})
            .await
            .unwrap();
        database
            .collection::<Document>(collection)
            .insert_one(doc! {"_id": "live-only"})
            .await
            .unwrap();
    }
    (db, dir)
}

async fn snapshot(client: &Client, db: &str) -> Vec<(Vec<Vec<u8>>, Vec<Document>)> {
    let mut out = Vec::new();
    for collection in ["orders", "users"] {
        out.push((
            data::documents(client, db, collection).await,
            data::indexes(client, db, collection).await,
        ));
    }
    out
}

#[tokio::test]
async fn corrupt_backups_are_refused_before_anything_is_dropped() {
    let client = harness::client().await;
    for (case, gzip) in [
        ("truncated", false),
        ("bad_length", false),
        ("truncated_gz", true),
    ] {
        let (db, dir) = live_and_backup(&client, &format!("archive_corrupt_{case}"), gzip).await;
        let before = snapshot(&client, &db).await;
        let file = dir
            .path()
            .join(&db)
            .join(if gzip { "users.bson.gz" } else { "users.bson" });
        let mut bytes = std::fs::read(&file).unwrap();
        match case {
            "bad_length" => {
                // The second document's length prefix, made absurd.
                let first = u32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize;
                bytes[first..first + 4].copy_from_slice(&0x7fff_0000_i32.to_le_bytes());
            }
            _ => bytes.truncate(bytes.len() - 37),
        }
        std::fs::write(&file, &bytes).unwrap();

        let output = restore_over(dir.path(), &db).run();
        let (code, report, stderr) = (output.code, output.json_doc(), &output.stderr);
        assert!(
            code == 1 || code == 2,
            "{case}: exit {code}: {stderr}\n{report:#}"
        );
        assert_eq!(report["status"], "error", "{case}");
        let file_name = if gzip { "users.bson.gz" } else { "users.bson" };
        assert!(
            stderr.contains(file_name) && stderr.contains("nothing was changed"),
            "{case}: the message must name the file: {stderr}"
        );
        if case == "bad_length" {
            assert!(stderr.contains("byte offset"), "{case}: {stderr}");
        }
        assert_eq!(
            snapshot(&client, &db).await,
            before,
            "{case}: the live collections changed"
        );
        assert_eq!(collection_names(&client, &db).await, ["orders", "users"]);
    }
}

#[tokio::test]
async fn restore_without_drop_refuses_to_overwrite() {
    let client = harness::client().await;
    let (db, dir) = live_and_backup(&client, "archive_no_drop", false).await;
    let before = snapshot(&client, &db).await;
    let output = archive(&["restore", "--from", path_str(dir.path()), "--db", &db]).status(2);
    assert!(output.stderr.contains("--drop"), "{output}");
    // Exit 5: --drop without a terminal needs --yes.
    archive(&[
        "restore",
        "--from",
        path_str(dir.path()),
        "--db",
        &db,
        "--drop",
    ])
    .status(5);
    assert_eq!(snapshot(&client, &db).await, before);

    let report = restore_over(dir.path(), &db).status(0).json_doc();
    let orders = report["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["collection"] == "orders")
        .unwrap();
    assert_eq!(orders["replaced_documents"], 501);
    assert_eq!(orders["documents"], 500);
    assert_eq!(
        data::count(&client, &db, "orders", doc! {"v": 1}).await,
        500,
        "the backup's content is live"
    );
    assert_eq!(
        data::count(&client, &db, "orders", doc! {"_id": "live-only"}).await,
        0
    );
}

#[tokio::test]
async fn failure_mid_restore_leaves_live_collections_unchanged() {
    let client = harness::client().await;
    let (db, dir) = live_and_backup(&client, "archive_failpoint", false).await;
    let before = snapshot(&client, &db).await;
    let app = "rollbook_archive_failpoint";
    let restore = |batch: &str, parallel: &str| {
        restore_over(dir.path(), &db)
            .args(["--batch-size", batch, "--parallel", parallel])
            .uri(&harness::uri_with_app(app))
    };
    {
        // Every insert fails.
        let _failpoint = harness::FailPoint::fail_command(&client, app, &["insert"], 2, 1000).await;
        let output = restore("100", "2").status(1);
        assert!(output.stderr.contains("nothing was changed"), "{output}");
    }
    assert_eq!(snapshot(&client, &db).await, before);
    assert_eq!(collection_names(&client, &db).await, ["orders", "users"]);
    {
        // One collection at a time: all 10 batches of `orders` load (and it is indexed and
        // counted), then an insert into `users` fails after 2 batches; `orders` must not be swapped in.
        let _failpoint =
            harness::FailPoint::fail_command_skip(&client, app, &["insert"], 2, 12).await;
        let output = restore("50", "1").status(1);
        let report = output.json_doc();
        assert_eq!(report["error"]["code"], "ACTION_FAILED", "{report:#}");
        assert!(
            output.stderr.contains("cannot insert documents")
                && output.stderr.contains("rollbook_tmp_users"),
            "the error names the failed insert: {output}"
        );
    }
    assert_eq!(snapshot(&client, &db).await, before);
    assert_eq!(collection_names(&client, &db).await, ["orders", "users"]);

    // With the failpoint off, the same restore goes through.
    restore("50", "2").status(0);
    assert_eq!(data::count(&client, &db, "users", doc! {"v": 1}).await, 500);
    assert_eq!(collection_names(&client, &db).await, ["orders", "users"]);
}

/// Retryable server errors (the driver retries an insert that gets one, and error 91 also
/// clears its connection pool) after several successful inserts, against a restore of six
/// collections four at a time: every failed restore must leave the live database exactly as it
/// was — the same collections (no temporary copy), the same bytes, the same indexes — however
/// the concurrent inserts interleave. Repeated to catch the race (`ROLLBOOK_RESTORE_ROUNDS`
/// raises the count).
#[tokio::test]
async fn failed_restore_under_retryable_errors_changes_nothing() {
    use rollbook::content::fingerprint;
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "archive_retryable").await;
    data::seed_earlybird(&client, &db, 1000).await;
    let dir = tempfile::tempdir().unwrap();
    archive(&["dump", "--db", &db, "--out", path_str(dir.path())]).status(0);
    for collection in data::EARLYBIRD {
        client
            .database(&db)
            .collection::<Document>(collection)
            .update_many(doc! {}, doc! {"$set": {"damaged": true}})
            .await
            .unwrap();
    }
    let before = fingerprint::take(&client, &db, &[]).await.unwrap();
    let app = "rollbook_archive_retryable";
    // A short server-selection timeout, as scripts and the fault suite use: cleanup right after
    // the error must not depend on the server being seen again within it.
    let uri = format!(
        "{}&serverSelectionTimeoutMS=1000",
        harness::uri_with_app(app)
    );
    let rounds: usize = std::env::var("ROLLBOOK_RESTORE_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2);
    // 91 ShutdownInProgress, 189 PrimarySteppedDown, 11600 InterruptedAtShutdown,
    // 10107 NotWritablePrimary: all carry the retryable-write label.
    for round in 0..rounds {
        for error_code in [91, 189, 11600, 10107] {
            for skip in [1, 2, 3, 7] {
                let label = format!("round {round}, error {error_code} after {skip} inserts");
                let output = {
                    let _failpoint = harness::FailPoint::fail_command_skip(
                        &client,
                        app,
                        &["insert"],
                        error_code,
                        skip,
                    )
                    .await;
                    restore_over(dir.path(), &db)
                        .args(["--batch-size", "100"])
                        .uri(&uri)
                        .run()
                };
                let (report, stderr) = (output.json_doc(), &output.stderr);
                assert_eq!(output.code, 1, "{label}: {stderr}\n{report:#}");
                assert!(stderr.contains("nothing was changed"), "{label}: {stderr}");
                let after = fingerprint::take(&client, &db, &[]).await.unwrap();
                let difference = before.compare(&after);
                assert!(
                    difference.is_none(),
                    "{label}: the failed restore changed the live data: {}\n{stderr}",
                    difference.notes.join("; ")
                );
            }
        }
    }
    // With the failpoint off, the same restore goes through.
    restore_over(dir.path(), &db).status(0);
    assert_eq!(
        data::count(&client, &db, "orders", doc! {"damaged": true}).await,
        0
    );
}

#[tokio::test]
async fn restore_into_the_state_database_or_the_servers_own_is_refused_and_changes_nothing() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "archive_protected").await;
    let state = harness::fresh_db(&client, "archive_protected_state").await;
    data::seed_earlybird(&client, &db, 200).await;
    let dir = tempfile::tempdir().unwrap();
    archive(&["dump", "--db", &db, "--out", path_str(dir.path())]).status(0);
    let since = harness::oplog_now(&client).await;
    for (to, why) in [
        (state.as_str(), "rollbook's state database"),
        ("admin", "--into-server-databases"),
        ("local", "--into-server-databases"),
    ] {
        let refused = archive(&[
            "restore",
            "--from",
            path_str(dir.path()),
            "--db",
            &db,
            "--to-db",
            to,
        ])
        .state(&state)
        .yes()
        .status(2);
        assert!(
            refused.json_doc()["error"]["message"]
                .as_str()
                .unwrap()
                .contains(why),
            "{refused}"
        );
    }
    assert_eq!(harness::oplog_writes(&client, since, &[&state]).await, 0);
    for server in ["admin", "local"] {
        let names = client
            .database(server)
            .list_collection_names()
            .await
            .unwrap();
        assert!(
            !names.iter().any(|n| data::EARLYBIRD.contains(&n.as_str())),
            "{server}: {names:?}"
        );
    }
}
