//! `rollbook new ID`: writes a commented runbook skeleton into the runbooks directory, one that
//! validates as it is, to be edited into the real procedure.

use super::args::{GlobalArgs, OutputFormat};
use crate::error::{Error, Result};
use crate::output::json::Document;

/// The skeleton; `{id}` and `{database}` are filled in.
const SKELETON: &str = r#"# yaml-language-server: $schema=../runbook.schema.json
# A rollbook runbook. Check it with `rollbook validate {id}`, and see what it would change with
# `rollbook plan {id} --direction forward` (a dry-run: it writes nothing).
id: {id}
title: "{id}: say in one line what this runbook changes"
description: |
  What it changes and why, what to check before running it, and who to tell.
database: {database}
# atomic: true          # undo every step already done when one fails (compensation)
steps:
  - id: "1"
    title: Mark delivered orders as archived
    data_loss:
      level: none       # none, partial or full: what running a direction loses
      detail: Only adds a field
    reversibility:
      level: full       # full, partial or none
      detail: The rollback removes the field again
    # approval: billing # a sensitive step runs only under an approved plan
    forward:
      - set:
          collection: orders
          filter: {status: DELIVERED}
          values: {archived: true}
    rollback:
      - unset:
          collection: orders
          filter: {archived: true}
          fields: [archived]
    verify:
      forward:
        - count:
            collection: orders
            filter: {status: DELIVERED, archived: {"$exists": false}}
            equals: 0
            description: Every delivered order is archived
      rollback:
        - count:
            collection: orders
            filter: {archived: {"$exists": true}}
            equals: 0
            description: No order carries the archived flag
"#;

/// Writes `<runbooks>/<id>.yaml`; never over an existing file.
pub(crate) fn run(global: &GlobalArgs, id: &str) -> Result<()> {
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(Error::Usage(format!(
            "runbook id {id:?} must be letters, digits, '-' or '_'; nothing was written"
        )));
    }
    let database = global.db.as_deref().unwrap_or("shop");
    crate::runbook::names::check_database(database)
        .map_err(|m| Error::Usage(format!("--db: {m}; nothing was written")))?;
    let dir = &global.runbooks_dir;
    let path = dir.join(format!("{id}.yaml"));
    if path.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; nothing was written",
            path.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let text = SKELETON.replace("{id}", id).replace("{database}", database);
    // `create_new`: a file that appeared meanwhile is not overwritten either.
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    let shown = path.display().to_string();
    match global.output {
        OutputFormat::Json => Document::ok("new", NewDocument { path: &shown }).print(),
        OutputFormat::Human => println!(
            "wrote {shown}: edit its steps, then `rollbook validate {id}` and `rollbook plan {id} --direction forward`"
        ),
    }
    Ok(())
}

/// `new`.
#[derive(Debug, serde::Serialize)]
struct NewDocument<'a> {
    /// The runbook file written.
    path: &'a str,
}

#[cfg(test)]
mod tests {
    use super::SKELETON;

    #[test]
    fn the_skeleton_validates() {
        let text = SKELETON
            .replace("{id}", "orders-archive")
            .replace("{database}", "shop");
        let parsed =
            crate::runbook::load::parse(std::path::Path::new("orders-archive.yaml"), &text);
        assert!(parsed.is_ok(), "{:?}", parsed.err());
    }
}
