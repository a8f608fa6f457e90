//! The client's connection pool: HTTP/1 connections to one daemon over
//! hyper's `client::conn::http1`, opened by the transport's [`Connector`].
//!
//! Every connection runs in a task of its own (with upgrades, so attach,
//! exec and WebSocket can take the socket over). A request takes the most
//! recently used connection that hyper reports ready (its previous answer
//! was read to the end), or opens a new one: a caller never waits for a
//! busy connection. A connection goes back to the list as soon as its
//! request is handed to hyper, and serves again only once hyper says it
//! is ready; closed ones, and ones unused for [`IDLE_TIMEOUT`], are
//! dropped. A request that hyper hands back unsent (the reused connection
//! closed before it wrote anything, so no body was polled) is sent once
//! more on a new connection. Dropping a call's future drops hyper's
//! request future: hyper closes that connection, which is then never
//! reused.
//!
//! A streamed answer that the caller reads to its end (a container's
//! output) can instead come on a new connection polled by its reader
//! ([`Pool::send_read_by_caller`], see [`super::driven`]), which joins
//! the list when the answer has been read.

use std::future::Future;
use std::io;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::client::conn::TrySendError;
use hyper::{Request, Response, Uri};
use hyper_util::rt::TokioIo;

use super::connector::Connector;
use super::driven::{Driven, Driver, Slot};
use super::Body;

