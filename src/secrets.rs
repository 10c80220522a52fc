//! Keeping credentials out of output, logs, audit entries and reports.
//!
//! A connection string is split into its parts before anything is masked: the user
//! information ends at the last `@` that is followed by a host list, so an unencoded password
//! holding `/`, `?`, `@` or `:` is masked whole; and every query option whose value is a
//! credential (`tlsCertificateKeyFilePassword`, `authMechanismProperties`, `proxyPassword`, any
//! option named like a password, secret or token) has its value masked too.

/// What a masked secret is replaced with.
const MASK: &str = "****";

/// Query options whose values are credentials, in lower case (option names are
/// case-insensitive), beside any option named like a password, secret, token or credential.
const SECRET_OPTIONS: &[&str] = &[
    "tlscertificatekeyfilepassword",
    "sslpemkeypassword",
    "sslclientcertificatekeypassword",
    "authmechanismproperties",
    "proxypassword",
];

/// True when the query option `name` carries a credential.
fn is_secret_option(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_OPTIONS.contains(&name.as_str())
        || ["password", "secret", "token", "credential", "pwd"]
            .iter()
            .any(|word| name.contains(word))
}

/// Replaces the credentials of every `scheme://…` connection string in `text` (`mongodb://`,
/// `mongodb+srv://`, and any other scheme a mistyped connection string may carry) with `****`:
/// the password of the user information, and the values of secret query options. A
/// connection string in free text ends at whitespace or a quote.
#[must_use]
pub(crate) fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let body_start = start + 3;
        out.push_str(&rest[..body_start]);
        let tail = &rest[body_start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>'))
            .unwrap_or(tail.len());
        out.push_str(&redact_body(&tail[..end]));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// One connection string as given on the command line, with its credentials masked even when
/// it has no scheme at all (`user:password@host`), for messages about an unparsable URI.
#[must_use]
pub(crate) fn redact_uri(uri: &str) -> String {
    match uri.find("://") {
        Some(start) => format!("{}{}", &uri[..start + 3], redact_body(&uri[start + 3..])),
        None => redact_body(uri),
    }
}

/// `text` (for example a driver's message about `uri`) with the credentials of `uri` masked
/// wherever they appear, also in pieces: a parser that stopped at an unencoded `/`, `?`, `@`
/// or `:` in a password quotes the piece before it.
#[must_use]
pub(crate) fn redact_with(text: &str, uri: &str) -> String {
    let mut out = redact(text);
    for secret in secrets_of(uri) {
        out = out.replace(&secret, MASK);
    }
    out
}

/// The parts of a connection string after its scheme.
#[derive(Debug, PartialEq, Eq)]
struct UriBody<'a> {
    /// `user:password`, when there is an `@` before the hosts.
    userinfo: Option<&'a str>,
    /// The hosts and everything after them (`/db?options`).
    rest: &'a str,
}

/// Splits what follows `scheme://`: the user information ends at the last `@` after which a
/// host list (possibly empty) runs up to `/`, `?` or the end. Taking the last such `@` masks too
/// much rather than too little when an option value holds an `@`.
fn split_body(body: &str) -> UriBody<'_> {
    let host_like = |c: char| c.is_ascii_alphanumeric() || ".-_:,[]%".contains(c);
    let at = body.match_indices('@').map(|(i, _)| i).rev().find(|&i| {
        let after = &body[i + 1..];
        let hosts_end = after.find(['/', '?']).unwrap_or(after.len());
        after[..hosts_end].chars().all(host_like)
    });
    match at {
        Some(at) => UriBody {
            userinfo: Some(&body[..at]),
            rest: &body[at..],
        },
        None => UriBody {
            userinfo: None,
            rest: body,
        },
    }
}

/// `user:password@hosts/db?opts` → `user:****@hosts/db?opts`, secret options masked.
fn redact_body(body: &str) -> String {
    let parts = split_body(body);
    let mut out = String::with_capacity(body.len());
    if let Some(userinfo) = parts.userinfo {
        let user = userinfo.split(':').next().unwrap_or_default();
        out.push_str(user);
        out.push(':');
        out.push_str(MASK);
    }
    out.push_str(&redact_options(parts.rest));
    out
}

/// Masks the values of secret options in `@hosts/db?a=1&b=2` (everything after the first `?`).
fn redact_options(rest: &str) -> String {
    let Some(question) = rest.find('?') else {
        return rest.to_owned();
    };
    let (head, query) = rest.split_at(question + 1);
    let options: Vec<String> = query
        .split('&')
        .map(|option| match option.split_once('=') {
            Some((name, value)) if is_secret_option(name) && !value.is_empty() => {
                format!("{name}={MASK}")
            }
            _ => option.to_owned(),
        })
        .collect();
    format!("{head}{}", options.join("&"))
}

