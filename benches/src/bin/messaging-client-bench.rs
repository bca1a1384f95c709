//! The messaging clients side by side: `ivschat-messaging` and the official JavaScript client
//! (`amazon-ivs-chat-messaging` 1.1.1 with `ws` 8.23.0 on Node, `tests/js/bench.mjs`, installed
//! from `tests/js/package-lock.json`), against the same local service in the same run.
//!
//! Each client runs in its own process, driven over stdin/stdout, and is measured from here:
//! - round trips on one connection: send a message, wait for its own echo, again; messages per
//!   second, and the client process's CPU time per message (user + system, all threads, from
//!   `/proc/PID/task/*/schedstat`);
//! - deliveries: another connection (this process, 64 messages in flight) sends to the room and
//!   the client's one connection receives; CPU time per message delivered;
//! - memory per idle connection: the process's resident memory (VmRSS) before and after it opens
//!   N connections, divided by N.
//!
//! The service runs in child processes too. For the messages its clock runs 10,000 times faster
//! than real time, so that the room's rate limit (at most 100 messages per second, the model's
//! maximum) allows 100 per real 0.1 ms and the clients, not the quota, set the pace. A token
//! then expires 0.36 s after it is issued, so each is created just before it is used; a session
//! lasts (its timer sleeps in real time) an hour.
//!
//! `cargo run --release -p ivschat-bench --bin messaging-client-bench -- [--messages 100000]
//!  [--warmup 10000] [--connections 1000] [--rounds 3] [--phases round-trips,deliveries,idle]
//!  [--clients current-thread,multi-thread,js]`

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use futures_util::future::join_all;
use futures_util::stream::FuturesUnordered;
use ivschat_bench::local::{self, Service, loadavg};
use ivschat_bench::proc;
use ivschat_local::{Clock, LocalConfig};
use ivschat_messaging::{ChatToken, Endpoint, RequestError, Room, RoomEvent};
use serde_json::{Value, json};

const USAGE: &str = "\
usage: messaging-client-bench [--messages N] [--warmup N] [--connections N] [--rounds N]
                              [--phases round-trips,deliveries,idle]
                              [--clients current-thread,multi-thread,js]
       messaging-client-bench server [--clock-speed X]
       messaging-client-bench client current-thread|multi-thread

Defaults: 100000 messages after 10000 to warm up (for round trips and for deliveries), 1000
idle connections, 3 rounds, every phase, every client (the ratios need `js`).";

/// The bound on any one answer of a client process.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(300);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match words.as_slice() {
        ["server"] => local::serve(LocalConfig::default()),
        ["server", "--clock-speed", speed] => speed
            .parse()
            .map_err(|_| format!("--clock-speed: {speed:?} is not a number"))
            .and_then(|speed| local::serve(fast_clock(speed))),
        ["client", flavor] => rust_client(flavor),
        ["-h" | "--help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Options::parse(&args).and_then(run),
    };
    local::exit_code("messaging-client-bench", result)
}

/// A service whose clock runs `speed` times faster than real time.
fn fast_clock(speed: u32) -> LocalConfig {
    let (start, t0) = (SystemTime::now(), Instant::now());
    LocalConfig {
        // The control-plane client signs with the real time.
        max_clock_skew: Duration::from_secs(100 * 365 * 86_400),
        // A receiver that falls behind the flood for a while is not closed (the default closes
        // it beyond 256 KiB queued): the whole flood fits.
        max_outgoing_queue_bytes: 256 << 20,
        ..LocalConfig::default().with_clock(Clock::from_fn(move || start + t0.elapsed() * speed))
    }
}

struct Options {
    messages: u64,
    warmup: u64,
    connections: usize,
    rounds: usize,
    phases: Vec<Phase>,
    clients: Vec<Kind>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    RoundTrips,
    Deliveries,
    Idle,
}

