//! The generated server (`engine_api::server`) driven over a unix socket:
//! a small `Api` implementation answers ping, version, info, events,
//! container list/inspect/logs, exec start (hijacked), image load/get/
//! inspect; everything else must answer 501 naming the operation. Raw
//! requests go through the hand-written client `Transport`, so statuses,
//! content types, headers and bodies are checked as they are on the wire.
//! Last, the real docker CLI (when installed) runs `docker version`
//! against the same kind of server.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use engine_api::rt::body::{self, Body};
use engine_api::rt::client::{byte_stream, read_json, unix, ClientError, Transport};
use engine_api::rt::error::ApiError;
use engine_api::rt::mux::{self, Frame, StreamKind};
use engine_api::rt::server::{
    serve, Deferred, Hijack, Listener, LogStream, Prepared, ServerInfo, Upgraded,
};
use engine_api::rt::version::ApiVersion;
use engine_api::server::*;
use engine_api::types::*;
use futures_util::{stream, TryStreamExt};
use hyper::{Method, Response, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Builds a spec type from JSON (the types' fields are many and optional).
fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("test data fits the type")
}

struct TestApi;

impl SystemApi for TestApi {
    async fn system_ping(&self, _req: SystemPingRequest) -> Result<SystemPingReply, ApiError> {
        Ok(SystemPingReply::Ok {
            body: "OK".into(),
            headers: SystemPingOkHeaders {
                builder_version: Some("1".into()),
                cache_control: Some("no-cache, no-store, must-revalidate".into()),
                pragma: Some("no-cache".into()),
                ..Default::default()
            },
        })
    }

    async fn system_version(
        &self,
        req: SystemVersionRequest,
    ) -> Result<SystemVersionReply, ApiError> {
        Ok(SystemVersionReply::Ok(typed(json!({
            "Platform": {"Name": "engine-api test server"},
            "Components": [{"Name": "Engine", "Version": "9.9.9-test",
                "Details": {"ApiVersion": "1.44", "MinAPIVersion": "1.24",
                    "GitCommit": format!("asked-{}", req.api_version), "GoVersion": "none",
                    "Os": "linux", "Arch": "amd64", "Experimental": "false",
                    "BuildTime": "2024-01-01T00:00:00.000000000+00:00"}}],
            "Version": "9.9.9-test",
            "ApiVersion": ApiVersion::CURRENT.to_string(),
            "MinAPIVersion": "1.24",
            "GitCommit": format!("asked-{}", req.api_version),
            "GoVersion": "none",
            "Os": "linux",
            "Arch": "amd64",
            "KernelVersion": "6.0",
            "BuildTime": "2024-01-01T00:00:00.000000000+00:00"
        }))))
    }

    async fn system_info(&self, _req: SystemInfoRequest) -> Result<SystemInfoReply, ApiError> {
        Ok(SystemInfoReply::Ok(typed(
            json!({"ID": "test", "Containers": 0}),
        )))
    }

    async fn system_events(&self, req: SystemEventsRequest) -> Result<SystemEventsReply, ApiError> {
        let since = req.since.unwrap_or_default();
        let events = (0..3).map(move |i| -> EventMessage {
            typed(json!({"Type": "container", "Action": format!("start-{i}"),
                "Actor": {"ID": format!("since-{since}")}}))
        });
        Ok(SystemEventsReply::Ok(Box::pin(stream::iter(events))))
    }
}

/// Opens the gate of the `gate` container's wait (see `container_wait`).
fn wait_gate() -> &'static tokio::sync::Notify {
    static GATE: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    GATE.get_or_init(tokio::sync::Notify::new)
}

impl ContainerApi for TestApi {
    async fn container_list(
        &self,
        req: ContainerListRequest,
    ) -> Result<ContainerListReply, ApiError> {
        // Echo what was decoded, so the test can check it.
        let status = req.filters.as_ref().map(|f| f.get("status").join(","));
        Ok(ContainerListReply::Ok(vec![typed(json!({
            "Id": "c1",
            "Names": [format!("/v{}", req.api_version)],
            "Labels": {"all": req.all.to_string(), "limit": format!("{:?}", req.limit),
                "status": status.unwrap_or_default()}
        }))]))
    }

