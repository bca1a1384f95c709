//! Where a room connects: a region's messaging endpoint or an explicit WebSocket URL.

use std::fmt;
use std::str::FromStr;

use http::Uri;

/// The WebSocket URL a [`Room`](crate::Room) connects to.
///
/// Built from a region (`us-west-2` becomes `wss://edge.ivschat.us-west-2.amazonaws.com`) or from an
/// explicit `ws://` or `wss://` URL, which is used as given, path and query included (for a local
/// service or a proxy). The room itself travels inside the chat token, not in the URL.
///
/// `Display` and `Debug` leave out the query and any user information, which may carry secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    uri: Uri,
    secure: bool,
}

/// A region or URL that [`Endpoint`] does not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointError {
    message: String,
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EndpointError {}

fn invalid(message: impl Into<String>) -> EndpointError {
    EndpointError {
        message: message.into(),
    }
}

impl Endpoint {
    /// The messaging endpoint of an AWS region: `wss://edge.ivschat.{region}.amazonaws.com`.
    ///
    /// The region must be non-empty and use only `A-Z a-z 0-9 - . _ ~` (the official JavaScript
    /// client's rule).
    pub fn region(region: &str) -> Result<Self, EndpointError> {
        let valid = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !valid {
            return Err(invalid(format!(
                "region {region:?} is empty or has characters other than A-Z a-z 0-9 - . _ ~"
            )));
        }
        Self::url(&format!("wss://edge.ivschat.{region}.amazonaws.com"))
    }

    /// An explicit `ws://` or `wss://` URL, used as given (path and query included).
    pub fn url(url: &str) -> Result<Self, EndpointError> {
        let secure = if url.starts_with("wss://") {
            true
        } else if url.starts_with("ws://") {
            false
        } else {
            return Err(invalid(
                "a messaging URL must start with ws:// or wss:// (or pass a region)",
            ));
        };
        // The parse error does not repeat the URL: it may hold credentials.
        let uri: Uri = url
            .parse()
            .map_err(|e| invalid(format!("invalid messaging URL: {e}")))?;
        if uri.host().is_none_or(str::is_empty) {
            return Err(invalid("the messaging URL has no host"));
        }
        Ok(Self { uri, secure })
    }

    /// A region or a `ws://`/`wss://` URL, told apart as the official JavaScript client does: a value
    /// starting with `ws://` or `wss://` is a URL, anything else a region.
    pub fn parse(region_or_url: &str) -> Result<Self, EndpointError> {
        if region_or_url.starts_with("ws://") || region_or_url.starts_with("wss://") {
            Self::url(region_or_url)
        } else {
            Self::region(region_or_url)
        }
    }

    /// Whether the endpoint uses TLS (`wss://`).
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    pub(crate) fn uri(&self) -> &Uri {
        &self.uri
    }

    /// Host (without IPv6 brackets) and port to open a TCP connection to.
    pub(crate) fn host_and_port(&self) -> (&str, u16) {
        let host = self.uri.host().unwrap_or_default();
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = self
            .uri
            .port_u16()
            .unwrap_or(if self.secure { 443 } else { 80 });
        (host, port)
    }
}

impl FromStr for Endpoint {
    type Err = EndpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.secure { "wss" } else { "ws" };
        write!(f, "{scheme}://{}", self.uri.host().unwrap_or_default())?;
        if let Some(port) = self.uri.port_u16() {
            write!(f, ":{port}")?;
        }
        f.write_str(self.uri.path())?;
        if self.uri.query().is_some() {
            f.write_str("?…")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_urls() {
        let e = Endpoint::parse("us-west-2").unwrap();
        assert_eq!(e.to_string(), "wss://edge.ivschat.us-west-2.amazonaws.com/");
        assert_eq!(
            e.host_and_port(),
            ("edge.ivschat.us-west-2.amazonaws.com", 443)
        );
        assert!(e.is_secure());

        let e = Endpoint::parse("ws://127.0.0.1:4566/p/q?room=abc").unwrap();
        assert_eq!(e.uri().to_string(), "ws://127.0.0.1:4566/p/q?room=abc");
        assert_eq!(e.to_string(), "ws://127.0.0.1:4566/p/q?…");
        assert_eq!(e.host_and_port(), ("127.0.0.1", 4566));
        assert!(!e.is_secure());

        let e = Endpoint::parse("ws://[::1]/").unwrap();
        assert_eq!(e.host_and_port(), ("::1", 80));
        assert_eq!(
            "us-east-1".parse::<Endpoint>().unwrap(),
            Endpoint::region("us-east-1").unwrap()
        );
    }

    #[test]
    fn rejects_what_the_js_client_rejects() {
        for bad in ["us west 2", "", "http://127.0.0.1", "eu/1", "é"] {
            let err = Endpoint::parse(bad).unwrap_err();
            assert!(err.to_string().contains("region"), "{bad:?}: {err}");
        }
        assert_eq!(
            Endpoint::url("https://x").unwrap_err().to_string(),
            "a messaging URL must start with ws:// or wss:// (or pass a region)"
        );
        assert!(Endpoint::url("ws://").is_err());
        assert!(Endpoint::url("ws://exa mple/").is_err());
    }

    #[test]
    fn display_hides_credentials_and_query() {
        let e =
            Endpoint::url("wss://user:secret-pw@host.example:8443/chat?token=secret-q").unwrap();
        for shown in [e.to_string(), format!("{e:?}")] {
            assert!(!shown.contains("secret"), "{shown}");
            assert!(shown.contains("host.example:8443/chat"), "{shown}");
        }
    }
}
