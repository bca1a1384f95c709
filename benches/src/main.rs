//! The benchmark runner.
//!
//! `ivschat-bench run` starts the canned server (`ivschat-bench server`) and, for every round,
//! operation, concurrency and variant, one client process (`ivschat-bench client ...`), so each
//! variant's peak RSS is its own. Variants alternate (A B, then B A) within each round; the
//! report gives medians over rounds and per-round paired ratios to the floor. With
//! `--baseline PATH`, the SDK of another build of this program (or of this one: how far two
//! identical builds differ) runs as a third variant, and the report pairs the SDK with it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use ivschat_bench::canned::Op;
use ivschat_bench::{floor, proc, sdk, server, stats, svg};
use serde_json::{Value, json};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

/// Counts allocations (an atomic add per allocation, the same for every variant), so the
/// report gives allocations per call.
#[global_allocator]
static ALLOCATOR: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Allocations (including reallocations) so far in this process.
fn allocations() -> u64 {
    let s = ALLOCATOR.stats();
    (s.allocations + s.reallocations) as u64
}

const USAGE: &str = "\
usage: ivschat-bench <command> [options]

commands:
  run [--rounds N] [--duration-ms MS] [--warmup-ms MS] [--ops a,b] [--concurrency 1,32]
      [--baseline PATH] [--svg PATH] [--json PATH] [--markdown PATH]
      Start the canned server and compare the SDK with the floor: one client process per
      run, variants interleaved, medians over rounds. Defaults: 5 rounds, 1200 ms measured
      after 300 ms warm-up, every operation, concurrency 1 and 32, output under target/bench/.
      --baseline runs the SDK of another ivschat-bench build as a third variant, `baseline`,
      and pairs this build's SDK with it (a copy of this program measures the noise).
  pool FILE...
      The paired CPU ratios of several runs (files written by `run --json`): each run's
      median and the median of all their rounds together, with its 95 % interval.
  server
      Serve canned IVS Chat responses on 127.0.0.1 (ephemeral port, printed on stdout).
  client --variant sdk|floor --op OP --endpoint URL [--concurrency N]
         (--duration-ms MS [--warmup-ms MS] | --count N)
      One measured run; prints one JSON line. With --count, run exactly N operations per task
      without timing windows (for callgrind).

operations: get-room, create-chat-token, list-rooms-5p
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("pool") => pool(&args[1..]),
        Some("server") => run_server(),
        Some("client") => run_client(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `pool FILE...`: prints the pooled report of `run --json` files.
fn pool(paths: &[String]) -> Result<(), String> {
    if paths.is_empty() {
        return Err("pool needs the files written by `run --json`".to_owned());
    }
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let doc: Value =
            serde_json::from_str(&text).map_err(|e| format!("{path} is not JSON: {e}"))?;
        files.push((path.clone(), doc));
    }
    print!("{}", ivschat_bench::pool::markdown(&files)?);
    Ok(())
}

/// `--name value` options.
struct Options(BTreeMap<String, String>);

impl Options {
    fn parse(args: &[String], known: &[&str]) -> Result<Self, String> {
        let mut map = BTreeMap::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let name = a
                .strip_prefix("--")
                .filter(|n| known.contains(n))
                .ok_or_else(|| format!("unknown option `{a}`\n\n{USAGE}"))?;
            let value = it
                .next()
                .ok_or_else(|| format!("--{name} needs a value\n\n{USAGE}"))?;
            map.insert(name.to_owned(), value.clone());
        }
        Ok(Self(map))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn number(&self, name: &str, default: u64) -> Result<u64, String> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name} must be a whole number, got {v:?}")),
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))
}

// ---------------------------------------------------------------------------------------------
// server

fn run_server() -> Result<(), String> {
    // One thread: its CPU time is the server's whole cost, and it cannot take both cores.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("cannot bind 127.0.0.1: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("no local address: {e}"))?;
        println!("listening on http://{addr}");
        std::io::stdout()
            .flush()
            .map_err(|e| format!("cannot write to stdout: {e}"))?;
        server::serve(listener)
            .await
            .map_err(|e| format!("server failed: {e}"))
    })
}

// ---------------------------------------------------------------------------------------------
// client

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Sdk,
    Floor,
    /// The SDK of the `--baseline` build.
    Baseline,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Sdk => "sdk",
            Variant::Floor => "floor",
            Variant::Baseline => "baseline",
        }
    }
}

