//! Load generator for the local service's Messaging API (WebSocket).
//!
//! `messaging-load` starts the local service in a child process (`messaging-load server`: the
//! embedded `LocalService` on a multi-threaded runtime, as the `ivschat-local` program runs it),
//! connects N WebSocket clients to one room with chat tokens from the generated client, and
//! measures:
//! - the service's memory per idle connection (VmRSS before and after the connections open);
//! - for each steady send rate, one sender's messages delivered to every connection: deliveries
//!   per second, delivery latency (send to receipt, p50 / p99 / max, on one monotonic clock since
//!   sender and receivers share this process), losses and refusals;
//! - CPU time of the service and of this generator, and the load average.
//!
//! `cargo run --release -p ivschat-bench --bin messaging-load -- [--connections 1000]
//!  [--seconds 10] [--rates 10,50,100]`

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use ivschat_bench::local::{self, Service, loadavg};
use ivschat_bench::{proc, stats};
use ivschat_local::LocalConfig;
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const USAGE: &str = "\
usage: messaging-load [--connections N] [--seconds S] [--rates R1,R2,...]
       messaging-load server

Defaults: 1000 connections in one room, 10 s per rate, rates 10,50,100 messages per second
(the room allows at most 100).";

type Ws = WebSocketStream<TcpStream>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("server") => server(),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Options::parse(&args).and_then(run),
    };
    local::exit_code("messaging-load", result)
}

struct Options {
    connections: usize,
    seconds: u64,
    rates: Vec<u32>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            connections: 1000,
            seconds: 10,
            rates: vec![10, 50, 100],
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))?;
            let bad = |_| format!("{flag}: {value:?} is not a number\n\n{USAGE}");
            match flag.as_str() {
                "--connections" => o.connections = value.parse().map_err(bad)?,
                "--seconds" => o.seconds = value.parse().map_err(bad)?,
                "--rates" => {
                    o.rates = value
                        .split(',')
                        .map(|r| r.parse().map_err(bad))
                        .collect::<Result<_, _>>()?
                }
                _ => return Err(format!("unknown option {flag}\n\n{USAGE}")),
            }
        }
        if o.connections == 0 || o.rates.iter().any(|r| !(1..=100).contains(r)) {
            return Err(format!(
                "need at least one connection and rates of 1..=100\n\n{USAGE}"
            ));
        }
        Ok(o)
    }
}

fn server() -> Result<(), String> {
    local::serve(LocalConfig::default())
}

/// What one connection saw in the current phase.
#[derive(Default)]
struct Seen {
    delivered: AtomicU64,
    /// ERROR frames: only the sender gets them (a refused message).
    errors: AtomicU64,
    /// Latencies in µs. Each connection has its own lock, so taking it is uncontended except
    /// when a phase ends.
    latencies_us: StdMutex<Vec<u64>>,
}

fn run(o: Options) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(drive(o))
}

async fn connect(messaging: &str, token: &str) -> Result<Ws, String> {
    let mut request = messaging.into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert(
        "sec-websocket-protocol",
        token.parse().map_err(|_| "token is not a header value")?,
    );
    let addr = messaging.trim_start_matches("ws://");
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let (ws, _) = tokio_tungstenite::client_async(request, tcp)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    Ok(ws)
}

/// The send time (ns since the base instant) in a MESSAGE frame whose content is `t<nanos>`.
/// A substring scan, not a JSON parse: the generator shares the CPUs with the service, so
/// its own cost per frame is kept small.
fn sent_at(frame: &str) -> Option<u64> {
    const KEY: &str = "\"Content\":\"t";
    let start = frame.find(KEY)? + KEY.len();
    let digits = &frame[start..];
    let end = digits.find('"')?;
    digits[..end].parse().ok()
}

