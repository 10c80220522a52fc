//! The fault suite's judge: fingerprints tell apart states that differ in any document's bytes
//! (key order included), in presence, or in index specs — so "0 documents lost" means something.
//! (`rollbook-faults` itself runs in CI, reduced; see `.ci/run`.)

use mongodb::bson::{doc, Document};

use crate::data;
use crate::harness;
use rollbook::content::fingerprint;

#[tokio::test]
async fn fingerprints_see_every_kind_of_difference() {
    let client = harness::client().await;
    let original = harness::fresh_db(&client, "fingerprint_original").await;
    let db = harness::fresh_db(&client, "fingerprint_copy").await;
    data::seed_earlybird(&client, &original, 500).await;
    rollbook::content::clone::clone_db(&client, &original, &db)
        .await
        .unwrap();
    let expected = fingerprint::take(&client, &original, &[]).await.unwrap();
    let difference = |label: &'static str| {
        let (client, db, expected) = (client.clone(), db.clone(), expected.clone());
        async move {
            let found = expected.compare(&fingerprint::take(&client, &db, &[]).await.unwrap());
            eprintln!("{label}: {found:?}");
            found
        }
    };
    assert!(difference("a clone").await.is_none());

    // The same fields and values in another order.
    let orders = client.database(&db).collection::<Document>("orders");
    let first = orders
        .find_one(doc! {})
        .sort(doc! {"_id": 1})
        .await
        .unwrap()
        .unwrap();
    let mut reordered = Document::new();
    reordered.insert("_id", first.get("_id").unwrap().clone());
    let fields: Vec<(&String, &mongodb::bson::Bson)> =
        first.iter().filter(|(k, _)| *k != "_id").collect();
    for (key, value) in fields.into_iter().rev() {
        reordered.insert(key, value.clone());
    }
    orders
        .replace_one(doc! {"_id": first.get("_id").unwrap()}, reordered)
        .await
        .unwrap();
    let found = difference("key order").await;
    assert_eq!((found.lost, found.unexpected), (1, 0));

    orders
        .replace_one(doc! {"_id": first.get("_id").unwrap()}, first.clone())
        .await
        .unwrap();
    assert!(difference("put back").await.is_none());

    orders
        .delete_one(doc! {"_id": first.get("_id").unwrap()})
        .await
        .unwrap();
    assert_eq!(difference("deleted").await.lost, 1);
    orders.insert_one(first).await.unwrap();
    orders.insert_one(doc! {"extra": true}).await.unwrap();
    let found = difference("an extra document").await;
    assert_eq!((found.lost, found.unexpected), (0, 1));
    orders.delete_one(doc! {"extra": true}).await.unwrap();

    let index = data::indexes(&client, &db, "orders").await;
    let name = index
        .iter()
        .filter_map(|spec| spec.get_str("name").ok())
        .find(|name| *name != "_id_")
        .unwrap()
        .to_owned();
    orders.drop_index(&name).await.unwrap();
    let found = difference("a dropped index").await;
    assert_eq!((found.lost, found.unexpected), (0, 0));
    assert!(found.notes.iter().any(|n| n.contains("indexes differ")));

    client
        .database(&db)
        .collection::<Document>("orders_backup_leftover")
        .insert_one(doc! {"x": 1})
        .await
        .unwrap();
    assert!(difference("an unexpected collection")
        .await
        .notes
        .iter()
        .any(|n| n.contains("unexpected collection orders_backup_leftover")));
}
