//! End to end: rooms against the local IVS Chat service's Messaging API endpoint, with every
//! token created by `ControlPlaneTokens` through the generated control-plane client, and
//! moderation through both the control plane and the socket; and `ControlPlaneTokens` itself
//! against the service's `CreateChatToken`.
//!
//! Waits are bounded (`WAIT`); nothing sleeps for time to pass. The service's `ManualClock` makes
//! its rate limit and token expiry deterministic.
#![cfg(feature = "control-plane")]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use ivschat::operation::create_room::builders::CreateRoomFluentBuilder;
use ivschat::types::{ChatTokenCapability, MessageReviewHandler};
use ivschat::{Client, Config, Credentials};
use ivschat_local::{LocalConfig, LocalService, ManualClock, ReviewHandler, ReviewResponse};
use ivschat_messaging::{
    Attributes, ConnectionState, ControlPlaneTokens, DisconnectReason, Endpoint, ErrorCode, Events,
    RefreshDeadline, RequestError, Room, RoomBuilder, RoomEvent, TokenFuture, TokenProvider,
};
use support::drain;

use ChatTokenCapability::{DeleteMessage, DisconnectUser, SendMessage};

/// The bound on every wait for something the service does.
const WAIT: Duration = Duration::from_secs(20);
const REVIEWER: &str = "arn:aws:lambda:us-west-2:123456789012:function:review";

struct Local {
    service: LocalService,
    client: Client,
}

impl Local {
    async fn start(config: LocalConfig) -> Self {
        let region = config.region.clone();
        let service = LocalService::start(config)
            .await
            .expect("the service starts");
        let client = Client::from_conf(
            Config::builder()
                .region(region)
                .endpoint_url(service.endpoint())
                .credentials_provider(Credentials::from_keys(
                    ivschat_local::DEFAULT_ACCESS_KEY_ID,
                    ivschat_local::DEFAULT_SECRET_ACCESS_KEY,
                    None,
                ))
                .build(),
        );
        Self { service, client }
    }

    /// A new room's ARN.
    async fn room(
        &self,
        options: impl FnOnce(CreateRoomFluentBuilder) -> CreateRoomFluentBuilder,
    ) -> String {
        let room = options(self.client.create_room()).send().await.unwrap();
        room.arn().unwrap().to_owned()
    }

    fn tokens(
        &self,
        room: &str,
        user: &str,
        capabilities: &[ChatTokenCapability],
    ) -> ControlPlaneTokens {
        ControlPlaneTokens::new(self.client.clone(), room, user).capabilities(capabilities.to_vec())
    }

    fn builder(&self, tokens: ControlPlaneTokens) -> (RoomBuilder, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let endpoint = Endpoint::url(&self.service.messaging_endpoint()).unwrap();
        let provider = Counted {
            tokens,
            calls: calls.clone(),
        };
        (Room::builder(endpoint, provider), calls)
    }

    /// A connected participant with default options.
    async fn join(&self, tokens: ControlPlaneTokens) -> Participant {
        let (builder, calls) = self.builder(tokens);
        Participant::connect(builder.build(), calls).await
    }

