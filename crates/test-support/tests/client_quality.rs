//! What the client adds around each call, against a scripted HTTP/1 server
//! on an in-memory pipe: the User-Agent, default and per-client headers,
//! per-call timeouts, cancellation by dropping the future (the server sees
//! the connection close), error lines inside progress streams as `Err`
//! items with their code, typed stats samples (unknown keys kept, `null`
//! lists as `None`), and `null` for an empty list.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine_api::client::{ImageBuildParams, ImageCreateParams};
use engine_api::rt::client::header::{HeaderName, HeaderValue};
use engine_api::rt::client::{dial_fn, USER_AGENT_VALUE};
use engine_api::rt::version::ApiVersion;
use engine_api::{Client, ClientBuilder};
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;

/// What the scripted server does with one request.
enum Act {
    /// Answer at once.
    Reply(u16, &'static str, String),
    /// Answer after a pause.
    Slow(Duration),
    /// Never answer; report when the client closes the connection.
    Hang,
}

/// What the server saw.
#[derive(Debug)]
enum Seen {
    Request {
        line: String,
        headers: BTreeMap<String, String>,
    },
    Closed,
}

fn script(line: &str) -> Act {
    let path = line.split(' ').nth(1).unwrap_or("");
    let json = "application/json";
    if path.starts_with("/v1.44/info") {
        return Act::Slow(Duration::from_secs(3));
    }
    if path.starts_with("/v1.44/containers/json") {
        return Act::Hang;
    }
    if path.starts_with("/v1.44/containers/web/changes") {
        return Act::Reply(200, json, "null".into());
    }
    if path.starts_with("/v1.44/images/create") {
        let body = concat!(
            "{\"status\":\"Pulling from library/app\",\"id\":\"latest\"}\r\n",
            "{\"errorDetail\":{\"code\":401,\"message\":\"unauthorized: authentication required\"},",
            "\"error\":\"unauthorized: authentication required\"}\r\n",
        );
        return Act::Reply(200, json, body.into());
    }
    if path.starts_with("/v1.44/build") {
        let body = concat!(
            "{\"stream\":\"Step 1/2 : FROM scratch\\n\"}\n",
            "{\"errorDetail\":{\"code\":1,\"message\":\"The command '/bin/sh -c false' returned a non-zero code: 1\"},",
            "\"error\":\"The command '/bin/sh -c false' returned a non-zero code: 1\"}\n",
        );
        return Act::Reply(200, json, body.into());
    }
    if path.starts_with("/v1.44/containers/web/stats") {
        // A cgroup v1 sample as dockerd 20.10 sends it, plus a key from
        // some newer daemon.
        let sample = serde_json::json!({
            "read": "2026-12-01T10:00:01.5Z",
            "preread": "0001-01-01T00:00:00Z",
            "pids_stats": {"current": 3},
            "blkio_stats": {
                "io_service_bytes_recursive": [
                    {"major": 8, "minor": 0, "op": "Read", "value": 4096}
                ],
                "io_serviced_recursive": null
            },
            "num_procs": 0,
            "storage_stats": {},
            "cpu_stats": {
                "cpu_usage": {"total_usage": 123456789, "percpu_usage": [100, 200],
                              "usage_in_kernelmode": 10, "usage_in_usermode": 20},
                "system_cpu_usage": 999999999999u64,
                "online_cpus": 2,
                "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}
            },
            "precpu_stats": {"cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0,
                                            "usage_in_usermode": 0},
                             "throttling_data": {"periods": 0, "throttled_periods": 0,
                                                 "throttled_time": 0}},
            "memory_stats": {"usage": 1048576, "max_usage": 2097152,
                             "stats": {"cache": 4096, "total_inactive_file": 0},
                             "limit": 8589934592u64},
            "name": "/web",
            "id": "abc123",
            "networks": {"eth0": {"rx_bytes": 1500, "rx_packets": 1, "rx_errors": 0,
                                  "rx_dropped": 0, "tx_bytes": 0, "tx_packets": 0,
                                  "tx_errors": 0, "tx_dropped": 0}},
            "gpu_stats": {"future": true}
        });
        return Act::Reply(200, json, format!("{sample}\n"));
    }
    Act::Reply(200, json, "{}".into())
}

