//! The client's engine room, independent of the spec: connecting (unix,
//! tcp, TLS with the feature `tls`, ssh, or a [`Dial`] of the user's; chosen from the environment
//! and the docker CLI's contexts as the CLI does), a pool of HTTP/1 connections,
//! lazy one-time version negotiation through `/_ping`, a User-Agent and
//! default headers, per-call timeouts, error decoding, and response bodies
//! as JSON, JSON streams (whose error lines become errors), demultiplexed
//! frames, raw byte streams, hijacked connections or WebSockets. The
//! generated client builds each request and hands it to [`Transport`].
//! Dropping a call's future cancels it: the request's connection is closed
//! and never goes back to the pool.

pub mod answer;
mod api_client;
mod attach;
mod auth;
mod call;
mod connector;
mod dial;
mod driven;
mod error;
mod logs;
mod pool;
#[cfg(feature = "ssh")]
mod ssh;
mod tls;
#[cfg(feature = "websocket")]
mod websocket;

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, HOST, USER_AGENT};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::OnceCell;

pub use answer::{ByteStream, JsonStream};
pub use api_client::{Client, ClientBuilder};
pub use attach::Attached;
pub use auth::encode_auth;
pub use call::Call;
pub use connector::Stream as Connection;
pub use dial::{dial_fn, Dial, DialFn, DialFuture, Io};
pub use driven::AnswerBody;
pub use error::ClientError;
pub use logs::{decode_output, Framing, LogOutput, LogStream};
pub use tls::TlsFiles;

/// What generated calls name through this module.
pub use super::query::{encode, Filters};
/// Header names and values for [`ClientBuilder::header`] and
/// [`Client::with_header`].
pub use hyper::header;
pub use hyper::Method;

use connector::Connector;
use pool::Pool;

pub use super::body::Body;
use super::error::ApiError;
pub use super::host::{Endpoint, EnvConfig, Host, SshHost};
use super::json_stream::{decode_checked, Checked, CheckedError};
use super::mux;
use super::version::ApiVersion;

/// The User-Agent every request carries unless replaced:
/// `engine-api/<version of this crate>`.
pub const USER_AGENT_VALUE: &str = concat!("engine-api/", env!("CARGO_PKG_VERSION"));

/// Where a transport's connections go.
#[derive(Clone)]
enum Target {
    Endpoint(Endpoint),
    Custom(Arc<dyn Dial>),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Endpoint(e) => e.fmt(f),
            Target::Custom(_) => f.write_str("a custom dialer"),
        }
    }
}

/// How a [`Transport`] is set up.
#[derive(Clone)]
pub struct TransportBuilder {
    target: Target,
    tls: Option<TlsFiles>,
    version: Option<ApiVersion>,
    timeout: Duration,
    headers: HeaderMap,
    ssh_options: Vec<String>,
    unverified: bool,
}

impl std::fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let target = self.target.to_string();
        f.debug_struct("TransportBuilder")
            .field("target", &target)
            .field("tls", &self.tls)
            .field("version", &self.version)
            .field("timeout", &self.timeout)
            .field("headers", &self.headers)
            .field("ssh_options", &self.ssh_options)
            .field("unverified", &self.unverified)
            .finish()
    }
}

/// The default per-call timeout for the response head (streams that follow
/// may run longer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// The authority of requests over a socket that is not TCP: a name that
/// resolves nowhere, as the docker CLI sends.
const LOCAL_AUTHORITY: &str = "api.moby.localhost";

fn config_err(e: impl std::fmt::Display) -> ClientError {
    ClientError::Config(e.to_string())
}