/// The comma-separated names of `list`, each looked up in `known`.
fn pick<T: Copy>(flag: &str, list: &str, known: &[(&str, T)]) -> Result<Vec<T>, String> {
    list.split(',')
        .map(|name| {
            known
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| format!("{flag}: unknown {name:?}\n\n{USAGE}"))
        })
        .collect()
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            messages: 100_000,
            warmup: 10_000,
            connections: 1000,
            rounds: 3,
            phases: vec![Phase::RoundTrips, Phase::Deliveries, Phase::Idle],
            clients: vec![Kind::RustCurrentThread, Kind::RustMultiThread, Kind::Js],
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))?;
            let bad = |_| format!("{flag}: {value:?} is not a number\n\n{USAGE}");
            match flag.as_str() {
                "--messages" => o.messages = value.parse().map_err(bad)?,
                "--warmup" => o.warmup = value.parse().map_err(bad)?,
                "--connections" => o.connections = value.parse().map_err(bad)?,
                "--rounds" => o.rounds = value.parse().map_err(bad)?,
                "--phases" => {
                    let known = [
                        ("round-trips", Phase::RoundTrips),
                        ("deliveries", Phase::Deliveries),
                        ("idle", Phase::Idle),
                    ];
                    o.phases = pick(flag, value, &known)?;
                }
                "--clients" => {
                    let known = [
                        ("current-thread", Kind::RustCurrentThread),
                        ("multi-thread", Kind::RustMultiThread),
                        ("js", Kind::Js),
                    ];
                    o.clients = pick(flag, value, &known)?;
                }
                _ => return Err(format!("unknown option {flag}\n\n{USAGE}")),
            }
        }
        if o.messages == 0 || o.connections == 0 || o.rounds == 0 {
            return Err(format!("every count must be at least 1\n\n{USAGE}"));
        }
        Ok(o)
    }
}

// ---- the Rust client process ----

/// `messaging-client-bench client FLAVOR`: the same commands as `tests/js/bench.mjs`, with
/// `ivschat-messaging` on a Tokio runtime of that flavor.
fn rust_client(flavor: &str) -> Result<(), String> {
    let rt = match flavor {
        "current-thread" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        "multi-thread" => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
        _ => return Err(format!("unknown runtime flavor {flavor:?}\n\n{USAGE}")),
    }
    .map_err(|e| format!("runtime: {e}"))?;
    // Commands are read on a thread of their own, so the runtime only runs the rooms.
    let (tx, mut commands) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    answer(json!({"event": "ready"}));
    rt.block_on(async {
        let mut rooms: Vec<Room> = Vec::new();
        while let Some(line) = commands.recv().await {
            let command: Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
            match command["cmd"].as_str() {
                Some("connect") => {
                    let endpoint = Endpoint::url(command["endpoint"].as_str().unwrap_or(""))
                        .map_err(|e| e.to_string())?;
                    let tokens = command["tokens"].as_array().cloned().unwrap_or_default();
                    let joining = tokens.iter().map(|token| {
                        // A buffer no flood in the benchmark fills: like the JS client's
                        // listeners, the count sees every message.
                        let room = Room::builder(endpoint.clone(), once(token.as_str()))
                            .event_buffer(1 << 20)
                            .build();
                        async move { room.connect().await.map(|()| room) }
                    });
                    for room in join_all(joining).await {
                        rooms.push(room.map_err(|e| e.to_string())?);
                    }
                    answer(json!({"event": "connected", "rooms": rooms.len()}));
                }
                Some("roundtrip") => {
                    let room = rooms.first().ok_or("not connected")?;
                    let started = Instant::now();
                    for i in 0..command["messages"].as_u64().unwrap_or(0) {
                        room.send_message(&format!("message {i}"), None)
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                    let seconds = started.elapsed().as_secs_f64();
                    answer(json!({"event": "done", "seconds": seconds}));
                }
                Some("receive") => {
                    let room = rooms.first().ok_or("not connected")?;
                    let wanted = command["messages"].as_u64().unwrap_or(0);
                    let mut events = room.events();
                    tokio::spawn(async move {
                        let (mut count, mut skipped, mut started) = (0, 0, None);
                        while count + skipped < wanted {
                            match events.recv().await {
                                Some(RoomEvent::Message(_)) => count += 1,
                                Some(RoomEvent::Lagged { skipped: n }) => skipped += n,
                                Some(RoomEvent::Disconnected(reason)) => {
                                    let error = reason.to_string();
                                    answer(json!({"event": "error", "error": error}));
                                    return;
                                }
                                Some(_) => continue,
                                None => break,
                            }
                            started.get_or_insert_with(Instant::now);
                        }
                        let seconds = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
                        answer(json!({"event": "done", "seconds": seconds, "skipped": skipped}));
                    });
                    answer(json!({"event": "receiving"}));
                }
                Some("quit") => return Ok(()),
                _ => return Err(format!("unknown command {line}")),
            }
        }
        Ok(())
    })
}

/// A provider of one token (tokens open one connection); no expiry given, so no refresh.
fn once(
    token: Option<&str>,
) -> impl Fn() -> std::future::Ready<Result<ChatToken, String>> + Send + Sync + 'static {
    let token = std::sync::Mutex::new(token.map(ChatToken::new));
    move || {
        let next = token.lock().map(|mut t| t.take()).unwrap_or(None);
        std::future::ready(next.ok_or_else(|| "the token was used".to_owned()))
    }
}

