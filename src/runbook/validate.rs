//! Semantic validation of a parsed runbook. Pure: no file system, no database.
//!
//! Each finding carries the path of the offending value so the loader can turn it into
//! `file:line:col`.

use std::collections::HashSet;

use serde_json::Value;

use super::kinds::NameRole;
use super::model::{
    Action, Check, DocumentValue, ParamType, Runbook, Step, TransactionMode, UpdateSpec,
};
use super::names;
use super::params;
use super::template::{self, RUN_ID};

/// Operators that run JavaScript on the server; never allowed in a runbook.
const FORBIDDEN_OPERATORS: &[&str] = &["$where", "$function", "$accumulator"];

/// One finding: the path of the value and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// Path of the value (`steps[1].rollback[0].unset.fields`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

struct Validator<'a> {
    runbook: &'a Runbook,
    declared: HashSet<&'a str>,
    findings: Vec<Finding>,
}

/// Validates a runbook; `expected_id` is the file name without extension, when known.
#[must_use]
pub(crate) fn validate(runbook: &Runbook, expected_id: Option<&str>) -> Vec<Finding> {
    let mut validator = Validator {
        runbook,
        declared: runbook.params.iter().map(|p| p.name.as_str()).collect(),
        findings: Vec::new(),
    };
    validator.runbook_fields(expected_id);
    validator.params();
    validator.notifications();
    validator.redact();
    validator.steps();
    validator.findings
}

