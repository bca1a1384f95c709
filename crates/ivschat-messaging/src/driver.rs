//! The connection task of a room: one task owns the sockets, the pending requests and every
//! timer, so there is no lock on the hot path and every state change happens in one place.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::oneshot;
use tokio::time::{Instant, Sleep};
use tokio_websockets::{CloseCode, Error as WsError, Message};
use tracing::Instrument;

use crate::error::{ConnectionError, FrameError, RequestError};
use crate::event::{ConnectionState, DisconnectReason, RoomEvent};
use crate::frame::{self, Action};
use crate::room::{Config, Shared};
use crate::token::{ChatToken, TokenProvider, is_subprotocol_token};
use crate::transport::{self, Socket};
use crate::types::ErrorCode;

/// A connection that breaks sooner than this after opening counts as a failed attempt.
const STABLE_AFTER: Duration = Duration::from_secs(10);
/// How many recent frame ids de-duplication remembers.
const DEDUP_WINDOW: usize = 1024;
/// How many queued requests one write batch takes before flushing.
const WRITE_BATCH: usize = 64;
/// The most frames, and bytes, of a new connection held back while the connection it replaced
/// still delivers; beyond either, they are delivered at once (order then comes second).
const MAX_HELD_FRAMES: usize = 256;
const MAX_HELD_BYTES: usize = 256 * 1024;

pub(crate) enum Command {
    Connect(oneshot::Sender<Result<(), DisconnectReason>>),
    Disconnect(oneshot::Sender<()>),
    /// Boxed: the channel allocates its slots in blocks of 32, for every room.
    Request(Box<Request>),
}

pub(crate) struct Request {
    pub(crate) request_id: String,
    pub(crate) action: Action,
    pub(crate) frame: String,
    pub(crate) reply: oneshot::Sender<Result<RoomEvent, RequestError>>,
}

struct Pending {
    action: Action,
    /// The connection the request went out on.
    generation: u64,
    reply: oneshot::Sender<Result<RoomEvent, RequestError>>,
}

struct Conn {
    socket: Socket,
    generation: u64,
    opened_at: Instant,
    /// Set once a close frame arrived: the end that follows is clean.
    closed_by_server: Option<(u16, String)>,
    /// Next keep-alive check (for the current connection) or the end of the close handshake
    /// (for a replaced one, or once the server sent its close frame).
    deadline: Instant,
    /// When the last frame arrived.
    last_activity: Instant,
    /// When the unanswered ping went out.
    ping_sent: Option<Instant>,
}

type AttemptFuture =
    Pin<Box<dyn Future<Output = Result<(Socket, ChatToken), ConnectionError>> + Send>>;

struct Attempt {
    future: AttemptFuture,
    /// A proactive refresh beside a working connection, rather than a (re)connect.
    refresh: bool,
}

/// Recently seen frames, by `Type` and `Id`: the overlap of two connections during a refresh
/// delivers frames twice, and a server may repeat one.
struct Dedup {
    hasher: RandomState,
    seen: HashSet<u64, BuildHasherDefault<Prehashed>>,
    order: VecDeque<u64>,
}

/// How the set hashes its keys, which are keyed hashes already: as they are.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; this keeps any other input hashed, if poorly.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Dedup {
    fn new() -> Self {
        Self {
            hasher: RandomState::new(),
            // Nothing until the first frame: idle connections stay small.
            seen: HashSet::default(),
            order: VecDeque::new(),
        }
    }

    /// Whether this frame is new (and remembers it). Frames without an id are never dropped.
    /// Keys are 64-bit keyed hashes, so two different frames collide with negligible
    /// probability (about 2^-54 for a full window).
    fn first_time(&mut self, (kind, id): (u8, &str)) -> bool {
        if id.is_empty() {
            return true;
        }
        let key = self.hasher.hash_one((kind, id));
        if !self.seen.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > DEDUP_WINDOW
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        true
    }
}

/// Which socket a frame came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Current,
    Replaced,
}

