//! How far a long action is: documents done, of a total when one is known, per phase
//! (`snapshot`, `conflict check`, `copy`, `delete`, `dump`, `restore`). The engine turns each
//! report into a run event; renderers draw a bar from it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mongodb::bson::doc;
use mongodb::Database;

use super::ActionContext;

/// Receives how far actions are.
pub(crate) trait Tally: Send + Sync {
    /// Action `index` of `step` has done `done` documents in `phase`, of `total` when the
    /// action knows it.
    fn tally(&self, step: &str, index: usize, phase: &'static str, done: u64, total: Option<u64>);
}

/// A tally that goes nowhere (plans, checks).
pub(crate) struct Nowhere;

impl Tally for Nowhere {
    fn tally(&self, _: &str, _: usize, _: &'static str, _: u64, _: Option<u64>) {}
}

/// How often a server-side copy's output is counted.
const POLL: Duration = Duration::from_secs(1);

/// Runs `work` (an aggregation ending in `$out` into `db`) and reports as `phase` how many
/// documents it has written so far, every second: the server writes them into one temporary
/// `tmp.agg_out.*` collection, whose metadata count is cheap to read. With none, or more than
/// one (someone else's `$out`), nothing is reported for that moment.
pub(crate) async fn out_counted<F: std::future::IntoFuture>(
    ctx: &ActionContext<'_>,
    db: &Database,
    phase: &'static str,
    total: Option<u64>,
    work: F,
) -> F::Output {
    tokio::select! {
        out = work.into_future() => out,
        never = watch_out(ctx, db, phase, total) => match never {},
    }
}

async fn watch_out(
    ctx: &ActionContext<'_>,
    db: &Database,
    phase: &'static str,
    total: Option<u64>,
) -> std::convert::Infallible {
    loop {
        tokio::time::sleep(POLL).await;
        let Ok(names) = db
            .list_collection_names()
            .filter(doc! {"name": {"$regex": "^tmp\\.agg_out\\."}})
            .await
        else {
            continue;
        };
        if let [name] = names.as_slice() {
            if let Ok(done) = db
                .collection::<mongodb::bson::Document>(name)
                .estimated_document_count()
                .await
            {
                ctx.tally(phase, done, total);
            }
        }
    }
}

/// Sums documents over the collections of a dump or restore for one tally.
pub(crate) struct ArchiveTally<'a> {
    ctx: &'a ActionContext<'a>,
    phase: &'static str,
    total: Option<u64>,
    done: AtomicU64,
}

impl<'a> ArchiveTally<'a> {
    /// Reports into `tally` as `phase`, of `total` documents when known.
    pub(crate) fn new(ctx: &'a ActionContext<'a>, phase: &'static str, total: Option<u64>) -> Self {
        ArchiveTally {
            ctx,
            phase,
            total,
            done: AtomicU64::new(0),
        }
    }
}

impl crate::archive::Progress for ArchiveTally<'_> {
    fn advance(&self, _namespace: &str, documents: u64) {
        let done = self.done.fetch_add(documents, Ordering::Relaxed) + documents;
        self.ctx.tally(self.phase, done, self.total);
    }
}
