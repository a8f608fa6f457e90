//! The server's hand-written support driven by our client, as a user's
//! daemon would run it: unix socket (mode 0660), TCP, TLS that requires a
//! client certificate from its CA, version-prefix rules, the headers Docker
//! servers send, and graceful shutdown finishing a request in flight.

use std::future::Future;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use engine_api::rt::body::Body;
use engine_api::rt::client::{body, read_json, ClientError, TlsFiles, TransportBuilder};
use engine_api::rt::host::Host;
use engine_api::rt::server::{
    respond, serve, version_prefix, HttpService, Listener, ServerInfo, ServerTls,
};
use engine_api::rt::version::ApiVersion;
use hyper::{Method, Request, Response, StatusCode};
use test_support::certs;

/// Answers `/_ping`, `/version-seen` (the negotiated prefix) and `/slow`.
struct Tiny {
    info: ServerInfo,
}

impl HttpService for Tiny {
    fn call(
        &self,
        req: Request<hyper::body::Incoming>,
    ) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + '_>> {
        Box::pin(async move {
            let mut resp = match version_prefix::split(req.uri().path()) {
                Err(e) => respond::error(StatusCode::BAD_REQUEST, &e.to_string()),
                Ok((_, "/_ping")) => respond::text(StatusCode::OK, "OK"),
                Ok((v, "/version-seen")) => {
                    respond::json(StatusCode::OK, &serde_json::json!({ "v": v.to_string() }))
                }
                Ok((_, "/slow")) => {
                    tokio::time::sleep(Duration::from_millis(400)).await;
                    respond::json(StatusCode::OK, &serde_json::json!({ "done": true }))
                }
                Ok((_, path)) => {
                    respond::error(StatusCode::NOT_FOUND, &format!("page not found: {path}"))
                }
            };
            respond::add_common_headers(&mut resp, &self.info);
            resp
        })
    }
}

fn tiny() -> Arc<Tiny> {
    Arc::new(Tiny {
        info: ServerInfo {
            server: "engined-test/0 (linux)".into(),
            os_type: "linux".into(),
            experimental: false,
        },
    })
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("server_transport")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts `serve` on `listener`; the returned sender stops it.
fn start(
    listener: Listener,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, tiny(), async {
        let _ = rx.await;
    }));
    (tx, task)
}

async fn get_json(
    t: &engine_api::rt::client::Transport,
    path: &str,
) -> Result<serde_json::Value, ClientError> {
    let v = t.api_version().await?;
    let req = t
        .request(Method::GET, path, Some(v))?
        .body(body::empty())
        .unwrap();
    read_json(t.send(req).await?, path).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unix_socket_serves_with_docker_headers_and_version_rules() {
    let sock = scratch("unix").join("run/engined.sock");
    let listener = Listener::bind(&Host::Unix(sock.clone()), None)
        .await
        .unwrap();
    let mode = std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660);
    let (stop, task) = start(listener);

    let t = TransportBuilder::new(Host::Unix(sock.clone()))
        .build()
        .unwrap();
    assert_eq!(t.api_version().await.unwrap(), ApiVersion::CURRENT);
    assert_eq!(get_json(&t, "/version-seen").await.unwrap()["v"], "1.44");

    // Headers Docker servers send.
    let req = t
        .request(Method::GET, "/_ping", None)
        .unwrap()
        .body(body::empty())
        .unwrap();
    let resp = t.send(req).await.unwrap();
    assert_eq!(resp.headers()["api-version"], "1.44");
    assert_eq!(resp.headers()["ostype"], "linux");
    assert_eq!(resp.headers()["docker-experimental"], "false");
    assert_eq!(resp.headers()["server"], "engined-test/0 (linux)");

    // An older client's prefix is honoured; a newer one is refused with 400.
    let old = TransportBuilder::new(Host::Unix(sock.clone()))
        .version(ApiVersion::new(1, 41))
        .build()
        .unwrap();
    assert_eq!(get_json(&old, "/version-seen").await.unwrap()["v"], "1.41");
    let new = TransportBuilder::new(Host::Unix(sock.clone()))
        .version(ApiVersion::new(1, 50))
        .build()
        .unwrap();
    let err = get_json(&new, "/version-seen").await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(
        err.to_string().contains("client version 1.50 is too new"),
        "{err}"
    );

    // A second bind replaces the stale socket file left by a crash.
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    assert!(sock.exists(), "a stale socket file is what a crash leaves");
    let again = Listener::bind(&Host::Unix(sock.clone()), None)
        .await
        .unwrap();
    drop(again);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_requires_a_client_certificate_from_the_ca() {
    let dir = scratch("tls");
    let pki = certs::generate(&dir.join("good"), "good");
    let other = certs::generate(&dir.join("other"), "other");
    let server_tls = ServerTls {
        ca: pki.server.ca.clone(),
        cert: pki.server.cert.clone(),
        key: pki.server.key.clone(),
    };
    let listener = Listener::bind(&Host::Tcp("127.0.0.1:0".into()), Some(&server_tls))
        .await
        .unwrap();
    let addr = listener
        .local_addr()
        .trim_start_matches("tcp://")
        .to_string();
    let (stop, task) = start(listener);

    let files = |p: &certs::Party| TlsFiles {
        ca: p.ca.clone(),
        cert: p.cert.clone(),
        key: p.key.clone(),
    };
    let good = TransportBuilder::new(Host::Tcp(addr.clone()))
        .tls(files(&pki.client))
        .build()
        .unwrap();
    assert_eq!(get_json(&good, "/version-seen").await.unwrap()["v"], "1.44");

    // A client certificate from another CA is refused during the handshake.
    let stranger = TlsFiles {
        ca: pki.client.ca.clone(),
        cert: other.client.cert.clone(),
        key: other.client.key.clone(),
    };
    let bad = TransportBuilder::new(Host::Tcp(addr.clone()))
        .tls(stranger)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert!(matches!(
        get_json(&bad, "/_ping").await,
        Err(ClientError::Connect { .. })
    ));

    // A server certificate from another CA is refused by the client.
    let wrong_ca = TlsFiles {
        ca: other.client.ca.clone(),
        cert: pki.client.cert.clone(),
        key: pki.client.key.clone(),
    };
    let bad = TransportBuilder::new(Host::Tcp(addr.clone()))
        .tls(wrong_ca)
        .build()
        .unwrap();
    assert!(matches!(
        get_json(&bad, "/_ping").await,
        Err(ClientError::Connect { .. })
    ));

    // Plain HTTP on the TLS port gets nowhere.
    let plain = TransportBuilder::new(Host::Tcp(addr))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert!(get_json(&plain, "/_ping").await.is_err());

    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_request_in_flight() {
    let listener = Listener::bind(&Host::Tcp("127.0.0.1:0".into()), None)
        .await
        .unwrap();
    let addr = listener
        .local_addr()
        .trim_start_matches("tcp://")
        .to_string();
    let (stop, task) = start(listener);
    let t = Arc::new(
        TransportBuilder::new(Host::Tcp(addr.clone()))
            .build()
            .unwrap(),
    );
    let slow = {
        let t = t.clone();
        tokio::spawn(async move { get_json(&t, "/slow").await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    let answer = slow.await.unwrap().unwrap();
    assert_eq!(answer["done"], true);
    task.await.unwrap().unwrap();
    // The listener is closed: a new client cannot connect.
    let fresh = TransportBuilder::new(Host::Tcp(addr))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    assert!(matches!(
        get_json(&fresh, "/_ping").await,
        Err(ClientError::Connect { .. })
    ));
}