fn answer(value: Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

// ---- the runner ----

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    RustCurrentThread,
    RustMultiThread,
    Js,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::RustCurrentThread => "ivschat-messaging (current-thread runtime)",
            Kind::RustMultiThread => "ivschat-messaging (multi-thread runtime, 2 workers)",
            Kind::Js => "amazon-ivs-chat-messaging 1.1.1 (Node)",
        }
    }
}

/// A client process driven over stdin/stdout; killed when dropped.
struct ClientProcess {
    child: Child,
    stdin: ChildStdin,
    answers: mpsc::Receiver<String>,
}

impl Drop for ClientProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ClientProcess {
    fn spawn(kind: Kind) -> Result<Self, String> {
        let mut command = match kind {
            Kind::Js => {
                let mut c = Command::new("node");
                c.arg("bench.mjs").current_dir(js_dir());
                c
            }
            Kind::RustCurrentThread | Kind::RustMultiThread => {
                let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
                let mut c = Command::new(exe);
                c.arg("client").arg(if kind == Kind::RustMultiThread {
                    "multi-thread"
                } else {
                    "current-thread"
                });
                c
            }
        };
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", kind.name()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, answers) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut process = ClientProcess {
            child,
            stdin,
            answers,
        };
        process.expect("ready")?;
        Ok(process)
    }

    fn send(&mut self, command: Value) -> Result<(), String> {
        writeln!(self.stdin, "{command}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("client stdin: {e}"))
    }

    /// The next answer, which must be `event`.
    fn expect(&mut self, event: &str) -> Result<Value, String> {
        let line = self
            .answers
            .recv_timeout(ANSWER_TIMEOUT)
            .map_err(|_| format!("no {event:?} from the client within {ANSWER_TIMEOUT:?}"))?;
        let value: Value =
            serde_json::from_str(&line).map_err(|e| format!("client said {line:?}: {e}"))?;
        if value["event"] != event {
            return Err(format!("expected {event:?}, the client said {line}"));
        }
        Ok(value)
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    fn cpu(&self) -> Result<Duration, String> {
        proc::cpu_time(&self.pid())
    }

    fn system(&self) -> Result<Duration, String> {
        proc::user_and_system(&self.pid()).map(|(_, system)| system)
    }

    fn rss_kib(&self) -> Result<u64, String> {
        proc::status_kib(&self.pid(), "VmRSS:")
    }
}

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/js")
}

