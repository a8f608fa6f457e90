//! The client's engine room, independent of the spec: connecting (unix,
//! tcp, TLS, from the environment), a pooled HTTP/1 client, lazy one-time
//! version negotiation through `/_ping`, per-call timeouts, error decoding,
//! and response bodies as JSON, JSON streams, demultiplexed frames, raw
//! byte streams, hijacked connections or WebSockets. The generated client
//! builds each request and hands it to [`Transport`].

pub mod answer;
mod api_client;
mod attach;
mod auth;
mod call;
mod connector;
mod logs;
mod tls;
mod websocket;

use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use http_body_util::BodyStream;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client as Pool;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::sync::OnceCell;

pub use answer::{ByteStream, JsonStream};
pub use api_client::{Client, ClientBuilder};
pub use attach::Attached;
pub use auth::encode_auth;
pub use call::Call;
pub use connector::Stream as Connection;
pub use logs::{decode_output, Framing, LogOutput, LogStream};
pub use tls::TlsFiles;

/// What generated calls name through this module.
pub use super::query::{encode, Filters};
pub use hyper::Method;

use connector::Connector;

pub use super::body::Body;
use super::error::ApiError;
use super::host::EnvConfig;
pub use super::host::Host;
use super::mux;
use super::version::ApiVersion;

/// Everything that can go wrong in a call.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The daemon answered with an error status and message.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The client is misconfigured (bad DOCKER_HOST, unreadable certificates...).
    #[error("client configuration: {0}")]
    Config(String),
    /// The connection failed or broke.
    #[error("cannot reach the daemon at {host}: {source}")]
    Connect {
        /// The daemon's address, as configured.
        host: String,
        /// What the connection (or the TLS handshake) failed with.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No response head within the call's timeout.
    #[error("no answer from the daemon within {0:?}")]
    Timeout(Duration),
    /// The body did not decode into the documented type.
    #[error("cannot decode the daemon's answer to {what}: {source}")]
    Decode {
        /// What was being decoded (the operation's answer, a request body).
        what: String,
        /// Where and why the JSON did not fit.
        #[source]
        source: serde_json::Error,
    },
    /// A stream broke off or carried bad framing.
    #[error("stream: {0}")]
    Stream(String),
    /// The daemon did not switch protocols for attach / exec start.
    #[error("the daemon did not upgrade the connection (HTTP {0})")]
    NoUpgrade(u16),
    /// The daemon's answer to a WebSocket handshake was not a valid one.
    #[error("WebSocket handshake: {0}")]
    WebSocket(String),
}

impl ClientError {
    /// The daemon's error, when there was one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of an error answer.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|e| e.status)
    }

    /// The daemon answered 404: the object does not exist.
    pub fn is_not_found(&self) -> bool {
        self.api().is_some_and(ApiError::is_not_found)
    }

    /// The daemon answered 409: the object's state forbids the operation.
    pub fn is_conflict(&self) -> bool {
        self.api().is_some_and(ApiError::is_conflict)
    }
}

/// How a [`Transport`] is set up.
#[derive(Clone, Debug)]
pub struct TransportBuilder {
    host: Host,
    tls: Option<TlsFiles>,
    version: Option<ApiVersion>,
    timeout: Duration,
}

/// The default per-call timeout for the response head (streams that follow
/// may run longer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

