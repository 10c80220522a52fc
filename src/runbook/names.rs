//! Rules for collection and database names that rollbook will act on.

/// The collection, in a target database, that holds its lock: no runbook may act on it.
pub const LOCK_COLLECTION: &str = "rollbook_lock";

/// Checks a collection name; returns what is wrong with it.
pub(crate) fn check_collection(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("collection name is empty".into());
    }
    if name.contains('$') || name.contains('\0') {
        return Err(format!(
            "collection name {name:?} contains '$' or a NUL character"
        ));
    }
    if name.starts_with("system.") {
        return Err(format!("collection name {name:?} starts with \"system.\""));
    }
    if name == LOCK_COLLECTION {
        return Err(format!(
            "collection name {name:?} is rollbook's lock of the database"
        ));
    }
    if name.len() > 255 {
        return Err(format!(
            "collection name is {} bytes long (at most 255)",
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

/// Checks a database list: a comma list of names, or one glob pattern with `*`.
pub(crate) fn check_database_list(list: &str) -> Result<(), String> {
    let items: Vec<&str> = list.split(',').map(str::trim).collect();
    if items.iter().any(|item| item.is_empty()) {
        return Err(format!("database list {list:?} has an empty entry"));
    }
    for item in items {
        check_database(&item.replace('*', "x"))?;
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
    }
}
