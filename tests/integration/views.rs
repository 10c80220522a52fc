//! Snapshots of the human views — plan, list, status, verify and history — at 80 and 120
//! columns: every line fits, no word is broken, and the layout is the one reviewed here.
//! Run ids, times, ports, plan ids and durations are masked; `cargo insta review` (or
//! `INSTA_UPDATE=always`) updates the snapshots after a deliberate change.

use crate::data;
use crate::harness::{self, Run};

/// Masks what changes from run to run, keeping each masked part's width so that the tables
/// stay aligned (`[time]~~~~~~~~~~~~~`).
fn masked(text: &str) -> String {
    let rules = [
        (r"\d{8}T\d{6}Z-[0-9a-f]{4}", "[run]"),
        (
            r"\d{4}-\d{2}-\d{2}[ T\u{a0}]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)?",
            "[time]",
        ),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r"p-[0-9a-f]{16}", "[plan]"),
        (r"in \d+ ms", "in [ms]"),
        (r"by [A-Za-z0-9_.-]+ at", "by [who] at"),
    ];
    let mut text = text.to_owned();
    for (pattern, replacement) in rules {
        text = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&text, |found: &regex::Captures| {
                let width = found[0].chars().count();
                let mut mask = replacement.to_owned();
                // A duration ends its line: its width moves nothing, and it varies.
                while mask.chars().count() < width && replacement != "in [ms]" {
                    mask.push('~');
                }
                mask
            })
            .into_owned();
    }
    text
}

/// Checks that no line is wider than `width` and that no word of `words` is cut in two.
fn assert_fits(view: &str, width: usize, text: &str) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= width,
            "{view}: a line of {} columns at {width}:\n{line}\n\n{text}",
            line.chars().count()
        );
    }
    for word in [
        "approval",
        "orders",
        "delivery_statuses",
        "subscription_id",
        "steps-19-30",
    ] {
        for cut in 1..word.len() {
            let (head, tail) = word.split_at(cut);
            let broken = regex::Regex::new(&format!(
                r"(?m)(^|[\s│┆]){}\s*[│┆]?\s*$\n[^\n]*[│┆\s]{}([\s│┆,.:]|$)",
                regex::escape(head),
                regex::escape(tail)
            ))
            .unwrap();
            assert!(
                !broken.is_match(text),
                "{view}: {word:?} broken as {head:?}/{tail:?}:\n{text}"
            );
        }
    }
}

#[tokio::test]
async fn human_views_fit_80_and_120_columns() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "views").await;
    let state = harness::fresh_db(&client, "views_state").await;
    data::seed_earlybird(&client, &db, 200).await;
    let run = Run::new(["rollback", "steps-19-30", "--steps", "19,20"])
        .db(&db)
        .state(&state)
        .yes()
        .json()
        .status(0)
        .json_doc();
    let run_id = run["run_id"].as_str().unwrap().to_owned();
    let views: [(&str, Vec<&str>); 5] = [
        (
            "plan",
            vec![
                "plan",
                "steps-19-30",
                "--direction",
                "rollback",
                "--steps",
                "19-23",
            ],
        ),
        ("list", vec!["list"]),
        ("status", vec!["status", "steps-19-30"]),
        (
            "verify",
            vec![
                "verify",
                "steps-19-30",
                "--steps",
                "19,20",
                "--direction",
                "rollback",
            ],
        ),
        ("history", vec!["history", "--run", &run_id]),
    ];
    for width in [80, 120] {
        for (view, args) in &views {
            let output = Run::new(args)
                .db(&db)
                .state(&state)
                .env("COLUMNS", width.to_string())
                .status(0);
            let text = masked(&output.stdout);
            assert_fits(view, width, &text);
            insta::assert_snapshot!(format!("{view}_{width}"), text);
        }
    }
}
