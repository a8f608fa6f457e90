//! The floor: the least a client can do per call against the same server,
//! to tell how much of a call is server and kernel and how much is client.
//! A hand-written HTTP/1.1 keep-alive request over a tokio `UnixStream`,
//! the answer read with just enough parsing (status line, `content-length`,
//! the body), and the body decoded with serde_json into the same
//! engine-api types the generated client returns. Connections are kept in
//! a plain mutex-guarded stack (a caller pops one or dials, and pushes it
//! back after a complete answer); each keeps its read buffer.
//!
//! [`HyperFloor`] is the same minus the hand-written HTTP: hyper 1's own
//! HTTP/1 connections (`hyper::client::conn::http1`) in the same kind of
//! stack, with no pool of hyper_util's: what a client built on hyper could
//! reach at best.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use engine_api::rt::json_text::from_bytes;
use engine_api::types::{ContainerSummary, SystemVersion};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

use crate::clients::Call;
use crate::fixtures::CONTAINERS;

/// One kept-alive connection and the buffer its answers are read into.
struct Conn {
    stream: UnixStream,
    buf: Vec<u8>,
}

/// The floor client: a socket path and idle connections.
#[derive(Clone)]
pub struct Floor {
    socket: PathBuf,
    idle: Arc<Mutex<Vec<Conn>>>,
}

impl Floor {
    pub fn new(socket: &Path) -> Floor {
        Floor {
            socket: socket.to_path_buf(),
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn take(&self) -> Option<Conn> {
        self.idle.lock().ok()?.pop()
    }

    fn give(&self, conn: Conn) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
    }

    /// One call; checks what came back, as the other clients' calls do.
    pub async fn call(&self, call: Call) -> Result<(), String> {
        let mut conn = match self.take() {
            Some(c) => c,
            None => Conn {
                stream: UnixStream::connect(&self.socket)
                    .await
                    .map_err(|e| format!("connect {}: {e}", self.socket.display()))?,
                buf: Vec::with_capacity(64 * 1024),
            },
        };
        let request: &[u8] = match call {
            Call::Version => {
                b"GET /v1.44/version HTTP/1.1\r\nhost: api.moby.localhost\r\nuser-agent: floor\r\n\r\n"
            }
            Call::ContainerList => {
                b"GET /v1.44/containers/json HTTP/1.1\r\nhost: api.moby.localhost\r\nuser-agent: floor\r\n\r\n"
            }
        };
        conn.stream
            .write_all(request)
            .await
            .map_err(|e| format!("write: {e}"))?;
        let body = read_answer(&mut conn).await?;
        let checked = check(call, &conn.buf[body.clone()]);
        // Whatever followed the body (nothing, as nothing was pipelined)
        // starts the next answer.
        conn.buf.drain(..body.end);
        self.give(conn);
        checked
    }
}

/// Checks a decoded answer as the other clients do, decoded as our
/// client decodes it (the body checked for UTF-8 once, read as text).
fn check(call: Call, body: &[u8]) -> Result<(), String> {
    let ok = match call {
        Call::Version => {
            let v: SystemVersion = from_bytes(body).map_err(|e| format!("version: {e}"))?;
            v.api_version.as_deref() == Some("1.44")
        }
        Call::ContainerList => {
            let list: Vec<ContainerSummary> =
                from_bytes(body).map_err(|e| format!("container list: {e}"))?;
            list.len() == CONTAINERS
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("unexpected {call:?} answer"))
    }
}

/// hyper's HTTP/1 connections, without a pool of hyper_util's.
#[derive(Clone)]
pub struct HyperFloor {
    socket: PathBuf,
    idle: Arc<Mutex<Vec<SendRequest<Empty<Bytes>>>>>,
}

impl HyperFloor {
    pub fn new(socket: &Path) -> HyperFloor {
        HyperFloor {
            socket: socket.to_path_buf(),
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// One call; checks what came back.
    pub async fn call(&self, call: Call) -> Result<(), String> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut sender = match idle {
            Some(s) => s,
            None => {
                let stream = UnixStream::connect(&self.socket)
                    .await
                    .map_err(|e| format!("connect {}: {e}", self.socket.display()))?;
                let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::spawn(conn);
                sender
            }
        };
        sender.ready().await.map_err(|e| e.to_string())?;
        let path = match call {
            Call::Version => "/v1.44/version",
            Call::ContainerList => "/v1.44/containers/json",
        };
        let req = hyper::Request::get(path)
            .header(hyper::header::HOST, "api.moby.localhost")
            .header(hyper::header::USER_AGENT, "floor")
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        if resp.status() != hyper::StatusCode::OK {
            return Err(format!("status {}", resp.status()));
        }
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(sender);
        }
        check(call, &body)
    }
}

/// Reads one answer into `conn.buf`: a `200` status line, headers up to the
/// blank line, and `content-length` bytes of body, whose range it returns.
async fn read_answer(conn: &mut Conn) -> Result<std::ops::Range<usize>, String> {
    let head_end = loop {
        if let Some(i) = find(&conn.buf, b"\r\n\r\n") {
            break i + 4;
        }
        fill(conn).await?;
    };
    let head = &conn.buf[..head_end];
    if !head.starts_with(b"HTTP/1.1 200 ") {
        return Err(format!(
            "answer: {}",
            String::from_utf8_lossy(&head[..head.len().min(40)])
        ));
    }
    let len = content_length(head).ok_or("answer without content-length")?;
    let end = head_end + len;
    while conn.buf.len() < end {
        fill(conn).await?;
    }
    Ok(head_end..end)
}

/// Appends what the socket has to `conn.buf`.
async fn fill(conn: &mut Conn) -> Result<(), String> {
    if conn.buf.capacity() - conn.buf.len() < 16 * 1024 {
        conn.buf.reserve(64 * 1024);
    }
    let n = conn
        .stream
        .read_buf(&mut conn.buf)
        .await
        .map_err(|e| format!("read: {e}"))?;
    if n == 0 {
        return Err("the server closed the connection".into());
    }
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of the `content-length` header of `head` (any case).
fn content_length(head: &[u8]) -> Option<usize> {
    head.split(|&b| b == b'\n').find_map(|line| {
        let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
        if !name.eq_ignore_ascii_case(b"content-length") {
            return None;
        }
        std::str::from_utf8(&value[1..]).ok()?.trim().parse().ok()
    })
}
