//! The docker CLI through the proxy (a policy allowing everything) gives
//! what it gives direct: `ps`, `images`, `volume ls`, `run --rm`, `run -i`
//! (attach, hijacked), `logs -f` (a multiplexed stream), `exec` and
//! `exec -i` (exec start, hijacked), `cp` both ways (tar bodies), `events`
//! (a JSON stream), `attach`, `build` (the classic builder: a tar body up,
//! a JSON stream back); against engined, and against Debian's dockerd 20.10
//! when it is installed.

use std::process::Output;

use test_support::docker_cli;
use test_support::dockerd::Dockerd;
use test_support::engined::Engined;
use test_support::rootfs::busybox_rootfs_tar;

use crate::harness::{Proxy, ALLOW_ALL};

pub(crate) fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `args` direct and through the proxy; both must succeed with the
/// same stdout; returns it.
pub(crate) fn same(direct: &str, proxy: &Proxy, args: &[&str]) -> String {
    let d = docker_cli::output(direct, args);
    let p = proxy.docker(args);
    assert!(d.status.success(), "direct docker {args:?}: {:?}", text(&d));
    assert!(
        p.status.success(),
        "proxied docker {args:?}: {:?}\nproxy log:\n{}",
        text(&p),
        proxy.log()
    );
    assert_eq!(text(&d).0, text(&p).0, "docker {args:?}");
    text(&p).0
}

/// The whole comparison against the daemon at `host`, which has `mini`
/// and the classic builder (engined and dockerd both have it).
fn same_through_proxy(name: &str, host: &str) {
    let proxy = Proxy::start(name, host, ALLOW_ALL);
    let ok = |args: &[&str]| -> String {
        let out = proxy.docker(args);
        assert!(
            out.status.success(),
            "docker {args:?}: {:?}\n{}",
            text(&out),
            proxy.log()
        );
        text(&out).0
    };
    assert_eq!(
        ok(&["run", "--rm", "--network", "none", "mini", "echo", "hi"]),
        "hi\n"
    );
    // run -i: stdin through the hijacked attach, and its end passed on.
    let out = docker_cli::with_input(
        &proxy.host(),
        &["run", "-i", "--rm", "--network", "none", "mini", "cat"],
        b"through the proxy\n",
    );
    assert_eq!(
        text(&out).0,
        "through the proxy\n",
        "{:?}\n{}",
        text(&out),
        proxy.log()
    );
    ok(&[
        "run",
        "-d",
        "--name",
        "px-logs",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "echo one; echo two >&2; sleep 1; echo three",
    ]);
    // logs -f follows until the container ends; stderr stays stderr.
    let d = docker_cli::output(host, &["logs", "-f", "px-logs"]);
    let p = proxy.docker(&["logs", "-f", "px-logs"]);
    assert_eq!(
        text(&p),
        ("one\nthree\n".into(), "two\n".into()),
        "{}",
        proxy.log()
    );
    assert_eq!(text(&d), text(&p));
    ok(&[
        "run",
        "-d",
        "--name",
        "px-box",
        "--network",
        "none",
        "mini",
        "sleep",
        "60",
    ]);
    assert_eq!(ok(&["exec", "px-box", "echo", "inside"]), "inside\n");
    let out = docker_cli::with_input(&proxy.host(), &["exec", "-i", "px-box", "cat"], b"fed\n");
    assert_eq!(text(&out).0, "fed\n", "{:?}", text(&out));
    // exec -it under a pseudo-terminal (script(1) gives the CLI one):
    // the raw, unmultiplexed stream of a TTY and the resize call.
    let tty = std::process::Command::new("script")
        .args(["-qec"])
        .arg(format!(
            "{} -H {} exec -it px-box sh -c 'tty; echo through-tty'",
            docker_cli::DOCKER,
            proxy.host()
        ))
        .arg("/dev/null")
        .stdin(std::process::Stdio::null())
        .output();
    match tty {
        Err(e) => eprintln!("skipped exec -it: no script(1): {e}"),
        Ok(out) => {
            let (stdout, stderr) = text(&out);
            assert!(out.status.success(), "{stdout}{stderr}\n{}", proxy.log());
            assert!(
                stdout.contains("/dev/pts/") && stdout.contains("through-tty\r\n"),
                "{stdout:?}"
            );
        }
    }
    // cp both ways: a tar archive each way.
    let file = proxy.dir.join("in.txt");
    std::fs::write(&file, "copied in\n").unwrap();
    ok(&["cp", file.to_str().unwrap(), "px-box:/tmp/in.txt"]);
    assert_eq!(
        docker_cli::succeeds(host, &["exec", "px-box", "cat", "/tmp/in.txt"], String::new),
        "copied in\n"
    );
    let back = proxy.dir.join("out.txt");
    ok(&["cp", "px-box:/tmp/in.txt", back.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&back).unwrap(), "copied in\n");
    ok(&["volume", "create", "px-vol"]);
    same(
        host,
        &proxy,
        &["ps", "-a", "--format", "{{.Names}} {{.Image}} {{.Command}}"],
    );
    same(
        host,
        &proxy,
        &["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"],
    );
    same(host, &proxy, &["volume", "ls"]);
    same(
        host,
        &proxy,
        &["inspect", "--format", "{{.Config.Cmd}}", "px-box"],
    );
    let until = docker_cli::events_until_now();
    let events = same(
        host,
        &proxy,
        &[
            "events",
            "--since",
            "0",
            "--until",
            &until,
            "--format",
            "{{.Type}} {{.Action}}",
        ],
    );
    assert!(events.contains("container start"), "{events}");
    // docker attach to a running container: output through the hijack.
    ok(&[
        "run",
        "-d",
        "--name",
        "px-attach",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "sleep 1; echo attached",
    ]);
    let out = proxy.docker(&["attach", "px-attach"]);
    assert_eq!(text(&out).0, "attached\n", "{:?}", text(&out));
    {
        // The classic builder (both daemons have it): the context goes up as a tar body, progress
        // comes back as a JSON stream.
        let context = proxy.dir.join("context");
        std::fs::create_dir_all(&context).unwrap();
        std::fs::write(
            context.join("Dockerfile"),
            "FROM mini\nLABEL built=yes\nCMD [\"echo\", \"built\"]\n",
        )
        .unwrap();
        let built = std::process::Command::new(docker_cli::DOCKER)
            .args(["-H", &proxy.host(), "build", "-q", "-t", "px-built"])
            .arg(&context)
            .env("DOCKER_BUILDKIT", "0")
            .output()
            .unwrap();
        assert!(
            built.status.success(),
            "{:?}\n{}",
            text(&built),
            proxy.log()
        );
        assert_eq!(
            ok(&["run", "--rm", "--network", "none", "px-built"]),
            "built\n"
        );
        ok(&["rmi", "px-built"]);
    }
    ok(&["rm", "-f", "px-box", "px-logs", "px-attach"]);
    ok(&["volume", "rm", "px-vol"]);
}

