//! The client's hand-written transport against a real Docker daemon
//! (Debian's dockerd 20.10, API 1.41): negotiation, JSON answers, typed
//! errors, a streamed tar upload with a JSON progress stream, demultiplexed
//! logs, and a hijacked attach connection.

use std::time::Duration;

use bytes::Bytes;
use engine_api::rt::client::{
    body, frame_stream, json_stream, read_json, unix, ClientError, Transport,
};
use engine_api::rt::mux::StreamKind;
use engine_api::rt::version::ApiVersion;
use futures_util::StreamExt;
use hyper::Method;
use test_support::dockerd::Dockerd;
use test_support::rootfs::busybox_rootfs_tar;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(
    t: &Transport,
    path: &str,
) -> Result<hyper::Response<hyper::body::Incoming>, ClientError> {
    let v = t.api_version().await?;
    let req = t
        .request(Method::GET, path, Some(v))?
        .body(body::empty())
        .unwrap();
    t.send(req).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn talks_to_a_real_dockerd() {
    let Some(d) = Dockerd::start("transport") else {
        return;
    };
    let t = unix(d.socket())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    // Negotiation goes down to the daemon's 1.41, once.
    assert_eq!(t.api_version().await.unwrap(), ApiVersion::new(1, 41));

    let version: serde_json::Value = read_json(get(&t, "/version").await.unwrap(), "version")
        .await
        .unwrap();
    assert_eq!(version["ApiVersion"], "1.41");

    // An error answer becomes a typed error with Docker's message.
    let err = get(&t, "/containers/no-such-thing/json").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.status(), Some(404));
    assert!(
        err.to_string().contains("No such container: no-such-thing"),
        "{err}"
    );

    // Import a rootfs tar as a streamed body; progress comes back as a JSON stream.
    let Some(tar) = busybox_rootfs_tar(d.dir()) else {
        eprintln!("skipped the container part: no busybox (apt-get install busybox-static)");
        return;
    };
    let file = tokio::fs::File::open(&tar).await.unwrap();
    let chunks = tokio_util::io::ReaderStream::new(file);
    let v = t.api_version().await.unwrap();
    let req = t
        .request(
            Method::POST,
            "/images/create?fromSrc=-&repo=mini&tag=latest",
            Some(v),
        )
        .unwrap()
        .header("content-type", "application/x-tar")
        .body(body::stream(chunks))
        .unwrap();
    let progress: Vec<serde_json::Value> = json_stream(t.send(req).await.unwrap())
        .map(|r| r.unwrap())
        .collect()
        .await;
    let last = progress.last().expect("import answers with progress");
    assert!(
        last["status"].as_str().unwrap_or("").starts_with("sha256:"),
        "{progress:?}"
    );

    // Logs without a TTY arrive multiplexed; the frames keep stdout and stderr apart.
    let id = d.docker(&[
        "run",
        "-d",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "echo out; echo err >&2",
    ]);
    d.docker(&["wait", &id]);
    let resp = get(&t, &format!("/containers/{id}/logs?stdout=1&stderr=1"))
        .await
        .unwrap();
    let frames: Vec<_> = frame_stream(resp).map(|f| f.unwrap()).collect().await;
    let text = |kind| {
        frames
            .iter()
            .filter(|f| f.stream == kind)
            .map(|f| String::from_utf8_lossy(&f.data).into_owned())
            .collect::<String>()
    };
    assert_eq!(text(StreamKind::Stdout), "out\n");
    assert_eq!(text(StreamKind::Stderr), "err\n");

    // Attach hijacks the connection: stdin goes in, frames come back.
    let id = d.docker(&["run", "-d", "-i", "--network", "none", "mini", "cat"]);
    let req = t
        .request(
            Method::POST,
            &format!("/containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1"),
            Some(v),
        )
        .unwrap()
        .body(body::empty())
        .unwrap();
    let mut conn = t.upgrade(req).await.unwrap();
    conn.write_all(b"hello through attach\n").await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while got.len() < 8 + 21 {
        let n = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "attach closed early; got {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
    let mut wire = bytes::BytesMut::from(&got[..]);
    let frame = engine_api::rt::mux::decode(&mut wire).unwrap().unwrap();
    assert_eq!(frame.stream, StreamKind::Stdout);
    assert_eq!(frame.data, Bytes::from_static(b"hello through attach\n"));
}