/// Serves one pipe: requests one after another (keep-alive), as scripted.
async fn serve(io: DuplexStream, seen: mpsc::UnboundedSender<Seen>) {
    let (read, mut write) = tokio::io::split(io);
    let mut read = BufReader::new(read);
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await.unwrap_or(0) == 0 {
            let _ = seen.send(Seen::Closed);
            return;
        }
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            if read.read_line(&mut h).await.unwrap_or(0) == 0 {
                let _ = seen.send(Seen::Closed);
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; length];
        if read.read_exact(&mut body).await.is_err() {
            let _ = seen.send(Seen::Closed);
            return;
        }
        let line = line.trim_end().to_string();
        let act = script(&line);
        let _ = seen.send(Seen::Request { line, headers });
        let (status, ct, body) = match act {
            Act::Reply(s, ct, b) => (s, ct, b),
            Act::Slow(pause) => {
                tokio::time::sleep(pause).await;
                (200, "application/json", "{}".to_string())
            }
            Act::Hang => {
                // Wait for the client to go away.
                let mut rest = Vec::new();
                let _ = read.read_to_end(&mut rest).await;
                let _ = seen.send(Seen::Closed);
                return;
            }
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nApi-Version: 1.44\r\n\r\n",
            body.len()
        );
        if write.write_all(head.as_bytes()).await.is_err()
            || write.write_all(body.as_bytes()).await.is_err()
        {
            return;
        }
    }
}

/// A builder whose connections are pipes to the scripted server, and what
/// the server reports.
fn scripted() -> (ClientBuilder, mpsc::UnboundedReceiver<Seen>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let tx = Arc::new(Mutex::new(tx));
    let builder = ClientBuilder::dial(dial_fn(move || {
        let tx = tx.lock().unwrap().clone();
        async move {
            let (ours, theirs) = tokio::io::duplex(64 * 1024);
            tokio::spawn(serve(theirs, tx));
            Ok(ours)
        }
    }))
    .version(ApiVersion::new(1, 44));
    (builder, rx)
}

