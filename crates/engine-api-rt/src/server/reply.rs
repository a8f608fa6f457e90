//! Encoding a handler's typed reply on the wire: JSON, JSON streams, byte
//! streams (tar), logs (multiplexed frames or raw TTY bytes), text, nothing,
//! and hijacked connections (attach, exec start) with or without
//! `Upgrade: tcp`, or as a WebSocket (attach over WebSocket: the handshake
//! is answered here). The content types follow dockerd's choices per API
//! version.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, CONNECTION, CONTENT_TYPE, SEC_WEBSOCKET_ACCEPT,
    SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE,
};
use hyper::upgrade::OnUpgrade;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, DuplexStream, ReadBuf};

use super::deferred::Deferred;
use super::respond::{self, MULTIPLEXED_STREAM, RAW_STREAM};
use crate::body::{self, Body};
use crate::json_stream;
use crate::mux::{self, Frame};
use crate::version::ApiVersion;
use crate::websocket::{self, MessageKind, Side, WebSocketIo};

/// A stream of byte chunks (tar archives, raw output).
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;
/// A stream of JSON messages (events, progress); each item is one message.
pub type JsonStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;
/// A stream of stdout/stderr frames.
pub type FrameStream = Pin<Box<dyn Stream<Item = Frame> + Send>>;

/// Container output as logs send it: frames for a container without a TTY
/// (8-byte headers on the wire), raw bytes for one with a TTY.
pub enum LogStream {
    /// Frames tagged stdout or stderr (a container without a TTY).
    Multiplexed(FrameStream),
    /// The bytes as the TTY wrote them, stdout and stderr mixed.
    Raw(ByteStream),
}

/// What a hijacking operation (attach, exec start) does with the connection.
pub struct Hijack {
    tty: bool,
    run: HijackFn,
}

/// The boxed form of a hijack handler.
type HijackFn = Box<dyn FnOnce(Upgraded) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

impl Hijack {
    /// `run` gets the connection once the answer is sent: it reads the
    /// client's stdin from it and writes output to it (raw bytes when `tty`,
    /// frames encoded with [`mux::encode`] otherwise); returning closes it.
    pub fn new<F, Fut>(tty: bool, run: F) -> Hijack
    where
        F: FnOnce(Upgraded) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Hijack {
            tty,
            run: Box::new(move |io| Box::pin(run(io))),
        }
    }
}

/// The connection a [`Hijack`] handler gets: the upgraded socket; the
/// payloads of a WebSocket's messages (each write one message); or, for a
/// client that did not ask to upgrade, a pipe whose output becomes the
/// response body (and whose input is empty, as there is no stdin).
///
/// Over a WebSocket, a handler ends the session cleanly by shutting its
/// writes down (`AsyncWriteExt::shutdown`), which sends the Close message.
pub struct Upgraded(Io);

enum Io {
    Socket(TokioIo<hyper::upgrade::Upgraded>),
    WebSocket(Box<WebSocketIo<TokioIo<hyper::upgrade::Upgraded>>>),
    Pipe(DuplexStream),
}

impl AsyncRead for Upgraded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Io::Socket(s) => Pin::new(s).poll_read(cx, buf),
            Io::WebSocket(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            // No stdin without an upgrade: end of file at once.
            Io::Pipe(_) => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncWrite for Upgraded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().0 {
            Io::Socket(s) => Pin::new(s).poll_write(cx, buf),
            Io::WebSocket(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Io::Pipe(p) => Pin::new(p).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Io::Socket(s) => Pin::new(s).poll_flush(cx),
            Io::WebSocket(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Io::Pipe(p) => Pin::new(p).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Io::Socket(s) => Pin::new(s).poll_shutdown(cx),
            Io::WebSocket(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Io::Pipe(p) => Pin::new(p).poll_shutdown(cx),
        }
    }
}

/// Makes a `Send` stream `Sync` (response bodies must be) without locking:
/// the mutex is only ever reached through `&mut`.
struct SyncStream<S>(Mutex<S>);

impl<S: Stream + Unpin> Stream for SyncStream<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let inner = self
            .get_mut()
            .0
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.poll_next_unpin(cx)
    }
}

