//! The generated client against a real Docker daemon (Debian's dockerd
//! 20.10, API 1.41): negotiation, ping, version, info, an image imported
//! from a busybox rootfs tar, a container's life (create, start, wait,
//! demultiplexed logs, delete) while events stream concurrently, attaching
//! to a running container (plain and over WebSocket), and a 404 decoded
//! into the typed error.

use std::time::Duration;

use engine_api::client::{
    ContainerAttachParams, ContainerAttachWebsocketParams, ContainerDeleteParams,
    ContainerLogsParams, ImageCreateParams, SystemEventsParams,
};
use engine_api::rt::client::{body, Attached, Filters, LogOutput};
use engine_api::rt::version::ApiVersion;
use engine_api::types::{ContainerCreateBody, ContainerExecBody, ExecStartBody, HostConfig};
use engine_api::Client;
use futures_util::StreamExt;
use test_support::dockerd::Dockerd;
use test_support::rootfs::busybox_rootfs_tar;
use tokio::io::AsyncWriteExt;

fn container(cmd: &[&str]) -> ContainerCreateBody {
    ContainerCreateBody {
        image: Some("mini".into()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        host_config: Some(HostConfig {
            network_mode: Some("none".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Writes `line` to an attached container's stdin (a `cat`) and reads as
/// many bytes of output back, as the items they came in.
async fn echo_through(attached: &mut Attached, line: &str) -> Vec<LogOutput> {
    attached.input.write_all(line.as_bytes()).await.unwrap();
    attached.input.flush().await.unwrap();
    let mut items = Vec::new();
    let mut len = 0;
    while len < line.len() {
        let item = tokio::time::timeout(Duration::from_secs(10), attached.output.next())
            .await
            .expect("output within 10 s")
            .expect("the attach stream stays open")
            .unwrap();
        len += item.data().len();
        items.push(item);
    }
    items
}

fn joined(items: &[LogOutput]) -> String {
    items.iter().map(LogOutput::text).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_client_drives_a_real_dockerd() {
    let Some(d) = Dockerd::start("client-generated") else {
        return;
    };
    let client = Client::builder(engine_api::rt::host::Host::Unix(d.socket().to_path_buf()))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();

    // Negotiation goes down to the daemon's version; the ping is unversioned.
    assert_eq!(client.api_version().await.unwrap(), ApiVersion::new(1, 41));
    let ping = client.system_ping().await.unwrap();
    assert_eq!(ping.body, "OK");
    assert_eq!(ping.api_version.as_deref(), Some("1.41"));
    assert_eq!(ping.docker_experimental, Some(false));
    let head = client.system_ping_head().await.unwrap();
    assert_eq!(head.body, "");
    assert_eq!(head.api_version.as_deref(), Some("1.41"));

    let version = client.system_version().await.unwrap();
    assert_eq!(version.api_version.as_deref(), Some("1.41"));
    assert_eq!(version.os.as_deref(), Some("linux"));
    let info = client.system_info().await.unwrap();
    assert_eq!(info.driver.as_deref(), Some("vfs"));

    // A typed 404 with Docker's message.
    let err = client
        .container_inspect("no-such-thing", &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.status(), Some(404));
    assert_eq!(
        err.api().map(|e| e.message.as_str()),
        Some("No such container: no-such-thing")
    );

    let Some(tar) = busybox_rootfs_tar(d.dir()) else {
        eprintln!("skipped the container part: no busybox (apt-get install busybox-static)");
        return;
    };

    // Import: a streamed tar body, a typed progress stream back.
    let file = tokio::fs::File::open(&tar).await.unwrap();
    let chunks = tokio_util::io::ReaderStream::new(file);
    let progress: Vec<_> = client
        .image_create(
            Some(body::stream(chunks)),
            &ImageCreateParams {
                from_src: Some("-".into()),
                repo: Some("mini".into()),
                tag: Some("latest".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .map(|p| p.unwrap())
        .collect()
        .await;
    let last = progress.last().expect("import answers with progress");
    assert!(
        last.status.as_deref().unwrap_or("").starts_with("sha256:"),
        "{progress:?}"
    );

    // Events stream meanwhile, filtered to containers.
    let events = client
        .system_events(&SystemEventsParams {
            filters: Some(Filters::default().with("type", "container")),
            ..Default::default()
        })
        .await
        .unwrap();
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    let collector = tokio::spawn(async move {
        let mut events = events;
        while let Some(ev) = events.next().await {
            let ev = ev.expect("a typed event");
            let id = ev.actor.and_then(|a| a.id).unwrap_or_default();
            let action = ev.action.unwrap_or_default();
            if seen_tx.send((id, action)).is_err() {
                break;
            }
        }
    });

    // A container's life: create, start, wait, logs (demultiplexed), delete.
    let created = client
        .container_create(
            &container(&["sh", "-c", "echo out; echo err >&2; exit 3"]),
            &Default::default(),
        )
        .await
        .unwrap();
    let id = created.id.clone();
    client
        .container_start(&id, &Default::default())
        .await
        .unwrap();
    let waited = client
        .container_wait(&id, &Default::default())
        .await
        .unwrap();
    assert_eq!(waited.status_code, 3);
    let logs: Vec<LogOutput> = client
        .container_logs(
            &id,
            &ContainerLogsParams {
                stdout: Some(true),
                stderr: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .map(|o| o.unwrap())
        .collect()
        .await;
    let text = |want: fn(&LogOutput) -> bool| {
        logs.iter()
            .filter(|o| want(o))
            .map(LogOutput::text)
            .collect::<String>()
    };
    assert_eq!(text(|o| matches!(o, LogOutput::Stdout(_))), "out\n");
    assert_eq!(text(|o| matches!(o, LogOutput::Stderr(_))), "err\n");
    client
        .container_delete(&id, &ContainerDeleteParams::default())
        .await
        .unwrap();
    let err = client
        .container_inspect(&id, &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    // The events of that life arrived, in order.
    let mut actions = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !actions.iter().any(|a| a == "destroy") {
        let next = tokio::time::timeout_at(deadline, seen_rx.recv()).await;
        let (ev_id, action) = next
            .expect("events within 20 s")
            .expect("the event stream stays open");
        if ev_id == id {
            actions.push(action);
        }
    }
    collector.abort();
    let pos = |name: &str| actions.iter().position(|a| a == name);
    assert!(
        pos("create") < pos("start") && pos("start") < pos("die") && pos("create").is_some(),
        "{actions:?}"
    );

    // Attach to a running `cat`: stdin goes in, stdout comes back.
    let mut body = container(&["cat"]);
    body.open_stdin = Some(true);
    let created = client
        .container_create(&body, &Default::default())
        .await
        .unwrap();
    let id = created.id;
    client
        .container_start(&id, &Default::default())
        .await
        .unwrap();
    let mut attached = client
        .container_attach(
            &id,
            &ContainerAttachParams {
                stream: Some(true),
                stdin: Some(true),
                stdout: Some(true),
                stderr: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let items = echo_through(&mut attached, "hello through attach\n").await;
    assert!(
        items.iter().all(|i| matches!(i, LogOutput::Stdout(_))),
        "{items:?}"
    );
    assert_eq!(joined(&items), "hello through attach\n");

    // The same over WebSocket: dockerd's messages carry raw bytes (text
    // messages at API 1.41), never multiplexed frames.
    let mut ws = client
        .container_attach_websocket(
            &id,
            &ContainerAttachWebsocketParams {
                stream: Some(true),
                stdin: Some(true),
                stdout: Some(true),
                stderr: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let items = echo_through(&mut ws, "hello through a websocket\n").await;
    assert!(
        items.iter().all(|i| matches!(i, LogOutput::Console(_))),
        "{items:?}"
    );
    assert_eq!(joined(&items), "hello through a websocket\n");
    ws.input.shutdown().await.unwrap();

    // Exec in the same container: the hijacked output ends with the process.
    let exec = client
        .container_exec(
            &id,
            &ContainerExecBody {
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                cmd: Some(vec![
                    "sh".into(),
                    "-c".into(),
                    "echo exec-out; echo exec-err >&2".into(),
                ]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let started = client
        .exec_start(&exec.id, Some(&ExecStartBody::default()))
        .await
        .unwrap();
    let items: Vec<LogOutput> = tokio::time::timeout(
        Duration::from_secs(20),
        started.output.map(|o| o.unwrap()).collect(),
    )
    .await
    .expect("exec output ends within 20 s");
    let stdout: String = items
        .iter()
        .filter(|o| matches!(o, LogOutput::Stdout(_)))
        .map(LogOutput::text)
        .collect();
    let stderr: String = items
        .iter()
        .filter(|o| matches!(o, LogOutput::Stderr(_)))
        .map(LogOutput::text)
        .collect();
    assert_eq!(
        (stdout.as_str(), stderr.as_str()),
        ("exec-out\n", "exec-err\n")
    );
    let inspected = client.exec_inspect(&exec.id).await.unwrap();
    assert_eq!(inspected.exit_code, Some(0));
    client
        .container_delete(
            &id,
            &ContainerDeleteParams {
                force: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}
