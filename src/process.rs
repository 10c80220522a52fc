//! Processes on this machine: whether one is still alive, the machine's name, and the
//! environment the programs rollbook starts inherit.

/// True while process `pid` exists and is not a zombie.
#[must_use]
pub(crate) fn is_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z")
        })
        .unwrap_or(false)
}

/// The name of this host, for telling whether a run's process is still alive.
#[must_use]
pub(crate) fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "unknown".into())
}

/// The inherited variables a program rollbook starts (a `shell` action, a notification command) still gets: where to find programs, the home
/// directory (tools keep their configuration there), the locale, the time zone and the
/// temporary directory. Nothing else of rollbook's environment is passed on.
pub(crate) const INHERITED: &[&str] = &["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"];