/// Installs the pinned JS packages from the lock file when they are missing.
fn prepare_js() -> Result<(), String> {
    let installed = |package: &str| {
        let manifest = js_dir()
            .join("node_modules")
            .join(package)
            .join("package.json");
        std::fs::read_to_string(manifest)
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .and_then(|v| v["version"].as_str().map(str::to_owned))
    };
    let node = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("Node is needed for the JS client: {e}"))?;
    println!("node {}", String::from_utf8_lossy(&node.stdout).trim());
    if installed("amazon-ivs-chat-messaging").as_deref() == Some("1.1.1")
        && installed("ws").as_deref() == Some("8.23.0")
    {
        return Ok(());
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(js_dir())
        .status()
        .map_err(|e| format!("npm: {e}"))?;
    if !status.success() {
        return Err(format!("npm ci in tests/js failed ({status})"));
    }
    Ok(())
}

struct RoundTrips {
    messages: u64,
    wall: Duration,
    cpu: Duration,
    /// The part of `cpu` spent in the kernel (10 ms resolution).
    system: Duration,
}

impl RoundTrips {
    fn per_second(&self) -> f64 {
        self.messages as f64 / self.wall.as_secs_f64()
    }

    fn per_cpu_second(&self) -> f64 {
        self.messages as f64 / self.cpu.as_secs_f64()
    }

    fn cpu_us_per_message(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.messages as f64
    }

    fn system_share(&self) -> f64 {
        self.system.as_secs_f64() / self.cpu.as_secs_f64()
    }
}

/// Issues `n` tokens that may send, at once (they expire soon on the fast clock).
type Issue<'a> = &'a dyn Fn(usize) -> Result<Vec<String>, String>;

fn round_trips(
    kind: Kind,
    messaging: &str,
    issue: Issue,
    o: &Options,
) -> Result<RoundTrips, String> {
    let mut p = ClientProcess::spawn(kind)?;
    p.send(json!({"cmd": "connect", "endpoint": messaging, "tokens": issue(1)?}))?;
    p.expect("connected")?;
    measure(p, o, |p, count| {
        p.send(json!({"cmd": "roundtrip", "messages": count}))?;
        p.expect("done").map(drop)
    })
}

/// Runs `phase` for the warm-up count, then again, measured, for `o.messages`; then ends the
/// client.
fn measure(
    mut p: ClientProcess,
    o: &Options,
    mut phase: impl FnMut(&mut ClientProcess, u64) -> Result<(), String>,
) -> Result<RoundTrips, String> {
    phase(&mut p, o.warmup)?;
    let (cpu, system) = (p.cpu()?, p.system()?);
    let started = Instant::now();
    phase(&mut p, o.messages)?;
    let wall = started.elapsed();
    let (cpu, system) = (p.cpu()? - cpu, p.system()? - system);
    p.send(json!({"cmd": "quit"}))?;
    Ok(RoundTrips {
        messages: o.messages,
        wall,
        cpu,
        system,
    })
}

