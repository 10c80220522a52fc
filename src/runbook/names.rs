//! Rules for collection and database names that rollbook will act on.

/// The collection, in a target database, that holds its lock: no runbook may act on it.
pub const LOCK_COLLECTION: &str = "rollbook_lock";

/// The databases a runbook may never act on: the server's own.
pub const SERVER_DATABASES: [&str; 3] = ["admin", "local", "config"];

/// The longest collection name a runbook may use: MongoDB's namespace limit is 255 bytes, and
/// rollbook derives longer names from it (`rollbook_tmp_<name>`, `<name>_<run id>` backups).
const MAX_COLLECTION_BYTES: usize = 200;

/// A character that does not show, or that reorders what is shown around it: zero-width
/// characters and bidirectional controls make two different names look the same.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}' | '\u{00AD}')
}

/// What is wrong with the characters of a name: a control, invisible or bidirectional one.
fn check_characters(kind: &str, name: &str) -> Result<(), String> {
    if let Some(bad) = name.chars().find(|c| c.is_control() || is_invisible(*c)) {
        return Err(format!(
            "{kind} name {name:?} contains the invisible or control character U+{:04X}",
            u32::from(bad)
        ));
    }
    Ok(())
}

/// Checks a collection name; returns what is wrong with it.
pub(crate) fn check_collection(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("collection name is empty".into());
    }
    if name.starts_with('.') || name.ends_with('.') || name.contains("..") {
        return Err(format!(
            "collection name {name:?} has an empty segment (a leading or trailing '.', or '..')"
        ));
    }
    if name.contains('$') || name.contains('\0') {
        return Err(format!(
            "collection name {name:?} contains '$' or a NUL character"
        ));
    }
    check_characters("collection", name)?;
    if name.starts_with("system.") {
        return Err(format!("collection name {name:?} starts with \"system.\""));
    }
    if name == LOCK_COLLECTION {
        return Err(format!(
            "collection name {name:?} is rollbook's lock of the database"
        ));
    }
    if name.len() > MAX_COLLECTION_BYTES {
        return Err(format!(
            "collection name is {} bytes long (at most {MAX_COLLECTION_BYTES}, so that the names rollbook derives from it fit MongoDB's 255-byte namespace limit)",
            name.len()
        ));
    }
    Ok(())
}

/// Checks a database name; returns what is wrong with it.
pub(crate) fn check_database(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("database name is empty".into());
    }
    if let Some(bad) = name.chars().find(|c| "/\\. \"$*<>:|?\0".contains(*c)) {
        return Err(format!("database name {name:?} contains {bad:?}"));
    }
    check_characters("database", name)?;
    if name.starts_with("system.") {
        return Err(format!("database name {name:?} starts with \"system.\""));
    }
    if name.len() >= 64 {
        return Err(format!(
            "database name is {} bytes long (at most 63)",
            name.len()
        ));
    }
    Ok(())
}

/// Checks a database a runbook acts on: a valid name, and not one of the server's own.
pub(crate) fn check_target_database(name: &str) -> Result<(), String> {
    check_database(name)?;
    if SERVER_DATABASES.contains(&name) {
        return Err(format!(
            "database {name:?} is the server's own; runbooks never act on admin, local or config"
        ));
    }
    Ok(())
}

/// Checks a database list: a comma list of names, or one glob pattern with `*`.
pub(crate) fn check_database_list(list: &str) -> Result<(), String> {
    let items: Vec<&str> = list.split(',').map(str::trim).collect();
    if items.iter().any(|item| item.is_empty()) {
        return Err(format!("database list {list:?} has an empty entry"));
    }
    for item in items {
        check_target_database(&item.replace('*', "x"))?;
    }
    Ok(())
}

/// Checks a filesystem path given as a parameter: non-empty, no `..` and no NUL.
pub(crate) fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("path is empty".into());
    }
    if path.contains('\0') {
        return Err("path contains a NUL character".into());
    }
    if let Some(bad) = path.chars().find(|c| c.is_control()) {
        return Err(format!(
            "path {path:?} contains the control character {bad:?}"
        ));
    }
    if std::path::Path::new(path)
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(format!("path {path:?} contains '..'"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_unsafe_names() {
        assert!(check_collection("orders").is_ok());
        assert!(check_collection("").is_err());
        assert!(check_collection("a$b").is_err());
        assert!(check_collection("a\0b").is_err());
        assert!(check_collection("system.users").is_err());
        assert!(check_database("earlybird").is_ok());
        assert!(check_database("a.b").is_err());
        assert!(check_database("").is_err());
        assert!(check_database_list("superkafe_*").is_ok());
        assert!(check_database_list("a,,b").is_err());
        assert!(check_path("../etc").is_err());
        assert!(check_path("/backups/a\nb").is_err());
        assert!(check_path("/backups/2026").is_ok());
        for bad in [
            "a..b",
            ".a",
            "a.",
            "ord\u{200B}ers",
            "\u{202E}orders",
            "a\tb",
        ] {
            assert!(check_collection(bad).is_err(), "{bad:?}");
        }
        assert!(check_collection(&"x".repeat(200)).is_ok());
        assert!(check_collection(&"x".repeat(201)).is_err());
        for server in SERVER_DATABASES {
            assert!(check_target_database(server).is_err());
            assert!(check_database(server).is_ok());
        }
        assert!(check_target_database("shop\u{200D}").is_err());
        assert!(check_database_list("admin,shop").is_err());
    }
}
