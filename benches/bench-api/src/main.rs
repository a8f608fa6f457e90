//! Issue 5 benchmarks, side by side in one run, over unix sockets only.
//!
//! Server: `GET /_ping` and `GET /version` with N concurrent keep-alive
//! connections (default 16) for a fixed time each, against
//! 1. the generated server (`engine_api::server::Router` over a tiny `Api`
//!    answering fixed data), with answers prepared once (`Reply::prepare`)
//!    and, for `/version`, encoded on every request,
//! 2. a minimal hand-written hyper 1 server replaying the same bytes, on the
//!    same tokio runtime configuration (target: generated >= 0.9x of it),
//! 3. Debian's dockerd 20.10 started privately, for reference.
//!
//! Client: `GET /version` and `GET /containers/json` (200 entries) from a
//! fixed-data server, sequential and N-way concurrent, with the generated
//! client and with bollard (targets: ours >= 2x bollard on `/version`,
//! at least 1.2x on `/containers/json`); a 1 GiB multiplexed `docker logs`-style
//! stream read through each client's demultiplexer (target: ours >=
//! bollard); and the cold release build of a crate depending on ours
//! (`client` feature) against one depending on bollard (default features;
//! target: ours faster).
//!
//! Beside them, the floor client (`floor.rs`): a hand-written keep-alive
//! request and a minimal read of the answer, decoded into the same types,
//! for how fast any client can be against this server, and the same over
//! hyper's own connections without hyper_util's pool.
//!
//! Contenders are measured in alternating slices (BENCH_ROUNDS, 5) of
//! their time, so that other load on the machine hits them alike.
//!
//! Knobs (environment): BENCH_SECS (5), BENCH_CONNS (16), SERVER_THREADS
//! (1) and LOAD_THREADS (1) worker threads of the server and of the load /
//! client runtime, BENCH_DOCKERD (1; 0 skips dockerd), BENCH_BUILD (1; 0
//! skips the build times), BENCH_ONLY
//! (`server` or `client` measures one half), BENCH_CLIENTS (the client
//! contenders, `ours,bollard,floor,hyper`; one of them alone to profile it;
//! ratios and targets need both sides), BENCH_CALLS (`version,list,logs`:
//! the client calls measured, the first two decoded alone too). Prints a summary
//! table; exits 1 when a target is missed, 2 when the run itself failed.

mod allocs;
mod build_time;
mod clients;
// The private dockerd of the end-to-end tests and the harness modules it
// uses, shared rather than copied (this crate is outside the workspace, so
// it includes the files).
#[allow(dead_code)]
#[path = "../../../crates/test-support/src/docker_cli.rs"]
mod docker_cli;
#[allow(dead_code)]
#[path = "../../../crates/test-support/src/dockerd.rs"]
mod dockerd;
mod fixtures;
mod floor;
mod load;
mod logs;
#[allow(dead_code)]
#[path = "../../../crates/test-support/src/rootfs.rs"]
mod rootfs;
#[allow(dead_code)]
#[path = "../../../crates/test-support/src/scratch.rs"]
mod scratch;
mod servers;
#[allow(dead_code)]
#[path = "../../../crates/test-support/src/skip.rs"]
mod skip;
#[allow(dead_code)]
#[path = "../../../crates/test-support/src/teardown.rs"]
mod teardown;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clients::Call;
use load::Rate;
use servers::{unversioned, Script};
use tokio::runtime::Runtime;

/// Counts the clients' allocations (see `allocs.rs`).
#[global_allocator]
static ALLOC: allocs::Counting = allocs::Counting;

struct Config {
    secs: Duration,
    conns: usize,
    rounds: usize,
    server_threads: usize,
    load_threads: usize,
    dockerd: bool,
    /// Whether to time the two cold release builds.
    build: bool,
    /// Which half to measure: both, or only `server` / `client`.
    only: Option<String>,
    /// Which clients to measure: `ours`, `bollard`, `floor`.
    clients: Vec<String>,
    /// Which client calls to measure: `version`, `list`.
    calls: Vec<Call>,
    /// Whether to read the 1 GiB log stream (`logs` in BENCH_CALLS).
    logs: bool,
}

