//! Keeping credentials out of output, logs, audit entries and reports.

/// Replaces the password in every `mongodb://user:password@` or `mongodb+srv://…` in `text`
/// with `****`.
#[must_use]
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("mongodb") {
        let (before, from_scheme) = rest.split_at(start);
        out.push_str(before);
        let Some(scheme_end) = from_scheme.find("://") else {
            out.push_str(from_scheme);
            return out;
        };
        let authority_start = scheme_end + 3;
        let tail = &from_scheme[authority_start..];
        let authority_end = tail
            .find(['/', '?', ' ', '"', '\'', '\n'])
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        out.push_str(&from_scheme[..authority_start]);
        match authority.rfind('@') {
            Some(at) => {
                let user = authority[..at].split(':').next().unwrap_or_default();
                out.push_str(user);
                out.push_str(":****");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn hides_passwords_in_connection_strings() {
        assert_eq!(
            redact("connect mongodb://bob:s3cr%40t@db1:27017,db2/x?authSource=admin failed"),
            "connect mongodb://bob:****@db1:27017,db2/x?authSource=admin failed"
        );
        assert_eq!(redact("mongodb+srv://u:p@h"), "mongodb+srv://u:****@h");
        assert_eq!(redact("mongodb://127.0.0.1:1/"), "mongodb://127.0.0.1:1/");
        assert_eq!(redact("no uri here"), "no uri here");
    }
}