impl TransportBuilder {
    fn with_target(target: Target) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        TransportBuilder {
            target,
            tls: None,
            version: None,
            timeout: DEFAULT_TIMEOUT,
            headers,
            ssh_options: Vec::new(),
            unverified: false,
        }
    }

    /// Talks to `host` without TLS, negotiating the API version, with
    /// [`DEFAULT_TIMEOUT`].
    pub fn new(host: Host) -> Self {
        Self::endpoint(Endpoint::Host(host))
    }

    /// Talks to `endpoint` (a host, or `ssh://` with the feature `ssh`).
    pub fn endpoint(endpoint: Endpoint) -> Self {
        Self::with_target(Target::Endpoint(endpoint))
    }

    /// Opens every connection with `dial`: an in-memory server in tests, a
    /// proxy, any byte stream that speaks HTTP/1 like a daemon.
    pub fn dial(dial: impl Dial) -> Self {
        Self::with_target(Target::Custom(Arc::new(dial)))
    }

    /// Speak TLS with these files (tcp hosts only).
    pub fn tls(mut self, files: TlsFiles) -> Self {
        self.tls = Some(files);
        self
    }

    /// Speak TLS to a tcp host WITHOUT verifying the daemon's certificate
    /// (anyone on the path can pretend to be the daemon): what the docker
    /// CLI's `--tls` without `--tlsverify` does, never chosen implicitly.
    /// The files given to [`TransportBuilder::tls`], if any, only supply
    /// the client certificate.
    pub fn danger_tls_without_verification(mut self) -> Self {
        self.unverified = true;
        self
    }

    /// Pin the API version instead of negotiating it.
    pub fn version(mut self, version: ApiVersion) -> Self {
        self.version = Some(version);
        self
    }

    /// How long each call waits for the response head (instead of
    /// [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Replaces the User-Agent ([`USER_AGENT_VALUE`] by default).
    pub fn user_agent(mut self, value: HeaderValue) -> Self {
        self.headers.insert(USER_AGENT, value);
        self
    }

    /// A header every request carries (replacing one of the same name set
    /// before); a call's own headers win over it.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Options for the ssh client of an `ssh://` endpoint, put before the
    /// destination (`["-i", "key", "-o", "UserKnownHostsFile=known"]`).
    pub fn ssh_options<I, S>(mut self, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ssh_options = options.into_iter().map(Into::into).collect();
        self
    }

    /// From what the environment and the docker CLI's files say (see
    /// [`EnvConfig`]).
    pub fn from_config(env: EnvConfig) -> Self {
        let mut b = TransportBuilder::endpoint(env.endpoint);
        if env.tls_verify {
            b = b.tls(TlsFiles::in_dir(&env.cert_path));
        }
        if let Some(v) = env.api_version {
            b = b.version(v);
        }
        b
    }

    /// As the docker CLI chooses: DOCKER_HOST, DOCKER_CONTEXT or the CLI's
    /// current context, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH,
    /// DOCKER_API_VERSION, then podman's sockets (see [`EnvConfig`]).
    pub fn from_env() -> Result<Self, ClientError> {
        Ok(Self::from_config(
            EnvConfig::from_env().map_err(config_err)?,
        ))
    }

    /// The transport; fails (without connecting) when TLS is asked for a
    /// host that cannot have it, the certificate files cannot be read, or
    /// the endpoint needs what this build lacks (`ssh`, unix sockets).
    pub fn build(self) -> Result<Transport, ClientError> {
        let name = self.target.to_string();
        let no_tls = |what: &str| {
            if self.tls.is_some() || self.unverified {
                Err(ClientError::Config(format!(
                    "TLS needs a tcp:// host, not {what}"
                )))
            } else {
                Ok(())
            }
        };
        let (connector, authority) = match &self.target {
            Target::Custom(dial) => {
                no_tls("a custom dialer")?;
                (Connector::Custom(dial.clone()), LOCAL_AUTHORITY.to_string())
            }
            Target::Endpoint(Endpoint::Host(Host::Unix(path))) => {
                no_tls("a unix socket")?;
                (unix_connector(path)?, LOCAL_AUTHORITY.to_string())
            }
            Target::Endpoint(Endpoint::Ssh(host)) => {
                no_tls("an ssh host")?;
                (
                    ssh_connector(host, &self.ssh_options)?,
                    LOCAL_AUTHORITY.to_string(),
                )
            }
            Target::Endpoint(Endpoint::Host(Host::Tcp(addr))) => match &self.tls {
                None if !self.unverified => (Connector::Tcp(addr.clone()), addr.clone()),
                files => (
                    tls_connector(addr, files.as_ref(), self.unverified)?,
                    addr.clone(),
                ),
            },
        };
        Ok(Transport {
            pool: Pool::new(connector),
            host_header: host_header(&authority),
            host: name,
            pinned: self.version,
            negotiated: OnceCell::new(),
            timeout: self.timeout,
            headers: self.headers,
        })
    }
}