#[derive(Clone)]
enum AnyClient {
    Sdk(ivschat::Client),
    Floor(floor::FloorClient),
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl AnyClient {
    async fn run(&self, op: Op) -> Result<usize, BoxError> {
        use ivschat_bench::canned::*;
        match (self, op) {
            (AnyClient::Sdk(c), Op::GetRoom) => sdk::get_room(c).await,
            (AnyClient::Sdk(c), Op::CreateChatToken) => sdk::create_chat_token(c).await,
            (AnyClient::Sdk(c), Op::ListRooms) => sdk::list_rooms_walk(c).await,
            (AnyClient::Floor(c), Op::GetRoom) => {
                let room = c.get_room(ROOM_ARN).await?;
                Ok(usize::from(room.maximum_message_length().is_some()))
            }
            (AnyClient::Floor(c), Op::CreateChatToken) => {
                let t = c
                    .create_chat_token(ROOM_ARN, USER_ID, SESSION_MINUTES)
                    .await?;
                Ok(t.token().map_or(0, str::len))
            }
            (AnyClient::Floor(c), Op::ListRooms) => {
                // The same manual nextToken walk as the SDK variant.
                let mut rooms = 0;
                let mut next: Option<String> = None;
                loop {
                    let page = c.list_rooms(LIST_MAX_RESULTS, next.as_deref()).await?;
                    rooms += page.rooms.len();
                    match page.next_token {
                        Some(t) => next = Some(t),
                        None => return Ok(rooms),
                    }
                }
            }
        }
    }
}

/// One task's samples: completion offset from the start and latency, both in ns.
type Samples = Vec<(u64, u64)>;

fn run_client(args: &[String]) -> Result<(), String> {
    let o = Options::parse(
        args,
        &[
            "variant",
            "op",
            "endpoint",
            "concurrency",
            "duration-ms",
            "warmup-ms",
            "count",
        ],
    )?;
    let variant = match o.get("variant") {
        Some("sdk") => Variant::Sdk,
        Some("floor") => Variant::Floor,
        other => return Err(format!("--variant must be sdk or floor, got {other:?}")),
    };
    let op_name = o.get("op").ok_or("--op is required")?;
    let op = Op::parse(op_name).ok_or_else(|| format!("unknown operation {op_name:?}"))?;
    let endpoint = o
        .get("endpoint")
        .ok_or("--endpoint is required")?
        .to_owned();
    let concurrency = o.number("concurrency", 1)?.max(1) as usize;
    let count = o.get("count").map(|_| o.number("count", 0)).transpose()?;
    let duration = Duration::from_millis(o.number("duration-ms", 1200)?);
    let warmup = Duration::from_millis(o.number("warmup-ms", 300)?);

    let rt = runtime()?;
    let client = rt.block_on(async {
        match variant {
            // A baseline is the SDK of another build: that build runs it as `sdk`.
            Variant::Sdk | Variant::Baseline => {
                Ok::<_, String>(AnyClient::Sdk(sdk::client(&endpoint)))
            }
            Variant::Floor => floor::FloorClient::new(&endpoint)
                .map(AnyClient::Floor)
                .map_err(|e| format!("cannot build the floor client: {e}")),
        }
    })?;
    let start = Instant::now();
    let warm_end = if count.is_some() {
        Duration::ZERO
    } else {
        warmup
    };
    let end = warm_end + duration;
    let (samples, cpu_window, allocs_window, user_share) = rt.block_on(async {
        // Reads this process's CPU time and allocation count at the start and end of the
        // measured window.
        let cpu_probe = tokio::spawn(async move {
            tokio::time::sleep_until((start + warm_end).into()).await;
            let a = (
                proc::cpu_time("self"),
                allocations(),
                proc::user_and_system("self"),
            );
            tokio::time::sleep_until((start + end).into()).await;
            let b = (
                proc::cpu_time("self"),
                allocations(),
                proc::user_and_system("self"),
            );
            (a, b)
        });
        let allocs_before = allocations();
        let mut tasks = Vec::with_capacity(concurrency);
        for _ in 0..concurrency {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let mut samples: Samples = Vec::with_capacity(4096);
                let mut done = 0u64;
                loop {
                    match count {
                        Some(n) if done >= n => break,
                        None if start.elapsed() >= end => break,
                        _ => {}
                    }
                    let t0 = Instant::now();
                    let seen = client.run(op).await?;
                    std::hint::black_box(seen);
                    let now = Instant::now();
                    samples.push((
                        (now - start).as_nanos() as u64,
                        (now - t0).as_nanos() as u64,
                    ));
                    done += 1;
                }
                Ok::<Samples, BoxError>(samples)
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            let s = t
                .await
                .map_err(|e| format!("client task failed: {e}"))?
                .map_err(|e| format!("{} {} call failed: {e}", variant.name(), op.name()))?;
            all.extend(s);
        }
        let (cpu, allocs, user_share) = if count.is_some() {
            cpu_probe.abort();
            // With --count: every allocation of the calls (and of spawning the tasks).
            (None, Some(allocations() - allocs_before), None)
        } else {
            match cpu_probe.await {
                Ok(((Ok(a), na, ua), (Ok(b), nb, ub))) => (
                    Some(b.saturating_sub(a)),
                    Some(nb - na),
                    ua.ok()
                        .zip(ub.ok())
                        .and_then(|(ua, ub)| user_fraction(ua, ub)),
                ),
                _ => (None, None, None),
            }
        };
        Ok::<_, String>((all, cpu, allocs, user_share))
    })?;
    let total_ops = samples.len();
    let (window_ns, in_window): (u64, Vec<u64>) = match count {
        Some(_) => (
            samples.iter().map(|s| s.0).max().unwrap_or(0),
            samples.iter().map(|s| s.1).collect(),
        ),
        None => {
            let (lo, hi) = (warm_end.as_nanos() as u64, end.as_nanos() as u64);
            (
                hi - lo,
                samples
                    .iter()
                    .filter(|s| s.0 >= lo && s.0 <= hi)
                    .map(|s| s.1)
                    .collect(),
            )
        }
    };
    let mut lat = in_window;
    lat.sort_unstable();
    let secs = window_ns as f64 / 1e9;
    let ops = lat.len();
    let us = |ns: u64| ns as f64 / 1000.0;
    let quantiles: Vec<f64> = stats::plot_quantiles()
        .into_iter()
        .map(|q| us(stats::quantile(&lat, q)))
        .collect();
    let cpu_us_per_op = cpu_window.map(|c| c.as_secs_f64() * 1e6 / ops.max(1) as f64);
    let line = json!({
        "variant": variant.name(),
        "op": op.name(),
        "concurrency": concurrency,
        "ops": ops,
        "total_ops": total_ops,
        "secs": secs,
        "ops_per_sec": if secs > 0.0 { ops as f64 / secs } else { 0.0 },
        "p50_us": us(stats::quantile(&lat, 0.50)),
        "p99_us": us(stats::quantile(&lat, 0.99)),
        "cpu_us_per_op": cpu_us_per_op,
        // The same CPU time split into user space (the client's code and its libraries) and
        // the kernel (system calls, and on loopback the delivery of each request to the
        // server and the wake-up of its thread), by the share of the kernel's clock ticks
        // that found the process in each.
        "cpu_user_us_per_op": cpu_us_per_op.zip(user_share).map(|(c, u)| c * u),
        "cpu_system_us_per_op": cpu_us_per_op.zip(user_share).map(|(c, u)| c * (1.0 - u)),
        // Calls finished in the window; calls in flight at its edges make this approximate
        // at high concurrency (within concurrency / ops).
        "allocs_per_op": allocs_window.map(|n| n as f64 / ops.max(1) as f64),
        "rss_kib": proc::peak_rss_kib()?,
        "quantiles_us": quantiles,
    });
    println!("{line}");
    Ok(())
}

/// The share of user time in the CPU time between two (user, system) readings, `None` when
/// no clock tick fell between them.
fn user_fraction(before: (Duration, Duration), after: (Duration, Duration)) -> Option<f64> {
    let user = after.0.saturating_sub(before.0).as_secs_f64();
    let system = after.1.saturating_sub(before.1).as_secs_f64();
    (user + system > 0.0).then(|| user / (user + system))
}

// ---------------------------------------------------------------------------------------------
// run

struct ServerProcess {
    child: Child,
    endpoint: String,
}

impl ServerProcess {
    fn start(exe: &std::path::Path) -> Result<Self, String> {
        let mut child = Command::new(exe)
            .arg("server")
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let stdout = child.stdout.take().ok_or("server has no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the server address: {e}"))?;
        let endpoint = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("unexpected server output {line:?}"))?
            .to_owned();
        Ok(Self { child, endpoint })
    }

    fn cpu(&self) -> Result<Duration, String> {
        proc::cpu_time(&self.child.id().to_string())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One client run as the runner saw it.
struct RunRecord {
    round: usize,
    result: Value,
    wall: Duration,
    server_cpu: Duration,
}

fn f(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown", |(_, m)| m.trim())
        .to_owned();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    json!({
        "nproc": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "cpu": model,
        "mem_gib": (mem_kib as f64 / 1024.0 / 1024.0 * 10.0).round() / 10.0,
    })
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn run(args: &[String]) -> Result<(), String> {
    let o = Options::parse(
        args,
        &[
            "rounds",
            "duration-ms",
            "warmup-ms",
            "ops",
            "concurrency",
            "baseline",
            "svg",
            "json",
            "markdown",
        ],
    )?;
    let rounds = o.number("rounds", 5)?.max(1) as usize;
    let duration_ms = o.number("duration-ms", 1200)?;
    let warmup_ms = o.number("warmup-ms", 300)?;
    let ops: Vec<Op> = match o.get("ops") {
        None => Op::ALL.to_vec(),
        Some(list) => list
            .split(',')
            .map(|n| Op::parse(n).ok_or_else(|| format!("unknown operation {n:?}")))
            .collect::<Result<_, _>>()?,
    };
    let concurrencies: Vec<usize> = match o.get("concurrency") {
        None => vec![1, 32],
        Some(list) => list
            .split(',')
            .map(|n| {
                n.parse::<usize>()
                    .ok()
                    .filter(|&c| c > 0)
                    .ok_or_else(|| format!("bad concurrency {n:?}"))
            })
            .collect::<Result<_, _>>()?,
    };
    let out_dir = std::path::PathBuf::from("target/bench");
    let svg_path = o
        .get("svg")
        .map_or_else(|| out_dir.join("latency.svg"), Into::into);
    let json_path = o
        .get("json")
        .map_or_else(|| out_dir.join("results.json"), Into::into);
    let md_path = o
        .get("markdown")
        .map_or_else(|| out_dir.join("results.md"), Into::into);

    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let baseline = o.get("baseline").map(std::path::PathBuf::from);
    if let Some(path) = baseline.as_ref().filter(|p| !p.is_file()) {
        return Err(format!("--baseline {}: no such program", path.display()));
    }
    let variants: &[Variant] = match baseline {
        Some(_) => &[Variant::Sdk, Variant::Floor, Variant::Baseline],
        None => &[Variant::Sdk, Variant::Floor],
    };
    let server = ServerProcess::start(&exe)?;
    let load_start = loadavg();
    let started = Instant::now();
    eprintln!(
        "server at {}; {rounds} rounds x {} ops x {:?} concurrency x {} variants; load {load_start}",
        server.endpoint,
        ops.len(),
        concurrencies,
        variants.len()
    );
    let mut records: Vec<RunRecord> = Vec::new();
    for round in 0..rounds {
        for &op in &ops {
            for &c in &concurrencies {
                for variant in round_order(variants, round) {
                    let (program, client_variant) = match (variant, &baseline) {
                        (Variant::Baseline, Some(path)) => (path, Variant::Sdk),
                        _ => (&exe, variant),
                    };
                    let cpu0 = server.cpu()?;
                    let t0 = Instant::now();
                    let output = Command::new(program)
                        .args([
                            "client",
                            "--variant",
                            client_variant.name(),
                            "--op",
                            op.name(),
                            "--endpoint",
                            &server.endpoint,
                            "--concurrency",
                            &c.to_string(),
                            "--duration-ms",
                            &duration_ms.to_string(),
                            "--warmup-ms",
                            &warmup_ms.to_string(),
                        ])
                        .output()
                        .map_err(|e| format!("cannot start a client: {e}"))?;
                    let wall = t0.elapsed();
                    let server_cpu = server.cpu()?.saturating_sub(cpu0);
                    if !output.status.success() {
                        return Err(format!(
                            "{} {} c={c} failed: {}",
                            variant.name(),
                            op.name(),
                            String::from_utf8_lossy(&output.stderr).trim()
                        ));
                    }
                    let mut result: Value = serde_json::from_slice(&output.stdout)
                        .map_err(|e| format!("bad client output: {e}"))?;
                    result["variant"] = json!(variant.name());
                    eprintln!(
                        "round {} {:>17} c={c:<2} {:>5}: {:>8.0} ops/s p50 {:>7.1} µs p99 {:>8.1} µs cpu {:>6.1} µs/op allocs {:>6.1}/op rss {:>6} KiB",
                        round + 1,
                        op.name(),
                        variant.name(),
                        f(&result, "ops_per_sec"),
                        f(&result, "p50_us"),
                        f(&result, "p99_us"),
                        f(&result, "cpu_us_per_op"),
                        f(&result, "allocs_per_op"),
                        result["rss_kib"]
                    );
                    records.push(RunRecord {
                        round,
                        result,
                        wall,
                        server_cpu,
                    });
                }
            }
        }
    }
    let elapsed = started.elapsed();
    let load_end = loadavg();
    drop(server);

    let report = Report {
        records: &records,
        ops: &ops,
        concurrencies: &concurrencies,
        variants,
    };
    let header = format!(
        "{rounds} rounds, {duration_ms} ms measured after {warmup_ms} ms warm-up per run; \
         whole run {:.0} s; load average (1/5/15 min) {load_start} at start, {load_end} at end",
        elapsed.as_secs_f64()
    );
    let markdown = format!("{header}\n\n{}", report.markdown());
    println!("{markdown}");
    let svg = report.svg();
    let raw: Vec<Value> = records
        .iter()
        .map(|r| {
            let mut v = r.result.clone();
            v["round"] = json!(r.round + 1);
            v["wall_s"] = json!(r.wall.as_secs_f64());
            v["server_cpu_s"] = json!(r.server_cpu.as_secs_f64());
            v
        })
        .collect();
    let results = json!({
        "machine": machine(),
        "load_start": load_start,
        "load_end": load_end,
        "elapsed_s": elapsed.as_secs_f64(),
        "rounds": rounds,
        "duration_ms": duration_ms,
        "warmup_ms": warmup_ms,
        "baseline": baseline.as_ref().map(|p| p.display().to_string()),
        "runs": raw,
    });
    for (path, text) in [
        (&svg_path, svg),
        (&json_path, format!("{results:#}\n")),
        (&md_path, markdown),
    ] {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The order of `variants` in `round`: two alternate (A B, then B A); three go through their
/// six orders, so that none always runs first, or always right after another.
fn round_order(variants: &[Variant], round: usize) -> Vec<Variant> {
    let n = variants.len();
    let shift = if n > 2 { round / 2 } else { 0 };
    let mut order: Vec<Variant> = (0..n).map(|i| variants[(i + shift) % n]).collect();
    if round % 2 == 1 {
        order.reverse();
    }
    order
}

struct Report<'a> {
    records: &'a [RunRecord],
    ops: &'a [Op],
    concurrencies: &'a [usize],
    variants: &'a [Variant],
}

impl Report<'_> {
    fn runs(&self, op: Op, c: usize, variant: Variant) -> Vec<&RunRecord> {
        self.records
            .iter()
            .filter(|r| {
                r.result["op"] == op.name()
                    && r.result["concurrency"] == c
                    && r.result["variant"] == variant.name()
            })
            .collect()
    }

    fn med(runs: &[&RunRecord], key: &str) -> f64 {
        stats::median(&runs.iter().map(|r| f(&r.result, key)).collect::<Vec<_>>())
    }

    /// `runs / reference` for `key` in each round, pairing runs of the same round, sorted.
    fn paired_ratios(
        runs: &[&RunRecord],
        reference: &[&RunRecord],
        key: &str,
        invert: bool,
    ) -> Vec<f64> {
        let mut ratios: Vec<f64> = runs
            .iter()
            .filter_map(|r| {
                let other = reference.iter().find(|o| o.round == r.round)?;
                let (a, b) = (f(&r.result, key), f(&other.result, key));
                Some(if invert { b / a } else { a / b })
            })
            .filter(|r| r.is_finite())
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios
    }

    /// The median over rounds of `runs / reference` for `key`, pairing runs of the same round.
    fn paired_ratio(runs: &[&RunRecord], reference: &[&RunRecord], key: &str, invert: bool) -> f64 {
        stats::median(&Self::paired_ratios(runs, reference, key, invert))
    }

    /// The paired ratio of `runs` to `reference` for the per-call cost `key` (CPU, user or
    /// kernel CPU) as three table cells, from one set of per-round ratios: their median
    /// (`digits` decimals); their middle half (first to third quartile), how far a single
    /// round's ratio moves on this machine; and the 95 % confidence interval of the median
    /// ([`stats::median_interval`]), where the true ratio lies, given this many rounds.
    fn ratio_cells(
        runs: &[&RunRecord],
        reference: &[&RunRecord],
        key: &str,
        digits: usize,
    ) -> String {
        let ratios = Self::paired_ratios(runs, reference, key, false);
        let spread = if ratios.len() < 4 {
            "–".to_owned()
        } else {
            format!(
                "{:.2}–{:.2}x",
                stats::quantile(&ratios, 0.25),
                stats::quantile(&ratios, 0.75)
            )
        };
        let interval = match stats::median_interval(&ratios) {
            Some((low, high)) => format!("{low:.2}–{high:.2}x"),
            None => "–".to_owned(),
        };
        format!(
            "{:.digits$}x | {spread} | {interval}",
            stats::median(&ratios)
        )
    }

    fn markdown(&self) -> String {
        let mut out = String::from(
            "| operation | conc. | variant | ops/s | p50 µs | p99 µs | client CPU µs/op | allocs/op | peak RSS MiB | cost vs floor (ops/s) | p50 vs floor | p99 vs floor | CPU/op vs floor | its middle half of rounds | 95 % CI of its median | allocs/op − floor | server CPU |\n\
             |---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for &op in self.ops {
            for &c in self.concurrencies {
                let floor = self.runs(op, c, Variant::Floor);
                for &variant in self.variants {
                    let runs = self.runs(op, c, variant);
                    // Server utilisation: CPU time over the client process's wall time (the
                    // highest of the rounds, as a bound).
                    let server = runs
                        .iter()
                        .map(|r| r.server_cpu.as_secs_f64() / r.wall.as_secs_f64().max(1e-9))
                        .fold(0.0, f64::max);
                    let ratios = if variant != Variant::Floor {
                        format!(
                            "{:.2}x | {:.2}x | {:.2}x | {} | {:+.1}",
                            Self::paired_ratio(&runs, &floor, "ops_per_sec", true),
                            Self::paired_ratio(&runs, &floor, "p50_us", false),
                            Self::paired_ratio(&runs, &floor, "p99_us", false),
                            Self::ratio_cells(&runs, &floor, "cpu_us_per_op", 2),
                            Self::med(&runs, "allocs_per_op") - Self::med(&floor, "allocs_per_op"),
                        )
                    } else {
                        "1 | 1 | 1 | 1 | – | – | 0".to_owned()
                    };
                    out.push_str(&format!(
                        "| {} | {c} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {ratios} | ≤{:.0}% |\n",
                        op.name(),
                        variant.name(),
                        Self::med(&runs, "ops_per_sec"),
                        Self::med(&runs, "p50_us"),
                        Self::med(&runs, "p99_us"),
                        Self::med(&runs, "cpu_us_per_op"),
                        Self::med(&runs, "allocs_per_op"),
                        Self::med(&runs, "rss_kib") / 1024.0,
                        server * 100.0,
                    ));
                }
            }
        }
        out.push_str(
            "\nThe client's CPU split into user space and the kernel (by the kernel's clock \
             ticks), each paired with the floor's by round:\n\n\
             | operation | conc. | variant | user µs/op | user vs floor | its middle half of rounds | 95 % CI of its median | kernel µs/op | kernel vs floor | its middle half of rounds | 95 % CI of its median |\n\
             |---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for &op in self.ops {
            for &c in self.concurrencies {
                let floor = self.runs(op, c, Variant::Floor);
                for &variant in self.variants.iter().filter(|v| **v != Variant::Floor) {
                    let runs = self.runs(op, c, variant);
                    out.push_str(&format!(
                        "| {} | {c} | {} | {:.1} (floor {:.1}) | {} | {:.1} (floor {:.1}) | {} |\n",
                        op.name(),
                        variant.name(),
                        Self::med(&runs, "cpu_user_us_per_op"),
                        Self::med(&floor, "cpu_user_us_per_op"),
                        Self::ratio_cells(&runs, &floor, "cpu_user_us_per_op", 2),
                        Self::med(&runs, "cpu_system_us_per_op"),
                        Self::med(&floor, "cpu_system_us_per_op"),
                        Self::ratio_cells(&runs, &floor, "cpu_system_us_per_op", 2),
                    ));
                }
            }
        }
        if self.variants.contains(&Variant::Baseline) {
            out.push_str(
                "\nThis build's SDK against the baseline's, paired by round:\n\n\
                 | operation | conc. | CPU/op vs baseline | its middle half of rounds | 95 % CI of its median | allocs/op − baseline |\n\
                 |---|---:|---:|---:|---:|---:|\n",
            );
            for &op in self.ops {
                for &c in self.concurrencies {
                    let sdk = self.runs(op, c, Variant::Sdk);
                    let baseline = self.runs(op, c, Variant::Baseline);
                    out.push_str(&format!(
                        "| {} | {c} | {} | {:+.1} |\n",
                        op.name(),
                        Self::ratio_cells(&sdk, &baseline, "cpu_us_per_op", 3),
                        Self::med(&sdk, "allocs_per_op") - Self::med(&baseline, "allocs_per_op"),
                    ));
                }
            }
        }
        out
    }

    fn svg(&self) -> String {
        let qs = stats::plot_quantiles();
        let mut panels = Vec::new();
        for &c in self.concurrencies {
            for &op in self.ops {
                let mut series = Vec::new();
                for &variant in self.variants {
                    let color = match variant {
                        Variant::Sdk => "#1f77b4",
                        Variant::Floor => "#ff7f0e",
                        Variant::Baseline => "#2ca02c",
                    };
                    let runs = self.runs(op, c, variant);
                    // The median over rounds of each quantile.
                    let points = qs
                        .iter()
                        .enumerate()
                        .map(|(i, q)| {
                            let at: Vec<f64> = runs
                                .iter()
                                .filter_map(|r| r.result["quantiles_us"].get(i)?.as_f64())
                                .collect();
                            (*q, stats::median(&at))
                        })
                        .collect();
                    series.push(svg::Series {
                        label: variant.name().to_owned(),
                        color,
                        points,
                    });
                }
                panels.push(svg::Panel {
                    title: format!("{} — concurrency {c}", op.name()),
                    series,
                });
            }
        }
        svg::render(
            "Latency CDF (median of rounds, up to p99.9): ivschat SDK vs raw floor",
            &panels,
            self.ops.len(),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Variant, round_order, user_fraction};

    #[test]
    fn two_variants_alternate_and_three_go_through_every_order() {
        use Variant::*;
        let two: Vec<_> = (0..4).map(|r| round_order(&[Sdk, Floor], r)).collect();
        assert_eq!(
            two,
            [
                vec![Sdk, Floor],
                vec![Floor, Sdk],
                vec![Sdk, Floor],
                vec![Floor, Sdk]
            ]
        );
        let three = [Sdk, Floor, Baseline];
        let mut orders: Vec<_> = (0..6).map(|r| round_order(&three, r)).collect();
        assert_eq!(round_order(&three, 6), orders[0]);
        orders.sort_by_key(|o| o.iter().map(|v| v.name()).collect::<Vec<_>>());
        orders.dedup();
        assert_eq!(orders.len(), 6, "six rounds, six different orders");
    }

    #[test]
    fn the_user_fraction_is_of_the_ticks_between_two_readings() {
        let ms = Duration::from_millis;
        assert_eq!(
            user_fraction((ms(250), ms(50)), (ms(1000), ms(300))),
            Some(0.75)
        );
        assert_eq!(
            user_fraction((ms(100), ms(50)), (ms(100), ms(80))),
            Some(0.0)
        );
        // No tick between them: no split rather than a division by zero.
        assert_eq!(user_fraction((ms(100), ms(50)), (ms(100), ms(50))), None);
    }
}