pub(crate) struct Driver {
    config: Arc<Config>,
    tokens: Arc<dyn TokenProvider>,
    shared: Arc<Shared>,
    /// Boxed, like `replaced`: an idle room does not carry room for two inline.
    current: Option<Box<Conn>>,
    /// The connection a refresh or a 401 replaced, until its close handshake ends.
    replaced: Option<Box<Conn>>,
    /// Events of `current` that arrived while `replaced` still delivered. The old connection
    /// delivers everything the room sent before it closed and the new one everything since it
    /// opened: all of the old one first, then what the new one adds, is the room's order.
    held: Vec<RoomEvent>,
    held_bytes: usize,
    attempt: Option<Attempt>,
    /// Failed attempts in a row (a connection that broke early counts as one).
    failures: u32,
    /// What ended the last connection or attempt, for the next `Connecting` event.
    last_error: Option<Box<ConnectionError>>,
    retry_at: Option<Instant>,
    refresh_at: Option<Instant>,
    refresh_failures: u32,
    waiters: Vec<oneshot::Sender<Result<(), DisconnectReason>>>,
    pending: HashMap<String, Pending>,
    /// `pending` is swept of timed-out requests when it grows past this.
    sweep_at: usize,
    dedup: Dedup,
    rng: fastrand::Rng,
    generations: u64,
    /// Whether the attempts under way replace a connection that ended (rather than answer
    /// `connect`).
    reconnecting: bool,
    /// When the timer of `run` is set to fire.
    timer_armed: Option<Instant>,
}

async fn next_message(conn: &mut Option<Box<Conn>>) -> Option<Result<Message, WsError>> {
    match conn {
        Some(conn) => conn.socket.next().await,
        None => std::future::pending().await,
    }
}

async fn attempt_done(
    attempt: &mut Option<Attempt>,
) -> Result<(Socket, ChatToken), ConnectionError> {
    match attempt {
        Some(attempt) => attempt.future.as_mut().await,
        None => std::future::pending().await,
    }
}

async fn write(
    conn: &mut Conn,
    messages: impl IntoIterator<Item = Message>,
    timeout: Duration,
) -> Result<(), ConnectionError> {
    let socket = &mut conn.socket;
    let send = async {
        for message in messages {
            socket.feed(message).await?;
        }
        socket.flush().await
    };
    match tokio::time::timeout(timeout, send).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(socket_error(e)),
        Err(_) => Err(ConnectionError::WriteTimeout(timeout)),
    }
}

/// What a socket error means for the connection.
fn socket_error(e: WsError) -> ConnectionError {
    match e {
        WsError::AlreadyClosed => ConnectionError::Broken(None),
        WsError::Io(e) => ConnectionError::Broken(Some(Arc::new(e))),
        // Protocol violations and frames over the size limit.
        e => ConnectionError::Protocol(Arc::new(e)),
    }
}

fn normal_close() -> Message {
    Message::close(Some(CloseCode::NORMAL_CLOSURE), "")
}

impl Driver {
    pub(crate) fn new(
        config: Arc<Config>,
        tokens: Arc<dyn TokenProvider>,
        shared: Arc<Shared>,
    ) -> Self {
        let rng = match config.jitter_seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Self {
            config,
            tokens,
            shared,
            current: None,
            replaced: None,
            held: Vec::new(),
            held_bytes: 0,
            attempt: None,
            failures: 0,
            last_error: None,
            retry_at: None,
            refresh_at: None,
            refresh_failures: 0,
            waiters: Vec::new(),
            pending: HashMap::new(),
            sweep_at: 64,
            dedup: Dedup::new(),
            rng,
            generations: 0,
            reconnecting: false,
            timer_armed: None,
        }
    }

