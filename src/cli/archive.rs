//! `rollbook dump` and `rollbook restore`: backups in mongodump's directory format, natively,
//! with a progress bar per collection on stderr (on a terminal only).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use crate::archive::{self, DumpSpec, Progress, RestorePlan, RestoreSpec, RestoreTarget, Skipped};
use crate::error::{Error, Result};
use crate::output::human;
use crate::output::json::Document;

/// Dumps the databases named by `--db` into `out`.
pub(crate) async fn dump(
    global: &GlobalArgs,
    collections: &[String],
    out: &Path,
    gzip: bool,
    parallel: usize,
) -> Result<()> {
    let databases: Vec<String> = global
        .db
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .collect();
    if databases.is_empty() {
        return Err(Error::Usage(
            "dump needs --db: a database name, a comma list or a glob such as tenant_*; nothing was written"
                .into(),
        ));
    }
    let spec = DumpSpec {
        databases,
        collections: collections.to_vec(),
        out: out.to_path_buf(),
        gzip,
        parallel,
    };
    let client = connect::client(global).await?;
    let bars = Bars::new(global);
    let report = archive::dump_with_progress(&client, &spec, &bars).await;
    bars.clear();
    let report = report?;
    match global.output {
        OutputFormat::Json => print_json("dump", &report),
        OutputFormat::Human => {
            let mut table = human::table(&[
                "database",
                "collection",
                "documents",
                "size",
                "on disk",
                "indexes",
                "time",
            ]);
            for c in &report.collections {
                let name = if c.kind == "view" {
                    format!("{} (view)", c.collection)
                } else {
                    c.collection.clone()
                };
                table.add_row(vec![
                    c.database.clone(),
                    name,
                    c.documents.to_string(),
                    HumanBytes(c.bytes).to_string(),
                    HumanBytes(c.file_bytes).to_string(),
                    c.indexes.to_string(),
                    seconds(c.duration_ms),
                ]);
            }
            println!("{table}");
            print_skipped(&report.skipped);
            println!(
                "dumped {} documents ({}) of {} collections to {} in {}",
                report.documents,
                HumanBytes(report.bytes),
                report.collections.len(),
                report.out.display(),
                seconds(report.duration_ms)
            );
        }
    }
    Ok(())
}

/// `restore` options besides the global ones.
pub(crate) struct RestoreArgs<'a> {
    /// The backup directory.
    pub from: &'a Path,
    /// Restore into this database.
    pub to_db: Option<&'a str>,
    /// Replace existing collections.
    pub drop: bool,
    /// Collections at once.
    pub parallel: usize,
    /// Documents per insert.
    pub batch_size: usize,
    /// `--into-server-databases`: admin, local and config may be restored into.
    pub into_server_databases: bool,
}

/// Refuses a restore into rollbook's state database, and into the server's own databases
/// unless `--into-server-databases` says so; nothing was written yet.
fn refuse_protected_targets(plan: &RestorePlan, state_db: &str, into_server: bool) -> Result<()> {
    for target in &plan.targets {
        if target.database == state_db {
            return Err(Error::Usage(format!(
                "the backup would restore {}.{} into rollbook's state database ({state_db}); restore it elsewhere with --to-db; nothing was changed",
                target.source_database, target.collection
            )));
        }
        if !into_server
            && crate::runbook::names::SERVER_DATABASES.contains(&target.database.as_str())
        {
            return Err(Error::Usage(format!(
                "the backup would restore into the server's own database {} ({}); pass --into-server-databases if that is really meant; nothing was changed",
                target.database, target.collection
            )));
        }
    }
    Ok(())
}