/// The `Host` header for `http://authority` (what hyper_util's pool sent
/// before the client had its own): the host, and the port as written
/// unless it is 80.
fn host_header(authority: &str) -> Option<HeaderValue> {
    let uri: hyper::Uri = format!("http://{authority}/").parse().ok()?;
    let host = uri.host()?;
    let value = match uri.port() {
        Some(port) if port.as_u16() != 80 => format!("{host}:{}", port.as_str()),
        _ => host.to_string(),
    };
    HeaderValue::from_str(&value).ok()
}

/// TLS to the tcp host `addr`: verifying the daemon with `files`, or not
/// at all when `unverified`.
#[cfg(feature = "tls")]
fn tls_connector(
    addr: &str,
    files: Option<&TlsFiles>,
    unverified: bool,
) -> Result<Connector, ClientError> {
    let host = addr
        .rsplit_once(':')
        .map_or(addr, |(h, _)| h)
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let server_name = tokio_rustls::rustls::pki_types::ServerName::try_from(host)
        .map_err(|e| ClientError::Config(format!("TLS server name: {e}")))?;
    let config = match (files, unverified) {
        (Some(files), false) => tls::client_config(files)?,
        (files, _) => tls::unverified_config(files)?,
    };
    Ok(Connector::Tls {
        addr: addr.to_string(),
        server_name,
        config,
    })
}

/// Without the feature `tls`, a TLS endpoint is refused (never plain text).
#[cfg(not(feature = "tls"))]
fn tls_connector(addr: &str, _: Option<&TlsFiles>, _: bool) -> Result<Connector, ClientError> {
    Err(ClientError::Config(format!(
        "tcp://{addr} with TLS: this build lacks TLS (the `tls` feature of engine-api-rt)"
    )))
}

#[cfg(unix)]
fn unix_connector(path: &std::path::Path) -> Result<Connector, ClientError> {
    Ok(Connector::Unix(path.to_path_buf()))
}

#[cfg(not(unix))]
fn unix_connector(path: &std::path::Path) -> Result<Connector, ClientError> {
    Err(ClientError::Config(format!(
        "unix://{}: unix sockets exist only on unix platforms",
        path.display()
    )))
}

#[cfg(feature = "ssh")]
fn ssh_connector(host: &SshHost, options: &[String]) -> Result<Connector, ClientError> {
    Ok(Connector::Custom(Arc::new(ssh::SshDial::new(
        host, options,
    ))))
}

#[cfg(not(feature = "ssh"))]
fn ssh_connector(host: &SshHost, _: &[String]) -> Result<Connector, ClientError> {
    Err(ClientError::Config(format!(
        "{host}: ssh:// hosts need the `ssh` feature of engine-api-rt"
    )))
}

/// Which connection an answer's body is read on.
#[derive(Clone, Copy)]
pub(crate) enum Reading {
    /// A pooled one, run by a task of its own.
    Pooled,
    /// One the reader's task drives ([`driven`]).
    ByCaller,
}

/// A connection pool to one daemon, with its negotiated API version.
pub struct Transport {
    pool: Pool,
    /// The `Host` every request carries (unless it sets its own), made
    /// once.
    host_header: Option<HeaderValue>,
    host: String,
    pinned: Option<ApiVersion>,
    negotiated: OnceCell<ApiVersion>,
    timeout: Duration,
    headers: HeaderMap,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("host", &self.host)
            .field("pinned", &self.pinned)
            .field("negotiated", &self.negotiated.get())
            .finish()
    }
}

/// Body constructors for generated code.
pub mod body {
    pub use crate::body::{bytes, empty, stream};

    use super::{Body, ClientError};

    /// `value` encoded as a JSON request body.
    pub fn json<T: serde::Serialize>(value: &T) -> Result<Body, ClientError> {
        serde_json::to_vec(value)
            .map(bytes)
            .map_err(|source| ClientError::Decode {
                what: "the request body".into(),
                source,
            })
    }
}

