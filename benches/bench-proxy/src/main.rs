//! The measuring half of `benches/proxy.sh`, over unix sockets:
//!
//! - `bench-proxy rate SOCKET PATH SECONDS CONNECTIONS`: keep-alive
//!   connections sending `GET PATH` back to back (bench-api's load
//!   generator); prints the answers per second;
//! - `bench-proxy stream SOCKET PATH`: one `GET PATH` read to its end;
//!   prints the bytes and the MiB per second;
//! - `bench-proxy steps SOCKET IMAGE`: the requests of `docker run --rm
//!   --network none IMAGE true` as the CLI sends them (create, attach,
//!   wait, start, the end of both streams), each timed; prints the
//!   microseconds of each step and of the whole.
//!
//! Each prints one line of numbers for the script to read.

// bench-api's load generator, shared as a file; this driver uses `run`
// and `Rate::per_second` of it, not the sums bench-api makes.
#[path = "../../bench-api/src/load.rs"]
#[allow(dead_code)]
mod load;
mod steps;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Empty;
use hyper::body::Body as _;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench-proxy: {e}");
            return ExitCode::from(2);
        }
    };
    let done = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["rate", socket, path, secs, conns] => match (secs.parse(), conns.parse()) {
            (Ok(secs), Ok(conns)) => runtime
                .block_on(load::run(
                    Path::new(socket),
                    path,
                    conns,
                    Duration::from_secs_f64(secs),
                    None,
                ))
                .map(|r| println!("{:.1}", r.per_second())),
            _ => Err("SECONDS and CONNECTIONS are numbers".to_string()),
        },
        ["steps", socket, image] => runtime
            .block_on(steps::run(Path::new(socket), image))
            .map(|t| println!("{}", t.iter().map(u128::to_string).collect::<Vec<_>>().join(" "))),
        ["stream", socket, path] => runtime
            .block_on(stream(Path::new(socket), path))
            .map(|(bytes, secs)| println!("{bytes} {:.1}", bytes as f64 / secs / (1 << 20) as f64)),
        _ => Err(
            "usage: bench-proxy rate SOCKET PATH SECONDS CONNECTIONS | stream SOCKET PATH | steps SOCKET IMAGE"
                .to_string(),
        ),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-proxy: {e}");
            ExitCode::from(1)
        }
    }
}

/// `GET path` on `socket`, its body read frame by frame and counted
/// (never collected): the bytes and the seconds it took. The connection
/// is polled by the reading task itself, not a task of its own, so the
/// reader does not hand every chunk from one thread to another: with a
/// daemon that sends one small chunk per log line (engined, 8 KiB here)
/// that hand-over, not the daemon, set the rate of a direct read.
async fn stream(socket: &Path, path: &str) -> Result<(u64, f64), String> {
    let start = Instant::now();
    let conn = UnixStream::connect(socket)
        .await
        .map_err(|e| format!("connect {}: {e}", socket.display()))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(conn))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let mut conn = std::pin::pin!(conn);
    let mut driving = true;
    let req = Request::get(path)
        .header("host", "docker")
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let mut sent = std::pin::pin!(sender.send_request(req));
    let resp = std::future::poll_fn(|cx| {
        if driving && conn.as_mut().poll(cx).is_ready() {
            driving = false;
        }
        sent.as_mut().poll(cx)
    })
    .await
    .map_err(|e| format!("request: {e}"))?;
    if resp.status() != StatusCode::OK {
        return Err(format!("GET {path}: status {}", resp.status()));
    }
    let mut body = resp.into_body();
    let mut bytes = 0u64;
    loop {
        let frame = std::future::poll_fn(|cx| {
            let polled = Pin::new(&mut body).poll_frame(cx);
            if polled.is_pending() && driving {
                if conn.as_mut().poll(cx).is_ready() {
                    driving = false;
                }
                return Pin::new(&mut body).poll_frame(cx);
            }
            polled
        })
        .await;
        let Some(frame) = frame else { break };
        let frame = frame.map_err(|e| format!("body: {e}"))?;
        if let Some(data) = frame.data_ref() {
            bytes += data.len() as u64;
        }
    }
    Ok((bytes, start.elapsed().as_secs_f64()))
}