/// Restores the backup in `args.from` (the databases `--db` selects, all when omitted).
pub(crate) async fn restore(global: &GlobalArgs, args: &RestoreArgs<'_>) -> Result<()> {
    let spec = RestoreSpec {
        from: args.from.to_path_buf(),
        databases: global.db.clone().unwrap_or_default(),
        to_db: args.to_db.map(str::to_owned),
        drop: args.drop,
        parallel: args.parallel,
        batch_size: args.batch_size,
    };
    let connect::Connection { client, server } = connect::connect(global).await?;
    let bars = Bars::new(global);
    let checking = bars.spinner(&format!("checking the backup in {}", args.from.display()));
    let plan = archive::plan_restore(&client, &spec).await;
    if let Some(spinner) = checking {
        spinner.finish_and_clear();
    }
    let plan = plan?;
    refuse_protected_targets(&plan, &global.state_db, args.into_server_databases)?;
    let replaced: Vec<&RestoreTarget> = plan.replaced().collect();
    if !replaced.is_empty() {
        confirm(global, &replaced, &server)?;
    }
    super::contexts::confirm_protected(
        global,
        &format!("The restore writes into databases on {server}."),
    )?;
    let report = archive::execute_restore(&client, &plan, &bars).await;
    bars.clear();
    let report = report?;
    match global.output {
        OutputFormat::Json => print_json("restore", &report),
        OutputFormat::Human => {
            let mut table = human::table(&[
                "database",
                "collection",
                "documents",
                "size",
                "indexes",
                "replaced",
                "time",
            ]);
            for c in &report.collections {
                let database = if c.source_database == c.database {
                    c.database.clone()
                } else {
                    format!("{} ← {}", c.database, c.source_database)
                };
                let name = if c.kind == "view" {
                    format!("{} (view)", c.collection)
                } else {
                    c.collection.clone()
                };
                table.add_row(vec![
                    database,
                    name,
                    c.documents.to_string(),
                    HumanBytes(c.bytes).to_string(),
                    c.indexes.to_string(),
                    c.replaced_documents
                        .map_or_else(String::new, |n| format!("{n} documents")),
                    seconds(c.duration_ms),
                ]);
            }
            println!("{table}");
            print_skipped(&report.skipped);
            println!(
                "restored {} documents ({}) into {} collections from {} in {}",
                report.documents,
                HumanBytes(report.bytes),
                report.collections.len(),
                report.from.display(),
                seconds(report.duration_ms)
            );
        }
    }
    Ok(())
}

/// Asks before live data is replaced; `--yes` answers for the operator, and without a
/// terminal and `--yes` the restore is refused.
fn confirm(
    global: &GlobalArgs,
    replaced: &[&RestoreTarget],
    server: &connect::Server,
) -> Result<()> {
    if global.yes {
        return Ok(());
    }
    let list: Vec<String> = replaced
        .iter()
        .map(|t| match &t.existing {
            Some(e) if e.kind == "collection" => {
                format!("{} ({} documents)", t.namespace(), e.documents)
            }
            Some(e) => format!("{} ({})", t.namespace(), e.kind),
            None => t.namespace(),
        })
        .collect();
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::NotConfirmed(format!(
            "the restore replaces live data in {}: pass --yes to confirm; nothing was changed",
            list.join(", ")
        )));
    }
    eprintln!("The restore replaces these live collections on {server} with the backup's:");
    for line in &list {
        eprintln!("  {line}");
    }
    let go = super::prompt::yes_no(&format!(
        "Replace them on {server}? (take a dump of them first if you may need them back)"
    )) == super::prompt::Answer::Yes;
    if go {
        Ok(())
    } else {
        Err(Error::NotConfirmed("declined; nothing was changed".into()))
    }
}

/// The report's own fields make the body of the document.
fn print_json(command: &str, report: &impl serde::Serialize) {
    Document::ok(command, report).print();
}

fn print_skipped(skipped: &[Skipped]) {
    for s in skipped {
        println!("skipped {}.{}: {}", s.database, s.collection, s.reason);
    }
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// One progress bar per collection on stderr; drawn only on a terminal and without `-q`.
struct Bars {
    multi: Option<MultiProgress>,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    fn new(global: &GlobalArgs) -> Self {
        let shown = std::io::stderr().is_terminal() && !global.quiet;
        Bars {
            multi: shown.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            bars: Mutex::new(HashMap::new()),
        }
    }

    /// A spinner with a message, while something without a count runs.
    fn spinner(&self, message: &str) -> Option<ProgressBar> {
        let multi = self.multi.as_ref()?;
        let spinner = multi.add(ProgressBar::new_spinner().with_message(message.to_owned()));
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(spinner)
    }

    fn clear(&self) {
        if let Some(multi) = &self.multi {
            let _ = multi.clear();
        }
    }
}

impl Progress for Bars {
    fn start(&self, namespace: &str, total: Option<u64>) {
        let Some(multi) = &self.multi else {
            return;
        };
        let bar = match total {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{prefix:30!} [{bar:30}] {human_pos}/{human_len} docs, eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{prefix:30!} {spinner} {human_pos} docs")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        let bar = multi.add(bar.with_prefix(namespace.to_owned()));
        if let Ok(mut bars) = self.bars.lock() {
            if let Some(old) = bars.insert(namespace.to_owned(), bar) {
                old.finish_and_clear();
            }
        }
    }

    fn advance(&self, namespace: &str, documents: u64) {
        if let Ok(bars) = self.bars.lock() {
            if let Some(bar) = bars.get(namespace) {
                bar.inc(documents);
            }
        }
    }

    fn finish(&self, namespace: &str) {
        if let Ok(mut bars) = self.bars.lock() {
            if let Some(bar) = bars.remove(namespace) {
                bar.finish_and_clear();
            }
        }
    }
}
