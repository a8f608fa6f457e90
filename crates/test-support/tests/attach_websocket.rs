//! Attach over WebSocket (`GET /containers/{id}/attach/ws`) between the
//! generated server and the generated client, over a unix socket. The
//! server's handler greets and echoes; the wire is also checked with a
//! hand-written WebSocket client that reads frames byte by byte: the
//! handshake's `Sec-WebSocket-Accept` (RFC 6455's own example key), binary
//! messages for API 1.44 and text messages for 1.41, unmasked server
//! frames, ping/pong, the closing handshake, 404 before any upgrade, 400
//! for a broken handshake, and a plain 200 with the raw output for a
//! request without a handshake.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine_api::client::ContainerAttachWebsocketParams;
use engine_api::rt::client::{read_limited, unix, Attached, LogOutput, LogStream, Transport};
use engine_api::rt::error::ApiError;
use engine_api::rt::host::Host;
use engine_api::rt::server::{serve, Hijack, Listener, ServerInfo, Upgraded};
use engine_api::rt::version::ApiVersion;
use engine_api::server::*;
use engine_api::Client;
use futures_util::StreamExt;
use hyper::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

/// What the handlers saw, in order (`web: input ended`).
type Events = Arc<Mutex<Vec<String>>>;

struct TestApi {
    events: Events,
}

fn greeting(id: &str, version: ApiVersion) -> String {
    format!("hello {id} at {version}\n")
}

