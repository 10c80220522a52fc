//! Throwaway replica sets on loopback owned by the fault suite: members can be killed,
//! restarted and stepped down, and every process is stopped by its PID when the set is dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mongodb::bson::doc;
use mongodb::Client;

use rollbook::error::{Error, Result};
use rollbook::sandbox::mongod;

/// One member: its port, directory and process.
#[derive(Debug)]
struct Member {
    port: u16,
    dir: PathBuf,
    process: Option<Child>,
}

/// A replica set of one or more members on 127.0.0.1, in a directory removed when dropped.
#[derive(Debug)]
pub struct Cluster {
    name: String,
    dir: PathBuf,
    members: Vec<Member>,
}

/// WiredTiger cache of each member, in GB.
const CACHE_GB: f64 = 0.25;

impl Cluster {
    /// Starts `size` members of replica set `name` in `dir`, initiates the set and waits for
    /// the first member to be a writable primary.
    pub async fn start(dir: &Path, name: &str, size: usize) -> Result<Cluster> {
        let mut cluster = Cluster {
            name: name.to_owned(),
            dir: dir.to_path_buf(),
            members: Vec::new(),
        };
        for index in 0..size.max(1) {
            cluster.members.push(Member {
                port: mongod::free_port()?,
                dir: dir.join(format!("member{index}")),
                process: None,
            });
            cluster.spawn(index)?;
        }
        for index in 1..cluster.members.len() {
            cluster.wait_until_up(index).await?;
        }
        let ports: Vec<u16> = cluster.members.iter().map(|m| m.port).collect();
        let log = cluster.members[0].dir.join("mongod.log");
        mongod::initiate(name, &ports, &log).await?;
        if size > 1 {
            cluster.wait_for_secondaries(size - 1).await?;
        }
        Ok(cluster)
    }

    fn spawn(&mut self, index: usize) -> Result<()> {
        let binary = mongod::find_mongod()?;
        let member = &mut self.members[index];
        let args = mongod::member_args(&member.dir, member.port, CACHE_GB, &self.name)?;
        let child = Command::new(&binary)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::io(format!("cannot start {}", binary.display()), e))?;
        member.process = Some(child);
        Ok(())
    }

    /// The connection string naming every member, tagged with `app` (for `failCommand`).
    #[must_use]
    pub fn uri(&self, app: &str) -> String {
        let hosts: Vec<String> = self
            .members
            .iter()
            .map(|m| format!("127.0.0.1:{}", m.port))
            .collect();
        format!(
            "mongodb://{}/?replicaSet={}&appName={app}",
            hosts.join(","),
            self.name
        )
    }

    /// A client of the whole set.
    pub async fn client(&self) -> Result<Client> {
        Client::with_uri_str(self.uri("rollbook-faults"))
            .await
            .map_err(|e| Error::database("cannot connect to the fault suite's replica set", e))
    }

    fn direct(&self, index: usize) -> String {
        format!(
            "mongodb://127.0.0.1:{}/?directConnection=true&serverSelectionTimeoutMS=1000",
            self.members[index].port
        )
    }

    async fn hello(&self, index: usize) -> Option<mongodb::bson::Document> {
        let client = Client::with_uri_str(self.direct(index)).await.ok()?;
        client
            .database("admin")
            .run_command(doc! {"hello": 1})
            .await
            .ok()
    }

    async fn wait_until_up(&self, index: usize) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.hello(index).await.is_none() {
            if Instant::now() > deadline {
                return Err(Error::Sandbox(format!(
                    "mongod on port {} did not answer within 60 s",
                    self.members[index].port
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    async fn wait_for_secondaries(&self, count: usize) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let mut ready = 0;
            for index in 0..self.members.len() {
                if self
                    .hello(index)
                    .await
                    .is_some_and(|h| h.get_bool("secondary").unwrap_or(false))
                {
                    ready += 1;
                }
            }
            if ready >= count {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(Error::Sandbox(format!(
                    "replica set {} did not get {count} secondaries within 90 s",
                    self.name
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until some member is a writable primary and returns its index.
    pub async fn wait_for_primary(&self) -> Result<usize> {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            for index in 0..self.members.len() {
                if self
                    .hello(index)
                    .await
                    .is_some_and(|h| h.get_bool("isWritablePrimary").unwrap_or(false))
                {
                    return Ok(index);
                }
            }
            if Instant::now() > deadline {
                return Err(Error::Sandbox(format!(
                    "replica set {} has no primary after 90 s",
                    self.name
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Asks the current primary to step down (for 5 s) and returns which member it was.
    pub async fn step_down(&self) -> Result<usize> {
        let primary = self.wait_for_primary().await?;
        let client = Client::with_uri_str(self.direct(primary))
            .await
            .map_err(|e| Error::database("cannot connect to the primary", e))?;
        // The primary closes connections as it steps down: an error reply is expected.
        let _ = client
            .database("admin")
            .run_command(
                doc! {"replSetStepDown": 5, "secondaryCatchUpPeriodSecs": 2, "force": true},
            )
            .await;
        Ok(primary)
    }

    /// Kills member `index` with SIGKILL (a crash: no clean shutdown) and waits until it is gone.
    pub fn kill(&mut self, index: usize) {
        if let Some(mut process) = self.members[index].process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }

    /// Starts member `index` again on the same port and data, and waits for a primary.
    pub async fn restart(&mut self, index: usize) -> Result<()> {
        self.spawn(index)?;
        self.wait_for_primary().await.map(|_| ())
    }

    /// Stops every member by its PID and removes the directory.
    pub async fn stop(&mut self) {
        for member in &mut self.members {
            if let Some(mut process) = member.process.take() {
                let _ = mongod::stop(member.port, process.id()).await;
                let _ = process.wait();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for member in &mut self.members {
            if let Some(mut process) = member.process.take() {
                let _ = process.kill();
                let _ = process.wait();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
