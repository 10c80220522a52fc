//! The backup registry: which collection each `backup_to_collection` of a run wrote, so a
//! resumed attempt reuses its own backup and no run ever replaces another's.

use mongodb::bson::{doc, DateTime};

use super::Store;
use crate::error::{Error, Result};

impl Store {
    /// The collection the action `id` (`<run>/<step>/<direction>/<index>`) backed up to, if an
    /// earlier attempt of its run registered one.
    pub(crate) async fn backup_of(&self, id: &str) -> Result<Option<String>> {
        let found = self
            .collection("backups")
            .find_one(doc! {"_id": id})
            .await
            .map_err(|e| Error::database("cannot read the backup registry", e))?;
        Ok(found.and_then(|d| d.get_str("collection").ok().map(str::to_owned)))
    }

    /// Records that the action `id` wrote `documents` documents to `database.collection`.
    pub(crate) async fn register_backup(
        &self,
        id: &str,
        database: &str,
        collection: &str,
        documents: u64,
    ) -> Result<()> {
        self.ensure_lease().await?;
        self.collection("backups")
            .replace_one(
                doc! {"_id": id},
                doc! {
                    "database": database,
                    "collection": collection,
                    "documents": i64::try_from(documents).unwrap_or(i64::MAX),
                    "created_at": DateTime::now(),
                },
            )
            .upsert(true)
            .await
            .map(drop)
            .map_err(|e| Error::database("cannot register the backup", e))
    }
}
