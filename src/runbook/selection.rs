//! `--steps`: `all`, `23`, `20-23` (or `30-23`), `19,21,23`, and mixes like `19,21-23`.

use crate::error::{Error, Result};
use crate::runbook::model::Step;

/// Which steps the operator asked for, before the runbook is consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepSelection {
    /// Every step.
    All,
    /// Listed items, each one step id or an inclusive range of numeric ids.
    Items(Vec<SelectionItem>),
}

/// One item of a step list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectionItem {
    /// A step id.
    Id(String),
    /// An inclusive numeric range; either end may be the larger.
    Range(u64, u64),
}

impl StepSelection {
    /// Parses the `--steps` syntax.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("--steps is empty; use all, 23, 20-23 or 19,21,23".into());
        }
        if text.eq_ignore_ascii_case("all") {
            return Ok(StepSelection::All);
        }
        let mut items = Vec::new();
        for part in text.split(',').map(str::trim) {
            if part.is_empty() {
                return Err(format!("--steps {text:?} has an empty entry"));
            }
            match part.split_once('-') {
                Some((from, to))
                    if from.trim().parse::<u64>().is_ok() && to.trim().parse::<u64>().is_ok() =>
                {
                    items.push(SelectionItem::Range(
                        from.trim().parse().unwrap_or_default(),
                        to.trim().parse().unwrap_or_default(),
                    ));
                }
                _ => items.push(SelectionItem::Id(part.to_owned())),
            }
        }
        Ok(StepSelection::Items(items))
    }

    /// The selected steps of `steps`, in runbook order; unknown ids and empty ranges are errors.
    pub(crate) fn select<'a>(&self, steps: &'a [Step]) -> Result<Vec<&'a Step>> {
        let items = match self {
            StepSelection::All => return Ok(steps.iter().collect()),
            StepSelection::Items(items) => items,
        };
        let mut chosen = vec![false; steps.len()];
        for item in items {
            let mut matched = false;
            for (index, step) in steps.iter().enumerate() {
                let hit = match item {
                    SelectionItem::Id(id) => &step.id == id,
                    SelectionItem::Range(a, b) => step
                        .id
                        .parse::<u64>()
                        .is_ok_and(|n| (*a.min(b)..=*a.max(b)).contains(&n)),
                };
                if hit {
                    chosen[index] = true;
                    matched = true;
                }
            }
            if !matched {
                let ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
                let what = match item {
                    SelectionItem::Id(id) => format!("no step {id:?}"),
                    SelectionItem::Range(a, b) => format!("no step in {a}-{b}"),
                };
                return Err(Error::Usage(format!(
                    "{what} in this runbook (steps: {})",
                    ids.join(", ")
                )));
            }
        }
        Ok(steps
            .iter()
            .zip(chosen)
            .filter_map(|(s, c)| c.then_some(s))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(ids: &[&str]) -> Vec<Step> {
        ids.iter()
            .map(|id| {
                serde_yaml::from_str(&format!(
                    "{{id: \"{id}\", title: t, data_loss: {{level: none}}, reversibility: {{level: full}}}}"
                ))
                .unwrap()
            })
            .collect()
    }

    fn ids(selection: &str, steps: &[Step]) -> Result<Vec<String>> {
        let selection = StepSelection::parse(selection).map_err(Error::Usage)?;
        Ok(selection
            .select(steps)?
            .iter()
            .map(|s| s.id.clone())
            .collect())
    }

    #[test]
    fn parses_and_selects_in_runbook_order() {
        let all = steps(&["19", "20", "21", "22", "23", "backup"]);
        assert_eq!(
            ids("all", &all).unwrap(),
            ["19", "20", "21", "22", "23", "backup"]
        );
        assert_eq!(ids("23", &all).unwrap(), ["23"]);
        assert_eq!(ids("20-22", &all).unwrap(), ["20", "21", "22"]);
        assert_eq!(ids("22-20", &all).unwrap(), ["20", "21", "22"]);
        assert_eq!(ids("23,19,21", &all).unwrap(), ["19", "21", "23"]);
        assert_eq!(
            ids("19, 21-22,backup", &all).unwrap(),
            ["19", "21", "22", "backup"]
        );
    }

    #[test]
    fn refuses_unknown_steps_and_bad_syntax() {
        let all = steps(&["19", "20"]);
        assert!(ids("31", &all).is_err());
        assert!(ids("40-45", &all).is_err());
        assert!(StepSelection::parse("").is_err());
        assert!(StepSelection::parse("19,,20").is_err());
    }
}