impl Transport {
    /// The daemon's address as given (for messages).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// How long a call waits for its answer's head unless told otherwise.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The API version calls use: pinned, or negotiated once from `/_ping`
    /// (the lower of ours and the daemon's; never above ours).
    pub async fn api_version(&self) -> Result<ApiVersion, ClientError> {
        if let Some(v) = self.pinned {
            return Ok(v);
        }
        self.negotiated
            .get_or_try_init(|| async {
                let req = self
                    .request(Method::GET, "/_ping", None)?
                    .body(body::empty());
                let req = req.map_err(|e| ClientError::Config(e.to_string()))?;
                let resp = self.send_raw(req, self.timeout, Reading::Pooled).await?;
                let server = resp
                    .headers()
                    .get("api-version")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok());
                // Read the (tiny) body so the connection goes back to the pool.
                let _ = read_limited(resp.into_body(), 1 << 16).await;
                Ok(ApiVersion::negotiate(server))
            })
            .await
            .copied()
    }

    /// A request builder for `path` (with `?query` when given); `version`
    /// adds the `/v1.NN` prefix. The URI is in origin form (`/path`): the
    /// daemon's name goes in the Host header.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        version: Option<ApiVersion>,
    ) -> Result<hyper::http::request::Builder, ClientError> {
        let builder = Request::builder().method(method);
        Ok(match version {
            Some(v) => builder.uri(format!("/v{v}{path}")),
            None => builder.uri(path),
        })
    }

    /// Sends a request with the versioned prefix already applied and returns
    /// the response when its status is a success; an error status becomes
    /// [`ClientError::Api`] with Docker's message.
    pub async fn send(&self, req: Request<Body>) -> Result<Response<Incoming>, ClientError> {
        self.send_within(req, self.timeout).await
    }

    /// As [`Transport::send`], waiting at most `timeout` for the head.
    pub async fn send_within(
        &self,
        req: Request<Body>,
        timeout: Duration,
    ) -> Result<Response<Incoming>, ClientError> {
        self.send_reading(req, timeout, Reading::Pooled).await
    }

    /// As [`Transport::send_within`], for an answer streamed to a reader
    /// that takes all of it (a container's output): on a local socket it
    /// comes on a connection that the reader's task drives, not one of
    /// the pool's tasks (one thread instead of two handing each chunk on);
    /// the connection joins the pool once the answer is read.
    pub async fn send_streamed_within(
        &self,
        req: Request<Body>,
        timeout: Duration,
    ) -> Result<Response<Incoming>, ClientError> {
        self.send_reading(req, timeout, Reading::ByCaller).await
    }

    /// Sends `req`, its answer read as `reading` says; an error status
    /// becomes [`ClientError::Api`] with Docker's message.
    pub(crate) async fn send_reading(
        &self,
        req: Request<Body>,
        timeout: Duration,
        reading: Reading,
    ) -> Result<Response<Incoming>, ClientError> {
        let resp = self.send_raw(req, timeout, reading).await?;
        let status = resp.status();
        if status.is_success()
            || status == StatusCode::SWITCHING_PROTOCOLS
            || status == StatusCode::NOT_MODIFIED
        {
            return Ok(resp);
        }
        let body = read_limited(resp.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        Err(ApiError::from_response(status.as_u16(), &body).into())
    }

    async fn send_raw(
        &self,
        mut req: Request<Body>,
        timeout: Duration,
        reading: Reading,
    ) -> Result<Response<Incoming>, ClientError> {
        let headers = req.headers_mut();
        for (name, value) in &self.headers {
            if !headers.contains_key(name) {
                headers.insert(name, value.clone());
            }
        }
        if let Some(host) = &self.host_header {
            if !headers.contains_key(HOST) {
                headers.insert(HOST, host.clone());
            }
        }
        let sent = async {
            match reading {
                Reading::Pooled => self.pool.send(req).await,
                Reading::ByCaller => self.pool.send_read_by_caller(req).await,
            }
        };
        match tokio::time::timeout(timeout, sent).await {
            Err(_) => Err(ClientError::Timeout(timeout)),
            Ok(Err(e)) => Err(ClientError::Connect {
                host: self.host.clone(),
                source: Box::new(e),
            }),
            Ok(Ok(resp)) => Ok(resp),
        }
    }

    /// Sends an attach / exec-start request and takes over the connection:
    /// what the daemon writes comes out of the returned stream, and what is
    /// written to it goes to the container's stdin.
    pub async fn upgrade(
        &self,
        mut req: Request<Body>,
    ) -> Result<TokioIo<hyper::upgrade::Upgraded>, ClientError> {
        let headers = req.headers_mut();
        headers.insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("Upgrade"),
        );
        headers.insert(
            hyper::header::UPGRADE,
            hyper::header::HeaderValue::from_static("tcp"),
        );
        let resp = self.send(req).await?;
        if resp.status() != StatusCode::SWITCHING_PROTOCOLS {
            return Err(ClientError::NoUpgrade(resp.status().as_u16()));
        }
        let upgraded = hyper::upgrade::on(resp)
            .await
            .map_err(|e| ClientError::Connect {
                host: self.host.clone(),
                source: Box::new(e),
            })?;
        Ok(TokioIo::new(upgraded))
    }
}

