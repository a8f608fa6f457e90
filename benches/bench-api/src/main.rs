//! Issue 5 benchmarks, side by side in one run, over unix sockets only.
//!
//! Server: `GET /_ping` and `GET /version` with N concurrent keep-alive
//! connections (default 16) for a fixed time each, against
//! 1. the generated server (`engine_api::server::Router` over a tiny `Api`
//!    answering fixed data),
//! 2. a minimal hand-written hyper 1 server replaying the same bytes, on the
//!    same tokio runtime configuration (target: generated >= 0.9x of it),
//! 3. Debian's dockerd 20.10 started privately, for reference.
//!
//! Client: `GET /version` and `GET /containers/json` (200 entries) from a
//! fixed-data server, sequential and N-way concurrent, with the generated
//! client and with bollard (target: ours >= bollard).
//!
//! Contenders are measured in alternating slices (BENCH_ROUNDS, 5) of
//! their time, so that other load on the machine hits them alike.
//!
//! Knobs (environment): BENCH_SECS (5), BENCH_CONNS (16), SERVER_THREADS
//! (1) and LOAD_THREADS (1) worker threads of the server and of the load /
//! client runtime, BENCH_DOCKERD (1; 0 skips dockerd). Prints a summary
//! table; exits 1 when a target is missed, 2 when the run itself failed.

mod clients;
mod dockerd;
mod fixtures;
mod load;
mod servers;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clients::Call;
use load::Rate;
use servers::{unversioned, Script};
use tokio::runtime::Runtime;

struct Config {
    secs: Duration,
    conns: usize,
    rounds: usize,
    server_threads: usize,
    load_threads: usize,
    dockerd: bool,
}

fn env_num(name: &str, default: u64) -> Result<u64, String> {
    match std::env::var(name) {
        Ok(v) => v.parse().map_err(|_| format!("{name}={v} is not a number")),
        Err(_) => Ok(default),
    }
}

impl Config {
    fn from_env() -> Result<Config, String> {
        Ok(Config {
            secs: Duration::from_secs(env_num("BENCH_SECS", 5)?),
            conns: env_num("BENCH_CONNS", 16)?.max(1) as usize,
            rounds: env_num("BENCH_ROUNDS", 5)?.max(1) as usize,
            server_threads: env_num("SERVER_THREADS", 1)? as usize,
            load_threads: env_num("LOAD_THREADS", 1)? as usize,
            dockerd: env_num("BENCH_DOCKERD", 1)? != 0,
        })
    }
}

fn runtime(threads: usize, name: &str) -> Result<Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name(name)
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

    // The servers: generated, and the hand-written one replaying its bytes.
    let generated = server_rt.block_on(servers::generated(&dir.join("generated.sock")))?;
    let mut script = Script::new();
    for path in ["/_ping", "/version", "/v1.44/containers/json"] {
        let canned = load_rt.block_on(servers::record(&generated.socket, path))?;
        if canned.status != hyper::StatusCode::OK {
            return Err(format!(
                "the generated server answered {path} with {}",
                canned.status
            ));
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
    for path in ["/_ping", "/version"] {
        let len = Some(script[path].body.len());
        eprintln!("  GET {path}: generated server vs hand-written hyper server");
        load(&generated.socket, path, len, warmup)?;
        load(&replay.socket, path, len, warmup)?;
        // `/version` also against the hand-written server encoding it.
        let encodes = path == "/version";
        if encodes {
            load(&encoding.socket, path, len, warmup)?;
        }
        let (mut ours, mut hand, mut enc) = (Rate::ZERO, Rate::ZERO, Rate::ZERO);
        for _ in 0..cfg.rounds {
            ours = ours.add(load(&generated.socket, path, len, slice)?);
            hand = hand.add(load(&replay.socket, path, len, slice)?);
            if encodes {
                enc = enc.add(load(&encoding.socket, path, len, slice)?);
            }
        }
        let enc = encodes.then_some(enc);
        server_rows.push((path, ours, hand, enc, None::<Rate>));
    }
    if cfg.dockerd {
        match dockerd::Dockerd::start(&dir.join("dockerd")) {
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
    eprintln!("client: ours vs bollard, {:?} per measurement", cfg.secs);
    let ours = clients::ours(&replay.socket)?;
    let theirs = load_rt.block_on(async { clients::bollard(&replay.socket) })?;
    let mut client_rows = Vec::new();
    for call in [Call::Version, Call::ContainerList] {
        for callers in [1, cfg.conns] {
            let o = ours.clone();
            let t = theirs.clone();
            let ours_one = move || {
                let o = o.clone();
                async move { clients::call_ours(&o, call).await }
            };
            let theirs_one = move || {
                let t = t.clone();
                async move { clients::call_bollard(&t, call).await }
            };
            eprintln!("  {call:?} x{callers}: ours vs bollard");
            load_rt.block_on(clients::drive(callers, warmup, ours_one.clone()))?;
            load_rt.block_on(clients::drive(callers, warmup, theirs_one.clone()))?;
            let (mut a, mut b) = (Rate::ZERO, Rate::ZERO);
            for _ in 0..cfg.rounds {
                a = a.add(load_rt.block_on(clients::drive(callers, slice, ours_one.clone()))?);
                b = b.add(load_rt.block_on(clients::drive(callers, slice, theirs_one.clone()))?);
            }
            client_rows.push((call, callers, a, b));
        }
    }
    drop(generated);
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
        "{:<14} {:>11} {:>12} {:>7} {:>14} {:>7} {:>9}  target (vs replay)",
        "request", "generated", "hyper replay", "ratio", "hyper encoding", "ratio", "dockerd"
    );
    let mut met = true;
    for (path, ours, hand, enc, docker) in &server_rows {
        let ok = ours.per_second() >= 0.9 * hand.per_second();
        met &= ok;
        println!(
            "{:<14} {:>11} {:>12} {:>7} {:>14} {:>7} {:>9}  >= 0.90x {}",
            format!("GET {path}"),
            rate(ours),
            rate(hand),
            ratio(ours.per_second(), hand.per_second()),
            enc.as_ref().map_or("-".to_string(), rate),
            enc.as_ref().map_or("-".to_string(), |e| ratio(
                ours.per_second(),
                e.per_second()
            )),
            docker.as_ref().map_or("-".to_string(), rate),
            if ok { "met" } else { "MISSED" }
        );
    }
    println!(
        "(hyper replay: the generated server's bytes replayed; hyper encoding: \
         /version encoded from the same typed value per request; dockerd 20.10 \
         for reference)"
    );
    println!(
        "\nclient: against a fixed-data hyper server, {:?} each; \
         /containers/json lists {} containers",
        cfg.secs,
        fixtures::CONTAINERS
    );
    println!(
        "{:<28} {:>12} {:>12} {:>10}  target",
        "call", "ours", "bollard", "ours/them"
    );
    for (call, callers, a, b) in &client_rows {
        let ok = a.per_second() >= b.per_second();
        met &= ok;
        let name = match call {
            Call::Version => "GET /version",
            Call::ContainerList => "GET /containers/json",
        };
        let mode = if *callers == 1 {
            "seq".to_string()
        } else {
            format!("x{callers}")
        };
        println!(
            "{:<28} {:>12} {:>12} {:>10}  >= 1x {}",
            format!("{name} {mode}"),
            rate(a),
            rate(b),
            ratio(a.per_second(), b.per_second()),
            if ok { "met" } else { "MISSED" }
        );
    }
    Ok(met)
}
