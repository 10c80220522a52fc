//! Rates measured on this server: how many documents per second each kind of action got
//! through in recent runs, from the durations the journal recorded (snapshot included). A
//! plan's time estimate uses them instead of fixed constants once there is something measured.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};

use super::Store;
use crate::error::{Error, Result};

/// Actions that changed fewer documents than this say more about overhead than about rate.
pub(crate) const MIN_DOCUMENTS: i64 = 1_000;
/// How many of the newest measured actions of each kind count.
const NEWEST: i64 = 200;

/// A measured rate of one action kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Documents per second.
    pub per_second: f64,
    /// How many finished actions it comes from.
    pub actions: u64,
}

impl Store {
    /// The measured rate of each action kind, from its newest finished actions that changed
    /// at least [`MIN_DOCUMENTS`]; reads only.
    pub(crate) async fn measured_rates(&self) -> Result<HashMap<String, Rate>> {
        let failed = |e| Error::database("cannot read the measured action rates", e);
        let mut cursor = self
            .collection("journal")
            .aggregate(vec![
                doc! {"$match": {
                    "phase": "end",
                    "status": "ok",
                    "result.modified": {"$gte": MIN_DOCUMENTS},
                    "result.duration_ms": {"$gt": 0},
                }},
                // The newest of each kind, whatever the other kinds' numbers.
                doc! {"$group": {
                    "_id": "$result.kind",
                    "newest": {"$topN": {
                        "n": NEWEST,
                        "sortBy": {"at": -1},
                        "output": {"m": "$result.modified", "d": "$result.duration_ms"},
                    }},
                }},
                doc! {"$project": {
                    "documents": {"$sum": "$newest.m"},
                    "ms": {"$sum": "$newest.d"},
                    "actions": {"$size": "$newest"},
                }},
            ])
            .await
            .map_err(failed)?;
        let mut rates = HashMap::new();
        while let Some(group) = cursor.try_next().await.map_err(failed)? {
            let number = |d: &Document, key: &str| {
                d.get(key)
                    .and_then(|v| {
                        v.as_i64()
                            .or_else(|| v.as_i32().map(i64::from))
                            .or_else(|| v.as_f64().map(|f| f as i64))
                    })
                    .unwrap_or(0)
            };
            let (Ok(kind), documents, ms) = (
                group.get_str("_id"),
                number(&group, "documents"),
                number(&group, "ms"),
            ) else {
                continue;
            };
            if documents > 0 && ms > 0 {
                rates.insert(
                    kind.to_owned(),
                    Rate {
                        per_second: documents as f64 * 1000.0 / ms as f64,
                        actions: u64::try_from(number(&group, "actions")).unwrap_or(0),
                    },
                );
            }
        }
        Ok(rates)
    }
}