    /// The task of a room, until every handle is gone. The steps that write to a socket or
    /// open a connection are boxed: every room's task stays small while it waits, which is
    /// what idle rooms do.
    pub(crate) async fn run(mut self: Box<Self>) {
        // Made here, in the runtime: a room can be built outside one.
        let mut timer = Box::pin(tokio::time::sleep_until(Instant::now()));
        let shared = self.shared.clone();
        loop {
            self.arm_timer(timer.as_mut());
            let armed = self.timer_armed.is_some();
            tokio::select! {
                command = shared.commands.recv() => {
                    let Some(mut command) = command else { break };
                    // A batch of requests may end with another command, handled next.
                    while let Some(next) = Box::pin(self.on_command(command)).await {
                        command = next;
                    }
                }
                result = attempt_done(&mut self.attempt) => Box::pin(self.on_attempt(result)).await,
                message = next_message(&mut self.current) => {
                    self.on_message(Slot::Current, message);
                }
                message = next_message(&mut self.replaced) => {
                    self.on_message(Slot::Replaced, message);
                }
                () = timer.as_mut(), if armed => {
                    // A fired timer must be re-armed even for an unchanged deadline.
                    self.timer_armed = None;
                    Box::pin(self.on_timer()).await;
                }
            }
        }
        // Every handle is gone.
        self.stop(DisconnectReason::Requested);
        self.shared.subscribers.close();
    }

    fn publish(&self, event: RoomEvent) {
        self.shared.subscribers.publish(event);
    }

    fn set_state(&self, state: ConnectionState) {
        self.shared.set_state(state);
    }

    /// The earliest timer that matters now.
    fn arm_timer(&mut self, timer: Pin<&mut Sleep>) {
        let deadline = [
            self.retry_at,
            self.refresh_at,
            self.current.as_ref().map(|c| c.deadline),
            self.replaced.as_ref().map(|c| c.deadline),
        ]
        .into_iter()
        .flatten()
        .min();
        if deadline != self.timer_armed {
            if let Some(at) = deadline {
                timer.reset(at);
            }
            self.timer_armed = deadline;
        }
    }

    async fn on_command(&mut self, command: Command) -> Option<Command> {
        match command {
            Command::Connect(done) => match self.shared.state() {
                ConnectionState::Connected => {
                    let _ = done.send(Ok(()));
                }
                ConnectionState::Connecting => self.waiters.push(done),
                ConnectionState::Disconnected => {
                    self.waiters.push(done);
                    self.failures = 0;
                    self.last_error = None;
                    self.reconnecting = false;
                    self.set_state(ConnectionState::Connecting);
                    self.start_attempt(false);
                }
            },
            Command::Disconnect(done) => {
                self.stop(DisconnectReason::Requested);
                let _ = done.send(());
            }
            Command::Request(request) => return self.on_requests(request).await,
        }
        None
    }

    /// Writes one request and whatever others are already queued, then flushes once. Returns
    /// the first queued command that is not a request.
    async fn on_requests(&mut self, first: Box<Request>) -> Option<Command> {
        let mut batch = vec![first];
        let mut other = None;
        while batch.len() < WRITE_BATCH {
            match self.shared.commands.try_recv() {
                Some(Command::Request(r)) => batch.push(r),
                Some(command) => {
                    other = Some(command);
                    break;
                }
                None => break,
            }
        }
        let Some(generation) = self.current.as_ref().map(|c| c.generation) else {
            for r in batch {
                let _ = r.reply.send(Err(RequestError::NotConnected));
            }
            return other;
        };
        let mut frames = Vec::with_capacity(batch.len());
        for r in batch {
            // A request whose caller already gave up is not sent.
            if r.reply.is_closed() {
                continue;
            }
            frames.push(Message::text(r.frame));
            self.pending.insert(
                r.request_id,
                Pending {
                    action: r.action,
                    generation,
                    reply: r.reply,
                },
            );
        }
        self.sweep_pending();
        let timeout = self.config.pong_timeout;
        if let Some(conn) = self.current.as_mut()
            && let Err(error) = write(conn, frames, timeout).await
        {
            self.connection_ended(Slot::Current, error);
        }
        other
    }

    /// Forgets requests whose callers gave up (timed out or dropped), so that `pending` stays
    /// within twice the requests really waiting.
    fn sweep_pending(&mut self) {
        if self.pending.len() >= self.sweep_at {
            self.pending.retain(|_, p| !p.reply.is_closed());
            self.sweep_at = (self.pending.len() * 2).max(64);
        }
    }

