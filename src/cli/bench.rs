//! `rollbook bench CASE`: benchmark commands that print medians and ratios.

use serde_json::json;

use super::args::{BenchCase, GlobalArgs, OutputFormat};
use super::connect;
use crate::bench;
use crate::error::Result;
use crate::output::{human, json};

/// Runs one benchmark case and prints its figures.
pub async fn run(global: &GlobalArgs, case: &BenchCase) -> Result<()> {
    let client = connect::client(global).await?;
    match case {
        BenchCase::Copy { docs, runs } => {
            let result = bench::copy::run(&client, &global.runbooks_dir, *docs, *runs).await?;
            let base = result.bare_out.median_secs;
            let base_indexed = result.bare_out_with_indexes.median_secs;
            match global.output {
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
            let result =
                bench::rollback::run(&client, &global.runbooks_dir, *orders, *runs).await?;
            let base = result.bare_update.median_secs;
            match global.output {
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
            let result = bench::archive::run(&client, *docs, *runs).await?;
            match global.output {
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
