//! [`Client`]: the connection a generated crate's own `Client` wraps (that
//! one has a method per operation of its spec and dereferences to this),
//! with its constructors (environment, unix, tcp, TLS, builder) and the two
//! ways a generated method sends its [`Call`]: an ordinary request, or one
//! that takes over the connection. [`ClientBuilder`] builds either.
//! [`Client::with_timeout`] and [`Client::with_header`] make views of one
//! client that share its pool but differ in timeout or extra headers.

use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};

use super::attach::Attached;
use super::call::Call;
use super::logs::Framing;
use super::{answer, body, ClientError, Dial, Reading, TlsFiles, Transport, TransportBuilder};
use crate::host::{Endpoint, EnvConfig, Host};
use crate::version::ApiVersion;

/// A client of one Engine API daemon: a connection pool and the API version
/// negotiated with it. Cheap to clone; clones share the pool.
///
/// The operations are methods of a generated crate's `Client`, which wraps
/// this one (`From<Client>`) and dereferences to it.
#[derive(Clone, Debug)]
pub struct Client {
    transport: Arc<Transport>,
    /// This view's timeout for the answer's head (else the transport's).
    timeout: Option<Duration>,
    /// This view's extra headers (over the transport's defaults).
    headers: HeaderMap,
}

/// How a client is set up: address, TLS, a pinned API version, the
/// per-call timeout for the answer's head. `C` is what [`build`] returns:
/// this crate's [`Client`], or a generated client that wraps it.
///
/// [`build`]: ClientBuilder::build
#[derive(Clone, Debug)]
pub struct ClientBuilder<C = Client> {
    inner: TransportBuilder,
    client: PhantomData<fn() -> C>,
}

impl<C: From<Client>> ClientBuilder<C> {
    fn with(inner: TransportBuilder) -> ClientBuilder<C> {
        ClientBuilder {
            inner,
            client: PhantomData,
        }
    }

    /// A builder for the daemon at `host`.
    pub fn new(host: Host) -> ClientBuilder<C> {
        ClientBuilder::with(TransportBuilder::new(host))
    }

    /// A builder for `endpoint` (a host, or `ssh://` with the feature `ssh`).
    pub fn endpoint(endpoint: Endpoint) -> ClientBuilder<C> {
        ClientBuilder::with(TransportBuilder::endpoint(endpoint))
    }

    /// A builder whose connections `dial` opens: an in-memory server in
    /// tests, a proxy, anything that speaks HTTP/1 like a daemon.
    pub fn dial(dial: impl Dial) -> ClientBuilder<C> {
        ClientBuilder::with(TransportBuilder::dial(dial))
    }

    /// As the docker CLI chooses: DOCKER_HOST, DOCKER_CONTEXT or the CLI's
    /// current context (with its TLS files), DOCKER_TLS_VERIFY,
    /// DOCKER_CERT_PATH, DOCKER_API_VERSION, then podman's sockets when no
    /// Docker socket exists (see [`EnvConfig`]).
    pub fn from_env() -> Result<ClientBuilder<C>, ClientError> {
        Ok(ClientBuilder::with(TransportBuilder::from_env()?))
    }

    /// From a configuration read before (see [`EnvConfig::from_lookup`]).
    pub fn from_config(env: EnvConfig) -> ClientBuilder<C> {
        ClientBuilder::with(TransportBuilder::from_config(env))
    }

    /// Replaces the User-Agent (`engine-api/VERSION` by default).
    pub fn user_agent(self, value: HeaderValue) -> ClientBuilder<C> {
        ClientBuilder::with(self.inner.user_agent(value))
    }

    /// A header every request carries; a call's own headers win over it.
    pub fn header(self, name: HeaderName, value: HeaderValue) -> ClientBuilder<C> {
        ClientBuilder::with(self.inner.header(name, value))
    }