    async fn container_wait(
        &self,
        req: ContainerWaitRequest,
    ) -> Result<ContainerWaitReply, ApiError> {
        if req.id != "gate" {
            return Err(ApiError {
                status: 404,
                message: format!("No such container: {}", req.id),
            });
        }
        // Accepted now; the exit code comes once the test opens the gate.
        Ok(ContainerWaitReply::Ok(Deferred::new(async {
            wait_gate().notified().await;
            typed(json!({"StatusCode": 7}))
        })))
    }

    async fn container_inspect(
        &self,
        req: ContainerInspectRequest,
    ) -> Result<ContainerInspectReply, ApiError> {
        if req.id == "missing" {
            return Err(ApiError {
                status: 404,
                message: "No such container: missing".into(),
            });
        }
        if req.id == "boom" {
            panic!("a handler bug with a secret: hunter2");
        }
        Ok(ContainerInspectReply::Ok(typed(json!({
            "Id": req.id, "Name": format!("/{}", req.id)
        }))))
    }

    async fn container_logs(
        &self,
        req: ContainerLogsRequest,
    ) -> Result<ContainerLogsReply, ApiError> {
        if !req.stdout && !req.stderr {
            return Err(ApiError {
                status: 400,
                message: "Bad parameters: you must choose at least one stream".into(),
            });
        }
        let logs = if req.id == "tty" {
            LogStream::Raw(Box::pin(stream::iter([Ok(Bytes::from_static(
                b"raw tty output\r\n",
            ))])))
        } else {
            LogStream::Multiplexed(Box::pin(stream::iter([
                Frame {
                    stream: StreamKind::Stdout,
                    data: Bytes::from_static(b"hello\n"),
                },
                Frame {
                    stream: StreamKind::Stderr,
                    data: Bytes::from(format!("tail={}\n", req.tail)),
                },
            ])))
        };
        Ok(ContainerLogsReply::Ok(logs))
    }
}

impl ExecApi for TestApi {
    async fn exec_start(&self, req: ExecStartRequest) -> Result<ExecStartReply, ApiError> {
        let tty = req
            .body
            .as_ref()
            .and_then(|b| serde_json::to_value(b).ok())
            .and_then(|v| v["Tty"].as_bool())
            .unwrap_or(false);
        // Greets, then echoes stdin back as stdout frames until EOF.
        Ok(ExecStartReply::Ok(Hijack::new(
            tty,
            |mut io: Upgraded| async move {
                let mut out = BytesMut::new();
                mux::encode(StreamKind::Stdout, b"ready\n", &mut out);
                if io.write_all(&out).await.is_err() {
                    return;
                }
                let mut buf = [0u8; 1024];
                loop {
                    match io.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let mut out = BytesMut::new();
                            mux::encode(StreamKind::Stdout, &buf[..n], &mut out);
                            if io.write_all(&out).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                let _ = io.shutdown().await;
            },
        )))
    }
}

impl ImageApi for TestApi {
    async fn image_load(&self, req: ImageLoadRequest) -> Result<ImageLoadReply, ApiError> {
        let bytes = req
            .body
            .try_fold(0usize, |n, chunk| async move { Ok(n + chunk.len()) })
            .await
            .map_err(|e| ApiError {
                status: 500,
                message: e.to_string(),
            })?;
        let msg = json!({"stream": format!("Loaded {bytes} bytes (quiet={})\n", req.quiet)});
        Ok(ImageLoadReply::Ok(Box::pin(stream::iter([msg]))))
    }