fn stream_body<S>(stream: S) -> Body
where
    S: Stream<Item = io::Result<Bytes>> + Send + Unpin + 'static,
{
    body::stream(SyncStream(Mutex::new(stream)))
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn typed(code: u16, content_type: &'static str, body: Body) -> Response<Body> {
    let mut resp = Response::new(body);
    *resp.status_mut() = status(code);
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// How to answer one request: knows its API version and, for hijacking
/// operations, whether and how the client asked to upgrade.
pub struct Reply {
    version: ApiVersion,
    upgrade: Option<OnUpgrade>,
    websocket: Option<Handshake>,
}

/// A request's WebSocket handshake (RFC 6455 section 4.2.1), when it asked
/// for `Upgrade: websocket`.
enum Handshake {
    /// The `Sec-WebSocket-Accept` to answer with.
    Valid(String),
    /// Why the handshake cannot be accepted (answered with 400).
    Invalid(&'static str),
}

impl Handshake {
    fn of(method: &Method, headers: &HeaderMap) -> Option<Handshake> {
        let asks = headers
            .get(UPGRADE)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
        if !asks {
            return None;
        }
        let connection_upgrade = headers.get_all(CONNECTION).iter().any(|v| {
            v.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|token| token.trim().eq_ignore_ascii_case("upgrade"))
            })
        });
        let key = headers.get(SEC_WEBSOCKET_KEY).map(HeaderValue::as_bytes);
        let version = headers
            .get(SEC_WEBSOCKET_VERSION)
            .map(HeaderValue::as_bytes);
        Some(if method != Method::GET {
            Handshake::Invalid("a WebSocket handshake must be a GET request")
        } else if !connection_upgrade {
            Handshake::Invalid("a WebSocket handshake needs `Connection: Upgrade`")
        } else if version != Some(websocket::VERSION.as_bytes()) {
            Handshake::Invalid("unsupported Sec-WebSocket-Version (13 is supported)")
        } else {
            // A base64 nonce of 16 bytes is 24 characters.
            match key {
                Some(key) if key.len() == 24 => Handshake::Valid(websocket::accept_key(key)),
                _ => Handshake::Invalid("missing or malformed Sec-WebSocket-Key"),
            }
        })
    }
}

impl Reply {
    /// The reply for `req`: a request with an `Upgrade` header can be taken
    /// over, and one with a WebSocket handshake answered with it.
    pub(super) fn new<B>(version: ApiVersion, req: &mut Request<B>) -> Reply {
        let websocket = Handshake::of(req.method(), req.headers());
        let upgrade = req
            .headers()
            .contains_key(UPGRADE)
            .then(|| hyper::upgrade::on(req));
        Reply {
            version,
            upgrade,
            websocket,
        }
    }

    /// A reply for a request that cannot be upgraded.
    pub fn plain(version: ApiVersion) -> Reply {
        Reply {
            version,
            upgrade: None,
            websocket: None,
        }
    }

    /// `value` as a JSON body with status `code`.
    pub fn json<T: serde::Serialize>(&self, code: u16, value: &T) -> Response<Body> {
        respond::json(status(code), value)
    }

    /// A JSON body that resolves later: the status line and headers go out
    /// at once, the value (or a 500-style `{"message"}` if it cannot be
    /// encoded) when it is ready.
    pub fn deferred_json<T>(&self, code: u16, value: Deferred<T>) -> Response<Body>
    where
        T: serde::Serialize + 'static,
    {
        let chunk = futures_util::stream::once(async move {
            let value = value.value().await;
            let mut out = Vec::new();
            serde_json::to_writer(&mut out, &value).map_err(io::Error::other)?;
            out.push(b'\n');
            Ok(Bytes::from(out))
        });
        typed(code, "application/json", stream_body(Box::pin(chunk)))
    }

    /// No body (204, 304, or a 200 the spec gives no content).
    pub fn empty(&self, code: u16) -> Response<Body> {
        respond::empty(status(code))
    }

    /// `text` as a `text/plain` body with status `code`.
    pub fn text(&self, code: u16, text: String) -> Response<Body> {
        typed(code, "text/plain; charset=utf-8", body::bytes(text))
    }

    /// The chunks of `stream`, sent as they come, with status `code` and
    /// `content_type` (a tar archive, a raw export).
    pub fn bytes(
        &self,
        code: u16,
        content_type: &'static str,
        stream: ByteStream,
    ) -> Response<Body> {
        typed(code, content_type, stream_body(stream))
    }

    /// One JSON message per item, each followed by a newline; an item that
    /// does not encode ends the stream with an error.
    pub fn json_stream<T>(&self, code: u16, stream: JsonStream<T>) -> Response<Body>
    where
        T: serde::Serialize + 'static,
    {
        let chunks = stream.map(|item| {
            let mut out = Vec::new();
            json_stream::encode(&item, &mut out)
                .map(|()| Bytes::from(out))
                .map_err(io::Error::other)
        });
        typed(code, "application/json", stream_body(chunks))
    }

