//! The one HTTP request notifications need: a JSON `POST` over HTTP/1.1, plain or TLS (the
//! Mozilla roots that ship with the binary), reading only the status line of the answer.

use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Why a request failed, and whether asking again may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A connection error, a 429 or a 5xx: worth another try.
    Retryable(String),
    /// Anything else (a bad URL, a 4xx): trying again gives the same answer.
    Final(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Retryable(why) | Failure::Final(why) => f.write_str(why),
        }
    }
}

/// The parts of a webhook URL a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    /// `https`.
    pub tls: bool,
    /// Host name or address (without brackets).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path and query (`/` at least).
    pub path: String,
}

impl Url {
    /// Parses `http://host[:port][/path]` or `https://…`. The message never quotes the URL
    /// (a webhook URL is a secret).
    pub(crate) fn parse(text: &str) -> Result<Url, String> {
        let text = text.trim();
        let (tls, rest) = if let Some(rest) = text.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err("the URL must start with https:// or http://".into());
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        if authority.contains('@') {
            return Err("the URL must not carry a user name or password".into());
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6
                    .split_once(']')
                    .ok_or("the URL's IPv6 address lacks its closing ]")?;
                (host, after.strip_prefix(':'))
            }
            None => match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        if host.is_empty() {
            return Err("the URL names no host".into());
        }
        let port = match port {
            Some(port) => port
                .parse()
                .map_err(|_| "the URL's port is not a number from 1 to 65535".to_owned())?,
            None if tls => 443,
            None => 80,
        };
        let path = path.split('#').next().unwrap_or_default();
        let path = if path.is_empty() || path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        Ok(Url {
            tls,
            host: host.to_owned(),
            port,
            path,
        })
    }
}

/// Sends `body` (JSON) to `url` and reads the answer's status.
pub(crate) async fn post_json(url: &Url, body: &[u8]) -> Result<(), Failure> {
    let tcp = TcpStream::connect((url.host.as_str(), url.port))
        .await
        .map_err(|e| Failure::Retryable(format!("cannot connect to {}: {e}", url.host)))?;
    if url.tls {
        let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config()?));
        let name = rustls::pki_types::ServerName::try_from(url.host.clone())
            .map_err(|_| Failure::Final(format!("{} is not a valid TLS server name", url.host)))?;
        let stream = connector
            .connect(name, tcp)
            .await
            .map_err(|e| Failure::Retryable(format!("TLS with {} failed: {e}", url.host)))?;
        exchange(stream, url, body).await
    } else {
        exchange(tcp, url, body).await
    }
}

fn tls_config() -> Result<rustls::ClientConfig, Failure> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Failure::Final(format!("cannot set up TLS: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    url: &Url,
    body: &[u8],
) -> Result<(), Failure> {
    let name = if url.host.contains(':') {
        format!("[{}]", url.host)
    } else {
        url.host.clone()
    };
    let default_port = if url.tls { 443 } else { 80 };
    let host = if url.port == default_port {
        name
    } else {
        format!("{name}:{}", url.port)
    };
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: rollbook/{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        url.path,
        env!("CARGO_PKG_VERSION"),
        body.len()
    );
    let sent = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        stream.flush().await
    };
    sent.await
        .map_err(|e| Failure::Retryable(format!("cannot send to {}: {e}", url.host)))?;
    let mut status = String::new();
    BufReader::new(stream)
        .read_line(&mut status)
        .await
        .map_err(|e| Failure::Retryable(format!("no answer from {}: {e}", url.host)))?;
    let code: u16 = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| Failure::Retryable(format!("{} gave no HTTP answer", url.host)))?;
    match code {
        200..=299 => Ok(()),
        429 | 500..=599 => Err(Failure::Retryable(format!("HTTP {code} from {}", url.host))),
        _ => Err(Failure::Final(format!("HTTP {code} from {}", url.host))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_into_host_port_and_path() {
        let url = Url::parse("https://hooks.slack.com/services/T0/B0/x?y=1").unwrap();
        assert_eq!(
            url,
            Url {
                tls: true,
                host: "hooks.slack.com".into(),
                port: 443,
                path: "/services/T0/B0/x?y=1".into(),
            }
        );
        let url = Url::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!((url.port, url.path.as_str(), url.tls), (8080, "/", false));
        let url = Url::parse("http://[::1]:9/hook#frag").unwrap();
        assert_eq!(
            (url.host.as_str(), url.port, url.path.as_str()),
            ("::1", 9, "/hook")
        );
    }

    #[test]
    fn tls_is_set_up_with_the_shipped_roots() {
        assert!(tls_config().is_ok());
        assert!(!webpki_roots::TLS_SERVER_ROOTS.is_empty());
    }

    #[test]
    fn bad_urls_are_refused_without_quoting_them() {
        for bad in [
            "ftp://x/secret-token",
            "https://user:secret-token@host/",
            "http://host:99999/secret-token",
            "https:///secret-token",
        ] {
            let why = Url::parse(bad).unwrap_err();
            assert!(!why.contains("secret-token"), "{why}");
        }
    }
}