    async fn image_get(&self, req: ImageGetRequest) -> Result<ImageGetReply, ApiError> {
        let chunks = vec![
            Ok(Bytes::from(format!("tar of {}|", req.name))),
            Ok(Bytes::from_static(b"second chunk")),
        ];
        Ok(ImageGetReply::Ok(Box::pin(stream::iter(chunks))))
    }

    async fn image_inspect(&self, req: ImageInspectRequest) -> Result<ImageInspectReply, ApiError> {
        Ok(ImageInspectReply::Ok(typed(json!({"Id": req.name}))))
    }
}

// Every trait not written above answers 501 for each of its operations.
engine_api::default_handlers!(TestApi: SystemApi, ContainerApi, ExecApi, ImageApi);

fn info() -> ServerInfo {
    ServerInfo {
        server: "engine-api-test/0 (linux)".into(),
        os_type: "linux".into(),
        experimental: false,
    }
}

fn socket(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("server_generated");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.sock"))
}

/// Serves `TestApi` on a fresh socket; dropping the sender stops it.
async fn start(name: &str) -> (PathBuf, tokio::sync::oneshot::Sender<()>) {
    let path = socket(name);
    let listener = Listener::bind(&engine_api::rt::host::Host::Unix(path.clone()), None)
        .await
        .unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let router = Arc::new(Router::new(TestApi, info()));
    tokio::spawn(serve(listener, router, async {
        let _ = rx.await;
    }));
    (path, tx)
}

fn transport(path: &Path) -> Transport {
    unix(path).version(ApiVersion::CURRENT).build().unwrap()
}

async fn send(
    t: &Transport,
    method: Method,
    path: &str,
    body: Body,
) -> Response<hyper::body::Incoming> {
    let req = t.request(method, path, None).unwrap().body(body).unwrap();
    t.send(req).await.unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The status and Docker message of a request that must fail.
async fn fail(t: &Transport, method: Method, path: &str, body: Body) -> (u16, String) {
    let req = t.request(method, path, None).unwrap().body(body).unwrap();
    match t.send(req).await {
        Err(ClientError::Api(e)) => (e.status, e.message),
        Err(e) => panic!("{path}: not an API error: {e}"),
        Ok(resp) => panic!("{path}: unexpected success {}", resp.status()),
    }
}

fn header<'a>(resp: &'a Response<hyper::body::Incoming>, name: &str) -> &'a str {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn bytes_of(resp: Response<hyper::body::Incoming>) -> Vec<u8> {
    let chunks: Vec<Bytes> = byte_stream(resp).try_collect().await.unwrap();
    chunks.concat()
}

