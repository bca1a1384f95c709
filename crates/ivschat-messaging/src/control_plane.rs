//! A token provider that calls the control plane's `CreateChatToken` (feature `control-plane`).

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use ivschat::types::ChatTokenCapability;

use crate::endpoint::{Endpoint, EndpointError};
use crate::token::{ChatToken, TokenError, TokenFuture, TokenProvider};

/// Gets each token from `CreateChatToken` with the generated control-plane client, for a
/// backend, bot or moderator that holds AWS credentials:
///
/// ```no_run
/// use ivschat::types::ChatTokenCapability;
/// use ivschat_messaging::{ControlPlaneTokens, Room};
///
/// # async fn run(client: ivschat::Client, room_arn: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let tokens = ControlPlaneTokens::new(client, room_arn, "moderator-bot")
///     .capabilities([ChatTokenCapability::SendMessage, ChatTokenCapability::DeleteMessage]);
/// let room = Room::new(tokens.endpoint()?, tokens);
/// room.connect().await?;
/// # Ok(())
/// # }
/// ```
///
/// `Debug` shows neither the user id nor the attributes.
#[derive(Clone)]
pub struct ControlPlaneTokens {
    client: ivschat::Client,
    room_identifier: String,
    user_id: String,
    capabilities: Vec<ChatTokenCapability>,
    attributes: BTreeMap<String, String>,
    session_duration_in_minutes: Option<i32>,
}

impl ControlPlaneTokens {
    /// Tokens for `user_id` in the room `room_identifier` (its ARN), with no capability beyond
    /// receiving until [`capabilities`](Self::capabilities) adds some.
    pub fn new(
        client: ivschat::Client,
        room_identifier: impl Into<String>,
        user_id: impl Into<String>,
    ) -> Self {
        Self {
            client,
            room_identifier: room_identifier.into(),
            user_id: user_id.into(),
            capabilities: Vec::new(),
            attributes: BTreeMap::new(),
            session_duration_in_minutes: None,
        }
    }

    /// Adds capabilities (`SEND_MESSAGE`, `DELETE_MESSAGE`, `DISCONNECT_USER`).
    pub fn capabilities(
        mut self,
        capabilities: impl IntoIterator<Item = ChatTokenCapability>,
    ) -> Self {
        self.capabilities.extend(capabilities);
        self
    }

    /// Adds a token attribute, which the room attaches to every message the user sends.
    pub fn attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(key.into(), value.into());
        self
    }

    /// The session duration in minutes (1 to 180; the service's default is 60).
    pub fn session_duration_in_minutes(mut self, minutes: i32) -> Self {
        self.session_duration_in_minutes = Some(minutes);
        self
    }

    /// The messaging endpoint of the control-plane client's region.
    pub fn endpoint(&self) -> Result<Endpoint, EndpointError> {
        Endpoint::region(self.client.config().region().unwrap_or_default())
    }
}

impl TokenProvider for ControlPlaneTokens {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let output = self
                .client
                .create_chat_token()
                .room_identifier(&self.room_identifier)
                .user_id(&self.user_id)
                .set_capabilities(Some(self.capabilities.clone()))
                .set_attributes(
                    (!self.attributes.is_empty())
                        .then(|| self.attributes.clone().into_iter().collect()),
                )
                .set_session_duration_in_minutes(self.session_duration_in_minutes)
                .send()
                .await
                .map_err(TokenError::new)?;
            let time =
                |t: Option<&ivschat::DateTime>| t.and_then(|t| SystemTime::try_from(*t).ok());
            let mut token = ChatToken::new(output.token().unwrap_or_default());
            if let Some(t) = time(output.token_expiration_time()) {
                token = token.with_token_expiration_time(t);
            }
            if let Some(t) = time(output.session_expiration_time()) {
                token = token.with_session_expiration_time(t);
            }
            Ok(token)
        })
    }
}

impl fmt::Debug for ControlPlaneTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ControlPlaneTokens")
            .field("room_identifier", &self.room_identifier)
            .field("user_id", &"*** Sensitive Data Redacted ***")
            .field("capabilities", &self.capabilities)
            .field("attributes", &"*** Sensitive Data Redacted ***")
            .field(
                "session_duration_in_minutes",
                &self.session_duration_in_minutes,
            )
            .finish()
    }
}
