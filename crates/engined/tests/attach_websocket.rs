//! Attach over WebSocket end to end: engined on real runc, a busybox `cat`
//! started by the real docker CLI with stdin open and no TTY, and the
//! generated client's `container_attach_websocket`. What goes in as
//! WebSocket messages comes back from `cat` unframed (no 8-byte headers,
//! whatever the TTY), for API 1.44 (binary messages) and 1.41 (text);
//! `logs=1` replays earlier stdout and stderr unframed too; an unknown
//! container is a 404.

use std::time::Duration;

use engine_api::client::ContainerAttachWebsocketParams;
use engine_api::rt::client::{LogOutput, LogStream};
use engine_api::rt::host::Host;
use engine_api::rt::version::ApiVersion;
use engine_api::Client;
use futures_util::StreamExt;
use test_support::engined::Engined;
use test_support::skip::can_run_containers as can_run;
use tokio::io::AsyncWriteExt;

/// Reads output until it holds `want` bytes; every item must be raw bytes.
async fn read_text(output: &mut LogStream, want: usize) -> String {
    let mut text = String::new();
    while text.len() < want {
        let item = tokio::time::timeout(Duration::from_secs(20), output.next())
            .await
            .unwrap_or_else(|_| panic!("no {want} bytes within 20 s, got {text:?}"));
        match item {
            Some(Ok(LogOutput::Console(data))) => text.push_str(&String::from_utf8_lossy(&data)),
            Some(Ok(other)) => panic!("framed output over a WebSocket: {other:?}"),
            Some(Err(e)) => panic!("output broke after {text:?}: {e}"),
            None => panic!("output ended before {want} bytes, got {text:?}"),
        }
    }
    text
}

fn lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    lines.sort_unstable();
    lines
}

#[test]
fn attach_over_websocket_to_cat() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("attach_websocket_cat");
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "-di",
        "--name",
        "ws",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "echo ready; echo oops >&2; exec cat",
    ]);
    // Both lines are logged before the replay is asked for.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while d.docker_output(&["logs", "ws"]).stderr != b"oops\n" {
        assert!(std::time::Instant::now() < deadline, "no log lines");
        std::thread::sleep(Duration::from_millis(50));
    }
    let socket = dir.join("engined.sock");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut logged = String::from("ready\noops\n");
        for (version, line) in [
            (ApiVersion::new(1, 44), "hello\n"),
            (ApiVersion::new(1, 41), "h\u{e9}llo at 1.41\n"),
        ] {
            let c = Client::builder(Host::Unix(socket.clone()))
                .version(version)
                .build()
                .unwrap();
            let params = ContainerAttachWebsocketParams {
                logs: Some(true),
                stream: Some(true),
                stdin: Some(true),
                stdout: Some(true),
                stderr: Some(true),
                ..Default::default()
            };
            let mut attached = c.container_attach_websocket("ws", &params).await.unwrap();
            // The replay: stdout and stderr (and what cat echoed in an
            // earlier session), raw, interleaved as the log has them (the
            // supervisor reads the two pipes apart, so their order varies).
            let replay = read_text(&mut attached.output, logged.len()).await;
            assert_eq!(lines(&replay), lines(&logged), "at {version}");
            attached.input.write_all(line.as_bytes()).await.unwrap();
            assert_eq!(
                read_text(&mut attached.output, line.len()).await,
                line,
                "at {version}"
            );
            logged.push_str(line);
            attached.input.shutdown().await.unwrap();
        }

        let c = Client::unix(socket.clone()).unwrap();
        let e = c
            .container_attach_websocket("nonesuch", &Default::default())
            .await
            .expect_err("no such container");
        assert!(e.is_not_found(), "{e}");
    });
    // The container kept running through both sessions.
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.Running}}", "ws"])
            .trim(),
        "true"
    );
}
