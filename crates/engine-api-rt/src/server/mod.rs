//! The server's engine room, independent of the spec: listeners, the
//! accept loop with HTTP/1 upgrades and graceful shutdown, the Engine API's
//! version prefix rules, the headers Docker servers send, and response
//! builders (JSON, errors, streams, hijacked connections, WebSockets). The
//! generated router implements [`HttpService`] on top of this.

pub mod auth;
pub mod deferred;
pub mod json;
mod listener;
pub mod peer;
pub mod prepared;
pub mod reply;
pub mod request;
pub mod respond;
pub mod route;
pub mod rt;
mod unread;
pub mod version_prefix;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};

pub use deferred::Deferred;
pub use listener::{Listener, ServerTls, UnixBindError};
pub use peer::Peer;
pub use prepared::Prepared;
pub use reply::{ByteStream, FrameStream, Hijack, JsonStream, LogStream, Reply, Upgraded};
pub use request::{BodyStream, Ctx, BODY_LIMIT};

use super::body::Body;

/// What a server says about itself in every response's headers.
#[derive(Clone, Debug)]
pub struct ServerInfo {
    /// The `Server` header, e.g. `engined/0.1.0 (linux)`.
    pub server: String,
    /// `Ostype`.
    pub os_type: String,
    /// `Docker-Experimental`.
    pub experimental: bool,
}

/// Anything that answers requests: the generated router is one.
pub trait HttpService: Send + Sync + 'static {
    /// Answers one request. Failures are answers too (an error status
    /// and body), so there is no error type.
    fn call(
        &self,
        req: Request<Incoming>,
    ) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + '_>>;
}

/// How long in-flight connections get to finish after shutdown is asked.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's line and headers (also
/// how long an idle keep-alive connection stays open): a client that
/// opens the socket and sends half a request holds nothing past this.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The most bytes a request's line and headers may take (Go's default,
/// as dockerd has it; a large `X-Registry-Config` still fits). Bigger
/// heads are answered 431.
pub const MAX_HEADER_BYTES: usize = 1 << 20;

/// How long a TLS client may take to finish its handshake.
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest pause after a failed accept (the process out of file
/// descriptors, say): the loop backs off instead of spinning.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Accepts connections on `listener` until `shutdown` completes, then
/// stops accepting and waits (up to [`SHUTDOWN_GRACE`]) for open requests.
/// Every request carries its connection's [`Peer`] in its extensions.
pub async fn serve<S: HttpService>(
    listener: Listener,
    service: Arc<S>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    let mut backoff = Duration::ZERO;
    let address: Arc<str> = listener.local_addr().into();
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            conn = accept(&listener) => conn,
        };
        // Reap finished connection tasks so the set does not grow.
        while connections.try_join_next().is_some() {}
        let accepted = match accepted {
            Ok(accepted) => {
                backoff = Duration::ZERO;
                accepted
            }
            Err(e) => {
                // Not fatal for the server, but what failed (no file
                // descriptors left) may fail again at once: wait a while,
                // longer each time, still listening for the shutdown.
                backoff = (backoff * 2).clamp(Duration::from_millis(5), ACCEPT_BACKOFF_MAX);
                tracing::warn!("accept failed: {e}; retrying in {backoff:?}");
                tokio::select! {
                    _ = &mut shutdown => break,
                    _ = tokio::time::sleep(backoff) => continue,
                }
            }
        };
        let service = service.clone();
        let address = address.clone();
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            // A TLS handshake happens here, not in the accept loop, so a
            // client that stalls it stalls only itself.
            let (conn, certificates) = match accepted.finish().await {
                Ok(done) => done,
                Err(e) => {
                    tracing::debug!("connection not set up: {e}");
                    return;
                }
            };
            let peer = Peer::new(address, certificates);
            let handler = service_fn(move |mut req: Request<Incoming>| {
                let service = service.clone();
                req.extensions_mut().insert(peer.clone());
                async move { Ok::<_, std::convert::Infallible>(service.call(req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_buf_size(MAX_HEADER_BYTES)
                .serve_connection(TokioIo::new(conn), handler)
                .with_upgrades();
            tokio::pin!(conn);
            let result = tokio::select! {
                r = conn.as_mut() => r,
                _ = stopped(&mut stop) => {
                    // Finish the request in flight, then close.
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!("connection ended with an error: {e}");
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        tracing::warn!("connections still open after {SHUTDOWN_GRACE:?}; closing anyway");
        connections.abort_all();
    }
    Ok(())
}

/// Resolves once shutdown has been asked (or the server is gone).
async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// One accepted connection of any listener kind.
type Conn = Box<dyn AsyncIo>;
trait AsyncIo: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> AsyncIo for T {}

/// A connection as accepted: ready, or with its TLS handshake to do.
enum Accepted {
    Ready(Conn),
    Tls(tokio::net::TcpStream, tokio_rustls::TlsAcceptor),
}

impl Accepted {
    /// The connection ready for HTTP (after the TLS handshake, bounded by
    /// [`TLS_HANDSHAKE_TIMEOUT`]) and the client certificate chain the
    /// handshake verified (empty without TLS).
    async fn finish(self) -> io::Result<(Conn, Vec<Vec<u8>>)> {
        match self {
            Accepted::Ready(conn) => Ok((conn, Vec::new())),
            Accepted::Tls(stream, acceptor) => {
                let tls = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                    .await
                    .map_err(|_| {
                        io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out")
                    })??;
                let certificates = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .map(|chain| chain.iter().map(|c| c.as_ref().to_vec()).collect())
                    .unwrap_or_default();
                Ok((Box::new(tls), certificates))
            }
        }
    }
}

async fn accept(listener: &Listener) -> io::Result<Accepted> {
    match listener {
        Listener::Unix(l, _) => Ok(Accepted::Ready(Box::new(l.accept().await?.0))),
        Listener::Tcp(l) => {
            let (s, _) = l.accept().await?;
            // A client gone already fails later, on its own connection.
            let _ = s.set_nodelay(true);
            Ok(Accepted::Ready(Box::new(s)))
        }
        Listener::Tls(l, acceptor) => {
            let (s, _) = l.accept().await?;
            // A client gone already fails later, on its own connection.
            let _ = s.set_nodelay(true);
            Ok(Accepted::Tls(s, acceptor.clone()))
        }
    }
}