    /// Options for the ssh client of an `ssh://` endpoint (`-i key`, `-o ...`).
    pub fn ssh_options<I, S>(self, options: I) -> ClientBuilder<C>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ClientBuilder::with(self.inner.ssh_options(options))
    }

    /// Speak TLS with these files (tcp hosts only).
    pub fn tls(self, files: TlsFiles) -> ClientBuilder<C> {
        ClientBuilder::with(self.inner.tls(files))
    }

    /// TLS WITHOUT verifying the daemon (see
    /// [`TransportBuilder::danger_tls_without_verification`]); the only way
    /// to get it, as the environment never chooses it.
    pub fn danger_tls_without_verification(self) -> ClientBuilder<C> {
        ClientBuilder::with(self.inner.danger_tls_without_verification())
    }

    /// Use this API version instead of negotiating one through `/_ping`.
    pub fn version(self, version: ApiVersion) -> ClientBuilder<C> {
        ClientBuilder::with(self.inner.version(version))
    }

    /// How long a call waits for the answer's head (default 120 s); a
    /// stream that follows may run longer.
    pub fn timeout(self, timeout: Duration) -> ClientBuilder<C> {
        ClientBuilder::with(self.inner.timeout(timeout))
    }

    /// The client; fails on unusable TLS files or names.
    pub fn build(self) -> Result<C, ClientError> {
        Ok(C::from(Client::from_transport(self.inner.build()?)))
    }
}

fn parse_host(addr: &str, tls: bool) -> Result<Host, ClientError> {
    let text = if addr.contains("://") {
        addr.to_string()
    } else {
        format!("tcp://{addr}")
    };
    Host::parse(&text, tls).map_err(|e| ClientError::Config(e.to_string()))
}

impl Client {
    /// A client set up from the environment, as the docker CLI is.
    pub fn from_env() -> Result<Client, ClientError> {
        ClientBuilder::from_env()?.build()
    }

    /// A client of the daemon listening on the unix socket at `path`.
    pub fn unix(path: impl Into<PathBuf>) -> Result<Client, ClientError> {
        ClientBuilder::new(Host::Unix(path.into())).build()
    }

    /// A client of the daemon at `host:port` (or `tcp://host:port`), in
    /// plain text.
    pub fn tcp(addr: &str) -> Result<Client, ClientError> {
        ClientBuilder::new(parse_host(addr, false)?).build()
    }

    /// A client of the daemon at `host:port` over TLS, verifying the daemon
    /// with `files.ca` and presenting `files.cert`.
    pub fn tls(addr: &str, files: TlsFiles) -> Result<Client, ClientError> {
        ClientBuilder::new(parse_host(addr, true)?)
            .tls(files)
            .build()
    }

    /// A builder for anything the shortcuts do not cover.
    pub fn builder(host: Host) -> ClientBuilder {
        ClientBuilder::new(host)
    }

    /// A client whose connections `dial` opens (see [`Dial`]).
    pub fn dial(dial: impl Dial) -> Result<Client, ClientError> {
        ClientBuilder::dial(dial).build()
    }

    /// A client over a transport set up by hand.
    pub fn from_transport(transport: Transport) -> Client {
        Client {
            transport: Arc::new(transport),
            timeout: None,
            headers: HeaderMap::new(),
        }
    }

