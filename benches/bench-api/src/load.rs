//! The load generator: N HTTP/1 keep-alive connections over a unix socket,
//! each sending `GET path` back to back for a fixed time and reading every
//! answer to its end. Counts the answers with the expected status and body
//! length; anything else is an error (and fails the run).

use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;

/// The outcome of one load run.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    pub requests: u64,
    pub seconds: f64,
    /// Heap allocations on the client threads meanwhile (client calls).
    pub allocs: u64,
}

impl Rate {
    pub const ZERO: Rate = Rate {
        requests: 0,
        seconds: 0.0,
        allocs: 0,
    };

    /// Both runs taken together.
    pub fn add(self, other: Rate) -> Rate {
        Rate {
            requests: self.requests + other.requests,
            seconds: self.seconds + other.seconds,
            allocs: self.allocs + other.allocs,
        }
    }

    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// Client-side heap allocations per request.
    pub fn allocs_per_request(&self) -> f64 {
        self.allocs as f64 / self.requests.max(1) as f64
    }
}

/// What one connection did.
struct Tally {
    ok: u64,
    error: Option<String>,
}

/// `connections` connections to `socket` send `GET path` for `duration`.
/// The body of every answer must be `body_len` bytes long (when given).
pub async fn run(
    socket: &Path,
    path: &str,
    connections: usize,
    duration: Duration,
    body_len: Option<usize>,
) -> Result<Rate, String> {
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let socket = socket.to_path_buf();
        let path = path.to_string();
        tasks.push(tokio::spawn(async move {
            match connection(&socket, &path, deadline, body_len).await {
                Ok(t) | Err(t) => t,
            }
        }));
    }
    let mut total = 0;
    for t in tasks {
        let tally = t.await.map_err(|e| e.to_string())?;
        if let Some(e) = tally.error {
            return Err(format!("GET {path}: {e}"));
        }
        total += tally.ok;
    }
    Ok(Rate {
        requests: total,
        seconds: start.elapsed().as_secs_f64(),
        allocs: 0,
    })
}

async fn connection(
    socket: &Path,
    path: &str,
    deadline: Instant,
    body_len: Option<usize>,
) -> Result<Tally, Tally> {
    let fail = |ok, e: String| Tally { ok, error: Some(e) };
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|e| fail(0, format!("connect: {e}")))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| fail(0, format!("handshake: {e}")))?;
    tokio::spawn(conn);
    let mut ok = 0;
    while Instant::now() < deadline {
        sender
            .ready()
            .await
            .map_err(|e| fail(ok, format!("connection: {e}")))?;
        let req = Request::get(path)
            .header("host", "docker")
            .body(Empty::<Bytes>::new())
            .map_err(|e| fail(ok, e.to_string()))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| fail(ok, format!("request: {e}")))?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| fail(ok, format!("body: {e}")))?
            .to_bytes();
        if status != StatusCode::OK {
            return Err(fail(ok, format!("status {status}")));
        }
        if body_len.is_some_and(|n| n != body.len()) {
            return Err(fail(ok, format!("a body of {} bytes", body.len())));
        }
        ok += 1;
    }
    Ok(Tally { ok, error: None })
}