#[test]
fn docker_cli_through_the_proxy_to_engined() {
    let Some(engined) = Engined::start_named("proxy-forward") else {
        return;
    };
    engined.import_mini();
    same_through_proxy("forward-engined", &engined.host());
}

#[test]
fn docker_cli_through_the_proxy_to_dockerd() {
    let Some(dockerd) = Dockerd::start("proxy-forward") else {
        return;
    };
    let tar = busybox_rootfs_tar(dockerd.dir()).expect("busybox rootfs tar");
    dockerd.docker(&["import", tar.to_str().unwrap(), "mini"]);
    same_through_proxy("forward-dockerd", &dockerd.host());
}

/// WebSocket attach (`GET /containers/{id}/attach/ws`) through the proxy:
/// the handshake crosses, then messages flow both ways.
#[test]
fn websocket_attach_through_the_proxy() {
    use engine_api::client::ContainerAttachWebsocketParams;
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;

    let Some(engined) = Engined::start_named("proxy-ws") else {
        return;
    };
    engined.import_mini();
    let proxy = Proxy::start("ws", &engined.host(), ALLOW_ALL);
    engined.docker(&[
        "run",
        "-d",
        "-i",
        "--name",
        "px-ws",
        "--network",
        "none",
        "mini",
        "cat",
    ]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let got = runtime.block_on(async {
        let client = engine_api::Client::unix(proxy.socket()).unwrap();
        let params = ContainerAttachWebsocketParams {
            stream: Some(true),
            stdin: Some(true),
            stdout: Some(true),
            ..Default::default()
        };
        let mut attached = client
            .container_attach_websocket("px-ws", &params)
            .await
            .unwrap();
        attached
            .input
            .write_all(b"over a websocket\n")
            .await
            .unwrap();
        attached.input.flush().await.unwrap();
        let mut got = Vec::new();
        while !got.ends_with(b"over a websocket\n") {
            let next =
                tokio::time::timeout(std::time::Duration::from_secs(10), attached.output.next());
            match next.await {
                Ok(Some(Ok(chunk))) => got.extend_from_slice(chunk.data()),
                other => panic!(
                    "attach output ended: {:?}",
                    other.map(|o| o.map(|r| r.is_ok()))
                ),
            }
        }
        got
    });
    assert_eq!(String::from_utf8_lossy(&got), "over a websocket\n");
}
