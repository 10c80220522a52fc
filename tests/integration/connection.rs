//! Setup failures are their own outcome: an unreachable server is `CONNECTION_FAILED` (exit 12)
//! within a few seconds, with a message that starts with what could not be reached and no
//! driver topology dump; a missing runbooks directory points at `--runbooks`.

use std::time::{Duration, Instant};

use crate::harness::Run;

/// Exit 12 with `CONNECTION_FAILED`, a headline naming the address, and nothing of the
/// driver's topology description.
fn assert_unreachable(args: &[&str], address: &str) {
    let started = Instant::now();
    let output = Run::new(args)
        .uri(&format!(
            "mongodb://127.0.0.1:{}/",
            address.rsplit(':').next().unwrap()
        ))
        .json()
        .yes()
        .status(12);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(9),
        "took {elapsed:?} to report an unreachable server: {output}"
    );
    assert_eq!(
        output.json_doc()["error"]["code"],
        "CONNECTION_FAILED",
        "{output}"
    );
    let headline = output.stderr.lines().next().unwrap_or_default();
    assert!(
        headline.starts_with(&format!(
            "error[CONNECTION_FAILED]: cannot reach MongoDB at {address}: "
        )),
        "{output}"
    );
    assert!(headline.contains("Connection refused"), "{output}");
    for raw in ["Topology", "Servers: [", "labels:", "RawDocumentBuf"] {
        assert!(!output.stderr.contains(raw), "{raw} in {output}");
        assert!(!output.stdout.contains(raw), "{raw} in {output}");
    }
}

#[test]
fn an_unreachable_port_is_a_connection_failure_within_seconds() {
    let port = rollbook::sandbox::mongod::free_port().unwrap();
    let address = format!("127.0.0.1:{port}");
    // No serverSelectionTimeoutMS in the URI: the probe's own short timeout applies.
    assert_unreachable(
        &[
            "plan",
            "steps-19-30",
            "--direction",
            "rollback",
            "--steps",
            "19",
        ],
        &address,
    );
    assert_unreachable(&["rollback", "steps-19-30", "--steps", "19"], &address);
    assert_unreachable(&["status", "steps-19-30"], &address);
    assert_unreachable(&["history"], &address);
}

#[test]
fn a_missing_runbooks_directory_points_at_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-runbooks-here");
    for args in [vec!["list"], vec!["show", "steps-19-30"], vec!["validate"]] {
        let output = Run::new(&args)
            .arg("--runbooks")
            .arg(&missing)
            .no_uri()
            .status(2);
        assert!(
            output
                .stderr
                .contains("does not exist; pass --runbooks DIR"),
            "{output}"
        );
        assert!(output.stderr.contains("no-runbooks-here"), "{output}");
    }
}
