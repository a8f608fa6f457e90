//! A test backend for the generated server: every method of the 15
//! handler traits implemented with fixed typed data ([`sample`]), each
//! recording the typed request it received (its `Debug` form, and the
//! bytes of a streamed body) in a shared [`Log`]; a layer over the router
//! records the status and headers of every answer. Failures can be
//! injected per operation: as a handler error (`Err(ApiError)`), or as the
//! operation's own typed error variant for the few handlers that have one
//! wired (see [`Log::fail_typed`]). Served on a unix socket by [`Served`].

mod cluster;
mod containers;
mod images;
mod resources;
pub mod sample;
mod system;

pub use containers::PATH_STAT;
pub use system::ping_headers;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::{Bytes, BytesMut};
use engine_api::rt::body::Body;
use engine_api::rt::error::ApiError;
use engine_api::rt::host::Host;
use engine_api::rt::mux::{self, Frame, StreamKind};
use engine_api::rt::server::{
    serve, BodyStream, ByteStream, Hijack, HttpService, Listener, LogStream, ServerInfo, Upgraded,
};
use engine_api::server::Router;
use engine_api::types::ErrorResponse;
use futures_util::{stream, TryStreamExt};
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::{Request, Response};
use serde::de::DeserializeOwned;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One answer as it left the router.
#[derive(Clone, Debug)]
pub struct Answer {
    pub method: String,
    /// Path and query as the client sent them.
    pub target: String,
    pub status: u16,
    pub headers: HeaderMap,
}

/// What the backend saw and answered, shared with the test.
#[derive(Default)]
pub struct Log {
    requests: Mutex<BTreeMap<String, Vec<String>>>,
    bodies: Mutex<BTreeMap<String, Vec<u8>>>,
    answers: Mutex<Vec<Answer>>,
    errors: Mutex<BTreeMap<String, ApiError>>,
    typed: Mutex<BTreeMap<String, (u16, String)>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Log {
    /// The operations whose handler ran, by operationId.
    pub fn hit(&self) -> BTreeSet<String> {
        lock(&self.requests).keys().cloned().collect()
    }

    /// Every request handler `op` received, oldest first (`Debug` form).
    pub fn requests(&self, op: &str) -> Vec<String> {
        lock(&self.requests).get(op).cloned().unwrap_or_default()
    }

    /// The streamed request body `op` last received.
    pub fn body(&self, op: &str) -> Option<Vec<u8>> {
        lock(&self.bodies).get(op).cloned()
    }

    /// Takes the answers recorded so far.
    pub fn take_answers(&self) -> Vec<Answer> {
        std::mem::take(&mut *lock(&self.answers))
    }

    /// From now on handler `op` fails with `error` (an `Err` of the handler).
    pub fn fail(&self, op: &str, status: u16, message: &str) {
        let e = ApiError {
            status,
            message: message.to_string(),
        };
        lock(&self.errors).insert(op.to_string(), e);
    }

    /// From now on handler `op` answers its documented error variant for
    /// `status` (`ContainerInspectReply::NotFound(..)` and the like). Only
    /// the handlers listed in [`TYPED_ERRORS`] have one wired.
    pub fn fail_typed(&self, op: &str, status: u16, message: &str) {
        assert!(
            TYPED_ERRORS.contains(&(op, status)),
            "{op} has no typed {status} wired in the backend"
        );
        lock(&self.typed).insert(op.to_string(), (status, message.to_string()));
    }

    /// Back to answering successfully everywhere.
    pub fn clear_failures(&self) {
        lock(&self.errors).clear();
        lock(&self.typed).clear();
    }
}

/// The (operation, status) pairs whose handler can answer a typed error
/// variant through [`Log::fail_typed`].
pub const TYPED_ERRORS: &[(&str, u16)] = &[
    ("ContainerDelete", 409),
    ("ContainerInspect", 404),
    ("ImageDelete", 409),
    ("NetworkDelete", 403),
    ("VolumeInspect", 404),
];

/// The backend: implements every operation (see the submodules).
#[derive(Clone)]
pub struct Backend {
    log: Arc<Log>,
}

impl Backend {
    pub fn new(log: Arc<Log>) -> Backend {
        Backend { log }
    }

