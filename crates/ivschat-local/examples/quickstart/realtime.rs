//! The real-time half of the quickstart: participants in a room through the Messaging API
//! (`ivschat-messaging`), what they send and what each of them receives.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use ivschat::Client;
use ivschat::operation::create_chat_token::CreateChatTokenOutput;
use ivschat::types::ChatTokenCapability;
use ivschat_messaging::{
    Attributes, ChatToken, ControlPlaneTokens, Endpoint, Events, Room, RoomEvent,
};

use super::Result;

/// How long to wait for the room to deliver what was sent.
const WAIT: Duration = Duration::from_secs(10);

/// A participant: its room and everything it received so far.
pub struct Participant {
    pub name: &'static str,
    pub room: Room,
    events: Events,
    received: Vec<String>,
}

/// A token from `CreateChatToken`, as a participant's backend would hand it over: it opens
/// one connection (tokens are single-use), so a reconnect would need the backend again.
fn handed_over(
    output: &CreateChatTokenOutput,
) -> impl Fn() -> std::future::Ready<std::result::Result<ChatToken, String>> + use<> {
    let time = |t: Option<&ivschat::DateTime>| t.and_then(|t| SystemTime::try_from(*t).ok());
    let mut token = ChatToken::new(output.token().unwrap_or_default());
    if let Some(t) = time(output.token_expiration_time()) {
        token = token.with_token_expiration_time(t);
    }
    if let Some(t) = time(output.session_expiration_time()) {
        token = token.with_session_expiration_time(t);
    }
    let token = Mutex::new(Some(token));
    move || {
        let next = token.lock().map(|mut t| t.take()).unwrap_or(None);
        std::future::ready(
            next.ok_or_else(|| "the token was used; ask the backend for another".to_owned()),
        )
    }
}

impl Participant {
    /// Connects `name` to the room at `endpoint` with the token its backend created.
    pub async fn with_token(
        name: &'static str,
        endpoint: &Endpoint,
        token: &CreateChatTokenOutput,
    ) -> Result<Self> {
        Self::connect(name, Room::new(endpoint.clone(), handed_over(token))).await
    }

    /// Connects `name`, a backend bot, which creates its own tokens (one per connection).
    pub async fn with_control_plane(
        name: &'static str,
        endpoint: &Endpoint,
        client: &Client,
        room_arn: &str,
        capabilities: impl IntoIterator<Item = ChatTokenCapability>,
    ) -> Result<Self> {
        let tokens =
            ControlPlaneTokens::new(client.clone(), room_arn, name).capabilities(capabilities);
        Self::connect(name, Room::new(endpoint.clone(), tokens)).await
    }

    async fn connect(name: &'static str, room: Room) -> Result<Self> {
        let events = room.events();
        room.connect().await?;
        Ok(Self {
            name,
            room,
            events,
            received: Vec::new(),
        })
    }

    /// Reads what arrived until `last` says an event is the last one expected, or the wait
    /// runs out.
    pub async fn receive_until(&mut self, last: impl Fn(&RoomEvent) -> bool) {
        loop {
            let Ok(Some(event)) = tokio::time::timeout(WAIT, self.events.recv()).await else {
                self.received
                    .push(format!("(nothing more within {} s)", WAIT.as_secs()));
                return;
            };
            let done = last(&event);
            if let Some(line) = describe(&event) {
                self.received.push(line);
            }
            if done {
                return;
            }
        }
    }

    /// Prints what this participant received.
    pub fn print_received(&self) {
        println!("    {} received:", self.name);
        for line in &self.received {
            println!("      {line}");
        }
    }
}

fn attributes(a: &Attributes) -> String {
    let pairs: Vec<String> = a.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    pairs.join(", ")
}

/// One line for what a participant received (`None` for connection states before the end).
fn describe(event: &RoomEvent) -> Option<String> {
    Some(match event {
        RoomEvent::Message(m) => {
            let from = match m.sender.attributes.get("displayName") {
                Some(name) => format!("{} ({name})", m.sender.user_id),
                None => m.sender.user_id.clone(),
            };
            format!("message {} from {from}: {:?}", m.id, m.content)
        }
        RoomEvent::Event(e) => format!("event {} {{{}}}", e.event_name, attributes(&e.attributes)),
        RoomEvent::MessageDeleted(d) => format!(
            "message {} deleted (reason: {})",
            d.message_id,
            d.reason.as_deref().unwrap_or("none")
        ),
        RoomEvent::UserDisconnected(d) => format!(
            "{} disconnected from the room (reason: {})",
            d.user_id,
            d.reason.as_deref().unwrap_or("none")
        ),
        RoomEvent::Disconnected(reason) => format!("its connection ended: {reason}"),
        RoomEvent::Connecting { .. } | RoomEvent::Connected => return None,
        other => format!("{other:?}"),
    })
}