impl ContainerApi for TestApi {
    async fn container_attach_websocket(
        &self,
        req: ContainerAttachWebsocketRequest,
    ) -> Result<ContainerAttachWebsocketReply, ApiError> {
        if req.id == "gone" {
            return Err(ApiError {
                status: 404,
                message: "No such container: gone".into(),
            });
        }
        let events = self.events.clone();
        let hello = greeting(&req.id, req.api_version);
        let (id, stdin) = (req.id, req.stdin);
        Ok(ContainerAttachWebsocketReply::SwitchingProtocols(
            Hijack::new(false, move |mut io: Upgraded| async move {
                if io.write_all(hello.as_bytes()).await.is_err() {
                    return;
                }
                // `quits` ends the session from the server's side.
                if stdin && id != "quits" {
                    let mut buf = vec![0u8; 8192];
                    loop {
                        match io.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                if io.write_all(&buf[..n]).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                    events.lock().unwrap().push(format!("{id}: input ended"));
                }
                let _ = io.shutdown().await;
            }),
        ))
    }
}

// Every other trait answers 501 for each of its operations.
engine_api::default_handlers!(TestApi: ContainerApi);

struct Served {
    socket: PathBuf,
    events: Events,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(name: &str) -> Served {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("attach_websocket");
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join(format!("{name}.sock"));
    let listener = Listener::bind(&Host::Unix(socket.clone()), None)
        .await
        .unwrap();
    let events = Events::default();
    let api = TestApi {
        events: events.clone(),
    };
    let info = ServerInfo {
        server: "attach-websocket-test/0 (linux)".into(),
        os_type: "linux".into(),
        experimental: false,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, Arc::new(Router::new(api, info)), async {
        let _ = stopped.await;
    }));
    Served {
        socket,
        events,
        _stop: stop,
    }
}

fn client(socket: &Path, version: ApiVersion) -> Client {
    Client::builder(Host::Unix(socket.to_path_buf()))
        .version(version)
        .build()
        .unwrap()
}

fn params() -> ContainerAttachWebsocketParams {
    ContainerAttachWebsocketParams {
        stream: Some(true),
        stdin: Some(true),
        stdout: Some(true),
        stderr: Some(true),
        ..Default::default()
    }
}

/// The next output item's text (raw console bytes: never multiplexed).
async fn next_text(output: &mut LogStream) -> Option<String> {
    let item = tokio::time::timeout(Duration::from_secs(10), output.next())
        .await
        .expect("output within 10 s")?;
    match item.expect("well-formed output") {
        LogOutput::Console(data) => Some(String::from_utf8_lossy(&data).into_owned()),
        other => panic!("unexpected output item {other:?}"),
    }
}

/// Reads output until `want` bytes of text have come.
async fn read_text(output: &mut LogStream, want: usize) -> String {
    let mut text = String::new();
    while text.len() < want {
        match next_text(output).await {
            Some(chunk) => text.push_str(&chunk),
            None => panic!("output ended after {text:?}"),
        }
    }
    text
}

/// Attaches to `id` with the generated client at `version` and reads the
/// handler's greeting.
async fn attach(served: &Served, id: &str, version: ApiVersion) -> Attached {
    let mut attached = client(&served.socket, version)
        .container_attach_websocket(id, &params())
        .await
        .unwrap();
    let hello = greeting(id, version);
    assert_eq!(read_text(&mut attached.output, hello.len()).await, hello);
    attached
}

async fn wait_for_event(events: &Events, event: &str) {
    for _ in 0..200 {
        if events.lock().unwrap().iter().any(|e| e == event) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no `{event}` in {:?}", events.lock().unwrap());
}

#[tokio::test]
async fn the_client_round_trips_stdin_and_its_close_ends_the_server() {
    let served = start("round-trip").await;
    for version in [ApiVersion::new(1, 44), ApiVersion::new(1, 41)] {
        let mut attached = attach(&served, "web", version).await;
        for line in ["typed into stdin\n", "and a second line \u{e9}\n"] {
            attached.input.write_all(line.as_bytes()).await.unwrap();
            assert_eq!(read_text(&mut attached.output, line.len()).await, line);
        }
        // Closing our side ends the handler's input; it then closes too.
        attached.input.shutdown().await.unwrap();
        assert_eq!(next_text(&mut attached.output).await, None);
        wait_for_event(&served.events, "web: input ended").await;
        served.events.lock().unwrap().clear();
    }
}

#[tokio::test]
async fn the_servers_close_ends_the_clients_output() {
    let served = start("server-close").await;
    let mut attached = attach(&served, "quits", ApiVersion::CURRENT).await;
    assert_eq!(next_text(&mut attached.output).await, None);
}

#[tokio::test]
async fn an_unknown_container_is_404_before_any_upgrade() {
    let served = start("not-found").await;
    let e = client(&served.socket, ApiVersion::CURRENT)
        .container_attach_websocket("gone", &params())
        .await
        .expect_err("no such container");
    assert!(e.is_not_found(), "{e}");
    assert_eq!(
        e.api().map(|a| a.message.as_str()),
        Some("No such container: gone")
    );

    // On the wire: a plain JSON answer, no upgrade.
    let mut raw = RawClient::connect(&served.socket).await;
    let head = raw.handshake("/v1.44/containers/gone/attach/ws").await;
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("upgrade: websocket"),
        "{head}"
    );
    assert!(head.contains("content-type: application/json"), "{head}");
}

#[tokio::test]
async fn a_request_without_a_handshake_gets_the_raw_output_as_its_body() {
    let served = start("no-handshake").await;
    let t: Transport = unix(&served.socket)
        .version(ApiVersion::CURRENT)
        .build()
        .unwrap();
    let req = t
        .request(
            Method::GET,
            "/containers/web/attach/ws?stream=1&stdout=1",
            Some(ApiVersion::CURRENT),
        )
        .unwrap()
        .body(engine_api::rt::body::empty())
        .unwrap();
    let resp = t.send(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/vnd.docker.raw-stream")
    );
    let body = read_limited(resp.into_body(), 1 << 20).await.unwrap();
    assert_eq!(body, greeting("web", ApiVersion::CURRENT).as_bytes());
}

#[tokio::test]
async fn a_broken_handshake_is_refused() {
    let served = start("broken").await;
    let mut raw = RawClient::connect(&served.socket).await;
    let request = "GET /v1.44/containers/web/attach/ws?stream=1 HTTP/1.1\r\n\
        Host: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";
    raw.io.write_all(request.as_bytes()).await.unwrap();
    let head = raw.head().await;
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
}

#[tokio::test]
async fn frames_on_the_wire_follow_the_api_version() {
    let served = start("frames").await;
    for (version, opcode) in [("1.44", BINARY), ("1.41", TEXT)] {
        let mut raw = RawClient::connect(&served.socket).await;
        let head = raw
            .handshake(&format!(
                "/v{version}/containers/web/attach/ws?stream=1&stdin=1&stdout=1"
            ))
            .await;
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        // RFC 6455's example: this key must be answered with this accept.
        assert!(
            head.contains("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            "{head}"
        );
        assert!(head.contains("upgrade: websocket"), "{head}");

        let hello = format!("hello web at {version}\n");
        assert_eq!(raw.frame().await, (opcode, hello.into_bytes()));
        // Input may come in either kind of message.
        raw.send(TEXT, b"as text\n").await;
        assert_eq!(raw.frame().await, (opcode, b"as text\n".to_vec()));
        raw.send(BINARY, b"as binary \xc3\xa9\n").await;
        assert_eq!(raw.frame().await, (opcode, "as binary \u{e9}\n".into()));
        // A ping is answered with a pong carrying its payload.
        raw.send(PING, b"are you there").await;
        assert_eq!(raw.frame().await, (PONG, b"are you there".to_vec()));
        // Our Close (status 1000) is answered with a Close.
        raw.send(CLOSE, &1000u16.to_be_bytes()).await;
        let (op, _) = raw.frame().await;
        assert_eq!(op, CLOSE);
        wait_for_event(&served.events, "web: input ended").await;
        served.events.lock().unwrap().clear();
    }
}

const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

/// A WebSocket client written from RFC 6455, to see the server's frames
/// as they are on the wire.
struct RawClient {
    io: UnixStream,
}

impl RawClient {
    async fn connect(socket: &Path) -> RawClient {
        RawClient {
            io: UnixStream::connect(socket).await.unwrap(),
        }
    }

    /// Sends the handshake for `target` with RFC 6455's example key and
    /// returns the answer's head (header names lowercased).
    async fn handshake(&mut self, target: &str) -> String {
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n\
             Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        );
        self.io.write_all(request.as_bytes()).await.unwrap();
        self.head().await
    }

    /// The answer's status line and headers, read byte by byte so that no
    /// frame after them is consumed.
    async fn head(&mut self) -> String {
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let byte = tokio::time::timeout(Duration::from_secs(10), self.io.read_u8())
                .await
                .expect("an answer within 10 s")
                .unwrap();
            head.push(byte);
        }
        let text = String::from_utf8(head).unwrap();
        let mut lines = text.lines();
        let status = lines.next().unwrap_or_default().to_string();
        let headers: Vec<String> = lines
            .map(|l| match l.split_once(':') {
                Some((name, value)) => format!("{}:{value}", name.to_ascii_lowercase()),
                None => l.to_string(),
            })
            .collect();
        format!("{status}\n{}", headers.join("\n"))
    }

    /// One whole frame from the server: (opcode, payload). Server frames
    /// are never masked.
    async fn frame(&mut self) -> (u8, Vec<u8>) {
        let mut head = [0u8; 2];
        tokio::time::timeout(Duration::from_secs(10), self.io.read_exact(&mut head))
            .await
            .expect("a frame within 10 s")
            .unwrap();
        assert_eq!(head[0] & 0x80, 0x80, "a final frame");
        assert_eq!(head[1] & 0x80, 0, "server frames are not masked");
        let len = match head[1] & 0x7f {
            126 => u64::from(self.io.read_u16().await.unwrap()),
            127 => self.io.read_u64().await.unwrap(),
            n => u64::from(n),
        };
        let mut payload = vec![0u8; usize::try_from(len).unwrap()];
        self.io.read_exact(&mut payload).await.unwrap();
        (head[0] & 0x0f, payload)
    }

    /// Sends one final, masked frame (clients must mask).
    async fn send(&mut self, opcode: u8, payload: &[u8]) {
        assert!(payload.len() < 126);
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        let mut frame = vec![0x80 | opcode, 0x80 | payload.len() as u8];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.io.write_all(&frame).await.unwrap();
    }
}
