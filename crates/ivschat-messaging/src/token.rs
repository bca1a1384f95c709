//! Chat tokens and where a room gets them.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

/// A chat token (from the control plane's `CreateChatToken`) and its expiry times.
///
/// A token opens exactly one connection, so a room asks its [`TokenProvider`] for a new one before
/// every connection attempt. `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ChatToken {
    token: String,
    token_expiration_time: Option<SystemTime>,
    session_expiration_time: Option<SystemTime>,
}

impl ChatToken {
    /// A token with no known expiry times (no proactive refresh is then scheduled).
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            token_expiration_time: None,
            session_expiration_time: None,
        }
    }

    /// Sets the time after which the token can no longer open a connection
    /// (`tokenExpirationTime`).
    pub fn with_token_expiration_time(mut self, time: SystemTime) -> Self {
        self.token_expiration_time = Some(time);
        self
    }

    /// Sets the time at which the service ends a connection opened with this token
    /// (`sessionExpirationTime`).
    pub fn with_session_expiration_time(mut self, time: SystemTime) -> Self {
        self.session_expiration_time = Some(time);
        self
    }

    /// The token itself (secret: it is the credential of a chat participant).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// When the token stops being usable to connect, if known.
    pub fn token_expiration_time(&self) -> Option<SystemTime> {
        self.token_expiration_time
    }

    /// When a connection opened with the token ends, if known.
    pub fn session_expiration_time(&self) -> Option<SystemTime> {
        self.session_expiration_time
    }

    /// When a connection opened with this token must have been replaced, by `rule`.
    pub(crate) fn refresh_deadline(&self, rule: RefreshDeadline) -> Option<SystemTime> {
        match rule {
            RefreshDeadline::SessionExpiration => {
                self.session_expiration_time.or(self.token_expiration_time)
            }
            RefreshDeadline::TokenExpiration => self.token_expiration_time,
        }
    }
}

/// Which expiry time of the token that opened a connection times its proactive refresh (see
/// [`RoomBuilder::refresh_deadline`](crate::RoomBuilder::refresh_deadline)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefreshDeadline {
    /// The token's `sessionExpirationTime`, or its `tokenExpirationTime` when the provider gives
    /// no session expiry (the default).
    ///
    /// The session is what ends a connection: the service closes it then. The token expiry only
    /// limits when the token can open one, and the refresh fetches a new token anyway. Timed from
    /// the session, the room replaces each connection once, shortly before the service would end
    /// it, whatever the token's own lifetime.
    #[default]
    SessionExpiration,
    /// The token's `tokenExpirationTime` alone, as the official JavaScript client does; no
    /// refresh when the provider gives no token expiry.
    ///
    /// A token that expires long before its session makes the room replace a connection that
    /// would have lasted, and a session that ends before the token expires ends the connection
    /// with a clean close first, which ends the room (as in the JavaScript client).
    TokenExpiration,
}

impl fmt::Debug for ChatToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatToken")
            .field("token", &"*** Sensitive Data Redacted ***")
            .field("token_expiration_time", &self.token_expiration_time)
            .field("session_expiration_time", &self.session_expiration_time)
            .finish()
    }
}

/// A token provider failed: why, as the provider said it.
#[derive(Clone)]
pub struct TokenError {
    source: Arc<dyn StdError + Send + Sync>,
}

impl TokenError {
    /// Wraps the provider's own error.
    pub fn new(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            source: Arc::from(source.into()),
        }
    }
}

impl fmt::Debug for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TokenError").field(&self.source).finish()
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the token provider failed: {}", self.source)
    }
}

impl StdError for TokenError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// The future a [`TokenProvider`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<ChatToken, TokenError>> + Send + 'a>>;

/// Where a room gets a fresh chat token before each connection attempt.
///
/// Implemented for async closures and functions returning `Result<ChatToken, E>` (any error type
/// that converts into `Box<dyn Error + Send + Sync>`, `String` included), so a backend call can be
/// passed as is:
///
/// ```
/// use ivschat_messaging::{ChatToken, TokenProvider};
///
/// fn provider() -> impl TokenProvider {
///     || async {
///         // Ask your backend for a token here.
///         Ok::<_, String>(ChatToken::new("AQICAHg-example"))
///     }
/// }
/// ```
///
/// With the `control-plane` feature, `ControlPlaneTokens` calls
/// `CreateChatToken` itself.
pub trait TokenProvider: Send + Sync + 'static {
    /// A new token: each one opens exactly one connection.
    fn token(&self) -> TokenFuture<'_>;
}

impl<F, Fut, E> TokenProvider for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ChatToken, E>> + Send + 'static,
    E: Into<Box<dyn StdError + Send + Sync>>,
{
    fn token(&self) -> TokenFuture<'_> {
        let fut = self();
        Box::pin(async move { fut.await.map_err(TokenError::new) })
    }
}

/// Whether `token` can travel as a WebSocket subprotocol (an RFC 7230 `token`: visible ASCII
/// without separators). Real chat tokens are base64url with a prefix.
pub(crate) fn is_subprotocol_token(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn debug_hides_the_token() {
        let t = ChatToken::new("secret-token-value")
            .with_token_expiration_time(SystemTime::UNIX_EPOCH + Duration::from_secs(5));
        let shown = format!("{t:?}");
        assert!(!shown.contains("secret-token-value"), "{shown}");
        assert!(shown.contains("Redacted"), "{shown}");
    }

    #[test]
    fn refresh_deadline_by_rule() {
        use RefreshDeadline::{SessionExpiration, TokenExpiration};
        let at = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        let t = ChatToken::new("t");
        assert_eq!(t.refresh_deadline(SessionExpiration), None);
        assert_eq!(t.refresh_deadline(TokenExpiration), None);
        let session_only = t.clone().with_session_expiration_time(at(20));
        assert_eq!(
            session_only.refresh_deadline(SessionExpiration),
            Some(at(20))
        );
        assert_eq!(session_only.refresh_deadline(TokenExpiration), None);
        let t = t.with_token_expiration_time(at(10));
        assert_eq!(t.refresh_deadline(SessionExpiration), Some(at(10)));
        assert_eq!(t.refresh_deadline(TokenExpiration), Some(at(10)));
        let t = t.with_session_expiration_time(at(20));
        assert_eq!(t.refresh_deadline(SessionExpiration), Some(at(20)));
        assert_eq!(t.refresh_deadline(TokenExpiration), Some(at(10)));
        assert_eq!(RefreshDeadline::default(), SessionExpiration);
    }

    #[test]
    fn subprotocol_tokens() {
        assert!(is_subprotocol_token("AQICAHgm5DC1V25pBVEhXdu--x_y.z~"));
        for bad in ["", "abc/def==", "has space", "a,b", "é"] {
            assert!(!is_subprotocol_token(bad), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn closures_are_providers() {
        let ok = || async { Ok::<_, String>(ChatToken::new("t1")) };
        assert_eq!(ok.token().await.unwrap().token(), "t1");
        let failing = || async { Err::<ChatToken, _>("backend said no") };
        let err = failing.token().await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "the token provider failed: backend said no"
        );
    }
}