/// Sends `count` messages from `sender`, 64 at a time in flight.
async fn flood(sender: &Room, count: u64) -> Result<(), String> {
    let send = |i: u64| async move { sender.send_message(&format!("message {i}"), None).await };
    let mut in_flight = FuturesUnordered::new();
    for i in 0..count {
        in_flight.push(send(i));
        if in_flight.len() == 64
            && let Some(result) = in_flight.next().await
        {
            result.map_err(|e: RequestError| e.to_string())?;
        }
    }
    while let Some(result) = in_flight.next().await {
        result.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Messages another connection sends, delivered to the client's one connection.
fn deliveries(
    kind: Kind,
    rt: &tokio::runtime::Runtime,
    messaging: &str,
    issue: Issue,
    o: &Options,
) -> Result<RoundTrips, String> {
    let mut p = ClientProcess::spawn(kind)?;
    p.send(json!({"cmd": "connect", "endpoint": messaging, "tokens": issue(1)?}))?;
    p.expect("connected")?;
    let sender = Room::new(
        Endpoint::url(messaging).map_err(|e| e.to_string())?,
        once(issue(1)?.first().map(String::as_str)),
    );
    rt.block_on(sender.connect()).map_err(|e| e.to_string())?;
    let receive = |p: &mut ClientProcess, count: u64| -> Result<(), String> {
        p.send(json!({"cmd": "receive", "messages": count}))?;
        p.expect("receiving")?;
        rt.block_on(flood(&sender, count))?;
        let done = p.expect("done")?;
        match done["skipped"].as_u64() {
            None | Some(0) => Ok(()),
            Some(n) => Err(format!("{}: {n} events skipped", kind.name())),
        }
    };
    measure(p, o, receive)
}

struct Idle {
    connections: usize,
    before_kib: u64,
    after_kib: u64,
    connect_wall: Duration,
    connect_cpu: Duration,
}

impl Idle {
    fn kib_per_connection(&self) -> f64 {
        self.after_kib.saturating_sub(self.before_kib) as f64 / self.connections as f64
    }
}

fn idle(kind: Kind, messaging: &str, tokens: &[String]) -> Result<Idle, String> {
    let mut p = ClientProcess::spawn(kind)?;
    // Let start-up finish (module loading, JIT, allocator arenas) before the first reading.
    std::thread::sleep(Duration::from_millis(500));
    let before_kib = p.rss_kib()?;
    let cpu = p.cpu()?;
    let started = Instant::now();
    p.send(json!({"cmd": "connect", "endpoint": messaging, "tokens": tokens}))?;
    let connected = p.expect("connected")?;
    let connect_wall = started.elapsed();
    let connect_cpu = p.cpu()? - cpu;
    if connected["rooms"].as_u64() != Some(tokens.len() as u64) {
        return Err(format!("{}: {connected}", kind.name()));
    }
    // Idle for a while: what remains is what an idle connection costs.
    std::thread::sleep(Duration::from_secs(3));
    let after_kib = p.rss_kib()?;
    p.send(json!({"cmd": "quit"}))?;
    Ok(Idle {
        connections: tokens.len(),
        before_kib,
        after_kib,
        connect_wall,
        connect_cpu,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn run(o: Options) -> Result<(), String> {
    let kinds = &o.clients;
    if kinds.contains(&Kind::Js) {
        prepare_js()?;
    }
    let fast = Service::start(&["server", "--clock-speed", "10000"])?;
    let normal = Service::start(&["server"])?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let (fast_client, normal_client) = (fast.client(), normal.client());
    let fast_room = rt.block_on(local::busy_room(&fast_client, "round-trips"))?;
    let idle_room = rt.block_on(local::busy_room(&normal_client, "idle"))?;
    let issue = &|n| rt.block_on(local::chat_tokens(&fast_client, &fast_room, n, n));

    println!(
        "load average before: {}; {} messages per run after {} to warm up, {} rounds",
        loadavg(),
        o.messages,
        o.warmup,
        o.rounds
    );
    // Every client in turn, `rounds` times; the runs of each client (none if the phase is off).
    let rounds = |phase: Phase,
                  what: &str,
                  measure: &dyn Fn(Kind) -> Result<RoundTrips, String>| {
        let mut runs: Vec<Vec<RoundTrips>> = kinds.iter().map(|_| Vec::new()).collect();
        if !o.phases.contains(&phase) {
            return Ok(runs);
        }
        for round in 1..=o.rounds {
            for (k, kind) in kinds.iter().enumerate() {
                let t = measure(*kind)?;
                println!(
                    "round {round} {:<52} {:>8.0} {what}/s  {:>6.2} µs CPU each  (wall {:.2} s, CPU {:.2} s, {:.0}% in the kernel, load {})",
                    kind.name(),
                    t.per_second(),
                    t.cpu_us_per_message(),
                    t.wall.as_secs_f64(),
                    t.cpu.as_secs_f64(),
                    t.system_share() * 100.0,
                    loadavg()
                );
                runs[k].push(t);
            }
        }
        Ok::<_, String>(runs)
    };
    let trips = rounds(Phase::RoundTrips, "round trips", &|kind| {
        round_trips(kind, &fast.messaging, issue, &o)
    })?;
    let floods = rounds(Phase::Deliveries, "deliveries", &|kind| {
        deliveries(kind, &rt, &fast.messaging, issue, &o)
    })?;

    let mut idles = Vec::new();
    for &kind in kinds {
        if !o.phases.contains(&Phase::Idle) {
            idles.push(None);
            continue;
        }
        let tokens = rt.block_on(local::chat_tokens(
            &normal_client,
            &idle_room,
            o.connections,
            0,
        ))?;
        let i = idle(kind, &normal.messaging, &tokens)?;
        println!(
            "idle  {:<52} {:>6.1} KiB/connection  (VmRSS {} -> {} KiB; connecting {} took {:.2} s wall, {:.2} s CPU; load {})",
            kind.name(),
            i.kib_per_connection(),
            i.before_kib,
            i.after_kib,
            i.connections,
            i.connect_wall.as_secs_f64(),
            i.connect_cpu.as_secs_f64(),
            loadavg()
        );
        idles.push(Some(i.kib_per_connection()));
    }

    println!("\nmedians of {} rounds:", o.rounds);
    println!(
        "| client | round trips/s | round trips per CPU-second | CPU µs per round trip (kernel) | deliveries per CPU-second | CPU µs per delivery (kernel) | KiB per idle connection |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let median_of = |runs: &[RoundTrips], f: fn(&RoundTrips) -> f64| {
        (!runs.is_empty()).then(|| median(runs.iter().map(f).collect()))
    };
    let show = |value: Option<f64>, decimals: usize| {
        value.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
    };
    let share =
        |value: Option<f64>| value.map_or_else(String::new, |v| format!(" ({:.0}%)", v * 100.0));
    for (k, kind) in kinds.iter().enumerate() {
        println!(
            "| {} | {} | {} | {}{} | {} | {}{} | {} |",
            kind.name(),
            show(median_of(&trips[k], RoundTrips::per_second), 0),
            show(median_of(&trips[k], RoundTrips::per_cpu_second), 0),
            show(median_of(&trips[k], RoundTrips::cpu_us_per_message), 1),
            share(median_of(&trips[k], RoundTrips::system_share)),
            show(median_of(&floods[k], RoundTrips::per_cpu_second), 0),
            show(median_of(&floods[k], RoundTrips::cpu_us_per_message), 2),
            share(median_of(&floods[k], RoundTrips::system_share)),
            show(idles[k], 1)
        );
    }
    if let Some(js) = kinds.iter().position(|k| *k == Kind::Js) {
        let ratio = |runs: &[Vec<RoundTrips>], k: usize| {
            let per_cpu = |k: usize| median_of(&runs[k], RoundTrips::per_cpu_second);
            show(per_cpu(k).zip(per_cpu(js)).map(|(a, b)| a / b), 1)
        };
        for (k, kind) in kinds.iter().enumerate().filter(|(k, _)| *k != js) {
            println!(
                "{}: {}x the JS client's round trips per CPU-second, {}x its deliveries per CPU-second, {}x its memory per connection",
                kind.name(),
                ratio(&trips, k),
                ratio(&floods, k),
                show(idles[k].zip(idles[js]).map(|(a, b)| a / b), 2)
            );
        }
    }
    println!(
        "service CPU: {:.2} s (messages), {:.2} s (idle); load average after: {}",
        fast.cpu()?.as_secs_f64(),
        normal.cpu()?.as_secs_f64(),
        loadavg()
    );
    Ok(())
}