impl Validator<'_> {
    fn report(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding {
            path: path.into(),
            message: message.into(),
        });
    }

    fn runbook_fields(&mut self, expected_id: Option<&str>) {
        let id = &self.runbook.id;
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.report(
                "id",
                format!("runbook id {id:?} must be letters, digits, '-' or '_'"),
            );
        }
        if let Some(expected) = expected_id {
            if expected != id {
                self.report(
                    "id",
                    format!("runbook id {id:?} does not match its file name {expected:?}"),
                );
            }
        }
        self.name(
            "database",
            NameRole::Database,
            &self.runbook.database,
            false,
        );
        if self.runbook.steps.is_empty() {
            self.report("steps", "a runbook needs at least one step");
        }
        if let Some(emergency) = &self.runbook.emergency {
            let selected = super::selection::StepSelection::parse(&emergency.steps)
                .map_err(crate::error::Error::Usage)
                .and_then(|selection| selection.select(&self.runbook.steps).map(|_| ()));
            if let Err(error) = selected {
                self.report("emergency.steps", error.to_string());
            }
        }
    }

    fn params(&mut self) {
        let mut seen = HashSet::new();
        for (index, param) in self.runbook.params.iter().enumerate() {
            let path = format!("params[{index}]");
            let valid_name = !param.name.is_empty()
                && param
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !param.name.starts_with(|c: char| c.is_ascii_digit());
            if !valid_name {
                self.report(
                    format!("{path}.name"),
                    format!(
                        "parameter name {:?} must be lower-case letters, digits and '_'",
                        param.name
                    ),
                );
            }
            if param.name == RUN_ID {
                self.report(
                    format!("{path}.name"),
                    "\"run_id\" is reserved for the run's id",
                );
            }
            if !seen.insert(param.name.as_str()) {
                self.report(
                    format!("{path}.name"),
                    format!("duplicate parameter {:?}", param.name),
                );
            }
            if let Some(pattern) = &param.pattern {
                if let Err(message) = params::compile_pattern(pattern) {
                    self.report(format!("{path}.pattern"), message);
                }
            }
            if let (Some(min), Some(max)) = (param.min_length, param.max_length) {
                if min > max {
                    self.report(
                        format!("{path}.min_length"),
                        format!("min_length {min} exceeds max_length {max}"),
                    );
                }
            }
            if let Some(default) = &param.default {
                if let Err(message) = params::check_value(param, default) {
                    self.report(
                        format!("{path}.default"),
                        format!("default is invalid: {message}"),
                    );
                }
            }
            if param.kind == ParamType::Boolean && param.pattern.is_some() {
                self.report(
                    format!("{path}.pattern"),
                    "a boolean parameter takes no pattern",
                );
            }
        }
    }

    fn steps(&mut self) {
        let mut seen = HashSet::new();
        for (index, step) in self.runbook.steps.iter().enumerate() {
            let path = format!("steps[{index}]");
            if step.id.is_empty()
                || !step
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                self.report(
                    format!("{path}.id"),
                    format!("step id {:?} must be letters, digits, '-' or '_'", step.id),
                );
            }
            if !seen.insert(step.id.as_str()) {
                self.report(
                    format!("{path}.id"),
                    format!("duplicate step id {:?}", step.id),
                );
            }
            self.step(&path, step);
        }
    }

    fn step(&mut self, path: &str, step: &Step) {
        if step.forward.is_empty()
            && step.rollback.is_empty()
            && step.rollback_unsupported.is_none()
            && step.preconditions.is_empty()
        {
            self.report(
                path,
                format!(
                    "step {:?} has no preconditions, forward or rollback actions",
                    step.id
                ),
            );
        }
        if !step.rollback.is_empty() && step.rollback_unsupported.is_some() {
            self.report(
                format!("{path}.rollback_unsupported"),
                "a step cannot have rollback actions and declare its rollback unsupported",
            );
        }
        if step
            .rollback_unsupported
            .as_deref()
            .is_some_and(|r| r.trim().is_empty())
        {
            self.report(
                format!("{path}.rollback_unsupported"),
                "give the reason the rollback is unsupported",
            );
        }
        if let Some(approval) = &step.approval {
            if approval.directions.is_empty() {
                self.report(
                    format!("{path}.approval.directions"),
                    "list at least one direction",
                );
            }
        }
        for (list, actions) in [("forward", &step.forward), ("rollback", &step.rollback)] {
            for (index, action) in actions.iter().enumerate() {
                let action_path = format!("{path}.{list}[{index}]");
                self.action(&action_path, action);
                if step.transaction == TransactionMode::Required && !action.can_run_in_transaction()
                {
                    self.report(
                        format!("{action_path}.{}", action.kind()),
                        format!(
                            "step {:?} requires a transaction, but a {} action cannot run inside one",
                            step.id,
                            action.kind()
                        ),
                    );
                }
            }
        }
        for (list, checks) in [
            ("preconditions", &step.preconditions),
            ("verify.forward", &step.verify.forward),
            ("verify.rollback", &step.verify.rollback),
        ] {
            for (index, check) in checks.iter().enumerate() {
                self.check(&format!("{path}.{list}[{index}]"), check);
            }
        }
    }

    fn action(&mut self, path: &str, action: &Action) {
        let path = format!("{path}.{}", action.kind());
        if let Action::Check(check) = action {
            self.check(&path, check);
            return;
        }
        let name_fields: Vec<&str> = action.names().iter().map(|n| n.field).collect();
        self.names_and_documents(&path, action.names(), action.documents());
        self.placeholders(&path, action, &name_fields);
        match action {
            Action::Unset(a) => {
                self.selection(&path, a.filter.as_ref(), a.all_documents);
                if a.fields.is_empty() {
                    self.report(format!("{path}.fields"), "list at least one field to unset");
                }
                self.field_paths(&format!("{path}.fields"), &a.fields);
            }
            Action::Set(a) => {
                self.selection(&path, a.filter.as_ref(), a.all_documents);
                if a.values.is_empty() {
                    self.report(format!("{path}.values"), "list at least one field to set");
                }
                let keys: Vec<String> = a.values.keys().cloned().collect();
                self.field_paths(&format!("{path}.values"), &keys);
                self.literal_values(&format!("{path}.values"), &a.values);
            }
            Action::Update(a) => {
                self.selection(&path, a.filter.as_ref(), a.all_documents);
                match &a.update {
                    UpdateSpec::Operators(update) => self.update_operators(&path, update),
                    UpdateSpec::Pipeline(stages) => self.update_pipeline(&path, stages),
                }
            }
            Action::Delete(a) => self.selection(&path, a.filter.as_ref(), a.all_documents),
            Action::BackupToCollection(a) => {
                self.selection(&path, a.filter.as_ref(), a.all_documents);
                self.field_paths(&format!("{path}.fields"), &a.fields);
            }
            Action::RestoreSnapshot(a) => self.field_paths(&format!("{path}.fields"), &a.fields),
            Action::CreateIndex(a) => {
                if a.keys.is_empty() {
                    self.report(format!("{path}.keys"), "an index needs at least one key");
                }
                for (key, direction) in &a.keys {
                    let valid = matches!(direction.as_i64(), Some(1 | -1))
                        || matches!(
                            direction.as_str(),
                            Some("text" | "2d" | "2dsphere" | "hashed")
                        );
                    if !valid {
                        self.report(
                            format!("{path}.keys.{key}"),
                            format!("index key {key:?} must be 1, -1, \"text\", \"2d\", \"2dsphere\" or \"hashed\""),
                        );
                    }
                }
            }
            Action::CopyCollection(a) if a.from == a.to => {
                self.report(
                    format!("{path}.to"),
                    "a collection cannot be copied onto itself",
                );
            }
            Action::RenameCollection(a) if a.from == a.to => {
                self.report(
                    format!("{path}.to"),
                    "a collection cannot be renamed to its own name",
                );
            }
            Action::Shell(a) => {
                if a.run.trim().is_empty() {
                    self.report(format!("{path}.run"), "the command is empty");
                }
                if a.run.contains("{{") {
                    self.report(
                        format!("{path}.run"),
                        "parameters are never substituted into commands; use \"$ROLLBOOK_PARAM_<NAME>\" instead",
                    );
                }
                if a.timeout_secs == 0 {
                    self.report(
                        format!("{path}.timeout_secs"),
                        "the timeout must be at least one second",
                    );
                }
            }
            Action::Manual(a) if a.instructions.trim().is_empty() => {
                self.report(format!("{path}.instructions"), "the instructions are empty");
            }
            Action::Checklist(a) if a.items.is_empty() => {
                self.report(
                    format!("{path}.items"),
                    "a checklist needs at least one item",
                );
            }
            Action::Restore(a) if a.parallel == Some(0) => {
                self.report(format!("{path}.parallel"), "parallel must be at least 1");
            }
            Action::Notify(a) => self.notify(&path, a),
            _ => {}
        }
    }

    /// A `notify` action: known targets, a message naming only parameters and run facts.
    fn notify(&mut self, path: &str, action: &super::model::NotifyAction) {
        if action.to.is_empty() {
            self.report(
                format!("{path}.to"),
                "name at least one notification target",
            );
        }
        for (index, name) in action.to.iter().enumerate() {
            if !self.runbook.notifications.iter().any(|t| &t.name == name) {
                self.report(
                    format!("{path}.to[{index}]"),
                    format!("{name:?} is not one of the runbook's notifications"),
                );
            }
        }
        if action.message.trim().is_empty() {
            self.report(format!("{path}.message"), "the message is empty");
        }
        match template::placeholders(&action.message) {
            Err(message) => self.report(format!("{path}.message"), message),
            Ok(names) => {
                for name in names {
                    let known = self.declared.contains(name)
                        || name == RUN_ID
                        || template::MESSAGE_FACTS.contains(&name);
                    if !known {
                        self.report(
                            format!("{path}.message"),
                            format!(
                                "{{{{{name}}}}} is neither a declared parameter nor one of the run's facts (run_id, {})",
                                template::MESSAGE_FACTS.join(", ")
                            ),
                        );
                    }
                }
            }
        }
    }

    /// The notification targets: unique names, exactly one kind each, a URL source.
    /// `redact`: field names or dotted paths, each a real field.
    fn redact(&mut self) {
        for (index, field) in self.runbook.redact.iter().enumerate() {
            let why = if field.is_empty() {
                "it is empty"
            } else if field.starts_with('$') {
                "it starts with `$`"
            } else if field.split('.').any(str::is_empty) {
                "it has an empty part between dots"
            } else {
                continue;
            };
            self.report(
                format!("redact[{index}]"),
                format!(
                    "{field:?} is not a field name or dotted path: {why} (e.g. `email` or `profile.phone`)"
                ),
            );
        }
    }

    fn notifications(&mut self) {
        let mut seen = HashSet::new();
        for (index, target) in self.runbook.notifications.iter().enumerate() {
            let path = format!("notifications[{index}]");
            if target.name.trim().is_empty() {
                self.report(format!("{path}.name"), "a notification target needs a name");
            }
            if !seen.insert(target.name.as_str()) {
                self.report(
                    format!("{path}.name"),
                    format!("duplicate notification target {:?}", target.name),
                );
            }
            let kinds = [
                target.webhook.is_some(),
                target.slack.is_some(),
                target.command.is_some(),
            ];
            if kinds.iter().filter(|k| **k).count() != 1 {
                self.report(
                    path.clone(),
                    "a notification target is exactly one of webhook, slack or command",
                );
            }
            for (kind, url) in [("webhook", &target.webhook), ("slack", &target.slack)] {
                let Some(url) = url else { continue };
                if url.url_env.is_some() == url.url_file.is_some() {
                    self.report(
                        format!("{path}.{kind}"),
                        "give the URL's source as exactly one of url_env or url_file (the URL itself never goes in the runbook)",
                    );
                }
                if url
                    .url_env
                    .as_deref()
                    .is_some_and(|v| v.trim().is_empty() || v.contains('/'))
                {
                    self.report(
                        format!("{path}.{kind}.url_env"),
                        "url_env names an environment variable (the URL itself never goes in the runbook)",
                    );
                }
            }
            if let Some(argv) = &target.command {
                if argv.first().is_none_or(|p| p.trim().is_empty()) {
                    self.report(format!("{path}.command"), "the command is empty");
                }
            }
            if target.timeout_secs == 0 || target.timeout_secs > 60 {
                self.report(
                    format!("{path}.timeout_secs"),
                    "the timeout is from 1 to 60 seconds: a notification never holds a run up longer",
                );
            }
        }
    }

    fn check(&mut self, path: &str, check: &Check) {
        let path = format!("{path}.{}", check.kind());
        let name_fields: Vec<&str> = check.names().iter().map(|n| n.field).collect();
        self.names_and_documents(&path, check.names(), check.documents());
        self.placeholders(&path, check, &name_fields);
        match check {
            Check::Count(c) => {
                if c.all_documents && c.filter.as_ref().is_some_and(|f| !f.is_empty()) {
                    self.report(
                        format!("{path}.all_documents"),
                        "all_documents contradicts the filter",
                    );
                }
                if c.equals.is_some() && (c.min.is_some() || c.max.is_some()) {
                    self.report(
                        format!("{path}.equals"),
                        "give either equals or min/max, not both",
                    );
                }
                if let (Some(min), Some(max)) = (c.min, c.max) {
                    if min > max {
                        self.report(
                            format!("{path}.min"),
                            format!("min {min} exceeds max {max}"),
                        );
                    }
                }
                self.error_code(&path, c.error_code.as_deref());
            }
            Check::CollectionExists(c) => self.error_code(&path, c.error_code.as_deref()),
            _ => {}
        }
    }

    fn error_code(&mut self, path: &str, code: Option<&str>) {
        if let Some(code) = code {
            if code.is_empty() || !code.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                self.report(
                    format!("{path}.error_code"),
                    format!("error code {code:?} must be UPPER_SNAKE_CASE"),
                );
            }
        }
    }

    /// A destructive document action must name its documents or say `all_documents: true`.
    fn update_operators(&mut self, path: &str, update: &DocumentValue) {
        if update.is_empty() {
            self.report(format!("{path}.update"), "the update document is empty");
        }
        for key in update.keys() {
            if !key.starts_with('$') {
                self.report(
                    format!("{path}.update.{key}"),
                    format!("{key:?} is not an update operator (they start with '$', e.g. $set); to compute values, write a pipeline: update: [{{$set: {{…}}}}]"),
                );
            }
        }
        for operator in ["$set", "$setOnInsert"] {
            if let Some(Value::Object(values)) = update.get(operator) {
                self.literal_values(&format!("{path}.update.{operator}"), values);
            }
        }
    }

    /// A pipeline update: `$set`/`$addFields` stages of field paths, `$unset` stages of field
    /// names, and `$project`/`$replaceWith`/`$replaceRoot` stages (whose snapshot holds whole
    /// documents).
    fn update_pipeline(&mut self, path: &str, stages: &[DocumentValue]) {
        if stages.is_empty() {
            self.report(format!("{path}.update"), "the pipeline has no stage");
        }
        for (index, stage) in stages.iter().enumerate() {
            let at = format!("{path}.update[{index}]");
            let mut keys = stage.keys();
            let (Some(name), None) = (keys.next(), keys.next()) else {
                self.report(
                    at,
                    "a pipeline stage has exactly one key, its name ($set, $addFields, $unset, $project, $replaceWith or $replaceRoot)",
                );
                continue;
            };
            let value = &stage[name];
            match (name.as_str(), value) {
                ("$set" | "$addFields", Value::Object(fields)) if !fields.is_empty() => {
                    let keys: Vec<String> = fields.keys().cloned().collect();
                    self.field_paths(&format!("{at}.{name}"), &keys);
                }
                ("$unset", Value::String(field)) => {
                    self.field_paths(&format!("{at}.{name}"), std::slice::from_ref(field));
                }
                ("$unset", Value::Array(fields))
                    if !fields.is_empty() && fields.iter().all(Value::is_string) =>
                {
                    let fields: Vec<String> = fields
                        .iter()
                        .filter_map(|f| f.as_str().map(str::to_owned))
                        .collect();
                    self.field_paths(&format!("{at}.{name}"), &fields);
                }
                ("$set" | "$addFields", _) => self.report(
                    format!("{at}.{name}"),
                    format!("{name} takes a non-empty document of field paths and values"),
                ),
                ("$unset", _) => self.report(
                    format!("{at}.{name}"),
                    "$unset takes a field name or a non-empty list of them",
                ),
                ("$project" | "$replaceWith" | "$replaceRoot", Value::Object(spec))
                    if !spec.is_empty() => {}
                ("$replaceWith", Value::String(path)) if path.starts_with('$') => {}
                ("$project" | "$replaceWith" | "$replaceRoot", _) => self.report(
                    format!("{at}.{name}"),
                    format!("{name} takes a non-empty document"),
                ),
                (other, _) => self.report(
                    format!("{at}.{other}"),
                    format!("{other} is not a pipeline update stage (use $set, $addFields, $unset, $project, $replaceWith or $replaceRoot)"),
                ),
            }
        }
    }

    fn selection(&mut self, path: &str, filter: Option<&DocumentValue>, all_documents: bool) {
        let empty = filter.is_none_or(serde_json::Map::is_empty);
        if empty && !all_documents {
            self.report(
                format!("{path}.filter"),
                "the filter matches every document; write `all_documents: true` if that is intended",
            );
        }
        if !empty && all_documents {
            self.report(
                format!("{path}.all_documents"),
                "all_documents: true contradicts the filter",
            );
        }
    }

    /// Refuses aggregation expressions among the values a plain update sets: the server stores
    /// `{"$concat": [...]}` as that object in every document instead of computing it.
    fn literal_values(&mut self, path: &str, values: &serde_json::Map<String, Value>) {
        for (field, value) in values {
            if let Some((at, operator)) = expression_in(value, &format!("{path}.{field}")) {
                self.report(
                    at,
                    format!(
                        "{operator} is an aggregation expression: a plain update would store it as a literal object in {field:?} instead of computing it; set plain values (Extended JSON types like $date are fine)"
                    ),
                );
            }
        }
    }

    fn field_paths(&mut self, path: &str, fields: &[String]) {
        for (index, field) in fields.iter().enumerate() {
            if field.is_empty()
                || field.starts_with('$')
                || field.contains('\0')
                || field.split('.').any(str::is_empty)
            {
                self.report(
                    format!("{path}[{index}]"),
                    format!("{field:?} is not a valid field path"),
                );
            } else if field == "_id" {
                self.report(format!("{path}[{index}]"), "_id cannot be changed");
            }
        }
    }

    fn names_and_documents(
        &mut self,
        path: &str,
        names: Vec<super::kinds::NameRef<'_>>,
        documents: Vec<super::kinds::DocumentRef<'_>>,
    ) {
        for name in names {
            self.name(
                &format!("{path}.{}", name.field),
                name.role,
                name.text,
                true,
            );
        }
        for (field, document) in documents {
            forbidden_operators(
                &Value::Object(document.clone()),
                &format!("{path}.{field}"),
                &mut |p, op| {
                    self.findings.push(Finding {
                        path: p.to_owned(),
                        message: format!(
                            "{op} runs JavaScript on the server and is not allowed in a runbook"
                        ),
                    });
                },
            );
        }
    }

    /// Checks a literal name now; a name with placeholders is checked after substitution.
    fn name(&mut self, path: &str, role: NameRole, text: &str, allow_run_id: bool) {
        match template::placeholders(text) {
            Err(message) => self.report(path, message),
            Ok(found) if found.is_empty() => {
                let verdict = match role {
                    NameRole::Collection => names::check_collection(text),
                    NameRole::Database => names::check_target_database(text),
                    NameRole::DatabaseList => names::check_database_list(text),
                    NameRole::Path => names::check_path(text),
                };
                if let Err(message) = verdict {
                    self.report(path, message);
                }
            }
            Ok(found) => {
                for placeholder in found {
                    self.placeholder(path, placeholder, allow_run_id && role == NameRole::Path);
                }
            }
        }
    }

    fn placeholder(&mut self, path: &str, name: &str, allow_run_id: bool) {
        if name == RUN_ID && allow_run_id {
            return;
        }
        if !self.declared.contains(name) {
            self.report(path, format!("{{{{{name}}}}} is not a declared parameter"));
        }
    }

    /// Checks placeholders in every substitutable value other than the names `name` checks.
    fn placeholders<T: serde::Serialize>(&mut self, path: &str, item: &T, name_fields: &[&str]) {
        // Actions and checks serialize as `{kind: {fields…}}`.
        let Ok(Value::Object(outer)) = serde_json::to_value(item) else {
            return;
        };
        // A `notify` message is checked on its own (it may name the run's facts).
        let notify = outer.contains_key("notify");
        let Some(Value::Object(map)) = outer.into_iter().next().map(|(_, fields)| fields) else {
            return;
        };
        let mut found = Vec::new();
        for (key, value) in &map {
            let checked_alone = notify && key == "message";
            if !(name_fields.contains(&key.as_str()) || checked_alone) {
                template::for_each_templated(value, &format!("{path}.{key}"), &mut |p, text| {
                    found.push((p.to_owned(), text.to_owned()));
                });
            }
        }
        for (value_path, text) in found {
            match template::placeholders(&text) {
                Err(message) => self.report(value_path, message),
                Ok(names) => {
                    for name in names {
                        if !self.declared.contains(name) && name != RUN_ID {
                            self.report(
                                &value_path,
                                format!("{{{{{name}}}}} is not a declared parameter"),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Extended JSON's type wrappers: `$`-keys a value may carry (they become BSON values).
const EXTENDED_JSON_TYPES: [&str; 16] = [
    "$oid",
    "$date",
    "$numberInt",
    "$numberLong",
    "$numberDouble",
    "$numberDecimal",
    "$binary",
    "$uuid",
    "$timestamp",
    "$regularExpression",
    "$symbol",
    "$code",
    "$scope",
    "$minKey",
    "$maxKey",
    "$undefined",
];

/// The first `$`-key (at any depth) of a value set by a plain update that is not an Extended
/// JSON type: an aggregation expression such as `$concat`, which the server would store as a
/// literal object instead of computing it.
fn expression_in(value: &Value, path: &str) -> Option<(String, String)> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let item_path = format!("{path}.{key}");
            if key.starts_with('$') && !EXTENDED_JSON_TYPES.contains(&key.as_str()) {
                Some((item_path, key.clone()))
            } else {
                expression_in(item, &item_path)
            }
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| expression_in(item, &format!("{path}[{index}]"))),
        _ => None,
    }
}

fn forbidden_operators(value: &Value, path: &str, report: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let item_path = format!("{path}.{key}");
                if FORBIDDEN_OPERATORS.contains(&key.as_str()) {
                    report(&item_path, key);
                }
                forbidden_operators(item, &item_path, report);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                forbidden_operators(item, &format!("{path}[{index}]"), report);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::expression_in;
    use serde_json::json;

    #[test]
    fn expressions_are_found_at_any_depth_and_extended_json_types_pass() {
        let cases = [
            (json!("plain"), None),
            (json!({"$date": "2026-01-01T00:00:00Z"}), None),
            (
                json!({"at": {"$date": {"$numberLong": "1"}}, "id": {"$oid": "0123456789abcdef01234567"}}),
                None,
            ),
            (
                json!({"$concat": ["$a", "$b"]}),
                Some(("v.$concat", "$concat")),
            ),
            (
                json!({"name": {"first": {"$toUpper": "$n"}}}),
                Some(("v.name.first.$toUpper", "$toUpper")),
            ),
            (json!([1, {"$add": [1, 2]}]), Some(("v[1].$add", "$add"))),
        ];
        for (value, expected) in cases {
            let found = expression_in(&value, "v");
            assert_eq!(
                found.as_ref().map(|(p, o)| (p.as_str(), o.as_str())),
                expected,
                "{value}"
            );
        }
    }
}