fn frames(mut wire: BytesMut) -> Vec<(StreamKind, String)> {
    let mut out = Vec::new();
    while let Some(f) = mux::decode(&mut wire).unwrap() {
        out.push((f.stream, String::from_utf8_lossy(&f.data).into_owned()));
    }
    assert!(wire.is_empty(), "a partial frame is left");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_handlers_answer_with_docker_wire_formats() {
    let (path, _stop) = start("typed").await;
    let t = transport(&path);

    // Ping: text, Docker's headers (common and documented), HEAD without a body.
    let resp = send(&t, Method::GET, "/_ping", body::empty()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header(&resp, "api-version"), "1.44");
    assert_eq!(header(&resp, "server"), "engine-api-test/0 (linux)");
    assert_eq!(header(&resp, "ostype"), "linux");
    assert_eq!(header(&resp, "docker-experimental"), "false");
    assert_eq!(header(&resp, "builder-version"), "1");
    assert_eq!(header(&resp, "pragma"), "no-cache");
    assert!(header(&resp, "content-type").starts_with("text/plain"));
    assert_eq!(bytes_of(resp).await, b"OK");
    let resp = send(&t, Method::HEAD, "/_ping", body::empty()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header(&resp, "api-version"), "1.44");
    assert_eq!(
        header(&resp, "cache-control"),
        "no-cache, no-store, must-revalidate"
    );
    assert!(bytes_of(resp).await.is_empty());

    // JSON, with the negotiated version passed to the handler.
    let resp = send(&t, Method::GET, "/v1.41/version", body::empty()).await;
    assert_eq!(header(&resp, "content-type"), "application/json");
    let v: Value = read_json(resp, "version").await.unwrap();
    assert_eq!(v["Version"], "9.9.9-test");
    assert_eq!(v["GitCommit"], "asked-1.41");

    // Query decoding: booleans, numbers, filters; the version prefix.
    let filters = engine_api::rt::query::encode(r#"{"status":["running","exited"]}"#);
    let resp = send(
        &t,
        Method::GET,
        &format!("/v1.41/containers/json?all=1&limit=3&filters={filters}"),
        body::empty(),
    )
    .await;
    let list: Value = read_json(resp, "list").await.unwrap();
    assert_eq!(list[0]["Names"][0], "/v1.41");
    assert_eq!(list[0]["Labels"]["all"], "true");
    assert_eq!(list[0]["Labels"]["limit"], "Some(3)");
    assert_eq!(list[0]["Labels"]["status"], "exited,running");
    let resp = send(&t, Method::GET, "/containers/json?all=false", body::empty()).await;
    let list: Value = read_json(resp, "list").await.unwrap();
    assert_eq!(list[0]["Names"][0], "/v1.44");
    assert_eq!(list[0]["Labels"]["all"], "false");

    // Percent-encoded path parameters, and image names with slashes.
    let resp = send(&t, Method::GET, "/containers/my%20box/json", body::empty()).await;
    let c: Value = read_json(resp, "inspect").await.unwrap();
    assert_eq!(c["Name"], "/my box");
    for p in [
        "/v1.44/images/registry%3A5000%2Fa%2Fb%3Alatest/json",
        "/v1.44/images/registry:5000/a/b:latest/json",
    ] {
        let resp = send(&t, Method::GET, p, body::empty()).await;
        let img: Value = read_json(resp, "image").await.unwrap();
        assert_eq!(img["Id"], "registry:5000/a/b:latest", "{p}");
    }

    // A handler's error: its status and message as Docker's JSON.
    assert_eq!(
        fail(&t, Method::GET, "/containers/missing/json", body::empty()).await,
        (404, "No such container: missing".to_string())
    );
    // A panicking handler: a bare 500, nothing of the panic leaks.
    let (status, message) = fail(&t, Method::GET, "/containers/boom/json", body::empty()).await;
    assert_eq!(status, 500);
    assert!(!message.contains("hunter2"), "{message}");

    // Logs: frames at 1.44 (multiplexed-stream), raw-stream before 1.42
    // and for TTY output.
    let resp = send(
        &t,
        Method::GET,
        "/containers/web/logs?stdout=1&stderr=1",
        body::empty(),
    )
    .await;
    assert_eq!(
        header(&resp, "content-type"),
        "application/vnd.docker.multiplexed-stream"
    );
    let wire = BytesMut::from(&bytes_of(resp).await[..]);
    assert_eq!(
        frames(wire),
        [
            (StreamKind::Stdout, "hello\n".to_string()),
            (StreamKind::Stderr, "tail=all\n".to_string())
        ]
    );
    let resp = send(
        &t,
        Method::GET,
        "/v1.41/containers/web/logs?stdout=1",
        body::empty(),
    )
    .await;
    assert_eq!(
        header(&resp, "content-type"),
        "application/vnd.docker.raw-stream"
    );
    let resp = send(
        &t,
        Method::GET,
        "/containers/tty/logs?stdout=1",
        body::empty(),
    )
    .await;
    assert_eq!(
        header(&resp, "content-type"),
        "application/vnd.docker.raw-stream"
    );
    assert_eq!(bytes_of(resp).await, b"raw tty output\r\n");
    assert_eq!(
        fail(&t, Method::GET, "/containers/web/logs", body::empty())
            .await
            .0,
        400
    );

    // JSON stream: one message per line.
    let resp = send(&t, Method::GET, "/events?since=42", body::empty()).await;
    assert_eq!(header(&resp, "content-type"), "application/json");
    let text = String::from_utf8(bytes_of(resp).await).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["Action"], "start-2");
    assert_eq!(lines[0]["Actor"]["ID"], "since-42");

    // Tar in (a streamed body) and tar out.
    let tar = vec![7u8; 300_000];
    let resp = send(&t, Method::POST, "/images/load?quiet=1", body::bytes(tar)).await;
    let text = String::from_utf8(bytes_of(resp).await).unwrap();
    let msg: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(msg["stream"], "Loaded 300000 bytes (quiet=true)\n");
    let resp = send(
        &t,
        Method::GET,
        "/images/busybox%3Alatest/get",
        body::empty(),
    )
    .await;
    assert_eq!(header(&resp, "content-type"), "application/x-tar");
    assert_eq!(bytes_of(resp).await, b"tar of busybox:latest|second chunk");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_json_errors_naming_the_problem() {
    let (path, _stop) = start("errors").await;
    let t = transport(&path);
    let empty = body::empty;

    let (s, m) = fail(&t, Method::GET, "/v1.50/_ping", empty()).await;
    assert_eq!(
        (s, m.as_str()),
        (
            400,
            "client version 1.50 is too new. Maximum supported API version is 1.44"
        )
    );
    let (s, m) = fail(&t, Method::GET, "/v1.x/info", empty()).await;
    assert_eq!(s, 400);
    assert!(m.contains("1.x"), "{m}");
    let (s, m) = fail(&t, Method::GET, "/v1.12/info", empty()).await;
    assert_eq!(s, 400);
    assert!(m.contains("too old"), "{m}");

    assert_eq!(
        fail(&t, Method::GET, "/nothing/here", empty()).await,
        (404, "page not found".to_string())
    );
    let (s, m) = fail(&t, Method::POST, "/info", empty()).await;
    assert_eq!(s, 405);
    assert!(m.contains("POST"), "{m}");

    assert_eq!(
        fail(&t, Method::GET, "/networks", empty()).await,
        (
            501,
            "NetworkList is not implemented by this server".to_string()
        )
    );
    assert_eq!(
        fail(&t, Method::POST, "/containers/web/start", empty()).await,
        (
            501,
            "ContainerStart is not implemented by this server".to_string()
        )
    );

    let (s, m) = fail(&t, Method::GET, "/containers/json?all=maybe", empty()).await;
    assert_eq!(s, 400);
    assert!(m.contains("`all`") && m.contains("maybe"), "{m}");
    let (s, m) = fail(&t, Method::GET, "/containers/json?limit=ten", empty()).await;
    assert_eq!(s, 400);
    assert!(m.contains("`limit`"), "{m}");
    let (s, m) = fail(&t, Method::GET, "/containers/json?filters=%5B1%5D", empty()).await;
    assert_eq!(s, 400);
    assert!(m.contains("`filters`"), "{m}");
    let (s, m) = fail(&t, Method::PUT, "/volumes/data", body::bytes("{}")).await;
    assert_eq!(s, 400);
    assert_eq!(m, "missing required query parameter `version`");

    // Bodies: malformed JSON, a wrong type (the field is named, no Rust
    // type names), a missing required body, an oversized one.
    let (s, m) = fail(
        &t,
        Method::POST,
        "/containers/create",
        body::bytes("{\"Image\":"),
    )
    .await;
    assert_eq!(s, 400);
    assert!(m.starts_with("invalid JSON in the request body"), "{m}");
    let (s, m) = fail(
        &t,
        Method::POST,
        "/containers/create",
        body::bytes(r#"{"Image":"busybox","HostConfig":{"Memory":"lots"}}"#),
    )
    .await;
    assert_eq!(s, 400);
    assert!(m.contains("HostConfig.Memory"), "{m}");
    assert!(!m.contains("HostConfig {") && !m.contains("::"), "{m}");
    let (s, m) = fail(&t, Method::POST, "/containers/create", empty()).await;
    assert_eq!((s, m.as_str()), (400, "missing required JSON request body"));
    let big = vec![b' '; 11 << 20];
    let (s, m) = fail(&t, Method::POST, "/containers/create", body::bytes(big)).await;
    assert_eq!(s, 413);
    assert!(m.contains("larger than"), "{m}");
    // The server is still fine afterwards.
    let resp = send(&t, Method::GET, "/_ping", empty()).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_start_hijacks_the_connection_or_streams_without_upgrade() {
    let (path, _stop) = start("hijack").await;
    let t = transport(&path);

    let req = t
        .request(Method::POST, "/v1.44/exec/abc/start", None)
        .unwrap()
        .header("content-type", "application/json")
        .body(body::bytes(r#"{"Detach":false,"Tty":false}"#))
        .unwrap();
    let mut io = t.upgrade(req).await.expect("101 Switching Protocols");
    io.write_all(b"ping\n").await.unwrap();
    io.write_all(b"pong\n").await.unwrap();
    io.shutdown().await.unwrap();
    let mut wire = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        io.read_to_end(&mut wire),
    )
    .await
    .expect("the handler closes the connection")
    .unwrap();
    let got: String = frames(BytesMut::from(&wire[..]))
        .into_iter()
        .map(|(k, s)| {
            assert_eq!(k, StreamKind::Stdout);
            s
        })
        .collect();
    assert_eq!(got, "ready\nping\npong\n");

    // Without `Upgrade: tcp`: a plain 200 whose body is the handler's output.
    let req = t
        .request(Method::POST, "/v1.41/exec/abc/start", None)
        .unwrap()
        .body(body::bytes(r#"{"Tty":true}"#))
        .unwrap();
    let resp = t.send(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        header(&resp, "content-type"),
        "application/vnd.docker.raw-stream"
    );
    let wire = BytesMut::from(&bytes_of(resp).await[..]);
    assert_eq!(frames(wire), [(StreamKind::Stdout, "ready\n".to_string())]);
}

/// A headers-first operation (ContainerWait): the status line and headers
/// arrive while the handler's body is still pending, the JSON body once it
/// resolves; a refused wait is a plain error answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_sends_its_headers_before_the_body() {
    let (path, _stop) = start("wait").await;
    let t = transport(&path);

    let (status, message) = fail(&t, Method::POST, "/containers/nope/wait", body::empty()).await;
    assert_eq!((status, message.as_str()), (404, "No such container: nope"));

    // `send` returns with the head: the gate is still closed.
    let resp = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        send(
            &t,
            Method::POST,
            "/v1.44/containers/gate/wait",
            body::empty(),
        ),
    )
    .await
    .expect("the headers come before the body is ready");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header(&resp, "content-type"), "application/json");
    assert_eq!(header(&resp, "api-version"), "1.44");
    let body = tokio::spawn(bytes_of(resp));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!body.is_finished(), "the body came before the gate opened");
    wait_gate().notify_one();
    let body = tokio::time::timeout(std::time::Duration::from_secs(10), body)
        .await
        .expect("the body follows the gate")
        .unwrap();
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(answer, json!({"StatusCode": 7}));
}

/// An `Api` whose ping and version answers were encoded once
/// (`Reply::prepare`) from `TestApi`'s answers.
struct PreparedApi {
    ping: Prepared<SystemPingReply>,
    version: Prepared<SystemVersionReply>,
}

impl SystemApi for PreparedApi {
    async fn system_ping(&self, _req: SystemPingRequest) -> Result<SystemPingReply, ApiError> {
        Ok(SystemPingReply::Prepared(self.ping.clone()))
    }

    async fn system_version(
        &self,
        _req: SystemVersionRequest,
    ) -> Result<SystemVersionReply, ApiError> {
        Ok(SystemVersionReply::Prepared(self.version.clone()))
    }
}

impl ContainerApi for PreparedApi {}
impl ExecApi for PreparedApi {}
impl ImageApi for PreparedApi {}
impl NetworkApi for PreparedApi {}
impl VolumeApi for PreparedApi {}
impl PluginApi for PreparedApi {}
impl NodeApi for PreparedApi {}
impl SwarmApi for PreparedApi {}
impl ServiceApi for PreparedApi {}
impl TaskApi for PreparedApi {}
impl SecretApi for PreparedApi {}
impl ConfigApi for PreparedApi {}
impl DistributionApi for PreparedApi {}
impl SessionApi for PreparedApi {}

/// Prepared answers go out exactly as the same answers encoded per
/// request: status, content type, documented and common headers, body;
/// HEAD /_ping falls back to the prepared GET answer without a body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepared_answers_match_answers_encoded_per_request() {
    let version_req = || SystemVersionRequest {
        api_version: ApiVersion::CURRENT,
    };
    let ping_req = SystemPingRequest {
        api_version: ApiVersion::CURRENT,
    };
    let prepared = PreparedApi {
        ping: TestApi.system_ping(ping_req).await.unwrap().prepare(),
        version: TestApi
            .system_version(version_req())
            .await
            .unwrap()
            .prepare(),
    };
    assert_eq!(prepared.version.status(), 200);
    let path = socket("prepared");
    let listener = Listener::bind(&engine_api::rt::host::Host::Unix(path.clone()), None)
        .await
        .unwrap();
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = Arc::new(Router::new(prepared, info()));
    tokio::spawn(serve(listener, router, async {
        let _ = stopped.await;
    }));
    let (plain_path, _stop_plain) = start("prepared-plain").await;
    let (ours, plain) = (transport(&path), transport(&plain_path));

    for (method, uri) in [
        (Method::GET, "/version"),
        (Method::GET, "/v1.44/_ping"),
        (Method::HEAD, "/_ping"),
    ] {
        let a = send(&ours, method.clone(), uri, body::empty()).await;
        let b = send(&plain, method.clone(), uri, body::empty()).await;
        assert_eq!(a.status(), b.status(), "{method} {uri}");
        for name in [
            "content-type",
            "api-version",
            "server",
            "ostype",
            "docker-experimental",
            "builder-version",
            "cache-control",
            "pragma",
        ] {
            assert_eq!(header(&a, name), header(&b, name), "{method} {uri}: {name}");
        }
        let (a, b) = (bytes_of(a).await, bytes_of(b).await);
        assert_eq!(a, b, "{method} {uri}");
        if method == Method::HEAD {
            assert!(a.is_empty());
        } else {
            assert!(!a.is_empty());
        }
    }
    // The version body was encoded once, with the version asked then.
    let body = bytes_of(send(&ours, Method::GET, "/v1.30/version", body::empty()).await).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v["GitCommit"],
        json!(format!("asked-{}", ApiVersion::CURRENT))
    );
}

/// The real docker CLI against the generated server: `docker version`
/// pings (HEAD /_ping), negotiates, and prints the server's version block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docker_cli_reads_the_version_block() {
    let cli = Path::new("/usr/local/bin/docker");
    if !cli.exists() {
        eprintln!("skipping: {} is not installed", cli.display());
        return;
    }
    let (path, _stop) = start("cli").await;
    let host = format!("unix://{}", path.display());
    let config = path.with_extension("config");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("/usr/local/bin/docker")
            .args(["-H", &host, "version"])
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_API_VERSION")
            .env("DOCKER_CONFIG", config)
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "docker version failed:\n{stdout}\n{stderr}"
    );
    let server = stdout
        .split_once("Server:")
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no server block:\n{stdout}\n{stderr}"));
    assert!(server.contains("9.9.9-test"), "{stdout}");
    assert!(server.contains("1.44 (minimum version 1.24)"), "{stdout}");
    assert!(server.contains("asked-1.44"), "{stdout}");
}
