//! Time estimates from rates measured on this server: a plan estimates at default rates until
//! the journal holds finished actions of the kind, then at the measured rate; the run's report
//! sets each step's estimate against what it took.

use mongodb::bson::{doc, Document};

use crate::data;
use crate::harness::{self, Run};

#[tokio::test]
async fn plans_estimate_from_measured_rates_and_reports_set_estimates_against_actual() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "estimates").await;
    let state = harness::fresh_db(&client, "estimates_state").await;
    data::seed_earlybird(&client, &db, 3_000).await;
    let plan = |direction: &str| {
        Run::new([
            "plan",
            "steps-19-30",
            "--direction",
            direction,
            "--steps",
            "19",
        ])
        .db(&db)
        .state(&state)
        .json()
        .status(0)
        .json_doc()
    };
    let step = |plan: &serde_json::Value| plan["steps"][0].clone();

    // Nothing measured yet: the default rate.
    let first = step(&plan("rollback"));
    let basis = first["estimate_basis"].as_str().unwrap();
    assert!(basis.contains("unset at the default rate"), "{basis}");

    // A run of the step (in place, so its action's duration is journaled on its own).
    Run::new([
        "rollback",
        "steps-19-30",
        "--steps",
        "19",
        "--transaction-limit",
        "1",
    ])
    .db(&db)
    .state(&state)
    .yes()
    .json()
    .status(0);
    let end = client
        .database(&state)
        .collection::<Document>("journal")
        .find_one(doc! {"phase": "end", "result.kind": "unset"})
        .await
        .unwrap()
        .unwrap();
    let result = end.get_document("result").unwrap();
    let modified = result.get_i64("modified").unwrap() as f64;
    let took = result.get_i64("duration_ms").unwrap() as f64;
    assert!(modified >= 1_000.0, "{result:#?}");

    // Put back, then plan the rollback again: now at the measured rate.
    Run::new(["apply", "steps-19-30", "--steps", "19"])
        .db(&db)
        .state(&state)
        .yes()
        .json()
        .status(0);
    let measured = step(&plan("rollback"));
    let basis = measured["estimate_basis"].as_str().unwrap();
    assert!(
        basis.contains("unset") && basis.contains("measured over 1 action(s)"),
        "{basis}"
    );
    let affected = measured["actions"][0]["affected"].as_f64().unwrap();
    let expected = (affected * took / modified).round();
    let estimate = measured["estimate_ms"].as_f64().unwrap();
    assert!(
        (estimate - expected).abs() <= 1.0,
        "{estimate} vs {expected}"
    );

    // A saved plan's estimates go with its run, into the report.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p19.json");
    let saved = Run::new([
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        "--steps",
        "19",
        "--out",
        file.to_str().unwrap(),
    ])
    .db(&db)
    .state(&state)
    .json()
    .status(0)
    .json_doc();
    let planned = saved["steps"][0]["estimate_ms"].as_u64().unwrap();
    let report = Run::new(["rollback", "--plan", file.to_str().unwrap()])
        .state(&state)
        .yes()
        .json()
        .status(0)
        .json_doc();
    assert_eq!(report["steps"][0]["estimate_ms"], planned, "{report:#}");
    let run_id = report["run_id"].as_str().unwrap();
    let incident = Run::new(["report", run_id]).state(&state).status(0);
    assert!(
        incident
            .stdout
            .contains(&format!("estimated {:.1} s", planned as f64 / 1000.0)),
        "{incident}"
    );
}
