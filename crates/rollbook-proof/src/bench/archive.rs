//! `rollbook-bench archive`: dump and restore of N orders in mongodump's format — throughput
//! and the process's peak memory, which stays bounded whatever the collection size.

use std::time::Instant;

use mongodb::Client;

use super::{figure, Figure, BENCH_DB};
use rollbook::archive::{self, DumpSpec, RestoreSpec};
use rollbook::error::{Error, Result};

/// The figures of the archive benchmark.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ArchiveBench {
    /// Documents in the collection.
    pub documents: u64,
    /// Bytes of BSON dumped.
    pub bytes: u64,
    /// Dump (plain).
    pub dump: Figure,
    /// Restore into another database (documents, indexes, count check, swap).
    pub restore: Figure,
    /// Peak resident memory of this process before the benchmark, in MiB.
    pub rss_before_mib: f64,
    /// Peak resident memory after the dumps, in MiB.
    pub peak_after_dump_mib: f64,
    /// Peak resident memory after the restores, in MiB.
    pub peak_after_restore_mib: f64,
}

/// The process's peak resident set size (`VmHWM`), in MiB.
#[must_use]
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|kb| kb.parse::<f64>().ok())
                })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Runs the benchmark on the `orders` of freshly seeded demo data.
pub async fn run(client: &Client, documents: u64, runs: usize) -> Result<ArchiveBench> {
    let rss_before_mib = peak_rss_mib();
    let targets = rollbook::sandbox::seed::SeedTargets {
        earlybird: BENCH_DB.into(),
        master: format!("{BENCH_DB}_master"),
        tenants: vec![],
    };
    rollbook::sandbox::seed::seed(client, &targets, documents).await?;
    let dir = std::env::temp_dir().join(format!("rollbook-bench-{}", std::process::id()));
    let target = format!("{BENCH_DB}_restored");
    let (mut dumps, mut restores, mut bytes) = (Vec::new(), Vec::new(), 0);
    for _ in 0..runs.max(1) {
        let _ = std::fs::remove_dir_all(&dir);
        let spec = DumpSpec {
            databases: vec![BENCH_DB.into()],
            collections: vec!["orders".into()],
            out: dir.clone(),
            gzip: false,
            parallel: 1,
        };
        let started = Instant::now();
        let report = archive::dump(client, &spec).await?;
        dumps.push(started.elapsed().as_secs_f64());
        bytes = report.bytes;
    }
    let peak_after_dump_mib = peak_rss_mib();
    for _ in 0..runs.max(1) {
        client
            .database(&target)
            .drop()
            .await
            .map_err(|e| Error::database("cannot drop", e))?;
        let spec = RestoreSpec {
            databases: BENCH_DB.into(),
            to_db: Some(target.clone()),
            drop: true,
            ..RestoreSpec::new(&dir)
        };
        let started = Instant::now();
        archive::restore(client, &spec).await?;
        restores.push(started.elapsed().as_secs_f64());
    }
    let peak_after_restore_mib = peak_rss_mib();
    let _ = std::fs::remove_dir_all(&dir);
    for name in [BENCH_DB.to_owned(), format!("{BENCH_DB}_master"), target] {
        client
            .database(&name)
            .drop()
            .await
            .map_err(|e| Error::database("cannot drop the benchmark data", e))?;
    }
    Ok(ArchiveBench {
        documents,
        bytes,
        dump: figure("dump orders (plain)", dumps, documents),
        restore: figure("restore orders into another database", restores, documents),
        rss_before_mib,
        peak_after_dump_mib,
        peak_after_restore_mib,
    })
}