/// Reads at most `limit` bytes of a body (error answers, small JSON).
pub async fn read_limited(body: Incoming, limit: usize) -> Result<Bytes, ClientError> {
    answer::read_body(body, Some(limit)).await
}

/// Decodes a whole JSON answer (`what` names the call for messages).
pub async fn read_json<T: serde::de::DeserializeOwned>(
    resp: Response<Incoming>,
    what: &str,
) -> Result<T, ClientError> {
    answer::json(resp, what).await
}

/// The body as a stream of byte chunks (tar exports, raw logs with a TTY).
pub fn byte_stream(
    resp: Response<Incoming>,
) -> Pin<Box<dyn Stream<Item = Result<Bytes, ClientError>> + Send>> {
    Box::pin(answer::BodyChunks(resp.into_body()))
}

/// The body as typed JSON values, one per message (events, progress). A
/// line reporting an error (`{"errorDetail": ...}`) is an
/// `Err(`[`ClientError::Reported`]`)` item; the stream goes on after it.
pub fn json_stream<T>(
    resp: Response<Incoming>,
) -> Pin<Box<dyn Stream<Item = Result<T, ClientError>> + Send>>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    let chunks = byte_stream(resp);
    Box::pin(futures_util::stream::unfold(
        (chunks, BytesMut::new(), false),
        |(mut chunks, mut buf, done)| async move {
            if done {
                return None;
            }
            loop {
                match decode_checked::<T>(&mut buf) {
                    Ok(Some(Checked::Item(v))) => return Some((Ok(v), (chunks, buf, false))),
                    Ok(Some(Checked::Failed(e))) => {
                        return Some((Err(e.into()), (chunks, buf, false)))
                    }
                    Err(CheckedError::Shape(source)) => {
                        // One value of another shape; the framing is intact.
                        let err = ClientError::Decode {
                            what: "a JSON stream item".into(),
                            source,
                        };
                        return Some((Err(err), (chunks, buf, false)));
                    }
                    Err(CheckedError::Syntax(source)) => {
                        let err = ClientError::Decode {
                            what: "a JSON stream".into(),
                            source,
                        };
                        return Some((Err(err), (chunks, buf, true)));
                    }
                    Ok(None) => {}
                }
                match chunks.next().await {
                    Some(Ok(data)) => buf.extend_from_slice(&data),
                    Some(Err(e)) => return Some((Err(e), (chunks, buf, true))),
                    None if buf.iter().all(u8::is_ascii_whitespace) => return None,
                    None => {
                        let err = ClientError::Stream("a JSON stream ended inside a value".into());
                        return Some((Err(err), (chunks, buf, true)));
                    }
                }
            }
        },
    ))
}

/// The body as demultiplexed stdout/stderr frames (logs without a TTY).
pub fn frame_stream(
    resp: Response<Incoming>,
) -> Pin<Box<dyn Stream<Item = Result<mux::Frame, ClientError>> + Send>> {
    demux(byte_stream(resp))
}

/// Demultiplexes any byte stream of Docker frames.
pub fn demux<S>(chunks: S) -> Pin<Box<dyn Stream<Item = Result<mux::Frame, ClientError>> + Send>>
where
    S: Stream<Item = Result<Bytes, ClientError>> + Send + Unpin + 'static,
{
    Box::pin(futures_util::stream::unfold(
        (chunks, mux::Demuxer::new(), false),
        |(mut chunks, mut demux, done)| async move {
            if done {
                return None;
            }
            loop {
                match demux.next_frame() {
                    Ok(Some(frame)) => return Some((Ok(frame), (chunks, demux, false))),
                    Err(e) => {
                        let err = ClientError::Stream(e.to_string());
                        return Some((Err(err), (chunks, demux, true)));
                    }
                    Ok(None) => {}
                }
                match chunks.next().await {
                    Some(Ok(data)) => demux.push(data),
                    Some(Err(e)) => return Some((Err(e), (chunks, demux, true))),
                    None if demux.is_empty() => return None,
                    None => {
                        let err =
                            ClientError::Stream("a multiplexed stream ended inside a frame".into());
                        return Some((Err(err), (chunks, demux, true)));
                    }
                }
            }
        },
    ))
}

