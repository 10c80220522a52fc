//! Server-side clones of a database: every collection's documents (an `$out` in natural order,
//! so bytes and key order are kept) and then its index specs. The fault suite's trials, the
//! tests and rehearsals start from such a copy.

use mongodb::bson::{doc, Document};
use mongodb::Client;

use crate::error::{Error, Result};

/// Copies every collection of `from` (documents, then indexes) into `to`, on the server.
pub async fn clone_db(client: &Client, from: &str, to: &str) -> Result<()> {
    let source = client.database(from);
    let names = source
        .list_collection_names()
        .await
        .map_err(|e| Error::database(format!("cannot list {from}"), e))?;
    for name in names
        .iter()
        .filter(|n| !n.starts_with("system.") && *n != crate::store::lock::LOCK_COLLECTION)
    {
        let collection = source.collection::<Document>(name);
        collection
            .aggregate(vec![doc! {"$out": {"db": to, "coll": name}}])
            .hint(mongodb::options::Hint::Keys(doc! {"$natural": 1}))
            .await
            .map_err(|e| Error::database(format!("cannot copy {from}.{name}"), e))?;
        let indexes: Vec<Document> = crate::actions::indexes::specs(&source, name)
            .await?
            .into_iter()
            .filter(|spec| spec.get_str("name").ok() != Some("_id_"))
            .collect();
        if !indexes.is_empty() {
            client
                .database(to)
                .run_command(doc! {"createIndexes": name, "indexes": indexes})
                .await
                .map_err(|e| Error::database(format!("cannot index {to}.{name}"), e))?;
        }
    }
    Ok(())
}