/// Reads frames; for each MESSAGE whose content is `t<nanos>` records its latency.
async fn receive(mut ws: futures_util::stream::SplitStream<Ws>, base: Instant, seen: Arc<Seen>) {
    while let Some(Ok(msg)) = ws.next().await {
        let Message::Text(text) = msg else { continue };
        if text.contains("\"Type\":\"ERROR\"") {
            seen.errors.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let Some(sent) = sent_at(&text) else { continue };
        let now = base.elapsed().as_nanos() as u64;
        if let Ok(mut l) = seen.latencies_us.lock() {
            l.push(now.saturating_sub(sent) / 1000);
        }
        seen.delivered.fetch_add(1, Ordering::Relaxed);
    }
}

async fn drive(o: Options) -> Result<(), String> {
    let service = Service::start(&["server"])?;
    let client = service.client();
    let room = local::busy_room(&client, "load").await?;
    let tokens = local::chat_tokens(&client, &room, o.connections, 1).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = service.rss_kib()?;

    let base = Instant::now();
    let mut seen: Vec<Arc<Seen>> = Vec::new();
    let connect_started = Instant::now();
    let cpu_before_connect = service.cpu()?;
    let mut sender = None;
    let mut receivers = Vec::new();
    for chunk in tokens.chunks(50) {
        let opened =
            futures_util::future::join_all(chunk.iter().map(|t| connect(&service.messaging, t)))
                .await;
        for ws in opened {
            let (sink, stream) = ws?.split();
            if sender.is_none() {
                sender = Some(sink);
            }
            let s = Arc::new(Seen::default());
            seen.push(Arc::clone(&s));
            receivers.push(tokio::spawn(receive(stream, base, s)));
        }
    }
    let connect_time = connect_started.elapsed();
    let connect_cpu = service.cpu()? - cpu_before_connect;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle = service.rss_kib()?;
    let per_connection =
        (rss_idle.saturating_sub(rss_before)) as f64 * 1024.0 / o.connections as f64;
    let mut sender = sender.ok_or("no connections")?;

    println!(
        "# Messaging API load: {} connections in one room",
        o.connections
    );
    println!(
        "connect: {} connections in {:.2} s (service CPU {:.2} s); service VmRSS {} KiB before, {} KiB with the connections idle: {:.1} KiB per idle connection; load average {}",
        o.connections,
        connect_time.as_secs_f64(),
        connect_cpu.as_secs_f64(),
        rss_before,
        rss_idle,
        per_connection / 1024.0,
        loadavg()
    );
    println!();
    println!(
        "| send rate (msg/s) | sent | refused | delivered | expected | deliveries/s | p50 | p99 | max | service CPU | per delivery | generator CPU | load average |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");

    for rate in &o.rates {
        for s in &seen {
            s.delivered.store(0, Ordering::Relaxed);
            s.errors.store(0, Ordering::Relaxed);
            s.latencies_us.lock().map_err(|_| "poisoned")?.clear();
        }
        let delivered = || -> u64 {
            seen.iter()
                .map(|s| s.delivered.load(Ordering::Relaxed))
                .sum()
        };
        let refused = || -> u64 { seen.iter().map(|s| s.errors.load(Ordering::Relaxed)).sum() };
        let service_cpu = service.cpu()?;
        let own_cpu = proc::cpu_time("self")?;
        let period = Duration::from_secs_f64(1.0 / f64::from(*rate));
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let total = u64::from(*rate) * o.seconds;
        let started = Instant::now();
        for _ in 0..total {
            ticker.tick().await;
            let content = format!("t{}", base.elapsed().as_nanos());
            let frame = json!({"Action": "SEND_MESSAGE", "Content": content}).to_string();
            sender
                .send(Message::text(frame))
                .await
                .map_err(|e| format!("send: {e}"))?;
        }
        let expected = total * o.connections as u64;
        // Wait (bounded) for the deliveries still in flight.
        let deadline = Instant::now() + Duration::from_secs(10);
        let connections = o.connections as u64;
        while delivered() + refused() * connections < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let elapsed = started.elapsed();
        let (delivered, refused) = (delivered(), refused());
        let service_cpu = service.cpu()? - service_cpu;
        let own_cpu = proc::cpu_time("self")? - own_cpu;
        let mut lat = Vec::with_capacity(delivered as usize);
        for s in &seen {
            lat.append(&mut *s.latencies_us.lock().map_err(|_| "poisoned")?);
        }
        lat.sort_unstable();
        let ms = |us: u64| format!("{:.2} ms", us as f64 / 1000.0);
        println!(
            "| {rate} | {total} | {refused} | {delivered} | {expected} | {:.0} | {} | {} | {} | {:.2} s | {:.1} µs | {:.2} s | {} |",
            delivered as f64 / elapsed.as_secs_f64(),
            ms(stats::quantile(&lat, 0.50)),
            ms(stats::quantile(&lat, 0.99)),
            ms(lat.last().copied().unwrap_or(0)),
            service_cpu.as_secs_f64(),
            service_cpu.as_secs_f64() * 1e6 / delivered.max(1) as f64,
            own_cpu.as_secs_f64(),
            loadavg(),
        );
    }
    println!();
    println!(
        "service peak VmHWM {} KiB; VmRSS now {} KiB",
        proc::status_kib(&service.pid(), "VmHWM:")?,
        service.rss_kib()?
    );
    drop(sender);
    for r in receivers {
        r.abort();
    }
    Ok(())
}
