//! The docker CLI through the proxy to Debian's podman 4.3 serving its
//! Docker-compatible API (a private rootful service with its own root,
//! runroot and tmpdir, so the machine's podman state is not touched):
//! `ps`, `run --rm` and `logs` give what they give direct. Skipped with a
//! notice when podman (or root) is not there. Containers ask for modest
//! open-file and process limits: podman's defaults are the kernel's
//! maximums, which runc may not set where the tests run (podman answers
//! the CLI's attach with 409 then, direct as through the proxy).

use test_support::docker_cli;
use test_support::podman::Podman;
use test_support::rootfs::busybox_rootfs_tar;

use crate::forward_cli::{same, text};
use crate::harness::{Proxy, ALLOW_ALL};

#[test]
fn docker_cli_through_the_proxy_to_podman() {
    let Some(podman) = Podman::start("proxy") else {
        return;
    };
    let host = format!("unix://{}", podman.socket().display());
    let tar = busybox_rootfs_tar(podman.dir()).expect("busybox rootfs tar");
    let tar = tar.to_str().expect("a UTF-8 test directory");
    docker_cli::succeeds(&host, &["import", tar, "mini"], || podman.log());
    let proxy = Proxy::start("podman", &host, ALLOW_ALL);
    let ok = |args: &[&str]| -> String {
        let out = proxy.docker(args);
        assert!(
            out.status.success(),
            "docker {args:?}: {:?}\n{}\npodman:\n{}",
            text(&out),
            proxy.log(),
            podman.log()
        );
        text(&out).0
    };
    let run = |head: &[&str], tail: &[&str]| -> String {
        let limits = [
            "--ulimit",
            "nofile=1024:1024",
            "--ulimit",
            "nproc=1024:1024",
        ];
        let args = [head, &limits[..], &["--network", "none", "mini"][..], tail].concat();
        ok(&args)
    };
    assert_eq!(run(&["run", "--rm"], &["echo", "hi"]), "hi\n");
    run(
        &["run", "-d", "--name", "px-podman"],
        &["sh", "-c", "echo one; echo two >&2; echo three"],
    );
    assert_eq!(ok(&["wait", "px-podman"]), "0\n");
    // logs: stdout and stderr apart, as direct.
    let d = docker_cli::output(&host, &["logs", "px-podman"]);
    let p = proxy.docker(&["logs", "px-podman"]);
    assert_eq!(
        text(&p),
        ("one\nthree\n".into(), "two\n".into()),
        "{}",
        proxy.log()
    );
    assert_eq!(text(&d), text(&p));
    let listed = same(
        &host,
        &proxy,
        &["ps", "-a", "--format", "{{.Names}} {{.Image}} {{.State}}"],
    );
    assert!(listed.starts_with("px-podman "), "{listed:?}");
    same(&host, &proxy, &["images", "--format", "{{.Repository}}"]);
    ok(&["rm", "-f", "px-podman"]);
    assert_eq!(ok(&["ps", "-aq"]), "");
}