    /// Waits until the service counts `n` open WebSocket connections.
    async fn connections(&self, n: usize) {
        let waited = tokio::time::timeout(WAIT, async {
            while self.service.messaging_connections() != n {
                tokio::task::yield_now().await;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(
            waited.is_ok(),
            "{} connections, not {n}",
            self.service.messaging_connections()
        );
    }
}

/// Counts the tokens a room asked for: one per connection.
struct Counted {
    tokens: ControlPlaneTokens,
    calls: Arc<AtomicUsize>,
}

impl TokenProvider for Counted {
    fn token(&self) -> TokenFuture<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.tokens.token()
    }
}

struct Participant {
    room: Room,
    events: Events,
    calls: Arc<AtomicUsize>,
}

impl Participant {
    async fn connect(room: Room, calls: Arc<AtomicUsize>) -> Self {
        let mut events = room.events();
        room.connect().await.expect("connects");
        assert_eq!(drain(&mut events), ["connecting 1", "connected"]);
        Self {
            room,
            events,
            calls,
        }
    }

    async fn event(&mut self) -> RoomEvent {
        tokio::time::timeout(WAIT, self.events.recv())
            .await
            .expect("an event within the bound")
            .expect("the stream is open")
    }

    async fn message(&mut self) -> ivschat_messaging::ChatMessage {
        match self.event().await {
            RoomEvent::Message(m) => m,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// The room was closed cleanly by the service and does not reconnect.
    async fn closed_by_service(&mut self, code: u16, reason: &str) {
        match self.event().await {
            RoomEvent::Disconnected(DisconnectReason::ServerClosed { code: c, reason: r }) => {
                assert_eq!((c, r.as_str()), (code, reason));
            }
            other => panic!("expected a clean close, got {other:?}"),
        }
        assert_eq!(self.room.state(), ConnectionState::Disconnected);
        assert!(drain(&mut self.events).is_empty());
        // One connection, one token: no reconnect was attempted.
        assert_eq!(self.calls.load(Ordering::SeqCst), 1);
        assert!(matches!(
            self.room.send_message("still there?", None).await,
            Err(RequestError::NotConnected)
        ));
    }
}

fn attributes(pairs: &[(&str, &str)]) -> Attributes {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn is_service_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[tokio::test]
async fn two_participants_chat() {
    let local = Local::start(LocalConfig::default()).await;
    let arn = local.room(|r| r.name("lobby")).await;
    let mut alice = local
        .join(
            local
                .tokens(&arn, "alice", &[SendMessage])
                .attribute("color", "blue"),
        )
        .await;
    let mut bob = local.join(local.tokens(&arn, "bob", &[SendMessage])).await;
    local.connections(2).await;

    let before = SystemTime::now() - Duration::from_secs(1);
    let sent = alice
        .room
        .send_message("hello bob", Some(&attributes(&[("lang", "en")])))
        .await
        .unwrap();
    assert!(is_service_id(&sent.id), "{}", sent.id);
    assert_eq!(sent.content, "hello bob");
    assert_eq!(sent.attributes, attributes(&[("lang", "en")]));
    assert_eq!(sent.sender.user_id, "alice");
    assert_eq!(sent.sender.attributes, attributes(&[("color", "blue")]));
    assert!(sent.request_id.is_some());
    assert!(sent.send_time >= before && sent.send_time <= SystemTime::now());
    // Both receive the same message, the sender's request id included (one frame for all).
    assert_eq!(alice.message().await, sent);
    assert_eq!(bob.message().await, sent);

    let reply = bob.room.send_message("hi alice", None).await.unwrap();
    assert_eq!(reply.sender.user_id, "bob");
    assert!(reply.sender.attributes.is_empty() && reply.attributes.is_empty());
    assert_eq!(alice.message().await, reply);
    assert_eq!(bob.message().await, reply);
    assert!(drain(&mut alice.events).is_empty() && drain(&mut bob.events).is_empty());
}

#[tokio::test]
async fn moderation_through_the_control_plane() {
    let local = Local::start(LocalConfig::default()).await;
    let arn = local.room(|r| r).await;
    let mut alice = local
        .join(local.tokens(&arn, "alice", &[SendMessage]))
        .await;
    let mut bob = local.join(local.tokens(&arn, "bob", &[SendMessage])).await;
    let spam = bob.room.send_message("buy now", None).await.unwrap();
    assert_eq!(alice.message().await.id, spam.id);
    assert_eq!(bob.message().await.id, spam.id);

    let sent = local
        .client
        .send_event()
        .room_identifier(&arn)
        .event_name("app:poll")
        .attributes("question", "tea or coffee?")
        .send()
        .await
        .unwrap();
    for p in [&mut alice, &mut bob] {
        match p.event().await {
            RoomEvent::Event(e) => {
                assert_eq!(Some(e.id.as_str()), sent.id());
                assert_eq!(e.event_name, "app:poll");
                assert_eq!(e.attributes, attributes(&[("question", "tea or coffee?")]));
                assert_eq!(e.request_id, None);
            }
            other => panic!("expected the event, got {other:?}"),
        }
    }

    let deleted = local
        .client
        .delete_message()
        .room_identifier(&arn)
        .id(&spam.id)
        .reason("spam")
        .send()
        .await
        .unwrap();
    for p in [&mut alice, &mut bob] {
        match p.event().await {
            RoomEvent::MessageDeleted(d) => {
                assert_eq!(Some(d.id.as_str()), deleted.id());
                assert_eq!(d.message_id, spam.id);
                assert_eq!(d.reason.as_deref(), Some("spam"));
            }
            other => panic!("expected the deletion, got {other:?}"),
        }
    }

    local
        .client
        .disconnect_user()
        .room_identifier(&arn)
        .user_id("bob")
        .reason("spamming")
        .send()
        .await
        .unwrap();
    for p in [&mut alice, &mut bob] {
        match p.event().await {
            RoomEvent::UserDisconnected(d) => {
                assert_eq!(d.user_id, "bob");
                assert_eq!(d.reason.as_deref(), Some("spamming"));
            }
            other => panic!("expected the disconnection, got {other:?}"),
        }
    }
    bob.closed_by_service(1000, "User disconnected").await;
    local.connections(1).await;
    assert_eq!(alice.room.state(), ConnectionState::Connected);
}

#[tokio::test]
async fn moderation_through_the_socket() {
    let local = Local::start(LocalConfig::default()).await;
    let arn = local.room(|r| r).await;
    let mut moderator = local
        .join(local.tokens(&arn, "moderator", &[DeleteMessage, DisconnectUser]))
        .await;
    let mut alice = local
        .join(local.tokens(&arn, "alice", &[SendMessage]))
        .await;
    let mut viewer = local.join(local.tokens(&arn, "viewer", &[])).await;

    let sent = alice.room.send_message("off topic", None).await.unwrap();
    for p in [&mut moderator, &mut alice, &mut viewer] {
        assert_eq!(p.message().await.id, sent.id);
    }
    let deleted = moderator
        .room
        .delete_message(&sent.id, Some("not here"))
        .await
        .unwrap();
    assert!(is_service_id(&deleted.id));
    assert_eq!(deleted.message_id, sent.id);
    assert_eq!(deleted.reason.as_deref(), Some("not here"));
    assert!(deleted.request_id.is_some());
    for p in [&mut moderator, &mut alice, &mut viewer] {
        match p.event().await {
            RoomEvent::MessageDeleted(d) => assert_eq!(d, deleted),
            other => panic!("expected the deletion, got {other:?}"),
        }
    }

    let kicked = moderator
        .room
        .disconnect_user("alice", Some("rude"))
        .await
        .unwrap();
    assert_eq!(kicked.user_id, "alice");
    assert_eq!(kicked.reason.as_deref(), Some("rude"));
    for p in [&mut moderator, &mut alice, &mut viewer] {
        match p.event().await {
            RoomEvent::UserDisconnected(d) => assert_eq!(d, kicked),
            other => panic!("expected the disconnection, got {other:?}"),
        }
    }
    alice.closed_by_service(1000, "User disconnected").await;
    local.connections(2).await;
    assert_eq!(viewer.room.state(), ConnectionState::Connected);
}

#[tokio::test]
async fn actions_without_their_capability_are_403_and_the_connection_stays() {
    let local = Local::start(LocalConfig::default()).await;
    let arn = local.room(|r| r).await;
    let mut viewer = local.join(local.tokens(&arn, "viewer", &[])).await;
    let mut alice = local
        .join(local.tokens(&arn, "alice", &[SendMessage]))
        .await;

    let refused = [
        (
            viewer.room.send_message("hi", None).await.map(drop),
            "SEND_MESSAGE",
        ),
        (
            viewer
                .room
                .delete_message("AbCdEfGhIjKl", None)
                .await
                .map(drop),
            "DELETE_MESSAGE",
        ),
        (
            alice.room.disconnect_user("viewer", None).await.map(drop),
            "DISCONNECT_USER",
        ),
    ];
    for (result, capability) in refused {
        let err = result.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::FORBIDDEN), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "the server rejected the request: ERROR 403 (Forbidden): The chat token does not grant the {capability} capability"
            )
        );
    }
    // Errors that answer a request are not events; the connections still work.
    assert!(drain(&mut viewer.events).is_empty() && drain(&mut alice.events).is_empty());
    let sent = alice.room.send_message("still here", None).await.unwrap();
    assert_eq!(viewer.message().await, sent);
    assert_eq!(viewer.room.state(), ConnectionState::Connected);
}

#[tokio::test]
async fn length_size_rate_and_review_errors_are_typed() {
    let clock = ManualClock::new(SystemTime::now());
    let deny_spoilers = ReviewHandler::from_fn(|request| async move {
        Ok::<_, std::convert::Infallible>(if request.content.contains("spoiler") {
            ReviewResponse::Deny {
                reason: Some("No spoilers here".into()),
            }
        } else {
            ReviewResponse::allow()
        })
    });
    let config = LocalConfig::default()
        .with_clock(clock.clock())
        .with_review_handler(REVIEWER, deny_spoilers);
    let local = Local::start(config).await;
    let arn = local
        .room(|r| {
            r.maximum_message_length(20)
                .maximum_message_rate_per_second(1)
                .message_review_handler(MessageReviewHandler::builder().uri(REVIEWER).build())
        })
        .await;
    let mut alice = local
        .join(local.tokens(&arn, "alice", &[SendMessage]))
        .await;
    let mut bob = local.join(local.tokens(&arn, "bob", &[])).await;

    let rejected = |result: Result<_, RequestError>| {
        let err = result.unwrap_err();
        let chat = err.chat_error().expect("an ERROR frame").clone();
        assert!(is_service_id(&chat.id));
        assert!(chat.request_id.is_some());
        (chat.code, chat.message)
    };
    let too_long = alice.room.send_message(&"é".repeat(21), None).await;
    assert_eq!(
        rejected(too_long),
        (
            ErrorCode::BAD_REQUEST,
            "Content must be at most 20 characters, got 21".to_owned()
        )
    );
    let heavy = attributes(&[("blob", &"x".repeat(1100))]);
    let too_large = alice.room.send_message("hi", Some(&heavy)).await;
    assert_eq!(
        rejected(too_large),
        (
            ErrorCode::PAYLOAD_TOO_LARGE,
            "Attributes must be at most 1024 bytes in total".to_owned()
        )
    );
    // One message per second: the clock does not move, so the second is over the rate.
    let first = alice.room.send_message("first", None).await.unwrap();
    let second = alice.room.send_message("second", None).await;
    assert_eq!(
        rejected(second),
        (
            ErrorCode::TOO_MANY_REQUESTS,
            "Room message rate of 1 per second exceeded".to_owned()
        )
    );
    clock.advance(Duration::from_secs(1));
    let denied = alice.room.send_message("a spoiler", None).await;
    let (code, message) = rejected(denied);
    assert_eq!(
        (code, message.as_str()),
        (ErrorCode::NOT_ACCEPTABLE, "No spoilers here")
    );
    assert_eq!(code.to_string(), "406 (Not Acceptable)");

    // Only the delivered message reached the room.
    assert_eq!(alice.message().await, first);
    assert_eq!(bob.message().await, first);
    assert!(drain(&mut alice.events).is_empty() && drain(&mut bob.events).is_empty());
    assert_eq!(alice.room.state(), ConnectionState::Connected);
}

/// Everything a participant's room delivers until the message `last`, as the message contents
/// (other events by their `Debug`).
fn collect_until_last(mut p: Participant) -> tokio::task::JoinHandle<(Participant, Vec<String>)> {
    tokio::spawn(async move {
        let mut seen = Vec::new();
        loop {
            match p.event().await {
                RoomEvent::Message(m) if m.content == "last" => return (p, seen),
                RoomEvent::Message(m) => seen.push(m.content),
                other => seen.push(format!("{other:?}")),
            }
        }
    })
}

/// A participant whose room replaces its connection while another one sends without pause:
/// every message arrives once, in the room's order, and the swap shows no state events.
///
/// The service closes the old connection as soon as the client asks, so few frames (often none)
/// reach both connections here; `tests/faults.rs` delivers frames on both, in every order, to
/// check de-duplication and ordering exactly.
async fn refresh_without_duplicates_or_gaps(rule: Option<RefreshDeadline>, session_minutes: i32) {
    // Tokens expire 60 minutes after they are issued by the service's clock. That clock reads
    // 58 min 58 s behind the system clock (and moves only when told), so a token issued now
    // expires 62 s from now by the system clock the room reads: the room refreshes 2 s after
    // connecting (60 s before the expiry), in real time.
    let clock = ManualClock::new(SystemTime::now() - Duration::from_secs(58 * 60 + 58));
    let config = LocalConfig {
        // Control-plane requests are signed with the system clock.
        max_clock_skew: Duration::from_secs(2 * 3600),
        ..LocalConfig::default().with_clock(clock.clock())
    };
    let local = Local::start(config).await;
    let arn = local.room(|r| r.maximum_message_rate_per_second(100)).await;
    let tokens = local
        .tokens(&arn, "alice", &[])
        .session_duration_in_minutes(session_minutes);
    let (mut builder, calls) = local.builder(tokens);
    if let Some(rule) = rule {
        builder = builder.refresh_deadline(rule);
    }
    let alice = Participant::connect(builder.build(), calls).await;
    // Bob's tokens expire as soon; he keeps his one connection.
    let (bob, bob_calls) = local.builder(local.tokens(&arn, "bob", &[SendMessage]));
    let bob = Participant::connect(bob.proactive_refresh(false).build(), bob_calls).await;

    let alice_calls = alice.calls.clone();
    let sender = bob.room.clone();
    let alice_saw = collect_until_last(alice);
    let bob_saw = collect_until_last(bob);

    // Bob keeps 16 messages in flight until Alice's room has opened its second connection and
    // closed the first, then sends 100 more; the clock moves 20 ms per message, within the
    // room's rate.
    let mut sent = Vec::new();
    let mut in_flight = FuturesOrdered::new();
    let mut after_swap = None;
    // The most connections open at once, watched between every other task's steps (this test's
    // runtime has one thread).
    let local = Arc::new(local);
    let sending_done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = tokio::spawn({
        let (local, done) = (local.clone(), sending_done.clone());
        async move {
            let mut most = 0;
            while !done.load(Ordering::SeqCst) {
                most = most.max(local.service.messaging_connections());
                tokio::task::yield_now().await;
            }
            most
        }
    });
    let sending = tokio::time::timeout(WAIT, async {
        while after_swap != Some(0) {
            while in_flight.len() < 16 {
                clock.advance(Duration::from_millis(20));
                let content = format!("m{}", sent.len());
                sent.push(content.clone());
                let room = sender.clone();
                in_flight.push_back(async move { room.send_message(&content, None).await });
            }
            in_flight.next().await.unwrap().unwrap();
            let open = local.service.messaging_connections();
            // Bob's and Alice's second connection, after her second token.
            let swapped = open == 2 && alice_calls.load(Ordering::SeqCst) == 2;
            after_swap = match after_swap {
                None if swapped => Some(100),
                Some(n) => Some(n - 1),
                None => None,
            };
        }
        while let Some(result) = in_flight.next().await {
            result.unwrap();
        }
    })
    .await;
    sending_done.store(true, Ordering::SeqCst);
    assert!(sending.is_ok(), "no refresh within {WAIT:?}");
    let most_connections = watcher.await.unwrap();
    sender.send_message("last", None).await.unwrap();
    let (alice, seen) = tokio::time::timeout(WAIT, alice_saw)
        .await
        .unwrap()
        .unwrap();
    let (_, reference) = tokio::time::timeout(WAIT, bob_saw).await.unwrap().unwrap();
    // Bob's one connection shows the room's order; Alice sees exactly that, across her swap.
    assert_eq!(
        seen, reference,
        "every message once, in the room's order, and no other event"
    );
    let mut delivered = reference.clone();
    delivered.sort();
    sent.sort();
    assert_eq!(delivered, sent);
    assert_eq!(
        most_connections, 3,
        "the two connections of Alice overlapped"
    );
    assert_eq!(alice.calls.load(Ordering::SeqCst), 2);
    assert_eq!(alice.room.state(), ConnectionState::Connected);
}

#[tokio::test]
async fn refresh_before_the_session_ends_without_duplicates_or_gaps() {
    refresh_without_duplicates_or_gaps(None, 60).await;
}

#[tokio::test]
async fn refresh_before_the_token_expires_like_the_js_client() {
    // The session lasts 3 hours: only the token's expiry times this refresh.
    refresh_without_duplicates_or_gaps(Some(RefreshDeadline::TokenExpiration), 180).await;
}

#[tokio::test]
async fn deleting_the_room_ends_its_connections_cleanly() {
    let local = Local::start(LocalConfig::default()).await;
    let arn = local.room(|r| r).await;
    let mut alice = local
        .join(local.tokens(&arn, "alice", &[SendMessage]))
        .await;
    local
        .client
        .delete_room()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    alice.closed_by_service(1001, "Room deleted").await;
    local.connections(0).await;
}

#[tokio::test]
async fn disconnecting_yourself_ends_your_room_cleanly() {
    let local = Local::start(LocalConfig::default()).await;
    let arn = local.room(|r| r).await;
    let mut me = local
        .join(local.tokens(&arn, "me", &[DisconnectUser]))
        .await;
    let mut other = local.join(local.tokens(&arn, "other", &[])).await;
    // The event answers the request before the service closes the connection.
    let gone = me
        .room
        .disconnect_user("me", Some("leaving"))
        .await
        .unwrap();
    assert_eq!(gone.user_id, "me");
    for p in [&mut me, &mut other] {
        match p.event().await {
            RoomEvent::UserDisconnected(d) => assert_eq!(d, gone),
            other => panic!("expected the disconnection, got {other:?}"),
        }
    }
    me.closed_by_service(1000, "User disconnected").await;
    local.connections(1).await;
    assert_eq!(other.room.state(), ConnectionState::Connected);
}

#[tokio::test]
async fn tokens_come_from_create_chat_token_with_what_was_asked() {
    let Local { service, client } =
        Local::start(LocalConfig::default().with_region("eu-central-1")).await;
    let room = client.create_room().name("lobby").send().await.unwrap();
    let arn = room.arn().unwrap().to_owned();
    let tokens = ControlPlaneTokens::new(client.clone(), &arn, "user-SECRET")
        .capabilities([
            ChatTokenCapability::SendMessage,
            ChatTokenCapability::DeleteMessage,
        ])
        .attribute("color", "attribute-SECRET")
        .session_duration_in_minutes(5);
    assert_eq!(
        tokens.endpoint().unwrap(),
        Endpoint::region("eu-central-1").unwrap()
    );
    let shown = format!("{tokens:?}");
    assert!(!shown.contains("SECRET"), "{shown}");

    let before = SystemTime::now();
    let first = tokens.token().await.unwrap();
    let second = tokens.token().await.unwrap();
    assert_ne!(first.token(), second.token(), "a new token each time");
    let info = service
        .verify_chat_token(first.token())
        .expect("issued by the service");
    assert_eq!(info.room_arn, arn);
    assert_eq!(info.user_id, "user-SECRET");
    assert_eq!(info.capabilities, ["SEND_MESSAGE", "DELETE_MESSAGE"]);
    assert_eq!(
        info.attributes.get("color").map(String::as_str),
        Some("attribute-SECRET")
    );
    assert_eq!(info.session_duration_in_minutes, 5);
    // The times the service returned, to the second (the wire format's precision).
    let session = first.session_expiration_time().unwrap();
    let expected = info.session_expiration_time;
    assert!(
        session
            .max(expected)
            .duration_since(session.min(expected))
            .unwrap()
            < Duration::from_secs(1)
    );
    assert!(session >= before + Duration::from_secs(299), "{session:?}");
    assert!(first.token_expiration_time().is_some());

    // A failure of the call is the provider's error.
    let missing = ControlPlaneTokens::new(
        client,
        "arn:aws:ivschat:eu-central-1:123456789012:room/AbCdEfGhIjKl",
        "u",
    );
    let err = missing.token().await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the token provider failed: CreateChatToken: ResourceNotFoundException"),
        "{err}"
    );
}