    fn start_attempt(&mut self, refresh: bool) {
        self.retry_at = None;
        if refresh {
            self.refresh_at = None;
        } else {
            let event = RoomEvent::Connecting {
                attempt: self.failures + 1,
                after: self.last_error.take().map(|e| *e),
            };
            self.publish(event);
        }
        let attempt = self.failures + 1;
        let endpoint = &self.config.endpoint;
        let span = if refresh {
            tracing::info_span!("refresh", %endpoint)
        } else if !self.reconnecting {
            tracing::info_span!("connect", %endpoint, attempt)
        } else {
            tracing::info_span!("reconnect", %endpoint, attempt)
        };
        let config = self.config.clone();
        let tokens = self.tokens.clone();
        let future = async move {
            let timeout = config.connect_timeout;
            let open = async {
                let token = tokens.token().await.map_err(ConnectionError::Token)?;
                if !is_subprotocol_token(token.token()) {
                    return Err(ConnectionError::InvalidToken);
                }
                let socket = transport::open(
                    &config.endpoint,
                    token.token(),
                    config.tls.as_ref(),
                    config.connector.as_deref(),
                )
                .await?;
                Ok((socket, token))
            };
            let result = tokio::time::timeout(timeout, open)
                .await
                .unwrap_or(Err(ConnectionError::ConnectTimeout(timeout)));
            match &result {
                Ok(_) => tracing::info!("connected"),
                Err(e) => tracing::warn!(error = %e, "connection attempt failed"),
            }
            result
        }
        .instrument(span);
        self.attempt = Some(Attempt {
            future: Box::pin(future),
            refresh,
        });
    }