impl TransportBuilder {
    /// Talks to `host` without TLS, negotiating the API version, with
    /// [`DEFAULT_TIMEOUT`].
    pub fn new(host: Host) -> Self {
        TransportBuilder {
            host,
            tls: None,
            version: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Speak TLS with these files (tcp hosts only).
    pub fn tls(mut self, files: TlsFiles) -> Self {
        self.tls = Some(files);
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

    /// From DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION.
    pub fn from_env() -> Result<Self, ClientError> {
        let env = EnvConfig::from_env().map_err(|e| ClientError::Config(e.to_string()))?;
        let mut b = TransportBuilder::new(env.host);
        if env.tls_verify {
            b = b.tls(TlsFiles::in_dir(&env.cert_path));
        }
        if let Some(v) = env.api_version {
            b = b.version(v);
        }
        Ok(b)
    }

    /// The transport; fails (without connecting) when TLS is asked for a
    /// unix host or the certificate files cannot be read.
    pub fn build(self) -> Result<Transport, ClientError> {
        let (connector, authority) = match (&self.host, &self.tls) {
            (Host::Unix(path), None) => (
                Connector::Unix(path.clone()),
                "api.moby.localhost".to_string(),
            ),
            (Host::Unix(_), Some(_)) => {
                return Err(ClientError::Config("TLS needs a tcp:// host".into()))
            }
            (Host::Tcp(addr), None) => (Connector::Tcp(addr.clone()), addr.clone()),
            (Host::Tcp(addr), Some(files)) => {
                let host = addr
                    .rsplit_once(':')
                    .map_or(addr.as_str(), |(h, _)| h)
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string();
                let server_name = tokio_rustls::rustls::pki_types::ServerName::try_from(host)
                    .map_err(|e| ClientError::Config(format!("TLS server name: {e}")))?;
                let config = tls::client_config(files)?;
                (
                    Connector::Tls {
                        addr: addr.clone(),
                        server_name,
                        config,
                    },
                    addr.clone(),
                )
            }
        };
        let pool = Pool::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Transport {
            pool,
            authority,
            host: self.host.to_string(),
            pinned: self.version,
            negotiated: OnceCell::new(),
            timeout: self.timeout,
        })
    }
}

/// A connection pool to one daemon, with its negotiated API version.
pub struct Transport {
    pool: Pool<Connector, Body>,
    authority: String,
    host: String,
    pinned: Option<ApiVersion>,
    negotiated: OnceCell<ApiVersion>,
    timeout: Duration,
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
                let resp = self.send_raw(req).await?;
                let server = resp
                    .headers()
                    .get("api-version")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok());
                Ok(ApiVersion::negotiate(server))
            })
            .await
            .copied()
    }

    /// A request builder for `path` (with `?query` when given); `version`
    /// adds the `/v1.NN` prefix.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        version: Option<ApiVersion>,
    ) -> Result<hyper::http::request::Builder, ClientError> {
        // The connector decides plain or TLS; the URI only carries the Host.
        let uri = match version {
            Some(v) => format!("http://{}/v{v}{path}", self.authority),
            None => format!("http://{}{path}", self.authority),
        };
        Ok(Request::builder().method(method).uri(uri))
    }

    /// Sends a request with the versioned prefix already applied and returns
    /// the response when its status is a success; an error status becomes
    /// [`ClientError::Api`] with Docker's message.
    pub async fn send(&self, req: Request<Body>) -> Result<Response<Incoming>, ClientError> {
        let resp = self.send_raw(req).await?;
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

    async fn send_raw(&self, req: Request<Body>) -> Result<Response<Incoming>, ClientError> {
        match tokio::time::timeout(self.timeout, self.pool.request(req)).await {
            Err(_) => Err(ClientError::Timeout(self.timeout)),
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
    let mut out = BytesMut::new();
    let mut stream = BodyStream::new(body);
    while let Some(frame) = stream.next().await {
        let frame = frame.map_err(|e| ClientError::Stream(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(ClientError::Stream(format!(
                    "answer larger than {limit} bytes"
                )));
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out.freeze())
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
    Box::pin(
        BodyStream::new(resp.into_body()).filter_map(|frame| async move {
            match frame {
                Ok(frame) => frame.into_data().ok().map(Ok),
                Err(e) => Some(Err(ClientError::Stream(e.to_string()))),
            }
        }),
    )
}

/// The body as typed JSON values, one per message (events, progress).
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
                match super::json_stream::decode::<T>(&mut buf) {
                    Ok(Some(v)) => return Some((Ok(v), (chunks, buf, false))),
                    Err(source) => {
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
        (chunks, BytesMut::new(), false),
        |(mut chunks, mut buf, done)| async move {
            if done {
                return None;
            }
            loop {
                match mux::decode(&mut buf) {
                    Ok(Some(frame)) => return Some((Ok(frame), (chunks, buf, false))),
                    Err(e) => {
                        return Some((Err(ClientError::Stream(e.to_string())), (chunks, buf, true)))
                    }
                    Ok(None) => {}
                }
                match chunks.next().await {
                    Some(Ok(data)) => buf.extend_from_slice(&data),
                    Some(Err(e)) => return Some((Err(e), (chunks, buf, true))),
                    None if buf.is_empty() => return None,
                    None => {
                        let err =
                            ClientError::Stream("a multiplexed stream ended inside a frame".into());
                        return Some((Err(err), (chunks, buf, true)));
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
