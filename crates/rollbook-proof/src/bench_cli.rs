//! `rollbook-bench CASE`: benchmark commands that print medians and ratios.

use mongodb::Client;
use serde_json::json;

use rollbook::cli::args::{GlobalArgs, LogFormat, OutputFormat};
use rollbook::cli::connect;

use crate::args::{BenchCase, BenchCli, SharedArgs};
use crate::bench;
use rollbook::error::Result;
use rollbook::output::{human, json};

/// Runs one benchmark case and prints its figures. Only the cases that use the server need a
/// connection string.
pub async fn run(cli: &BenchCli) -> Result<()> {
    let BenchCli { shared, uri, case } = cli;
    match case {
        BenchCase::Startup { runs } => startup(shared, *runs)?,
        BenchCase::Plan { orders, runs } => {
            let client = client(uri.as_deref()).await?;
            plan(shared, &client, *orders, *runs).await?;
        }
        BenchCase::Copy { docs, runs } => {
            let client = client(uri.as_deref()).await?;
            let result = bench::copy::run(&client, &shared.runbooks_dir, *docs, *runs).await?;
            let base = result.bare_out.median_secs;
            let base_indexed = result.bare_out_with_indexes.median_secs;
            match shared.output {
                OutputFormat::Json => {
                    let mut document = json::success("bench");
                    document.insert("case".into(), json!("copy"));
                    document.insert("result".into(), json!(result));
                    document.insert(
                        "ratios".into(),
                        json!({
                            "copy_throughput_vs_bare_out": base / result.rename_copy.median_secs,
                            "copy_throughput_vs_bare_out_with_indexes": base_indexed / result.rename_copy.median_secs,
                        }),
                    );
                    json::print(&document);
                }
                OutputFormat::Human => {
                    println!(
                        "copy of {} documents (≈ 300 B, 2 secondary indexes), median of {} runs",
                        result.docs, runs
                    );
                    let mut table = human::table(&[
                        "case",
                        "median s",
                        "documents/s",
                        "throughput vs bare $out",
                        "vs bare $out + indexes",
                    ]);
                    for figure in [
                        &result.bare_out,
                        &result.bare_out_with_indexes,
                        &result.rename_copy,
                        &result.rename_run,
                    ] {
                        table.add_row(vec![
                            figure.name.clone(),
                            format!("{:.2}", figure.median_secs),
                            format!("{:.0}", figure.docs_per_sec),
                            format!("{:.2}×", base / figure.median_secs),
                            format!("{:.2}×", base_indexed / figure.median_secs),
                        ]);
                    }
                    println!("{table}");
                }
            }
        }
        BenchCase::Rollback { orders, runs } => {
            let client = client(uri.as_deref()).await?;
            let result =
                bench::rollback::run(&client, &shared.runbooks_dir, *orders, *runs).await?;
            let base = result.bare_update.median_secs;
            match shared.output {
                OutputFormat::Json => {
                    let mut document = json::success("bench");
                    document.insert("case".into(), json!("rollback"));
                    document.insert("result".into(), json!(result));
                    document.insert(
                        "ratios".into(),
                        json!({"rollback_vs_bare_update": result.rollback.median_secs / base, "forward_vs_bare_update": result.forward.median_secs / base}),
                    );
                    json::print(&document);
                }
                OutputFormat::Human => {
                    println!(
                        "step 19 on {} orders ({} with subscription_id), median of {runs} runs",
                        result.orders, result.changed
                    );
                    let mut table = human::table(&[
                        "case",
                        "median s",
                        "documents/s",
                        "time vs bare update_many",
                    ]);
                    for figure in [&result.bare_update, &result.rollback, &result.forward] {
                        table.add_row(vec![
                            figure.name.clone(),
                            format!("{:.2}", figure.median_secs),
                            format!("{:.0}", figure.docs_per_sec),
                            format!("{:.2}×", figure.median_secs / base),
                        ]);
                    }
                    println!("{table}");
                }
            }
        }
        BenchCase::Archive { docs, runs } => {
            let client = client(uri.as_deref()).await?;
            let result = bench::archive::run(&client, *docs, *runs).await?;
            match shared.output {
                OutputFormat::Json => {
                    let mut document = json::success("bench");
                    document.insert("case".into(), json!("archive"));
                    document.insert("result".into(), json!(result));
                    json::print(&document);
                }
                OutputFormat::Human => {
                    println!(
                        "{} orders ({:.0} MiB of BSON), median of {runs} runs",
                        result.documents,
                        result.bytes as f64 / 1_048_576.0
                    );
                    let mut table = human::table(&["case", "median s", "documents/s", "MiB/s"]);
                    for figure in [&result.dump, &result.restore] {
                        table.add_row(vec![
                            figure.name.clone(),
                            format!("{:.2}", figure.median_secs),
                            format!("{:.0}", figure.docs_per_sec),
                            format!(
                                "{:.0}",
                                result.bytes as f64 / 1_048_576.0 / figure.median_secs
                            ),
                        ]);
                    }
                    println!("{table}");
                    println!(
                        "peak memory of the process: {:.0} MiB before, {:.0} MiB after the dumps, {:.0} MiB after the restores",
                        result.rss_before_mib, result.peak_after_dump_mib, result.peak_after_restore_mib
                    );
                }
            }
        }
    }
    Ok(())
}

