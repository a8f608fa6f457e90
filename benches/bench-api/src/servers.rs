//! The servers under load, all on a unix socket and the same tokio runtime
//! configuration: the generated server (`engine_api::server::Router` over a
//! tiny `Api` whose ping and version answer fixed data, served by
//! `engine_api::rt::server::serve`), either with answers prepared once
//! (`...Reply::prepare`, as a daemon does for answers that never change) or
//! encoding the typed value on every request; and a minimal hand-written
//! hyper 1 server that replays, byte for byte, what the generated one
//! answered (status, headers, body; hyper adds `date` and `content-length`
//! to both), or encodes `/version` on every request.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use engine_api::rt::error::ApiError;
use engine_api::rt::host::Host;
use engine_api::rt::server::{serve, Listener, Prepared, ServerInfo};
use engine_api::server::*;
use engine_api::types::{ContainerSummary, SystemVersion};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::UnixListener;
use tokio::sync::oneshot;

use crate::fixtures;

/// The tiny backend: ping, version and the container list, fixed data.
pub struct Fixed {
    version: SystemVersion,
    containers: Vec<ContainerSummary>,
    /// Ping and version encoded once, when answers are prepared.
    prepared: Option<(Prepared<SystemPingReply>, Prepared<SystemVersionReply>)>,
}

impl Fixed {
    /// With `prepare`, ping and version are encoded once and replayed.
    pub fn new(prepare: bool) -> Result<Fixed, String> {
        let version: SystemVersion =
            serde_json::from_value(fixtures::version()).map_err(|e| e.to_string())?;
        let prepared = prepare.then(|| {
            (
                ping().prepare(),
                SystemVersionReply::Ok(version.clone()).prepare(),
            )
        });
        Ok(Fixed {
            version,
            containers: serde_json::from_value(fixtures::containers())
                .map_err(|e| e.to_string())?,
            prepared,
        })
    }
}

fn ping() -> SystemPingReply {
    SystemPingReply::Ok {
        body: "OK".into(),
        headers: ping_headers(),
    }
}

fn ping_headers() -> SystemPingOkHeaders {
    SystemPingOkHeaders {
        api_version: Some("1.44".into()),
        builder_version: Some("1".into()),
        docker_experimental: Some(false),
        swarm: None,
        cache_control: Some("no-cache, no-store, must-revalidate".into()),
        pragma: Some("no-cache".into()),
    }
}

impl SystemApi for Fixed {
    async fn system_ping(&self, _req: SystemPingRequest) -> Result<SystemPingReply, ApiError> {
        Ok(match &self.prepared {
            Some((ping, _)) => SystemPingReply::Prepared(ping.clone()),
            None => ping(),
        })
    }

    async fn system_version(
        &self,
        _req: SystemVersionRequest,
    ) -> Result<SystemVersionReply, ApiError> {
        Ok(match &self.prepared {
            Some((_, version)) => SystemVersionReply::Prepared(version.clone()),
            None => SystemVersionReply::Ok(self.version.clone()),
        })
    }
}

impl ContainerApi for Fixed {
    async fn container_list(
        &self,
        _req: ContainerListRequest,
    ) -> Result<ContainerListReply, ApiError> {
        Ok(ContainerListReply::Ok(self.containers.clone()))
    }
}

impl ConfigApi for Fixed {}
impl DistributionApi for Fixed {}
impl ExecApi for Fixed {}
impl ImageApi for Fixed {}
impl NetworkApi for Fixed {}
impl NodeApi for Fixed {}
impl PluginApi for Fixed {}
impl SecretApi for Fixed {}
impl ServiceApi for Fixed {}
impl SessionApi for Fixed {}
impl SwarmApi for Fixed {}
impl TaskApi for Fixed {}
impl VolumeApi for Fixed {}

pub fn info() -> ServerInfo {
    ServerInfo {
        server: "Docker/20.10.24+dfsg1 (linux)".into(),
        os_type: "linux".into(),
        experimental: false,
    }
}