/// How long an idle connection is kept for reuse.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the pool could not get an answer's head.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PoolError {
    /// The connection could not be opened (socket, TLS, ssh, dialer).
    #[error("cannot connect")]
    Connect(#[source] io::Error),
    /// The new connection did not set up HTTP/1.
    #[error("HTTP/1 handshake")]
    Handshake(#[source] hyper::Error),
    /// The exchange failed after the connection was made.
    #[error("request failed")]
    Request(#[source] hyper::Error),
}

/// A connection in the list, with when it was last handed a request or
/// seen busy: its idle time counts from then (at most its real idle time,
/// so it never outlives [`IDLE_TIMEOUT`] idle).
struct Pooled {
    sender: SendRequest<Body>,
    since: Instant,
}

/// Connections to one daemon.
pub(crate) struct Pool {
    connector: Connector,
    /// [`IDLE_TIMEOUT`], shorter in tests.
    idle_timeout: Duration,
    /// Most recently used last.
    conns: Arc<Mutex<Vec<Pooled>>>,
}

/// Where a connection that was read by its caller goes back to: the
/// pool's list, if the pool is still there.
struct Home(Weak<Mutex<Vec<Pooled>>>);

impl Home {
    /// Puts `sender`'s connection back in the list.
    fn give_back(&self, sender: SendRequest<Body>) {
        if let Some(conns) = self.0.upgrade() {
            check_in(&conns, sender);
        }
    }
}

/// Puts `sender`'s connection in `conns` unless it is closed (it serves
/// again once hyper says it is ready).
fn check_in(conns: &Mutex<Vec<Pooled>>, sender: SendRequest<Body>) {
    if sender.is_closed() {
        return;
    }
    if let Ok(mut conns) = conns.lock() {
        conns.push(Pooled {
            sender,
            since: Instant::now(),
        });
    }
}

type Sent = Result<Response<Incoming>, TrySendError<Request<Body>>>;

impl Pool {
    pub(crate) fn new(connector: Connector) -> Self {
        Pool {
            connector,
            idle_timeout: IDLE_TIMEOUT,
            conns: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Sends `req` and waits for the answer's head; the body is read
    /// through the response.
    pub(crate) async fn send(
        &self,
        mut req: Request<Body>,
    ) -> Result<Response<Incoming>, PoolError> {
        origin_form(&mut req);
        if let Some(sender) = self.checkout() {
            match self.send_on(sender, req).await {
                Ok(resp) => return Ok(resp),
                Err(mut e) => match e.take_message() {
                    // Never written: safe to send again, once.
                    Some(unsent) => req = unsent,
                    None => return Err(PoolError::Request(e.into_error())),
                },
            }
        }
        let sender = self.connect().await?;
        self.send_on(sender, req)
            .await
            .map_err(|e| PoolError::Request(e.into_error()))
    }

    /// Sends `req` on a new connection whose future the reader of the
    /// answer polls ([`super::driven`]): the answer carries it in its
    /// extensions until [`super::driven::AnswerBody`] takes it. Where a new
    /// connection is not cheap (TLS, ssh, a dialer), an ordinary
    /// [`Pool::send`].
    pub(crate) async fn send_read_by_caller(
        &self,
        mut req: Request<Body>,
    ) -> Result<Response<Incoming>, PoolError> {
        if !self.connector.opens_cheaply() {
            return self.send(req).await;
        }
        origin_form(&mut req);
        let (mut sender, mut driver) = self.open().await?;
        let mut sent = std::pin::pin!(sender.send_request(req));
        let mut driving = true;
        // The head, with the connection polled beside the request; its end
        // (or failure) reaches the request, which then says why.
        let mut resp = std::future::poll_fn(|cx| {
            if driving && driver.as_mut().poll(cx).is_ready() {
                driving = false;
            }
            sent.as_mut().poll(cx)
        })
        .await
        .map_err(PoolError::Request)?;
        if driving {
            let home = Home(Arc::downgrade(&self.conns));
            let give_back = Box::new(move |sender| home.give_back(sender));
            let slot = Slot::new(Driven::new(driver, sender, give_back));
            resp.extensions_mut().insert(slot);
        }
        Ok(resp)
    }

    /// Hands `req` to hyper on `sender` and puts the connection back in
    /// the list (busy until hyper says it is ready again).
    fn send_on(
        &self,
        mut sender: SendRequest<Body>,
        req: Request<Body>,
    ) -> impl Future<Output = Sent> + Send + 'static {
        let sent = sender.try_send_request(req);
        check_in(&self.conns, sender);
        sent
    }

    /// The most recently used ready connection, dropping closed and
    /// expired ones on the way.
    fn checkout(&self) -> Option<SendRequest<Body>> {
        let mut conns = self.conns.lock().ok()?;
        if conns.is_empty() {
            return None;
        }
        let now = Instant::now();
        conns.retain_mut(|c| {
            if c.sender.is_closed() {
                return false;
            }
            if !c.sender.is_ready() {
                // Busy with an answer: not idle (yet).
                c.since = now;
                return true;
            }
            now.saturating_duration_since(c.since) < self.idle_timeout
        });
        let at = conns.iter().rposition(|c| c.sender.is_ready())?;
        Some(conns.remove(at).sender)
    }

    /// A new connection: its sender and the future that runs it.
    async fn open(&self) -> Result<(SendRequest<Body>, Driver), PoolError> {
        let stream = self.connector.connect().await.map_err(PoolError::Connect)?;
        let (sender, conn) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(PoolError::Handshake)?;
        Ok((sender, Box::pin(conn.with_upgrades())))
    }

    /// A new connection, its task spawned.
    async fn connect(&self) -> Result<SendRequest<Body>, PoolError> {
        let (sender, driver) = self.open().await?;
        tokio::spawn(async move {
            // Its end (or failure) reaches the request and body waiting
            // on it; nothing else to tell.
            let _ = driver.await;
        });
        Ok(sender)
    }

    /// How many connections the list holds (busy or idle), for tests.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.conns.lock().map(|c| c.len()).unwrap_or(0)
    }
}

/// Requests go out in origin form (`/path?query`): an absolute URI keeps
/// only its path and query (its authority is in the Host header).
fn origin_form(req: &mut Request<Body>) {
    if req.uri().scheme().is_none() && req.uri().authority().is_none() {
        return;
    }
    let origin = match req.uri().path_and_query() {
        Some(pq) if pq.as_str() != "" => Uri::from(pq.clone()),
        _ => Uri::from_static("/"),
    };
    *req.uri_mut() = origin;
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use hyper::header::{HeaderValue, HOST};
    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
    use tokio::net::{UnixListener, UnixStream};
    use tokio::sync::mpsc;

    use super::*;
    use crate::client::{body, read_limited, ClientError, TransportBuilder};

    /// What the test server does with the requests of one connection.
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        /// Answers every request, keeping the connection open.
        Answer,
        /// Answers one request, then closes the connection.
        Close,
        /// Reads requests and never answers.
        Silent,
        /// Answers every request with [`BIG`] bytes, keeping the
        /// connection open.
        Big,
    }

    /// The length of a [`Mode::Big`] answer's body.
    const BIG: usize = 4 << 20;

    /// What the server saw: a request head, or a connection's end.
    #[derive(Debug, PartialEq)]
    enum Seen {
        Request(usize),
        Closed(usize),
    }

    struct Server {
        path: PathBuf,
        accepts: Arc<AtomicUsize>,
        seen: mpsc::UnboundedReceiver<Seen>,
    }

    fn socket_path(name: &str) -> PathBuf {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        std::env::temp_dir().join(format!("pool-{name}-{}-{n}.sock", std::process::id()))
    }

    /// A unix-socket HTTP/1 server whose connection number `i` (from 0)
    /// behaves as `mode(i)`; answers wait `delay` before being written.
    fn serve(name: &str, delay: Duration, mode: fn(usize) -> Mode) -> Server {
        let path = socket_path(name);
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).unwrap();
        let accepts = Arc::new(AtomicUsize::new(0));
        let (tx, seen) = mpsc::unbounded_channel();
        let counter = accepts.clone();
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let i = counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(handle(conn, i, mode(i), delay, tx.clone()));
            }
        });
        Server {
            path,
            accepts,
            seen,
        }
    }

    async fn handle(
        mut conn: UnixStream,
        i: usize,
        mode: Mode,
        delay: Duration,
        seen: mpsc::UnboundedSender<Seen>,
    ) {
        let mut buf = Vec::new();
        loop {
            let end = loop {
                if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(at + 4);
                }
                let mut chunk = [0u8; 1024];
                match conn.read(&mut chunk).await {
                    Ok(0) | Err(_) => break None,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            };
            let Some(end) = end else {
                let _ = seen.send(Seen::Closed(i));
                return;
            };
            buf.drain(..end);
            let _ = seen.send(Seen::Request(i));
            if mode == Mode::Silent {
                continue;
            }
            tokio::time::sleep(delay).await;
            let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nOK";
            let written = if mode == Mode::Big {
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {BIG}\r\n\r\n");
                let mut answer = head.into_bytes();
                answer.resize(answer.len() + BIG, b'x');
                conn.write_all(&answer).await
            } else {
                conn.write_all(answer).await
            };
            if written.is_err() {
                return;
            }
            if mode == Mode::Close {
                return;
            }
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    fn get() -> Request<Body> {
        let mut req = Request::get("/_ping").body(body::empty()).unwrap();
        req.headers_mut()
            .insert(HOST, HeaderValue::from_static("api.moby.localhost"));
        req
    }

    async fn call(pool: &Pool) -> Result<Bytes, String> {
        let resp = pool.send(get()).await.map_err(|e| e.to_string())?;
        read_limited(resp.into_body(), 1024)
            .await
            .map_err(|e| e.to_string())
    }

    use bytes::Bytes;

    /// A streamed answer comes on a connection that only its reader
    /// drives (held and not polled, the body does not move; dropped, it
    /// runs on its own), and the connection joins the pool once the answer
    /// is read, where the next call finds it.
    #[tokio::test]
    async fn a_streamed_answer_is_driven_by_its_reader_then_pooled() {
        use futures_util::StreamExt;
        use http_body_util::BodyExt;
        let server = serve("driven", Duration::ZERO, |_| Mode::Big);
        let pool = Pool::new(Connector::Unix(server.path.clone()));

        let mut resp = pool.send_read_by_caller(get()).await.unwrap();
        let held = super::super::driven::take(&mut resp).expect("a driven connection");
        let mut body = resp.into_body();
        let mut early = 0;
        let stalled = Duration::from_millis(200);
        while let Ok(Some(frame)) = tokio::time::timeout(stalled, body.frame()).await {
            early += frame.unwrap().into_data().map_or(0, |d| d.len());
        }
        assert!(early < BIG, "the body moved with nobody driving it");
        drop(held);
        let rest = body.collect().await.unwrap().to_bytes();
        assert_eq!(early + rest.len(), BIG);

        let resp = pool.send_read_by_caller(get()).await.unwrap();
        let body = super::super::driven::AnswerBody::new(resp);
        let mut chunks = super::super::answer::BodyChunks(body);
        let read = async {
            let mut got = 0;
            while let Some(chunk) = chunks.next().await {
                got += chunk.unwrap().len();
            }
            got
        };
        let got = tokio::time::timeout(Duration::from_secs(10), read).await;
        assert_eq!(got.ok(), Some(BIG), "read through the reader's own driving");
        drop(chunks);
        assert_eq!(server.accepts.load(Ordering::SeqCst), 2);
        assert_eq!(pool.len(), 2);
        for _ in 0..3 {
            let resp = pool.send(get()).await.unwrap();
            assert_eq!(
                read_limited(resp.into_body(), BIG).await.unwrap().len(),
                BIG
            );
        }
        assert_eq!(server.accepts.load(Ordering::SeqCst), 2);
    }

    /// On one thread: with more, a call may come back before the task of
    /// its previous connection has seen that answer's end, and opens a
    /// second connection (as hyper_util's pool did).
    #[tokio::test]
    async fn sequential_calls_share_one_connection() {
        let server = serve("reuse", Duration::ZERO, |_| Mode::Answer);
        let pool = Pool::new(Connector::Unix(server.path.clone()));
        for _ in 0..200 {
            assert_eq!(call(&pool).await.unwrap(), "OK");
        }
        assert_eq!(server.accepts.load(Ordering::SeqCst), 1);
        assert_eq!(pool.len(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_connection_the_daemon_closed_is_not_reused() {
        let server = serve("closed", Duration::ZERO, |_| Mode::Close);
        let pool = Pool::new(Connector::Unix(server.path.clone()));
        for _ in 0..3 {
            assert_eq!(call(&pool).await.unwrap(), "OK");
            // The daemon's close reaches the idle connection.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(server.accepts.load(Ordering::SeqCst), 3);
        assert!(pool.len() <= 1, "closed connections are dropped");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_calls_open_at_most_one_connection_each() {
        let server = serve("concurrent", Duration::from_millis(20), |_| Mode::Answer);
        let pool = Arc::new(Pool::new(Connector::Unix(server.path.clone())));
        for _ in 0..2 {
            let calls: Vec<_> = (0..16)
                .map(|_| {
                    let pool = pool.clone();
                    tokio::spawn(async move { call(&pool).await })
                })
                .collect();
            for c in calls {
                assert_eq!(c.await.unwrap().unwrap(), "OK");
            }
        }
        let accepts = server.accepts.load(Ordering::SeqCst);
        assert!((2..=16).contains(&accepts), "{accepts} connections");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_daemon_that_never_answers_times_out() {
        let server = serve("silent", Duration::ZERO, |_| Mode::Silent);
        let transport = TransportBuilder::new(crate::host::Host::Unix(server.path.clone()))
            .version(crate::version::ApiVersion::new(1, 44))
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let req = transport
            .request(hyper::Method::GET, "/_ping", None)
            .unwrap()
            .body(body::empty())
            .unwrap();
        let err = transport.send(req).await.unwrap_err();
        assert!(
            matches!(err, ClientError::Timeout(t) if t == Duration::from_millis(200)),
            "{err:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_call_closes_its_connection() {
        // The first connection never answers; later ones do.
        let mut server = serve("cancel", Duration::ZERO, |i| {
            if i == 0 {
                Mode::Silent
            } else {
                Mode::Answer
            }
        });
        let pool = Pool::new(Connector::Unix(server.path.clone()));
        {
            let pending = pool.send(get());
            tokio::pin!(pending);
            tokio::select! {
                _ = &mut pending => panic!("the silent server answered"),
                seen = server.seen.recv() => assert_eq!(seen, Some(Seen::Request(0))),
            }
        }
        // Dropping the call closed its connection...
        let closed = tokio::time::timeout(Duration::from_secs(5), server.seen.recv()).await;
        assert_eq!(closed.unwrap(), Some(Seen::Closed(0)));
        // ...so the next call opens another one.
        assert_eq!(call(&pool).await.unwrap(), "OK");
        assert_eq!(server.accepts.load(Ordering::SeqCst), 2);
    }

    /// Answers one request on `conn`, then keeps it open in `held`.
    async fn answer_once(mut conn: DuplexStream, held: Arc<Mutex<Vec<DuplexStream>>>) {
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            match conn.read(&mut byte).await {
                Ok(1) => head.push(byte[0]),
                _ => return,
            }
        }
        let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nOK";
        if conn.write_all(answer).await.is_ok() {
            held.lock().unwrap().push(conn);
        }
    }

    /// The daemon closes an idle connection just as a request is handed
    /// to it: hyper gives the request back unsent, and it goes out once
    /// more on a new connection.
    #[tokio::test]
    async fn a_request_handed_back_unsent_goes_out_on_a_new_connection() {
        let held = Arc::new(Mutex::new(Vec::new()));
        let dials = Arc::new(AtomicUsize::new(0));
        let dial = crate::client::dial_fn({
            let (held, dials) = (held.clone(), dials.clone());
            move || {
                dials.fetch_add(1, Ordering::SeqCst);
                let (client, server) = tokio::io::duplex(4096);
                tokio::spawn(answer_once(server, held.clone()));
                async move { Ok(client) }
            }
        });
        let pool = Pool::new(Connector::Custom(Arc::new(dial)));
        assert_eq!(call(&pool).await.unwrap(), "OK");
        for _ in 0..100 {
            if pool
                .conns
                .lock()
                .unwrap()
                .iter()
                .any(|c| c.sender.is_ready())
            {
                break;
            }
            tokio::task::yield_now().await;
        }
        {
            let conns = pool.conns.lock().unwrap();
            assert!(conns.len() == 1 && conns[0].sender.is_ready() && !conns[0].sender.is_closed());
        }
        // The daemon's side goes away; the pool has not seen it yet.
        held.lock().unwrap().clear();
        assert_eq!(call(&pool).await.unwrap(), "OK");
        assert_eq!(dials.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn idle_connections_expire_and_busy_ones_finish_their_answer() {
        let server = serve("expire", Duration::from_millis(300), |_| Mode::Answer);
        let mut pool = Pool::new(Connector::Unix(server.path.clone()));
        pool.idle_timeout = Duration::from_millis(100);
        let pool = Arc::new(pool);
        let first = tokio::spawn({
            let pool = pool.clone();
            async move { call(&pool).await }
        });
        // Busy for longer than the idle timeout: kept, and not waited for.
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(call(&pool).await.unwrap(), "OK");
        assert_eq!(first.await.unwrap().unwrap(), "OK");
        assert_eq!(server.accepts.load(Ordering::SeqCst), 2);
        assert_eq!(pool.len(), 2);
        // Both idle past the timeout: neither is reused.
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(call(&pool).await.unwrap(), "OK");
        assert_eq!(server.accepts.load(Ordering::SeqCst), 3);
        assert_eq!(pool.len(), 1);
    }

    #[test]
    fn absolute_uris_go_out_in_origin_form() {
        let mut req = Request::get("http://api.moby.localhost/v1.44/version?x=1")
            .body(body::empty())
            .unwrap();
        origin_form(&mut req);
        assert_eq!(req.uri(), "/v1.44/version?x=1");
        let mut req = Request::get("/_ping").body(body::empty()).unwrap();
        origin_form(&mut req);
        assert_eq!(req.uri(), "/_ping");
    }
}
