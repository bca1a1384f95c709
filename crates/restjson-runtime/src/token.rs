//! Bearer tokens for services that authenticate with `smithy.api#httpBearerAuth` (feature
//! `bearer`, turned on by the generator for such services).
//!
//! A client sends the token of its configured [`ProvideToken`] as `Authorization: Bearer
//! <token>`. The token is a secret: `Debug` never prints it and it never reaches logs.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

/// A bearer token.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    value: String,
    expiry: Option<SystemTime>,
}

impl Token {
    /// A token with its expiry, if it expires.
    pub fn new(value: impl Into<String>, expiry: Option<SystemTime>) -> Self {
        Self {
            value: value.into(),
            expiry,
        }
    }

    /// The token itself.
    pub fn token(&self) -> &str {
        &self.value
    }

    /// When the token stops being valid, if it expires.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("token", &"** redacted **")
            .field("expiry", &self.expiry)
            .finish()
    }
}

/// Why no token could be provided.
#[derive(Debug)]
pub struct TokenError {
    message: String,
}

impl TokenError {
    /// An error with `message` (it must not contain the token).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no bearer token: {}", self.message)
    }
}

impl std::error::Error for TokenError {}

/// The future a token provider returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Token, TokenError>> + Send + 'a>>;

/// Provides bearer tokens, once per request attempt (cache them if they are costly to get).
pub trait ProvideToken: Send + Sync + fmt::Debug {
    /// A token for the next request.
    fn provide_token(&self) -> TokenFuture<'_>;
}

/// A token set in code is its own provider; an expired one is refused instead of sent.
impl ProvideToken for Token {
    fn provide_token(&self) -> TokenFuture<'_> {
        let result = match self.expiry {
            Some(at) if at <= SystemTime::now() => Err(TokenError::new("the token has expired")),
            _ => Ok(self.clone()),
        };
        Box::pin(std::future::ready(result))
    }
}

/// A shared token provider.
#[derive(Clone, Debug)]
pub struct SharedTokenProvider(Arc<dyn ProvideToken>);

impl SharedTokenProvider {
    /// Wraps a provider.
    pub fn new(provider: impl ProvideToken + 'static) -> Self {
        Self(Arc::new(provider))
    }
}

impl ProvideToken for SharedTokenProvider {
    fn provide_token(&self) -> TokenFuture<'_> {
        self.0.provide_token()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_static_token_is_provided_until_it_expires() {
        let live = Token::new("secret-token", None);
        assert_eq!(live.provide_token().await.unwrap().token(), "secret-token");
        let past = SystemTime::now() - Duration::from_secs(1);
        let expired = Token::new("secret-token", Some(past));
        assert_eq!(
            expired.provide_token().await.unwrap_err().to_string(),
            "no bearer token: the token has expired"
        );
    }

    #[test]
    fn debug_never_shows_the_token() {
        let shown = format!(
            "{:?}",
            SharedTokenProvider::new(Token::new("secret-token", None))
        );
        assert!(!shown.contains("secret-token"), "{shown}");
    }
}
