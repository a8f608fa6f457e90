//! What the generated client puts on the wire and how it reads answers,
//! against a scripted in-process HTTP server on a unix socket (no daemon
//! needed): Docker's query conventions (booleans as 1/0, typed filters as
//! JSON, lists repeated or comma-joined as the spec says), percent-encoded
//! path parameters, the unversioned ping, X-Registry-Auth as base64url JSON,
//! JSON bodies, and typed errors.

use std::path::PathBuf;
use std::time::Duration;

use engine_api::client::{
    ContainerListParams, ImageGetAllParams, ImagePushParams, SystemDataUsageParams,
};
use engine_api::rt::client::{encode_auth, Filters};
use engine_api::rt::host::Host;
use engine_api::rt::version::ApiVersion;
use engine_api::types::{AuthConfig, SystemDataUsageTypeItem};
use engine_api::Client;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixListener;
use tokio::sync::mpsc;

/// One request as the server saw it.
#[derive(Debug)]
struct Seen {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A server that records every request and answers by the request line.
fn serve(
    answer: fn(&str) -> (u16, &'static str, String),
) -> (PathBuf, mpsc::UnboundedReceiver<Seen>) {
    let dir =
        std::env::temp_dir().join(format!("client-generated-requests-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("api.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((conn, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut conn = BufReader::new(conn);
                loop {
                    let mut line = String::new();
                    if conn.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut headers = Vec::new();
                    loop {
                        let mut h = String::new();
                        conn.read_line(&mut h).await.unwrap();
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        let (k, v) = h.split_once(':').unwrap();
                        headers.push((k.trim().to_string(), v.trim().to_string()));
                    }
                    let seen = Seen {
                        line: line.trim_end().to_string(),
                        headers,
                        body: Vec::new(),
                    };
                    let len: usize = seen
                        .header("content-length")
                        .map(|v| v.parse().unwrap())
                        .unwrap_or(0);
                    let mut body = vec![0; len];
                    conn.read_exact(&mut body).await.unwrap();
                    let (status, content_type, text) = answer(&seen.line);
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\nApi-Version: 1.44\r\nDocker-Experimental: true\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = tx.send(Seen { body, ..seen });
                    conn.get_mut().write_all(reply.as_bytes()).await.unwrap();
                }
            });
        }
    });
    (socket, rx)
}

fn answer(line: &str) -> (u16, &'static str, String) {
    let path = line.split(' ').nth(1).unwrap_or("");
    if path.starts_with("/_ping") {
        return (200, "text/plain; charset=utf-8", "OK".into());
    }
    if path.contains("/containers/busy/") {
        let body = r#"{"message":"container busy is in use"}"#;
        return (409, "application/json", body.into());
    }
    if path.contains("/containers/json") {
        return (200, "application/json", "[]".into());
    }
    if path.contains("/containers/quiet/changes") {
        // What dockerd sends for a container without changes (a nil slice).
        return (200, "application/json", "null\n".into());
    }
    if path.contains("/containers/busy-fs/changes") {
        let body = r#"[{"Path":"/tmp","Kind":0},{"Path":"/tmp/x","Kind":1}]"#;
        return (200, "application/json", body.into());
    }
    if path.contains("/system/df") {
        return (200, "application/json", "{}".into());
    }
    if path.contains("/swarm/init") {
        return (200, "application/json", "\"node-1\"\n".into());
    }
    (200, "application/json", "{}".into())
}

#[tokio::test]
async fn requests_follow_docker_conventions() {
    let (socket, mut seen) = serve(answer);
    let client = Client::builder(Host::Unix(socket))
        .version(ApiVersion::new(1, 44))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    // Booleans as 1/0, numbers, typed filters as JSON, all under /v1.44.
    let list = client
        .container_list(&ContainerListParams {
            all: Some(true),
            limit: Some(5),
            filters: Some(Filters::default().with("status", "running")),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(list.is_empty());
    let r = seen.recv().await.unwrap();
    assert_eq!(
        r.line,
        "GET /v1.44/containers/json?all=1&limit=5&filters=%7B%22status%22%3A%5B%22running%22%5D%7D HTTP/1.1"
    );

    // The ping is unversioned and its headers are typed.
    let ping = client.system_ping().await.unwrap();
    assert_eq!(seen.recv().await.unwrap().line, "GET /_ping HTTP/1.1");
    assert_eq!(ping.body, "OK");
    assert_eq!(ping.api_version.as_deref(), Some("1.44"));
    assert_eq!(ping.docker_experimental, Some(true));

    // Path parameters are percent-encoded; an error status is typed.
    let err = client
        .container_inspect("busy", &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert_eq!(err.api().unwrap().message, "container busy is in use");
    seen.recv().await.unwrap();
    let _ = client.container_inspect("a b/c", &Default::default()).await;
    assert_eq!(
        seen.recv().await.unwrap().line,
        "GET /v1.44/containers/a%20b%2Fc/json HTTP/1.1"
    );

    // Lists: repeated keys with explode, comma-joined without.
    client
        .system_data_usage(&SystemDataUsageParams {
            r#type: Some(vec![
                SystemDataUsageTypeItem::from("container"),
                "image".into(),
            ]),
        })
        .await
        .unwrap();
    assert_eq!(
        seen.recv().await.unwrap().line,
        "GET /v1.44/system/df?type=container&type=image HTTP/1.1"
    );
    let _ = client
        .image_get_all(&ImageGetAllParams {
            names: Some(vec!["a".into(), "b:1".into()]),
        })
        .await
        .unwrap();
    // The spec says comma-separated, but dockerd reads `names` as repeated
    // keys (an "a,b" would be one image name): ir::payload's table wins.
    assert_eq!(
        seen.recv().await.unwrap().line,
        "GET /v1.44/images/get?names=a&names=b%3A1 HTTP/1.1"
    );

    // Registry credentials: base64url JSON in X-Registry-Auth.
    let auth = AuthConfig {
        username: Some("me".into()),
        password: Some("s3cret?".into()),
        ..Default::default()
    };
    let _ = client
        .image_push(
            "registry.local/app",
            &auth,
            &ImagePushParams {
                tag: Some("v1".into()),
            },
        )
        .await
        .unwrap();
    let r = seen.recv().await.unwrap();
    assert_eq!(
        r.line,
        "POST /v1.44/images/registry.local%2Fapp/push?tag=v1 HTTP/1.1"
    );
    assert_eq!(
        r.header("x-registry-auth"),
        Some(encode_auth(&auth).unwrap().as_str())
    );

    // JSON bodies with their content type; a JSON string answer unquoted.
    let node = client
        .swarm_init(&engine_api::types::SwarmInitBody {
            listen_addr: Some("0.0.0.0:2377".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(node, "node-1");
    let r = seen.recv().await.unwrap();
    assert_eq!(r.line, "POST /v1.44/swarm/init HTTP/1.1");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let sent: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(sent["ListenAddr"], "0.0.0.0:2377");

    // A list answer of `null` (Go's nil slice) is an empty list; a real
    // list decodes as usual.
    let none = client.container_changes("quiet").await.unwrap();
    assert!(none.is_empty());
    let r = seen.recv().await.unwrap();
    assert_eq!(r.line, "GET /v1.44/containers/quiet/changes HTTP/1.1");
    let some = client.container_changes("busy-fs").await.unwrap();
    assert_eq!(some.len(), 2);
    assert_eq!(some[1].path, "/tmp/x");
}