/// The client contenders, in the order they are measured.
const CLIENTS: [&str; 4] = ["ours", "bollard", "floor", "hyper"];

fn env_num(name: &str, default: u64) -> Result<u64, String> {
    match std::env::var(name) {
        Ok(v) => v.parse().map_err(|_| format!("{name}={v} is not a number")),
        Err(_) => Ok(default),
    }
}

impl Config {
    fn from_env() -> Result<Config, String> {
        let calls: Vec<String> = match std::env::var("BENCH_CALLS") {
            Ok(v) => v.split(',').map(|c| c.trim().to_string()).collect(),
            Err(_) => ["version", "list", "logs"].map(String::from).to_vec(),
        };
        if let Some(c) = calls
            .iter()
            .find(|c| !["version", "list", "logs"].contains(&c.as_str()))
        {
            return Err(format!("BENCH_CALLS: {c}? expected version,list,logs"));
        }
        Ok(Config {
            secs: Duration::from_secs(env_num("BENCH_SECS", 5)?),
            conns: env_num("BENCH_CONNS", 16)?.max(1) as usize,
            rounds: env_num("BENCH_ROUNDS", 5)?.max(1) as usize,
            server_threads: env_num("SERVER_THREADS", 1)? as usize,
            load_threads: env_num("LOAD_THREADS", 1)? as usize,
            dockerd: env_num("BENCH_DOCKERD", 1)? != 0,
            build: env_num("BENCH_BUILD", 1)? != 0,
            only: match std::env::var("BENCH_ONLY") {
                Ok(v) if v == "server" || v == "client" => Some(v),
                Ok(v) => return Err(format!("BENCH_ONLY={v}: expected server or client")),
                Err(_) => None,
            },
            calls: calls
                .iter()
                .filter_map(|c| match c.as_str() {
                    "version" => Some(Call::Version),
                    "list" => Some(Call::ContainerList),
                    _ => None,
                })
                .collect(),
            logs: calls.iter().any(|c| c == "logs"),
            clients: match std::env::var("BENCH_CLIENTS") {
                Ok(v) => {
                    let list: Vec<String> = v.split(',').map(|c| c.trim().to_string()).collect();
                    if let Some(c) = list.iter().find(|c| !CLIENTS.contains(&c.as_str())) {
                        return Err(format!(
                            "BENCH_CLIENTS: {c}? expected {}",
                            CLIENTS.join(",")
                        ));
                    }
                    list
                }
                Err(_) => CLIENTS.iter().map(|c| c.to_string()).collect(),
            },
        })
    }
}

/// A runtime whose threads are named `name`; the allocations of the
/// `load` one's threads (the clients) are counted.
fn runtime(threads: usize, name: &str) -> Result<Runtime, String> {
    let client = name == "load";
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name(name)
        .on_thread_start(move || {
            if client {
                allocs::mark_client_thread();
            }
        })
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("bench-api: {e}");
            ExitCode::from(2)
        }
    }
}

/// Ratio formatting: `1.23x`.
fn ratio(a: f64, b: f64) -> String {
    format!("{:.3}x", a / b)
}

/// A client row's first column: the call and how many callers made it.
fn row_label(call: Call, callers: usize) -> String {
    let name = match call {
        Call::Version => "GET /version",
        Call::ContainerList => "GET /containers/json",
    };
    if callers == 1 {
        format!("{name} seq")
    } else {
        format!("{name} x{callers}")
    }
}

fn rate(r: &Rate) -> String {
    format!("{:.0}/s", r.per_second())
}