async fn next_request(
    rx: &mut mpsc::UnboundedReceiver<Seen>,
) -> (String, BTreeMap<String, String>) {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(Seen::Request { line, headers })) => return (line, headers),
            Ok(Some(Seen::Closed)) => continue,
            other => panic!("no request seen: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_agent_and_headers() {
    let (builder, mut rx) = scripted();
    let c: Client = builder
        .header(
            HeaderName::from_static("x-tenant"),
            HeaderValue::from_static("blue"),
        )
        .build()
        .unwrap();
    c.system_data_usage(&Default::default()).await.unwrap();
    let (line, headers) = next_request(&mut rx).await;
    assert!(line.starts_with("GET /v1.44/system/df"), "{line}");
    assert_eq!(headers["user-agent"], USER_AGENT_VALUE);
    assert!(USER_AGENT_VALUE.starts_with("engine-api/"));
    assert_eq!(headers["x-tenant"], "blue");
    assert!(!headers.contains_key("x-request"));

    // A view with one more header and its own User-Agent; the original
    // client is unchanged.
    let tagged = c
        .with_header(
            HeaderName::from_static("x-request"),
            HeaderValue::from_static("42"),
        )
        .with_header(
            HeaderName::from_static("user-agent"),
            HeaderValue::from_static("my-tool/2"),
        );
    tagged.system_data_usage(&Default::default()).await.unwrap();
    let (_, headers) = next_request(&mut rx).await;
    assert_eq!(headers["x-request"], "42");
    assert_eq!(headers["x-tenant"], "blue");
    assert_eq!(headers["user-agent"], "my-tool/2");
    c.system_data_usage(&Default::default()).await.unwrap();
    let (_, headers) = next_request(&mut rx).await;
    assert!(!headers.contains_key("x-request"));
    assert_eq!(headers["user-agent"], USER_AGENT_VALUE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_call_timeouts_and_cancellation() {
    let (builder, mut rx) = scripted();
    let c: Client = builder.build().unwrap();
    let quick = c.with_timeout(Duration::from_millis(200));
    assert_eq!(quick.timeout(), Duration::from_millis(200));
    let started = std::time::Instant::now();
    let err = quick.system_info().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // The client itself keeps the default timeout and still works.
    assert!(c.timeout() > Duration::from_secs(60));
    c.system_data_usage(&Default::default()).await.unwrap();

    // Dropping a call's future closes its connection: the server sees it.
    while rx.try_recv().is_ok() {}
    let params = Default::default();
    let call = c.container_list(&params);
    assert!(tokio::time::timeout(Duration::from_millis(300), call)
        .await
        .is_err());
    let mut saw_request = false;
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(seen) = rx.recv().await {
            match seen {
                Seen::Request { line, .. } if line.contains("/containers/json") => {
                    saw_request = true
                }
                Seen::Closed if saw_request => return true,
                _ => {}
            }
        }
        false
    })
    .await;
    assert_eq!(
        closed,
        Ok(true),
        "the server never saw the cancelled call's connection close"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_lines_in_progress_streams_are_errors() {
    let (builder, _rx) = scripted();
    let c: Client = builder.build().unwrap();
    let params = ImageCreateParams {
        from_image: Some("127.0.0.1:5000/app".into()),
        tag: Some("latest".into()),
        ..Default::default()
    };
    let items: Vec<_> = c.image_create(None, &params).await.unwrap().collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    let first = items[0].as_ref().unwrap();
    assert_eq!(first.status.as_deref(), Some("Pulling from library/app"));
    let err = items[1].as_ref().unwrap_err();
    assert!(err.is_reported() && err.is_unauthorized(), "{err:?}");
    assert_eq!(err.message(), Some("unauthorized: authentication required"));
    assert_eq!(err.status(), None);

    let tar = engine_api::rt::client::body::bytes(Vec::new());
    let items: Vec<_> = c
        .image_build(Some(tar), &ImageBuildParams::default())
        .await
        .unwrap()
        .collect()
        .await;
    let err = items.last().unwrap().as_ref().unwrap_err();
    assert!(err.is_reported() && !err.is_unauthorized(), "{err:?}");
    assert!(
        err.to_string().contains("returned a non-zero code: 1"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_are_typed_and_null_lists_empty() {
    let (builder, _rx) = scripted();
    let c: Client = builder.build().unwrap();
    let params = engine_api::client::ContainerStatsParams {
        stream: Some(false),
        ..Default::default()
    };
    let mut stats = c.container_stats("web", &params).await.unwrap();
    let s = stats.next().await.unwrap().unwrap();
    assert!(stats.next().await.is_none());
    assert_eq!(s.name.as_deref(), Some("/web"));
    let cpu = s.cpu_stats.as_ref().unwrap();
    assert_eq!(cpu.online_cpus, Some(2));
    assert_eq!(cpu.system_cpu_usage, Some(999_999_999_999));
    let usage = cpu.cpu_usage.as_ref().unwrap();
    assert_eq!(usage.total_usage, Some(123_456_789));
    assert_eq!(usage.percpu_usage.as_deref(), Some(&[100, 200][..]));
    let mem = s.memory_stats.as_ref().unwrap();
    assert_eq!(mem.stats.as_ref().unwrap()["cache"], 4096);
    assert_eq!(mem.limit, Some(8_589_934_592));
    let net = &s.networks.as_ref().unwrap()["eth0"];
    assert_eq!(net.rx_bytes, Some(1500));
    let blkio = s.blkio_stats.as_ref().unwrap();
    assert_eq!(blkio.io_serviced_recursive, None);
    let entry = &blkio.io_service_bytes_recursive.as_ref().unwrap()[0];
    assert_eq!(
        (entry.op.as_deref(), entry.value),
        (Some("Read"), Some(4096))
    );
    // What the spec does not know is kept: encoding gives it back.
    let again = serde_json::to_value(&s).unwrap();
    assert_eq!(again["gpu_stats"], serde_json::json!({"future": true}));
    assert_eq!(
        again["blkio_stats"]["io_serviced_recursive"],
        serde_json::Value::Null
    );

    // A Go daemon's `null` for an empty list is an empty Vec.
    assert!(c.container_changes("web").await.unwrap().is_empty());
}