    /// This client, sharing its pool, with calls waiting at most `timeout`
    /// for their answer's head. (To stop a call at any point, drop its
    /// future: the request's connection is closed, not reused.)
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        Client {
            timeout: Some(timeout),
            ..self.clone()
        }
    }

    /// This client, sharing its pool, sending one more header with every
    /// call (replacing a default of the same name; a call's own headers
    /// still win).
    pub fn with_header(&self, name: HeaderName, value: HeaderValue) -> Client {
        let mut headers = self.headers.clone();
        headers.insert(name, value);
        Client {
            headers,
            ..self.clone()
        }
    }

    /// The timeout of this client's calls.
    pub fn timeout(&self) -> Duration {
        self.timeout.unwrap_or_else(|| self.transport.timeout())
    }

    /// The transport underneath, for requests the spec does not describe.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The API version calls use: pinned, or negotiated once through
    /// `/_ping` (the lower of the daemon's and ours).
    pub async fn api_version(&self) -> Result<ApiVersion, ClientError> {
        self.transport.api_version().await
    }

    fn build(
        &self,
        call: Call,
        version: Option<ApiVersion>,
    ) -> Result<Request<super::Body>, ClientError> {
        let query = call.query.finish();
        let target = if query.is_empty() {
            call.path
        } else {
            format!("{}?{query}", call.path)
        };
        let builder = self.transport.request(call.method, &target, version)?;
        let (body, content_type) = match call.body {
            Some((body, ct)) => (body, Some(ct)),
            None => (body::empty(), None),
        };
        let mut req = builder
            .body(body)
            .map_err(|e| ClientError::Config(format!("{}: {e}", call.operation)))?;
        let headers = req.headers_mut();
        for (name, value) in &self.headers {
            headers.insert(name, value.clone());
        }
        if let Some(ct) = content_type {
            headers.insert(hyper::header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        for (name, value) in call.headers {
            let bad = |what: &str| {
                ClientError::Config(format!(
                    "{}: header `{name}`: invalid {what}",
                    call.operation
                ))
            };
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("name"))?;
            let value = HeaderValue::from_str(&value).map_err(|_| bad("value"))?;
            headers.insert(name, value);
        }
        Ok(req)
    }

    async fn version_for(&self, call: &Call) -> Result<Option<ApiVersion>, ClientError> {
        Ok(if call.versioned {
            Some(self.transport.api_version().await?)
        } else {
            None
        })
    }

    /// Sends a generated call; an error status becomes [`ClientError::Api`].
    /// Returns the answer and the API version it was made with.
    pub async fn send(
        &self,
        call: Call,
    ) -> Result<(Response<Incoming>, Option<ApiVersion>), ClientError> {
        self.exchange(call, Reading::Pooled).await
    }

    /// As [`Client::send`], for a container's output, which the caller
    /// reads to its end: see [`Transport::send_streamed_within`].
    pub async fn send_streamed(
        &self,
        call: Call,
    ) -> Result<(Response<Incoming>, Option<ApiVersion>), ClientError> {
        self.exchange(call, Reading::ByCaller).await
    }

    async fn exchange(
        &self,
        call: Call,
        reading: Reading,
    ) -> Result<(Response<Incoming>, Option<ApiVersion>), ClientError> {
        let version = self.version_for(&call).await?;
        let req = self.build(call, version)?;
        let resp = self
            .transport
            .send_reading(req, self.timeout(), reading)
            .await?;
        Ok((resp, version))
    }

    /// Sends an attach / exec-start call asking the daemon to take over the
    /// connection. A daemon that answers with an ordinary body instead (exec
    /// start when detached) gives an [`Attached`] whose input goes nowhere.
    pub async fn hijack(&self, call: Call) -> Result<Attached, ClientError> {
        let version = self.version_for(&call).await?;
        let mut req = self.build(call, version)?;
        let headers = req.headers_mut();
        headers.insert(
            hyper::header::CONNECTION,
            HeaderValue::from_static("Upgrade"),
        );
        headers.insert(hyper::header::UPGRADE, HeaderValue::from_static("tcp"));
        let resp = self.transport.send_within(req, self.timeout()).await?;
        let framing = Framing::from_content_type(answer::content_type(&resp), version);
        if resp.status() != StatusCode::SWITCHING_PROTOCOLS {
            return Ok(Attached::output_only(answer::output(resp, version)));
        }
        let upgraded = hyper::upgrade::on(resp)
            .await
            .map_err(|e| ClientError::Connect {
                host: self.transport.host().to_string(),
                source: Box::new(e),
            })?;
        Ok(Attached::from_io(
            hyper_util::rt::TokioIo::new(upgraded),
            framing,
        ))
    }
}