fn run() -> Result<bool, String> {
    let cfg = Config::from_env()?;
    let server_rt = runtime(cfg.server_threads, "server")?;
    let load_rt = runtime(cfg.load_threads, "load")?;
    let dir = std::env::temp_dir().join(format!("bench-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let warmup = Duration::from_millis(500);

    // The servers: generated (answers prepared once, or encoded per
    // request), and the hand-written one replaying their bytes.
    let generated = server_rt.block_on(servers::generated(&dir.join("generated.sock"), true))?;
    let per_request =
        server_rt.block_on(servers::generated(&dir.join("per-request.sock"), false))?;
    let mut script = Script::new();
    for path in ["/_ping", "/version", "/v1.44/containers/json"] {
        let canned = load_rt.block_on(servers::record(&generated.socket, path))?;
        let encoded = load_rt.block_on(servers::record(&per_request.socket, path))?;
        if canned.status != hyper::StatusCode::OK {
            return Err(format!(
                "the generated server answered {path} with {}",
                canned.status
            ));
        }
        if (encoded.status, &encoded.body) != (canned.status, &canned.body) {
            return Err(format!("prepared and per-request answers to {path} differ"));
        }
        script.insert(unversioned(path).to_string(), canned);
    }
    let replay = server_rt.block_on(servers::replay(
        &dir.join("replay.sock"),
        script.clone(),
        None,
    ))?;
    let version: engine_api::types::SystemVersion =
        serde_json::from_value(fixtures::version()).map_err(|e| e.to_string())?;
    let encoding = server_rt.block_on(servers::replay(
        &dir.join("encoding.sock"),
        script.clone(),
        Some(std::sync::Arc::new(version)),
    ))?;

    // Contenders alternate in `rounds` slices of the measurement time, so
    // that load from elsewhere on the machine hits them alike; a rate is
    // all its requests over all its slices.
    let slice = cfg.secs / cfg.rounds as u32;
    let load = |socket: &Path, path: &str, len: Option<usize>, time| {
        load_rt.block_on(load::run(socket, path, cfg.conns, time, len))
    };

    eprintln!(
        "server: {} connections, {:?} per measurement in {} rounds",
        cfg.conns, cfg.secs, cfg.rounds
    );
    let mut server_rows = Vec::new();
    let server_paths: &[&str] = match cfg.only.as_deref() {
        Some("client") => &[],
        _ => &["/_ping", "/version"],
    };
    for &path in server_paths {
        let len = Some(script[path].body.len());
        eprintln!("  GET {path}: generated server vs hand-written hyper server");
        load(&generated.socket, path, len, warmup)?;
        load(&replay.socket, path, len, warmup)?;
        // `/version` also encoded on every request, by both.
        let encodes = path == "/version";
        if encodes {
            load(&per_request.socket, path, len, warmup)?;
            load(&encoding.socket, path, len, warmup)?;
        }
        let mut rates = [Rate::ZERO; 4];
        for _ in 0..cfg.rounds {
            rates[0] = rates[0].add(load(&generated.socket, path, len, slice)?);
            rates[1] = rates[1].add(load(&replay.socket, path, len, slice)?);
            if encodes {
                rates[2] = rates[2].add(load(&per_request.socket, path, len, slice)?);
                rates[3] = rates[3].add(load(&encoding.socket, path, len, slice)?);
            }
        }
        let [ours, hand, ours_enc, hand_enc] = rates;
        let enc = encodes.then_some((ours_enc, hand_enc));
        server_rows.push((path, ours, hand, enc, None::<Rate>));
    }
    if cfg.dockerd && !server_paths.is_empty() {
        match dockerd::Dockerd::launch(&dir.join("dockerd")) {
            Ok(d) => {
                for row in &mut server_rows {
                    eprintln!("  GET {}: dockerd 20.10", row.0);
                    load(d.socket(), row.0, None, warmup)?;
                    row.4 = Some(load(d.socket(), row.0, None, cfg.secs)?);
                }
            }
            Err(e) => eprintln!("  dockerd skipped: {e}"),
        }
    }

    // The clients, against the hand-written server (the cheapest answers).
    eprintln!(
        "client: {} against a fixed-data server, {:?} per measurement",
        cfg.clients.join(", "),
        cfg.secs
    );
    let ours = clients::ours(&replay.socket)?;
    let theirs = load_rt.block_on(async { clients::bollard(&replay.socket) })?;
    let floor = floor::Floor::new(&replay.socket);
    let hyper_floor = floor::HyperFloor::new(&replay.socket);
    // One contender's calls, `callers` at a time, for `time`.
    let measure = |client: &str, call: Call, callers: usize, time| {
        let (o, t, f) = (ours.clone(), theirs.clone(), floor.clone());
        let h = hyper_floor.clone();
        load_rt.block_on(async move {
            match client {
                "ours" => {
                    let one = move || {
                        let o = o.clone();
                        async move { clients::call_ours(&o, call).await }
                    };
                    clients::drive(callers, time, one).await
                }
                "bollard" => {
                    let one = move || {
                        let t = t.clone();
                        async move { clients::call_bollard(&t, call).await }
                    };
                    clients::drive(callers, time, one).await
                }
                "floor" => {
                    let one = move || {
                        let f = f.clone();
                        async move { f.call(call).await }
                    };
                    clients::drive(callers, time, one).await
                }
                _ => {
                    let one = move || {
                        let h = h.clone();
                        async move { h.call(call).await }
                    };
                    clients::drive(callers, time, one).await
                }
            }
        })
    };
    let mut client_rows = Vec::new();
    let calls: &[Call] = match cfg.only.as_deref() {
        Some("server") => &[],
        _ => &cfg.calls,
    };
    for &call in calls {
        for callers in [1, cfg.conns] {
            eprintln!("  {call:?} x{callers}: {}", cfg.clients.join(" vs "));
            for client in &cfg.clients {
                measure(client, call, callers, warmup)?;
            }
            // By contender, in the order of CLIENTS.
            let mut rates: [Option<Rate>; 4] = [None; 4];
            for _ in 0..cfg.rounds {
                for (i, name) in CLIENTS.iter().enumerate() {
                    if cfg.clients.iter().any(|c| c == name) {
                        let r = measure(name, call, callers, slice)?;
                        rates[i] = Some(rates[i].unwrap_or(Rate::ZERO).add(r));
                    }
                }
            }
            client_rows.push((call, callers, rates));
        }
    }
    // The decoding alone, on the answers the clients were given: ours,
    // bollard's and serde_json::Value, alternating.
    let mut decode_rows = Vec::new();
    if cfg.only.as_deref() != Some("server") {
        use bollard::models as theirs_t;
        use engine_api::types as ours_t;
        eprintln!("  decode: the answers' bodies into each client's types, no I/O");
        // Each decoded the way its client does: ours checks the body for
        // UTF-8 once and reads it as text, bollard (like serde_json::Value
        // here) reads the bytes.
        fn ours<T: serde::de::DeserializeOwned>(b: &[u8]) -> serde_json::Result<T> {
            engine_api::rt::json_text::from_bytes(b)
        }
        fn theirs<T: serde::de::DeserializeOwned>(b: &[u8]) -> serde_json::Result<T> {
            serde_json::from_slice(b)
        }
        for &call in &cfg.calls {
            let (name, path) = match call {
                Call::Version => ("GET /version", "/version"),
                Call::ContainerList => ("GET /containers/json", "/containers/json"),
            };
            let body = script[path].body.clone();
            let time = slice / 2;
            let mut rates = [Rate::ZERO; 3];
            for _ in 0..cfg.rounds {
                let [o, t, v] = match call {
                    Call::Version => [
                        clients::decode::<ours_t::SystemVersion>(&body, ours, time)?,
                        clients::decode::<theirs_t::SystemVersion>(&body, theirs, time)?,
                        clients::decode::<serde_json::Value>(&body, theirs, time)?,
                    ],
                    Call::ContainerList => [
                        clients::decode::<Vec<ours_t::ContainerSummary>>(&body, ours, time)?,
                        clients::decode::<Vec<theirs_t::ContainerSummary>>(&body, theirs, time)?,
                        clients::decode::<serde_json::Value>(&body, theirs, time)?,
                    ],
                };
                rates = [rates[0].add(o), rates[1].add(t), rates[2].add(v)];
            }
            decode_rows.push((name, body.len(), rates));
        }
    }
    // The log stream and the builds compare ours with bollard only.
    let both = ["ours", "bollard"]
        .iter()
        .all(|n| cfg.clients.iter().any(|c| c == n));
    // The 1 GiB log stream, read whole by each client in turn.
    let mut log_rates = None;
    if both && cfg.logs && cfg.only.as_deref() != Some("server") {
        let logs = server_rt.block_on(logs::server(&dir.join("logs.sock")))?;
        let ours = clients::ours(&logs.socket)?;
        let theirs = load_rt.block_on(async { clients::bollard(&logs.socket) })?;
        let reads = cfg.rounds.min(3);
        eprintln!("  logs: {reads} reads of 1 GiB each, ours vs bollard");
        let (mut a, mut b) = ((0u64, 0f64), (0u64, 0f64));
        for _ in 0..reads {
            let t = load_rt.block_on(logs::read_ours(&ours))?;
            a = (a.0 + t.bytes, a.1 + t.seconds);
            let t = load_rt.block_on(logs::read_bollard(&theirs))?;
            b = (b.0 + t.bytes, b.1 + t.seconds);
        }
        let as_rate = |(bytes, seconds)| logs::Throughput { bytes, seconds };
        log_rates = Some((as_rate(a), as_rate(b)));
    }
    // The cold release builds, one after the other.
    let mut build_secs = None;
    if both && cfg.build && cfg.only.as_deref() != Some("server") {
        eprintln!("  build: cold release builds, ours (client feature) then bollard (default)");
        build_secs = Some(build_time::measure(&dir)?);
    }
    drop(generated);
    drop(per_request);
    drop(replay);
    drop(encoding);
    let _ = std::fs::remove_dir_all(&dir);

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "\nserver: unix socket, {} keep-alive connections, {:?} each; {} cores; \
         server runtime {} worker(s), load generator {} worker(s)",
        cfg.conns, cfg.secs, cores, cfg.server_threads, cfg.load_threads
    );
    println!(
        "{:<14} {:>10} {:>12} {:>7} {:>12} {:>12} {:>7} {:>9}  target (prepared vs replay)",
        "request",
        "prepared",
        "hyper replay",
        "ratio",
        "gen encoding",
        "hyp encoding",
        "ratio",
        "dockerd"
    );
    let mut met = true;
    for (path, ours, hand, enc, docker) in &server_rows {
        let ok = ours.per_second() >= 0.9 * hand.per_second();
        met &= ok;
        let dash = || "-".to_string();
        println!(
            "{:<14} {:>10} {:>12} {:>7} {:>12} {:>12} {:>7} {:>9}  >= 0.90x {}",
            format!("GET {path}"),
            rate(ours),
            rate(hand),
            ratio(ours.per_second(), hand.per_second()),
            enc.as_ref().map_or_else(dash, |(o, _)| rate(o)),
            enc.as_ref().map_or_else(dash, |(_, h)| rate(h)),
            enc.as_ref()
                .map_or_else(dash, |(o, h)| ratio(o.per_second(), h.per_second())),
            docker.as_ref().map_or_else(dash, rate),
            if ok { "met" } else { "MISSED" }
        );
    }
    println!(
        "(prepared: the generated server with answers encoded once by \
         `Reply::prepare`; hyper replay: its bytes replayed by a minimal hyper \
         server; gen/hyp encoding: /version encoded from the typed value on \
         every request, the generated handler cloning it, hyper by reference; \
         dockerd 20.10 for reference)"
    );
    println!(
        "\nclient: against a fixed-data hyper server, {:?} each; \
         /containers/json lists {} containers",
        cfg.secs,
        fixtures::CONTAINERS
    );
    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>10} {:>10} {:>11} {:>11} {:>11}  target (ours/them)",
        "call",
        "ours",
        "bollard",
        "floor",
        "hyper",
        "ours/them",
        "floor/them",
        "hyper/them",
        "ours/floor"
    );
    for (call, callers, [a, b, f, h]) in &client_rows {
        let target = match call {
            Call::Version => 2.0,
            Call::ContainerList => 1.2,
        };
        let show = |r: &Option<Rate>| r.as_ref().map_or_else(|| "-".to_string(), rate);
        let over = |x: &Option<Rate>, y: &Option<Rate>| match (x, y) {
            (Some(x), Some(y)) => ratio(x.per_second(), y.per_second()),
            _ => "-".to_string(),
        };
        let verdict = match (a, b) {
            (Some(a), Some(b)) => {
                let ok = a.per_second() >= target * b.per_second();
                met &= ok;
                if ok {
                    "met"
                } else {
                    "MISSED"
                }
            }
            _ => "not judged",
        };
        println!(
            "{:<28} {:>10} {:>10} {:>10} {:>10} {:>10} {:>11} {:>11} {:>11}  >= {target:.1}x {verdict}",
            row_label(*call, *callers),
            show(a),
            show(b),
            show(f),
            show(h),
            over(a, b),
            over(f, b),
            over(h, b),
            over(a, f),
        );
    }
    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>10}  heap allocations per call (client threads)",
        "", "ours", "bollard", "floor", "hyper"
    );
    for (call, callers, rates) in &client_rows {
        let [a, b, f, h] = rates.map(|r| {
            r.map_or_else(
                || "-".to_string(),
                |r| format!("{:.1}", r.allocs_per_request()),
            )
        });
        println!(
            "{:<28} {a:>10} {b:>10} {f:>10} {h:>10}",
            row_label(*call, *callers)
        );
    }
    println!(
        "(floor: a hand-written keep-alive request over a UnixStream, the answer \
         read with minimal parsing and decoded into the same engine-api types: \
         what is left is server and kernel; hyper: hyper 1's HTTP/1 connections \
         in the same stack, no hyper_util pool)"
    );
    if !decode_rows.is_empty() {
        println!("\ndecode only (the answer's body as each client decodes it, one thread, no I/O)");
        println!(
            "{:<28} {:>10} {:>10} {:>10} {:>10}",
            "body", "ours", "bollard", "Value", "ours/them"
        );
        for (name, len, [a, b, v]) in &decode_rows {
            println!(
                "{:<28} {:>10} {:>10} {:>10} {:>10}",
                format!("{name} ({len} B)"),
                rate(a),
                rate(b),
                rate(v),
                ratio(a.per_second(), b.per_second())
            );
        }
    }
    if let Some((a, b)) = &log_rates {
        let ok = a.mib_per_second() >= b.mib_per_second();
        met &= ok;
        println!(
            "{:<28} {:>12} {:>12} {:>10}  >= 1.0x {}",
            "logs 1 GiB demux",
            format!("{:.0} MiB/s", a.mib_per_second()),
            format!("{:.0} MiB/s", b.mib_per_second()),
            ratio(a.mib_per_second(), b.mib_per_second()),
            if ok { "met" } else { "MISSED" }
        );
    }
    if let Some((ours, theirs)) = build_secs {
        let ok = ours < theirs;
        met &= ok;
        println!(
            "{:<28} {:>12} {:>12} {:>10}  < 1.0x {}",
            "cold release build",
            format!("{ours:.1} s"),
            format!("{theirs:.1} s"),
            ratio(ours, theirs),
            if ok { "met" } else { "MISSED" }
        );
        println!(
            "(build: a one-line crate depending on engine-api with only the `client` \
             feature (unix and tcp, no TLS, no WebSocket attach: what bollard's \
             defaults have), against one depending on bollard with its default \
             features; each from an empty target dir, release, offline, one after \
             the other)"
        );
    }
    // The machine may be shared: the numbers above mean little without it.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at the end (1, 5, 15 min): {}", load.trim());
    }
    Ok(met)
}
