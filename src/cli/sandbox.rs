//! `rollbook sandbox up|seed|status|down`.

use std::path::Path;
use std::time::Instant;

use mongodb::Client;

use super::args::{GlobalArgs, OutputFormat, SandboxCommand};
use crate::error::{Error, Result};
use crate::output::documents::sandbox::{SandboxDocument, SandboxDown, SandboxSeed, SandboxUp};
use crate::output::human;
use crate::output::json::Document;
use crate::sandbox::{self, seed};

/// Runs one sandbox sub-command.
pub(crate) async fn run(global: &GlobalArgs, command: &SandboxCommand, dir: &Path) -> Result<()> {
    match command {
        SandboxCommand::Up { port } => {
            let (state, started) = sandbox::up(dir, *port).await?;
            emit(
                global,
                &SandboxDocument::Up(SandboxUp {
                    uri: &state.uri,
                    pid: state.pid,
                    port: state.port,
                    started,
                }),
                || {
                    let verb = if started {
                        "started"
                    } else {
                        "already running"
                    };
                    eprintln!(
                        "sandbox {verb}: mongod pid {} on 127.0.0.1:{}",
                        state.pid, state.port
                    );
                    eprintln!("use it with: export ROLLBOOK_URI='{}'", state.uri);
                    println!("{}", state.uri);
                },
            );
        }
        SandboxCommand::Seed { scale } => {
            let uri = seed_uri(global, dir)?;
            let client = Client::with_uri_str(&uri)
                .await
                .map_err(|e| Error::database("cannot connect to the sandbox", e))?;
            let started = Instant::now();
            let report = seed::seed(&client, &seed::SeedTargets::default(), *scale).await?;
            let seconds = started.elapsed().as_secs_f64();
            emit(
                global,
                &SandboxDocument::Seed(SandboxSeed {
                    collections: &report.collections,
                    seconds,
                }),
                || {
                    let mut table = human::table(&["collection", "documents"]);
                    for (name, count) in &report.collections {
                        table.add_row(vec![name.clone(), count.to_string()]);
                    }
                    println!("{table}");
                    eprintln!("seeded in {seconds:.1} s");
                },
            );
        }
        SandboxCommand::Status => {
            let status = sandbox::status(dir);
            let running = status.running;
            emit(global, &SandboxDocument::Status(&status), || {
                match (&status.state, running) {
                    (Some(state), true) => {
                        println!("running: mongod pid {} at {}", state.pid, state.uri);
                    }
                    (Some(_), false) => println!(
                        "stopped (stale state in {}; `rollbook sandbox down` cleans it)",
                        dir.display()
                    ),
                    (None, _) => println!("no sandbox in {}", dir.display()),
                }
            });
            if !running {
                // Nothing to connect to is a setup outcome (exit 12), not a failed action.
                return Err(Error::ConnectionFailed(format!(
                    "no sandbox is running in {}; `rollbook sandbox up` starts one",
                    dir.display()
                )));
            }
        }
        SandboxCommand::Down => {
            let was_running = sandbox::down(dir).await?;
            let down = SandboxDown {
                stopped: was_running,
            };
            emit(global, &SandboxDocument::Down(down), || {
                println!(
                    "{}",
                    if was_running {
                        "sandbox stopped and removed"
                    } else {
                        "no sandbox was running"
                    }
                );
            });
        }
    }
    Ok(())
}

/// Seeding drops databases, so it only ever targets the sandbox, or an explicit loopback URI.
fn seed_uri(global: &GlobalArgs, dir: &Path) -> Result<String> {
    match &super::connect::given_uri(global)? {
        None => sandbox::running_uri(dir),
        Some(uri) => {
            let host = uri.split("://").nth(1).unwrap_or_default();
            let host = host.rsplit('@').next().unwrap_or_default();
            if host.starts_with("127.")
                || host.starts_with("localhost")
                || host.starts_with("[::1]")
            {
                Ok(uri.clone())
            } else {
                Err(Error::Usage(
                    "sandbox seed drops and recreates the demo databases, so it only accepts a loopback URI \
                     (127.0.0.1 or localhost); nothing was changed"
                        .into(),
                ))
            }
        }
    }
}

fn emit(global: &GlobalArgs, document: &SandboxDocument<'_>, human_output: impl FnOnce()) {
    match global.output {
        OutputFormat::Json => Document::ok("sandbox", document).print(),
        OutputFormat::Human => human_output(),
    }
}