    /// Logs: frames are encoded with their headers. The content type is
    /// dockerd's: multiplexed-stream for frames from API 1.42 on, else
    /// raw-stream.
    pub fn logs(&self, code: u16, logs: LogStream) -> Response<Body> {
        match logs {
            LogStream::Raw(stream) => typed(code, RAW_STREAM, stream_body(stream)),
            LogStream::Multiplexed(frames) => {
                let chunks = frames.map(|f| {
                    let mut out = BytesMut::new();
                    mux::encode(f.stream, &f.data, &mut out);
                    Ok(out.freeze())
                });
                typed(code, self.stream_type(false), stream_body(chunks))
            }
        }
    }

    fn stream_type(&self, tty: bool) -> &'static str {
        if tty || self.version < ApiVersion::new(1, 42) {
            RAW_STREAM
        } else {
            MULTIPLEXED_STREAM
        }
    }

    /// Attach / exec start. A client that sent `Upgrade: tcp` gets 101 and
    /// the handler gets the raw connection. Any other client gets a normal
    /// answer (`code`, or 200 for a 101) whose streamed body is what the
    /// handler writes, and an empty stdin.
    pub fn hijack(self, code: u16, hijack: Hijack) -> Response<Body> {
        let content_type = self.stream_type(hijack.tty);
        let run = hijack.run;
        if let Some(upgrade) = self.upgrade {
            tokio::spawn(async move {
                match upgrade.await {
                    Ok(io) => run(Upgraded(Io::Socket(TokioIo::new(io)))).await,
                    Err(e) => tracing::debug!("the connection was not upgraded: {e}"),
                }
            });
            return respond::switching_protocols(content_type);
        }
        piped(code, content_type, run)
    }

    /// Attach over WebSocket. A client with a valid WebSocket handshake
    /// gets 101 with its `Sec-WebSocket-Accept`, and the handler gets the
    /// messages' payloads as its input and writes whose bytes go out as
    /// binary messages (text ones for API versions before 1.42), never
    /// multiplexed. A broken handshake gets 400. A client without one gets
    /// a normal answer (`code`, or 200 for a 101) whose streamed body is
    /// what the handler writes, as [`Reply::hijack`] does.
    pub fn websocket(self, code: u16, hijack: Hijack) -> Response<Body> {
        let run = hijack.run;
        let accept = match (self.websocket, self.upgrade) {
            (None, _) => return piped(code, RAW_STREAM, run),
            (Some(Handshake::Invalid(why)), _) => {
                return respond::error(StatusCode::BAD_REQUEST, why)
            }
            (Some(Handshake::Valid(accept)), Some(upgrade)) => {
                let kind = MessageKind::for_version(self.version);
                tokio::spawn(async move {
                    match upgrade.await {
                        Ok(io) => {
                            let ws = WebSocketIo::new(TokioIo::new(io), Side::Server, kind).await;
                            run(Upgraded(Io::WebSocket(Box::new(ws)))).await
                        }
                        Err(e) => tracing::debug!("the connection was not upgraded: {e}"),
                    }
                });
                accept
            }
            // A reply made without its request (`Reply::plain`).
            (Some(Handshake::Valid(_)), None) => {
                return respond::error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "this answer cannot upgrade the connection",
                )
            }
        };
        let mut resp = Response::new(body::empty());
        *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let h = resp.headers_mut();
        h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
        h.insert(UPGRADE, HeaderValue::from_static("websocket"));
        if let Ok(accept) = HeaderValue::try_from(accept) {
            h.insert(SEC_WEBSOCKET_ACCEPT, accept);
        }
        resp
    }
}

/// The answer to a hijacking request that did not upgrade: `run` writes
/// into a pipe whose other end is the streamed body (of `code`, or 200 for
/// a 101); it reads an empty stdin.
fn piped(code: u16, content_type: &'static str, run: HijackFn) -> Response<Body> {
    let (handler_end, body_end) = tokio::io::duplex(64 * 1024);
    tokio::spawn(run(Upgraded(Io::Pipe(handler_end))));
    let chunks = futures_util::stream::unfold(body_end, |mut pipe| async move {
        let mut buf = BytesMut::with_capacity(16 * 1024);
        match pipe.read_buf(&mut buf).await {
            Ok(0) => None,
            Ok(_) => Some((Ok(buf.freeze()), pipe)),
            Err(e) => Some((Err(e), pipe)),
        }
    });
    let code = if code == 101 { 200 } else { code };
    typed(code, content_type, stream_body(Box::pin(chunks)))
}

/// Sets a documented response header when the handler gave a value.
pub fn header<V: ToString>(resp: &mut Response<Body>, name: &'static str, value: Option<V>) {
    let Some(value) = value else { return };
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::try_from(value.to_string()),
    ) {
        resp.headers_mut().insert(name, value);
    }
}
