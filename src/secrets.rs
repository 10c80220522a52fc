//! Keeping credentials out of output, logs, audit entries and reports.

/// Replaces the password in every `scheme://user:password@` in `text` (`mongodb://`,
/// `mongodb+srv://`, and any other scheme a mistyped connection string may carry) with `****`.
#[must_use]
pub(crate) fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let authority_start = start + 3;
        out.push_str(&rest[..authority_start]);
        let (authority, tail) = split_authority(&rest[authority_start..]);
        out.push_str(&mask_userinfo(authority));
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// One connection string as given on the command line, with its password masked even when
/// it has no scheme at all (`user:password@host`), for messages about an unparsable URI.
#[must_use]
pub(crate) fn redact_uri(uri: &str) -> String {
    if uri.contains("://") {
        return redact(uri);
    }
    let (authority, tail) = split_authority(uri);
    format!("{}{tail}", mask_userinfo(authority))
}

/// Splits `host…/path` into the authority (up to the first `/`, `?`, space, quote or
/// newline) and the rest.
fn split_authority(text: &str) -> (&str, &str) {
    let end = text
        .find(['/', '?', ' ', '"', '\'', '\n'])
        .unwrap_or(text.len());
    text.split_at(end)
}

/// `user:password@hosts` → `user:****@hosts`; an authority without `@` is returned as is.
fn mask_userinfo(authority: &str) -> String {
    match authority.rfind('@') {
        Some(at) => {
            let user = authority[..at].split(':').next().unwrap_or_default();
            format!("{user}:****{}", &authority[at..])
        }
        None => authority.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{redact, redact_uri};

    #[test]
    fn hides_passwords_in_connection_strings() {
        assert_eq!(
            redact("connect mongodb://bob:s3cr%40t@db1:27017,db2/x?authSource=admin failed"),
            "connect mongodb://bob:****@db1:27017,db2/x?authSource=admin failed"
        );
        assert_eq!(redact("mongodb+srv://u:p@h"), "mongodb+srv://u:****@h");
        assert_eq!(redact("mongodb://127.0.0.1:1/"), "mongodb://127.0.0.1:1/");
        assert_eq!(redact("no uri here"), "no uri here");
        assert_eq!(
            redact("scheme: http://admin:pw@h:1/x, then mongodb://u:p@h"),
            "scheme: http://admin:****@h:1/x, then mongodb://u:****@h"
        );
        assert_eq!(
            redact_uri("admin:pw@127.0.0.1/db"),
            "admin:****@127.0.0.1/db"
        );
        assert_eq!(redact_uri("not a uri"), "not a uri");
    }
}
