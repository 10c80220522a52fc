//! Committed generated files must match what the code generates. Regenerate them with
//! `ROLLBOOK_BLESS=1 cargo test generated_files`.

use crate::harness::{repo_root, Run};

fn check(path: &str, generated: &str) {
    let full = repo_root().join(path);
    if std::env::var_os("ROLLBOOK_BLESS").is_some() {
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is stale; regenerate it with `ROLLBOOK_BLESS=1 cargo test generated_files`"
    );
}

#[test]
fn committed_completions_are_current() {
    for (shell, file) in [
        ("bash", "completions/rollbook.bash"),
        ("zsh", "completions/_rollbook"),
        ("fish", "completions/rollbook.fish"),
    ] {
        let script = Run::new(["completions", shell]).no_uri().status(0).stdout;
        assert!(
            script.contains("sandbox"),
            "{shell} completion lacks commands"
        );
        assert!(
            !has_word(&script, "faults") && !has_word(&script, "bench"),
            "{shell} completion offers the proof tools to an operator"
        );
        check(file, &script);
    }
}

#[test]
fn committed_json_schema_is_current_and_describes_actions() {
    let schema = rollbook::runbook::schema::generate();
    assert!(schema.contains("\"drop_index\"") && schema.contains("\"rollback_unsupported\""));
    check(rollbook::runbook::schema::SHIPPED_PATH, &schema);
}

#[test]
fn operator_help_lists_no_proof_tools() {
    let help = Run::new(["--help"]).no_uri().status(0).stdout;
    assert!(help.contains("rollback"), "{help}");
    for tool in ["faults", "bench"] {
        assert!(
            !has_word(&help, tool),
            "`rollbook --help` lists {tool}:\n{help}"
        );
    }
    for tool in ["faults", "bench"] {
        // Exit 2: `rollbook faults` and `rollbook bench` are not commands.
        Run::new([tool]).no_uri().status(2);
    }
}

/// True when `word` stands alone in `text` (not as part of `defaults`).
fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|token| token == word)
}