/// A client for `--uri` (else `MONGODB_URI`) made the way rollbook makes its own, so the
/// figures are those of rollbook's client. `connect::client` takes rollbook's global options
/// but reads only their URI; the rest are rollbook's defaults and go unused.
async fn client(uri: Option<&str>) -> Result<Client> {
    let global = GlobalArgs {
        uri: uri.map(str::to_owned),
        uri_file: None,
        db: None,
        state_db: "rollbook".into(),
        runbooks_dir: "runbooks".into(),
        operator: None,
        output: OutputFormat::Human,
        yes: false,
        verbose: 0,
        quiet: false,
        no_notify: true,
        context_name: None,
        confirm_context: None,
        context: None,
        given: Default::default(),
        log_format: LogFormat::Text,
    };
    connect::client(&global).await
}

/// `rollbook-bench plan`: the dry-run next to the bare reads its figures need.
async fn plan(shared: &SharedArgs, client: &Client, orders: u64, runs: usize) -> Result<()> {
    let result = bench::plan::run(client, &shared.runbooks_dir, orders, runs).await?;
    let rollback_ratio = result.plan_rollback.median_secs / result.bare_rollback.median_secs;
    let forward_ratio = result.plan_forward.median_secs / result.bare_forward.median_secs;
    match shared.output {
        OutputFormat::Json => {
            let mut document = json::success("bench");
            document.insert("case".into(), json!("plan"));
            document.insert("result".into(), json!(result));
            document.insert(
                "ratios".into(),
                json!({"plan_rollback_vs_bare_reads": rollback_ratio, "plan_forward_vs_bare_reads": forward_ratio}),
            );
            json::print(&document);
        }
        OutputFormat::Human => {
            let reads = |r: &bench::plan::ReadCounts| {
                format!(
                    "{} counts, {} index listings, {} collection lookups, {} snapshot lookups",
                    r.counts, r.index_listings, r.collection_lookups, r.snapshot_lookups
                )
            };
            println!(
                "plan of steps 19–30 on {} orders ({} documents would change on rollback), median of {runs} runs",
                result.orders, result.rollback_affected
            );
            println!("rollback needs {}", reads(&result.rollback_reads));
            println!("forward needs {}", reads(&result.forward_reads));
            let mut table = human::table(&["case", "median s", "time vs bare reads"]);
            for (figure, base) in [
                (&result.bare_rollback, &result.bare_rollback),
                (&result.plan_rollback, &result.bare_rollback),
                (&result.bare_forward, &result.bare_forward),
                (&result.plan_forward, &result.bare_forward),
            ] {
                table.add_row(vec![
                    figure.name.clone(),
                    format!("{:.4}", figure.median_secs),
                    format!("{:.2}×", figure.median_secs / base.median_secs),
                ]);
            }
            println!("{table}");
        }
    }
    Ok(())
}

/// `rollbook-bench startup`: start-up time of the `rollbook` binary; no database.
fn startup(shared: &SharedArgs, runs: usize) -> Result<()> {
    let result = bench::startup::run(&shared.runbooks_dir, runs)?;
    match shared.output {
        OutputFormat::Json => {
            let mut document = json::success("bench");
            document.insert("case".into(), json!("startup"));
            document.insert("result".into(), json!(result));
            json::print(&document);
        }
        OutputFormat::Human => {
            println!("start-up of {}, {runs} runs each", result.binary);
            let mut table = human::table(&["case", "median ms", "p90 ms", "min ms", "max ms"]);
            for timing in [&result.help, &result.validate] {
                table.add_row(vec![
                    format!("rollbook {}", timing.args.join(" ")),
                    format!("{:.1}", timing.median_ms),
                    format!("{:.1}", timing.p90_ms),
                    format!("{:.1}", timing.min_ms),
                    format!("{:.1}", timing.max_ms),
                ]);
            }
            println!("{table}");
        }
    }
    Ok(())
}
