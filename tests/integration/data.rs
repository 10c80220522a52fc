//! Test data helpers: seeded databases, server-side clones, and exact comparison.

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use mongodb::Client;

use rollbook::sandbox::seed::{self, SeedTargets};

/// The earlybird collections of seed 002.
pub const EARLYBIRD: [&str; 6] = [
    "orders",
    "delivery_statuses",
    "users",
    "customers_v2",
    "subscriptions_v2",
    "billing_records",
];

/// Seeds earlybird demo data into `db` (plus throwaway org and tenant databases).
pub async fn seed_earlybird(client: &Client, db: &str, scale: u64) {
    let targets = SeedTargets {
        earlybird: db.to_owned(),
        master: format!("{db}_m"),
        tenants: vec![],
    };
    seed::seed(client, &targets, scale).await.unwrap();
}

/// Copies every collection of `from` to `to` on the server, with indexes.
pub async fn clone_db(client: &Client, from: &str, to: &str) {
    client.database(to).drop().await.unwrap();
    rollbook::content::clone::clone_db(client, from, to)
        .await
        .unwrap();
}

/// Index specs of a collection, sorted by name.
pub async fn indexes(client: &Client, db: &str, collection: &str) -> Vec<Document> {
    let reply = client
        .database(db)
        .run_command(doc! {"listIndexes": collection})
        .await
        .unwrap();
    let mut specs: Vec<Document> = reply
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|b| b.as_document().unwrap().clone())
        .collect();
    specs.sort_by(|a, b| a.get_str("name").unwrap().cmp(b.get_str("name").unwrap()));
    specs
}

/// Every document of a collection as raw BSON bytes, sorted by `_id`: equal bytes means
/// equal values, types and key order.
pub async fn documents(client: &Client, db: &str, collection: &str) -> Vec<Vec<u8>> {
    let cursor = client
        .database(db)
        .collection::<Document>(collection)
        .find(doc! {})
        .sort(doc! {"_id": 1})
        .await
        .unwrap();
    let all: Vec<Document> = cursor.try_collect().await.unwrap();
    all.iter()
        .map(|d| mongodb::bson::to_vec(d).unwrap())
        .collect()
}

/// Asserts two databases hold byte-identical documents and identical indexes in `collections`.
pub async fn assert_same(
    client: &Client,
    left: &str,
    right: &str,
    collections: &[&str],
    context: &str,
) {
    for collection in collections {
        let a = documents(client, left, collection).await;
        let b = documents(client, right, collection).await;
        assert_eq!(
            a.len(),
            b.len(),
            "{context}: {collection} has {} documents in {left}, {} in {right}",
            a.len(),
            b.len()
        );
        let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        if differing > 0 {
            let (x, y) = a.iter().zip(&b).find(|(x, y)| x != y).unwrap();
            let x: Document = mongodb::bson::from_slice(x).unwrap();
            let y: Document = mongodb::bson::from_slice(y).unwrap();
            panic!("{context}: {differing} documents of {collection} differ between {left} and {right}; first:\n  {x}\n  {y}");
        }
        let strip = |specs: Vec<Document>| {
            specs
                .into_iter()
                .map(|mut s| {
                    s.remove("ns");
                    s
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            strip(indexes(client, left, collection).await),
            strip(indexes(client, right, collection).await),
            "{context}: indexes of {collection} differ between {left} and {right}"
        );
    }
}

/// Counts documents matching `filter`.
pub async fn count(client: &Client, db: &str, collection: &str, filter: Document) -> u64 {
    client
        .database(db)
        .collection::<Document>(collection)
        .count_documents(filter)
        .await
        .unwrap()
}