/// A running server; stops when dropped.
pub struct Running {
    pub socket: PathBuf,
    /// Dropped, it stops the server.
    pub(crate) _stop: oneshot::Sender<()>,
}

/// Serves the generated router over [`Fixed`] at `socket` (answers
/// prepared once or encoded per request).
pub async fn generated(socket: &Path, prepare: bool) -> Result<Running, String> {
    let listener = Listener::bind(&Host::Unix(socket.to_path_buf()), None)
        .await
        .map_err(|e| format!("bind {}: {e}", socket.display()))?;
    let router = Arc::new(Router::new(Fixed::new(prepare)?, info()));
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve(listener, router, async {
        let _ = stopped.await;
    }));
    Ok(Running {
        socket: socket.to_path_buf(),
        _stop: stop,
    })
}

/// One recorded answer.
#[derive(Clone)]
pub struct Canned {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Answers by path (without the `/v1.NN` prefix).
pub type Script = HashMap<String, Canned>;

/// The path without a `/v1.NN` prefix.
pub fn unversioned(path: &str) -> &str {
    if let Some(rest) = path.strip_prefix("/v") {
        if let Some(i) = rest.find('/') {
            if rest[..i].chars().all(|c| c.is_ascii_digit() || c == '.') {
                return &rest[i..];
            }
        }
    }
    path
}

/// The minimal hand-written hyper 1 server: an accept loop, one HTTP/1
/// connection task per client, a lookup of the canned answer. With
/// `typed`, `/version` is encoded from that value on every request (by
/// reference, as a hand-written server holding it would) instead of
/// replayed: the same bytes, at the cost of producing them.
pub async fn replay(
    socket: &Path,
    script: Script,
    typed: Option<Arc<SystemVersion>>,
) -> Result<Running, String> {
    let _ = std::fs::remove_file(socket);
    let listener =
        UnixListener::bind(socket).map_err(|e| format!("bind {}: {e}", socket.display()))?;
    let script = Arc::new(script);
    let (stop, mut stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            let conn = tokio::select! {
                _ = &mut stopped => return,
                conn = listener.accept() => conn,
            };
            let Ok((conn, _)) = conn else { continue };
            let script = script.clone();
            let typed = typed.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let path = unversioned(req.uri().path());
                    let mut canned = script.get(path).cloned();
                    if let (Some(c), Some(v), "/version") = (&mut canned, &typed, path) {
                        let mut body = Vec::with_capacity(c.body.len());
                        if serde_json::to_writer(&mut body, &**v).is_ok() {
                            body.push(b'\n');
                            c.body = Bytes::from(body);
                        }
                    }
                    async move {
                        let resp = match canned {
                            Some(c) => {
                                let mut resp = Response::new(Full::new(c.body));
                                *resp.status_mut() = c.status;
                                *resp.headers_mut() = c.headers;
                                resp
                            }
                            None => {
                                let mut resp = Response::new(Full::new(Bytes::from_static(
                                    b"{\"message\":\"page not found\"}",
                                )));
                                *resp.status_mut() = StatusCode::NOT_FOUND;
                                resp
                            }
                        };
                        Ok::<_, std::convert::Infallible>(resp)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(conn), service)
                    .await;
            });
        }
    });
    Ok(Running {
        socket: socket.to_path_buf(),
        _stop: stop,
    })
}

/// Records what the server at `socket` answers to `GET path`, for replay.
pub async fn record(socket: &Path, path: &str) -> Result<Canned, String> {
    let stream = tokio::net::UnixStream::connect(socket)
        .await
        .map_err(|e| format!("connect {}: {e}", socket.display()))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let req = Request::get(path)
        .header("host", "docker")
        .body(http_body_util::Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let mut headers = resp.headers().clone();
    headers.remove(hyper::header::DATE);
    headers.remove(hyper::header::CONTENT_LENGTH);
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Canned {
        status,
        headers,
        body,
    })
}