/// The credentials in `uri`: the password, its pieces between `/`, `?`, `@` and `:`, and the
/// values of secret options (with their `key:value` pieces). Pieces shorter than three
/// characters are left out: masking them would garble messages without hiding anything.
fn secrets_of(uri: &str) -> Vec<String> {
    let body = uri.find("://").map_or(uri, |start| &uri[start + 3..]);
    let parts = split_body(body);
    let mut secrets = Vec::new();
    let mut add = |value: &str| {
        let mut all = vec![value];
        all.extend(value.split(['/', '?', '@', ':', ',', '&', '=']));
        for piece in all {
            if piece.len() >= 3 && !secrets.iter().any(|s| s == piece) {
                secrets.push(piece.to_owned());
            }
        }
    };
    if let Some(password) = parts.userinfo.and_then(|u| u.split_once(':')).map(|p| p.1) {
        add(password);
    }
    if let Some((_, query)) = parts.rest.split_once('?') {
        for option in query.split('&') {
            if let Some((name, value)) = option.split_once('=') {
                if is_secret_option(name) {
                    add(value);
                }
            }
        }
    }
    // Longest first, so a piece never masks part of a longer secret before it is masked.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

#[cfg(test)]
mod tests {
    use super::{redact, redact_uri, redact_with};

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
        assert_eq!(redact_uri("mongodb://admin:pw@/"), "mongodb://admin:****@/");
    }

    #[test]
    fn hides_unencoded_passwords_with_slash_question_mark_or_at() {
        for (uri, expected) in [
            (
                "mongodb://admin:S3c/ret@127.0.0.1:27017/db",
                "mongodb://admin:****@127.0.0.1:27017/db",
            ),
            (
                "mongodb://admin:S3c?ret@127.0.0.1:27017/?tls=true",
                "mongodb://admin:****@127.0.0.1:27017/?tls=true",
            ),
            (
                "mongodb://admin:S3c@ret@h1,h2/db?replicaSet=rs0",
                "mongodb://admin:****@h1,h2/db?replicaSet=rs0",
            ),
            (
                "mongodb://admin:a/b?c@d:e@[::1]:27017/",
                "mongodb://admin:****@[::1]:27017/",
            ),
            (
                "mongodb+srv://admin:p/w@cluster0.example.net",
                "mongodb+srv://admin:****@cluster0.example.net",
            ),
        ] {
            assert_eq!(redact_uri(uri), expected, "{uri}");
            assert_eq!(
                redact(&format!("failed: {uri} (retry)")),
                format!("failed: {expected} (retry)"),
                "{uri}"
            );
            assert!(!redact(uri).contains("S3c") && !redact(uri).contains("ret@"));
        }
    }

    #[test]
    fn hides_secret_query_options() {
        for (uri, expected) in [
            (
                "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=S3cret&appName=x",
                "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=****&appName=x",
            ),
            (
                "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:S3cret",
                "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=****",
            ),
            (
                "mongodb://u:pw@h/?proxyHost=p&proxyUsername=pu&proxyPassword=S3cret",
                "mongodb://u:****@h/?proxyHost=p&proxyUsername=pu&proxyPassword=****",
            ),
            (
                "mongodb://h/?sslPEMKeyPassword=S3cret",
                "mongodb://h/?sslPEMKeyPassword=****",
            ),
            (
                "mongodb://h/?PROXYPASSWORD=S3cret",
                "mongodb://h/?PROXYPASSWORD=****",
            ),
            (
                "mongodb://h/?someVendorToken=S3cret&w=majority",
                "mongodb://h/?someVendorToken=****&w=majority",
            ),
            (
                "mongodb://admin:S3c/ret@h/?proxyPassword=S3cret2",
                "mongodb://admin:****@h/?proxyPassword=****",
            ),
        ] {
            assert_eq!(redact_uri(uri), expected, "{uri}");
            assert_eq!(redact(&format!("'{uri}'")), format!("'{expected}'"), "{uri}");
        }
        // Options that are not credentials stay readable.
        assert_eq!(
            redact("mongodb://h/?tlsCertificateKeyFile=/etc/k.pem&authSource=admin"),
            "mongodb://h/?tlsCertificateKeyFile=/etc/k.pem&authSource=admin"
        );
    }

    #[test]
    fn hides_pieces_a_parser_quotes_from_an_unencoded_password() {
        let uri = "mongodb://admin:S3c?ret@127.0.0.1:1/";
        let driver = "invalid server address admin:S3c: the port must be an integer, got S3c";
        let shown = redact_with(&format!("{}: {driver}", redact_uri(uri)), uri);
        assert!(!shown.contains("S3c"), "{shown}");
        assert!(
            shown.contains("mongodb://admin:****@127.0.0.1:1/"),
            "{shown}"
        );
        let uri = "mongodb://h/?authMechanismProperties=AWS_SESSION_TOKEN:tok3n";
        assert!(!redact_with("bad token tok3n", uri).contains("tok3n"));
    }
}