/// Where a unix socket path came from, for tests and examples.
pub fn unix(path: impl Into<PathBuf>) -> TransportBuilder {
    TransportBuilder::new(Host::Unix(path.into()))
}

#[cfg(test)]
mod tests {
    use super::host_header;

    #[test]
    fn the_host_header_is_what_the_pool_would_send() {
        let host = |a: &str| host_header(a).map(|v| v.to_str().unwrap_or("?").to_string());
        assert_eq!(
            host("api.moby.localhost").as_deref(),
            Some("api.moby.localhost")
        );
        assert_eq!(host("10.0.0.5:2376").as_deref(), Some("10.0.0.5:2376"));
        assert_eq!(host("daemon:80").as_deref(), Some("daemon"));
        assert_eq!(host("[::1]:2375").as_deref(), Some("[::1]:2375"));
        assert_eq!(host("bad host:1"), None);
    }

    /// A whole body is read across chunks, and one over the limit is
    /// refused, whether the first chunk or a later one passes it.
    #[tokio::test]
    async fn read_limited_reads_whole_bodies_within_the_limit() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let mut head = Vec::new();
                while !head.ends_with(b"\r\n\r\n") {
                    let mut byte = [0u8; 1];
                    if conn.read(&mut byte).await.unwrap_or(0) == 0 {
                        break;
                    }
                    head.push(byte[0]);
                }
                let answer = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n\
                    3\r\nabc\r\n3\r\ndef\r\n3\r\nghi\r\n0\r\n\r\n";
                let _ = conn.write_all(answer).await;
            }
        });
        let transport = super::TransportBuilder::new(super::Host::Tcp(addr))
            .version(super::ApiVersion::new(1, 44))
            .build()
            .unwrap();
        let read = |limit: usize| {
            let transport = &transport;
            async move {
                let req = transport
                    .request(super::Method::GET, "/x", None)
                    .unwrap()
                    .body(super::body::empty())
                    .unwrap();
                let resp = transport.send(req).await.unwrap();
                super::read_limited(resp.into_body(), limit)
                    .await
                    .map_err(|e| e.to_string())
            }
        };
        assert_eq!(read(9).await.unwrap(), "abcdefghi");
        for limit in [8, 5, 2] {
            let err = read(limit).await.unwrap_err();
            assert!(
                err.contains(&format!("answer larger than {limit} bytes")),
                "{limit}: {err}"
            );
        }
    }

    /// On the wire, the Host of a tcp daemon is its address (as before the
    /// header was made once, by hyper_util's pool).
    #[tokio::test]
    async fn requests_carry_the_host_header() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            while !head.ends_with(b"\r\n\r\n") {
                let mut byte = [0u8; 1];
                if conn.read(&mut byte).await.unwrap() == 0 {
                    break;
                }
                head.push(byte[0]);
            }
            let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nOK";
            conn.write_all(answer).await.unwrap();
            String::from_utf8_lossy(&head).to_lowercase()
        });
        let transport = super::TransportBuilder::new(super::Host::Tcp(addr.clone()))
            .version(super::ApiVersion::new(1, 44))
            .build()
            .unwrap();
        let req = transport
            .request(super::Method::GET, "/_ping", None)
            .unwrap()
            .body(super::body::empty())
            .unwrap();
        let resp = transport.send(req).await.unwrap();
        assert_eq!(super::answer::text(resp, "ping").await.unwrap(), "OK");
        let head = server.await.unwrap();
        assert_eq!(
            head.matches("\r\nhost: ").count(),
            1,
            "one Host header: {head}"
        );
        assert!(head.contains(&format!("\r\nhost: {addr}\r\n")), "{head}");
    }
}