    fn backoff(&mut self, failures: u32) -> Duration {
        let exponent = failures.saturating_sub(1).min(31);
        let base = self
            .config
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.config.max_backoff);
        let half = base / 2;
        half + half.mul_f64(self.rng.f64())
    }

    async fn on_attempt(&mut self, result: Result<(Socket, ChatToken), ConnectionError>) {
        let Some(attempt) = self.attempt.take() else {
            return;
        };
        match result {
            Ok((socket, token)) => self.opened(socket, &token, attempt.refresh).await,
            Err(error) if attempt.refresh => {
                self.refresh_failures += 1;
                if error.is_retryable() && self.refresh_failures < self.config.max_attempts {
                    let delay = self.backoff(self.refresh_failures);
                    tracing::info!(error = %error, backoff_ms = delay.as_millis() as u64, "token refresh failed; retrying");
                    self.refresh_at = Some(Instant::now() + delay);
                } else {
                    tracing::warn!(error = %error, "token refresh failed; keeping the current connection until it ends");
                }
                self.publish(RoomEvent::ConnectionProblem(error));
            }
            Err(error) => {
                self.failures += 1;
                self.retry_or_fail(error);
            }
        }
    }

    /// After a failed attempt or an early break (already counted in `failures`).
    fn retry_or_fail(&mut self, error: ConnectionError) {
        if !error.is_retryable() || self.failures >= self.config.max_attempts {
            let reason = DisconnectReason::Failed {
                attempts: self.failures,
                error,
            };
            tracing::warn!(reason = %reason, "giving up");
            self.disconnected(reason);
            return;
        }
        let delay = self.backoff(self.failures);
        tracing::info!(error = %error, backoff_ms = delay.as_millis() as u64, "reconnecting after a delay");
        self.last_error = Some(Box::new(error));
        self.retry_at = Some(Instant::now() + delay);
    }

    async fn opened(&mut self, socket: Socket, token: &ChatToken, refresh: bool) {
        self.generations += 1;
        let now = Instant::now();
        let conn = Box::new(Conn {
            socket,
            generation: self.generations,
            opened_at: now,
            closed_by_server: None,
            deadline: now + self.config.ping_interval,
            last_activity: now,
            ping_sent: None,
        });
        self.schedule_refresh(token);
        if self.current.is_some() {
            // A connection replaced earlier is still closing: its turn is over.
            self.end_replaced();
        }
        match self.current.replace(conn) {
            Some(old) if refresh => {
                // Both connections deliver until the old one's close handshake ends; the
                // de-duplication drops what arrives twice.
                tracing::debug!("moved to the refreshed connection");
                self.refresh_failures = 0;
                self.retire(old).await;
            }
            Some(old) => self.retire(old).await,
            None => {
                self.set_state(ConnectionState::Connected);
                self.publish(RoomEvent::Connected);
                for waiter in self.waiters.drain(..) {
                    let _ = waiter.send(Ok(()));
                }
            }
        }
    }

    /// Starts the close handshake of a connection that has been replaced; it keeps delivering
    /// until the server's close frame (answers to requests sent on it included), at most
    /// `pong_timeout`.
    async fn retire(&mut self, mut old: Box<Conn>) {
        old.deadline = Instant::now() + self.config.pong_timeout;
        match write(&mut old, [normal_close()], self.config.pong_timeout).await {
            Ok(()) => self.replaced = Some(old),
            Err(_) => self.fail_pending(old.generation, RequestError::ConnectionClosed),
        }
    }

    fn schedule_refresh(&mut self, token: &ChatToken) {
        self.refresh_at = None;
        if !self.config.proactive_refresh {
            return;
        }
        let Some(deadline) = token.refresh_deadline(self.config.refresh_deadline) else {
            return;
        };
        let remaining = deadline
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        let minute = Duration::from_secs(60);
        let delay = if remaining > minute {
            remaining - minute
        } else {
            remaining.saturating_sub(Duration::from_secs(30))
        };
        // A provider of nearly expired tokens must not make the room reconnect in a loop.
        let delay = delay.max(Duration::from_secs(1));
        tracing::debug!(
            refresh_in_ms = delay.as_millis() as u64,
            "refresh scheduled"
        );
        self.refresh_at = Some(Instant::now() + delay);
    }

    async fn on_timer(&mut self) {
        let now = Instant::now();
        if self.retry_at.is_some_and(|at| at <= now) {
            self.start_attempt(false);
        }
        if self.refresh_at.is_some_and(|at| at <= now) {
            if self.attempt.is_none() {
                self.start_attempt(true);
            } else {
                // Something is already opening the next connection.
                self.refresh_at = None;
            }
        }
        if self.replaced.as_ref().is_some_and(|c| c.deadline <= now) {
            tracing::debug!("replaced connection did not finish its close handshake in time");
            self.end_replaced();
        }
        let interval = self.config.ping_interval;
        let pong_timeout = self.config.pong_timeout;
        let Some(conn) = self.current.as_mut().filter(|c| c.deadline <= now) else {
            return;
        };
        if conn.closed_by_server.is_some() {
            // The server sent its close frame but has not closed the TCP connection.
            self.connection_ended(Slot::Current, ConnectionError::Broken(None));
            return;
        }
        match conn.ping_sent {
            Some(sent) if conn.last_activity < sent => {
                tracing::info!("no answer to a ping");
                self.connection_ended(Slot::Current, ConnectionError::PingTimeout(pong_timeout));
            }
            _ if now - conn.last_activity >= interval => {
                conn.ping_sent = Some(now);
                conn.deadline = now + pong_timeout;
                let ping = Message::ping(&b"ivschat"[..]);
                if let Err(error) = write(conn, [ping], pong_timeout).await {
                    self.connection_ended(Slot::Current, error);
                }
            }
            _ => {
                conn.ping_sent = None;
                conn.deadline = conn.last_activity + interval;
            }
        }
    }

    fn slot(&mut self, slot: Slot) -> &mut Option<Box<Conn>> {
        match slot {
            Slot::Current => &mut self.current,
            Slot::Replaced => &mut self.replaced,
        }
    }

    fn on_message(&mut self, slot: Slot, message: Option<Result<Message, WsError>>) {
        match self.slot(slot).as_mut() {
            Some(conn) => conn.last_activity = Instant::now(),
            None => return,
        }
        let message = match message {
            Some(Ok(message)) => message,
            Some(Err(e)) => {
                let error = socket_error(e);
                self.connection_ended(slot, error);
                return;
            }
            None => {
                self.connection_ended(slot, ConnectionError::Broken(None));
                return;
            }
        };
        if let Some(text) = message.as_text() {
            if slot == Slot::Current && self.replaced.is_some() {
                self.hold(text);
            } else {
                self.on_text(slot, text);
            }
        } else if message.is_binary() {
            self.publish(RoomEvent::InvalidFrame(FrameError::new(format!(
                "binary frame of {} bytes; the protocol uses text frames only",
                message.as_payload().len()
            ))));
        } else if let Some((code, reason)) = message.as_close() {
            let (code, reason) = (u16::from(code), reason.to_owned());
            tracing::info!(code, reason = %reason, "the server closed the connection");
            let wait = self.config.pong_timeout;
            if let Some(conn) = self.slot(slot).as_mut() {
                conn.closed_by_server = Some((code, reason));
                // The server closes the TCP connection next; wait for that a bounded time.
                conn.deadline = conn.deadline.min(Instant::now() + wait);
            }
        }
        // Pings are answered by tokio-websockets; pongs only show the connection is alive.
    }

    fn on_text(&mut self, slot: Slot, text: &str) {
        if let Some(event) = self.parse(text) {
            self.on_event(slot, event);
        }
    }

    /// The frame's event, or `None` once an unreadable frame was reported (and the request it
    /// answers failed).
    fn parse(&mut self, text: &str) -> Option<RoomEvent> {
        match frame::parse(text) {
            Ok(event) => Some(event),
            Err(error) => {
                tracing::warn!(error = %error, "unreadable frame dropped");
                if let Some(p) = error
                    .request_id
                    .as_deref()
                    .and_then(|r| self.pending.remove(r))
                {
                    let _ = p.reply.send(Err(RequestError::InvalidReply(error.clone())));
                }
                self.publish(RoomEvent::InvalidFrame(error));
                None
            }
        }
    }

    /// The pending request `event` answers, taken out of `pending`.
    fn answered(&mut self, event: &RoomEvent) -> Option<Pending> {
        if self.pending.is_empty() {
            // A participant that only listens: no hashing of other people's request ids.
            return None;
        }
        let request_id = frame::request_id(event)?;
        let action = self.pending.get(request_id)?.action;
        let answers = matches!(event, RoomEvent::Error(_)) || frame::answers(event, action);
        answers.then(|| self.pending.remove(request_id)).flatten()
    }

    fn on_event(&mut self, slot: Slot, event: RoomEvent) {
        if let Some(key) = frame::key(&event)
            && !self.dedup.first_time(key)
        {
            tracing::debug!("duplicate frame dropped");
            return;
        }
        let answered = self.answered(&event);
        match (answered, event) {
            (answered, RoomEvent::Error(error)) if error.code == ErrorCode::UNAUTHORIZED => {
                if let Some(p) = answered {
                    let _ = p.reply.send(Err(RequestError::Rejected(error.clone())));
                }
                self.unauthorized(slot, error);
            }
            (Some(p), RoomEvent::Error(error)) => {
                let _ = p.reply.send(Err(RequestError::Rejected(error)));
            }
            (Some(p), event) if self.shared.subscribers.is_empty() => {
                let _ = p.reply.send(Ok(event));
            }
            (answered, event) => {
                if let Some(p) = answered {
                    let _ = p.reply.send(Ok(event.clone()));
                }
                self.publish(event);
            }
        }
    }

    /// `ERROR 401`: the session is over; replace the connection with one on a new token.
    fn unauthorized(&mut self, slot: Slot, error: crate::types::ChatError) {
        tracing::info!("the server answered 401; reconnecting with a new token");
        if slot == Slot::Replaced {
            // Already replaced: let it go.
            self.end_replaced();
            return;
        }
        self.connection_ended(Slot::Current, ConnectionError::Unauthorized(error));
    }

    fn fail_pending(&mut self, generation: u64, error: RequestError) {
        let failed: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.generation == generation)
            .map(|(id, _)| id.clone())
            .collect();
        for id in failed {
            if let Some(p) = self.pending.remove(&id) {
                let _ = p.reply.send(Err(error.clone()));
            }
        }
    }

    /// A frame of the new connection while the replaced one still delivers: its event waits
    /// (within the bound), but the request it answers is answered now. Errors are not events
    /// in the room's order and are handled at once.
    fn hold(&mut self, text: &str) {
        let Some(event) = self.parse(text) else {
            return;
        };
        let full =
            self.held.len() >= MAX_HELD_FRAMES || self.held_bytes + text.len() > MAX_HELD_BYTES;
        if full || matches!(event, RoomEvent::Error(_)) {
            if full {
                self.release_held();
            }
            self.on_event(Slot::Current, event);
            return;
        }
        if let Some(p) = self.answered(&event) {
            let _ = p.reply.send(Ok(event.clone()));
        }
        self.held_bytes += text.len();
        self.held.push(event);
    }

    /// Delivers the events held back, in the order they arrived.
    fn release_held(&mut self) {
        self.held_bytes = 0;
        for event in std::mem::take(&mut self.held) {
            self.on_event(Slot::Current, event);
        }
    }

    /// The replaced connection is done: what the new one delivered meanwhile comes next, then
    /// the requests still waiting on the old one fail.
    fn end_replaced(&mut self) -> Option<Box<Conn>> {
        let old = self.replaced.take()?;
        self.release_held();
        self.fail_pending(old.generation, RequestError::ConnectionClosed);
        Some(old)
    }

    /// A connection ended (or must end, for a 401 or a ping timeout).
    fn connection_ended(&mut self, slot: Slot, error: ConnectionError) {
        if slot == Slot::Replaced {
            if let Some(conn) = self.end_replaced()
                && conn.closed_by_server.is_none()
            {
                self.publish(RoomEvent::ConnectionProblem(error));
            }
            return;
        }
        let Some(mut conn) = self.current.take() else {
            return;
        };
        // Nothing more comes on it: what it delivered is not held back any longer.
        self.release_held();
        self.fail_pending(conn.generation, RequestError::ConnectionClosed);
        if let Some((code, reason)) = conn.closed_by_server.take() {
            // A clean close by the server: the official client does not reconnect, and neither
            // do we (the user may have been disconnected on purpose).
            self.disconnected(DisconnectReason::ServerClosed { code, reason });
            return;
        }
        let stable = conn.opened_at.elapsed() >= STABLE_AFTER;
        if matches!(error, ConnectionError::Unauthorized(_)) {
            // The socket may still be open: close it properly, in the background.
            spawn_close(conn, self.config.pong_timeout);
        }
        tracing::info!(error = %error, "connection lost");
        self.set_state(ConnectionState::Connecting);
        self.reconnecting = true;
        if let Some(attempt) = self.attempt.as_mut() {
            // A refresh is already opening the next connection: it becomes the reconnect.
            attempt.refresh = false;
            self.failures = if stable { 0 } else { self.failures + 1 };
            self.publish(RoomEvent::Connecting {
                attempt: self.failures + 1,
                after: Some(error),
            });
            return;
        }
        self.refresh_at = None;
        if stable {
            self.failures = 0;
            self.last_error = Some(Box::new(error));
            self.start_attempt(false);
        } else {
            self.failures += 1;
            self.retry_or_fail(error);
        }
    }

    /// The room is down for good (until the next `connect`).
    fn disconnected(&mut self, reason: DisconnectReason) {
        self.attempt = None;
        self.retry_at = None;
        self.refresh_at = None;
        if let Some(old) = self.end_replaced() {
            spawn_close(old, self.config.pong_timeout);
        }
        for (_, p) in self.pending.drain() {
            let _ = p.reply.send(Err(RequestError::ConnectionClosed));
        }
        for waiter in self.waiters.drain(..) {
            let _ = waiter.send(Err(reason.clone()));
        }
        self.set_state(ConnectionState::Disconnected);
        self.publish(RoomEvent::Disconnected(reason));
    }

    /// Stops on request: closes what is open, fails what waits.
    fn stop(&mut self, reason: DisconnectReason) {
        if self.shared.state() == ConnectionState::Disconnected && self.current.is_none() {
            return;
        }
        if let Some(conn) = self.current.take() {
            spawn_close(conn, self.config.pong_timeout);
        }
        self.disconnected(reason);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.shared.commands.close_task();
    }
}

/// Sends a normal close (1000) and waits for the server's, at most `timeout`, in the background;
/// frames still arriving are no longer wanted.
fn spawn_close(mut conn: Box<Conn>, timeout: Duration) {
    tokio::spawn(async move {
        let _ = tokio::time::timeout(timeout, async {
            if conn.socket.send(normal_close()).await.is_ok() {
                while let Some(Ok(_)) = conn.socket.next().await {}
            }
        })
        .await;
    });
}