    /// Records `req` for `op`; the injected error of `op`, if any.
    fn hit(&self, op: &str, req: &impl Debug) -> Result<(), ApiError> {
        lock(&self.log.requests)
            .entry(op.to_string())
            .or_default()
            .push(format!("{req:?}"));
        match lock(&self.log.errors).get(op) {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// The typed error `op` was told to answer with, if any.
    fn typed_error(&self, op: &str, status: u16) -> Option<ErrorResponse> {
        match lock(&self.log.typed).get(op) {
            Some((s, message)) if *s == status => Some(ErrorResponse {
                message: message.clone(),
                ..Default::default()
            }),
            _ => None,
        }
    }

    /// Reads a streamed request body to the end and records it.
    async fn drain(&self, op: &str, body: BodyStream) -> Result<(), ApiError> {
        let bytes = body.collect(64 << 20).await.map_err(|e| ApiError {
            status: 500,
            message: format!("reading the body of {op}: {e}"),
        })?;
        lock(&self.log.bodies).insert(op.to_string(), bytes.to_vec());
        Ok(())
    }
}

/// The typed JSON answer of `op` (see [`sample::answer`]).
fn answer<T: DeserializeOwned>(op: &str) -> T {
    sample::answer(op)
}

/// The JSON stream answer of `op` (see [`sample::stream_items`]).
fn json_stream<T: DeserializeOwned + Send + 'static>(
    op: &str,
) -> engine_api::rt::server::JsonStream<T> {
    Box::pin(stream::iter(sample::stream_items(op)))
}

/// The byte-stream answer of `op` (see [`sample::chunks`]).
fn byte_stream(op: &str) -> ByteStream {
    let chunks: Vec<std::io::Result<Bytes>> = sample::chunks(op)
        .into_iter()
        .map(|c| Ok(Bytes::from(c)))
        .collect();
    Box::pin(stream::iter(chunks))
}

/// The frames every log answer carries (stdout, stderr, stdout).
pub fn log_frames(op: &str) -> Vec<Frame> {
    [
        (StreamKind::Stdout, format!("{op} stdout line 1\n")),
        (StreamKind::Stderr, format!("{op} stderr line\n")),
        (StreamKind::Stdout, format!("{op} stdout line 2\n")),
    ]
    .into_iter()
    .map(|(stream, text)| Frame {
        stream,
        data: Bytes::from(text),
    })
    .collect()
}

/// The raw bytes a TTY log answer carries.
pub fn tty_log(op: &str) -> Vec<u8> {
    format!("{op} console output\r\n").into_bytes()
}

/// A log answer: frames, or raw bytes when `tty`.
fn logs(op: &str, tty: bool) -> LogStream {
    if tty {
        LogStream::Raw(Box::pin(stream::iter([Ok(Bytes::from(tty_log(op)))])))
    } else {
        LogStream::Multiplexed(Box::pin(stream::iter(log_frames(op))))
    }
}

/// What a hijacked connection says first.
pub fn greeting(op: &str) -> String {
    format!("{op} attached\n")
}

/// A hijacked connection: writes [`greeting`], then echoes every chunk of
/// stdin back until stdin ends (as stdout frames, raw when `tty`), then
/// closes.
fn echo(op: &str, tty: bool) -> Hijack {
    let hello = greeting(op);
    Hijack::new(tty, move |mut io: Upgraded| async move {
        let write = |data: &[u8]| {
            let mut out = BytesMut::new();
            if tty {
                out.extend_from_slice(data);
            } else {
                mux::encode(StreamKind::Stdout, data, &mut out);
            }
            out
        };
        if io.write_all(&write(hello.as_bytes())).await.is_err() {
            return;
        }
        let mut buf = vec![0u8; 8192];
        loop {
            match io.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if io.write_all(&write(&buf[..n])).await.is_err() {
                        return;
                    }
                }
            }
        }
        let _ = io.shutdown().await;
    })
}

/// The router under a layer that records every answer's status and headers.
struct Recording {
    router: Router<Backend>,
    log: Arc<Log>,
}

impl HttpService for Recording {
    fn call(
        &self,
        req: Request<Incoming>,
    ) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + '_>> {
        let method = req.method().to_string();
        let target = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_string(), |p| p.to_string());
        Box::pin(async move {
            let resp = self.router.call(req).await;
            lock(&self.log.answers).push(Answer {
                method,
                target,
                status: resp.status().as_u16(),
                headers: resp.headers().clone(),
            });
            resp
        })
    }
}

/// What the backend's server says about itself.
pub fn server_info() -> ServerInfo {
    ServerInfo {
        server: "engine-tests-backend/1.0 (linux)".into(),
        os_type: "linux".into(),
        experimental: true,
    }
}

/// The backend served on a unix socket; stops when dropped.
pub struct Served {
    pub socket: PathBuf,
    pub log: Arc<Log>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Served {
    /// Binds `socket` (replacing a stale file) and serves a fresh backend.
    pub async fn start(socket: PathBuf) -> std::io::Result<Served> {
        let listener = Listener::bind(&Host::Unix(socket.clone()), None).await?;
        let log = Arc::new(Log::default());
        let service = Arc::new(Recording {
            router: Router::new(Backend::new(log.clone()), server_info()),
            log: log.clone(),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, service, async {
            let _ = stopped.await;
        }));
        Ok(Served {
            socket,
            log,
            _stop: stop,
        })
    }
}

/// Collects a stream of chunks (for tests reading byte answers).
pub async fn concat<S, E>(s: S) -> Result<Vec<u8>, E>
where
    S: futures_util::Stream<Item = Result<Bytes, E>>,
{
    s.try_fold(Vec::new(), |mut acc, chunk| async move {
        acc.extend_from_slice(&chunk);
        Ok(acc)
    })
    .await
}
