//! Idempotency tokens that clients fill in for `@idempotencyToken` members the caller leaves
//! unset.

use std::fmt;
use std::sync::Arc;

/// Makes idempotency tokens. The default makes a random (version 4) UUID per call; tests can
/// pin the token with [`IdempotencyTokenProvider::fixed`].
#[derive(Clone)]
pub struct IdempotencyTokenProvider(Arc<dyn Fn() -> String + Send + Sync>);

impl IdempotencyTokenProvider {
    /// Tokens from `make`.
    pub fn new(make: impl Fn() -> String + Send + Sync + 'static) -> Self {
        Self(Arc::new(make))
    }

    /// A random UUID per token.
    pub fn random() -> Self {
        Self::new(crate::__private::random_uuid)
    }

    /// Always `token`.
    pub fn fixed(token: impl Into<String>) -> Self {
        let token = token.into();
        Self::new(move || token.clone())
    }

    /// A new token.
    pub fn make_token(&self) -> String {
        (self.0)()
    }
}

impl Default for IdempotencyTokenProvider {
    fn default() -> Self {
        Self::random()
    }
}

impl fmt::Debug for IdempotencyTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdempotencyTokenProvider")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_tokens_repeat_and_random_tokens_differ() {
        let fixed = IdempotencyTokenProvider::fixed("00000000-0000-4000-8000-000000000000");
        assert_eq!(fixed.make_token(), "00000000-0000-4000-8000-000000000000");
        assert_eq!(fixed.make_token(), "00000000-0000-4000-8000-000000000000");
        let random = IdempotencyTokenProvider::default();
        let (a, b) = (random.make_token(), random.make_token());
        assert_eq!(a.len(), 36);
        assert_ne!(a, b);
    }
}
