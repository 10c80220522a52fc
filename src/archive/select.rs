//! Choosing databases by a selector: a comma list of names and globs (`superkafe_*`).

use crate::error::{Error, Result};

/// Databases an empty selector ("everything") leaves out: the server's own.
const INTERNAL: [&str; 2] = ["local", "config"];

/// True when `item` is a glob (`*` any run of characters, `?` one character).
#[must_use]
pub(crate) fn is_glob(item: &str) -> bool {
    item.contains(['*', '?'])
}

/// Glob matching on characters: `*` matches any run, `?` exactly one.
#[must_use]
pub(crate) fn glob_matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, n));
                p += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    n = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// The names in `available` that `selector` picks, in `available`'s order. An empty selector
/// picks everything but `local` and `config`; a plain name must be in `available`; a glob must
/// match at least one. `what` names where the names come from, for errors.
pub(crate) fn resolve(selector: &str, available: &[String], what: &str) -> Result<Vec<String>> {
    let selector = selector.trim();
    if selector.is_empty() {
        return Ok(available
            .iter()
            .filter(|name| !INTERNAL.contains(&name.as_str()))
            .cloned()
            .collect());
    }
    let items: Vec<&str> = selector.split(',').map(str::trim).collect();
    if items.iter().any(|item| item.is_empty()) {
        return Err(Error::Usage(format!(
            "database selector {selector:?} has an empty entry; nothing was changed"
        )));
    }
    let listing = || {
        if available.is_empty() {
            "none".to_owned()
        } else {
            available.join(", ")
        }
    };
    let mut chosen = vec![false; available.len()];
    for item in &items {
        let mut found = false;
        for (index, name) in available.iter().enumerate() {
            let hit = if is_glob(item) {
                glob_matches(item, name)
            } else {
                name == item
            };
            if hit {
                chosen[index] = true;
                found = true;
            }
        }
        if !found {
            let verb = if is_glob(item) {
                "matches no database"
            } else {
                "is not a database"
            };
            return Err(Error::Usage(format!(
                "{item:?} {verb} in {what} (it has: {}); nothing was changed",
                listing()
            )));
        }
    }
    Ok(available
        .iter()
        .zip(chosen)
        .filter(|(_, chosen)| *chosen)
        .map(|(name, _)| name.clone())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches("superkafe_*", "superkafe_negoes"));
        assert!(glob_matches("superkafe_*", "superkafe_"));
        assert!(!glob_matches("superkafe_*", "superkafe"));
        assert!(glob_matches("*_t?", "a_tx"));
        assert!(glob_matches("a*b*c", "aXbYbZc"));
        assert!(!glob_matches("a*b*c", "aXbYbZ"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("tenant", "tenant"));
    }

    #[test]
    fn selectors() {
        let all: Vec<String> = ["admin", "config", "local", "t_a", "t_b", "x"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            resolve("", &all, "the backup").unwrap(),
            ["admin", "t_a", "t_b", "x"]
        );
        assert_eq!(resolve("t_*", &all, "b").unwrap(), ["t_a", "t_b"]);
        assert_eq!(resolve("x, t_b", &all, "b").unwrap(), ["t_b", "x"]);
        assert_eq!(resolve("x,x", &all, "b").unwrap(), ["x"]);
        let error = resolve("y", &all, "the backup").unwrap_err().to_string();
        assert!(
            error.contains("\"y\" is not a database in the backup"),
            "{error}"
        );
        assert!(resolve("z*", &all, "b").is_err());
        assert!(resolve("x,", &all, "b").is_err());
    }
}
