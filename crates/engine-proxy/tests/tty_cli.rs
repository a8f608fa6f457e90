//! `docker exec -t` and `docker exec -it` through the proxy give what
//! they give direct: a TTY's raw stream (`\r\n` line ends, no stream
//! headers), the process's exit code, and the window size the CLI sends
//! (`POST /exec/{id}/resize`) at the start and again when its terminal
//! changes size mid-run. script(1) gives the CLI its terminal; against
//! engined, and against Debian's dockerd 20.10 when it is installed.

use std::process::{Command, Output, Stdio};

use test_support::docker_cli;
use test_support::dockerd::Dockerd;
use test_support::engined::Engined;
use test_support::rootfs::busybox_rootfs_tar;

use crate::harness::{Proxy, ALLOW_ALL};

/// What `docker -H host exec -t` gives with no terminal on the CLI's side:
/// its stdout and exit code.
fn exec_t(host: &str) -> (String, i32) {
    let out = docker_cli::output(
        host,
        &[
            "exec",
            "-t",
            "px-tty",
            "sh",
            "-c",
            "[ -t 1 ] && echo on-a-tty; printf 'one\\ttwo\\n'; echo err >&2; exit 3",
        ],
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        docker_cli::code(&out),
    )
}

/// The shell script(1) runs: the terminal is set to 33x111 and `docker
/// exec -it` starts in it (its stdin the terminal); inside, the process
/// waits until its TTY has that size, reports it, marks the container
/// (`/tmp/<tag>`), then waits until the TTY is 20x70. Once the mark is
/// there the terminal is resized to that, which the kernel signals to the
/// CLI (SIGWINCH; sent again a few times in case the first came before
/// its handler). The exit code is printed last.
fn resize_script(host: &str, tag: &str) -> String {
    let inside = format!(
        "w() {{ i=0; while [ \"$(stty size 2>/dev/null)\" != \"$1\" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo $2=$(stty size 2>/dev/null); }}; \
         w \"33 111\" size; tty | sed \"s,[0-9]*$,N,\"; touch /tmp/{tag}; w \"20 70\" resized; exit 7"
    );
    format!(
        "stty rows 33 cols 111; \
         {docker} -H {host} exec -it px-tty sh -c '{inside}' </dev/tty & pid=$!; \
         i=0; until {docker} -H {host} exec px-tty cat /tmp/{tag} >/dev/null 2>&1 || [ $i -ge 150 ]; do sleep 0.2; i=$((i+1)); done; \
         stty rows 20 cols 70; \
         for i in 1 2 3 4 5; do sleep 0.3; kill -WINCH $pid 2>/dev/null || break; done; \
         wait $pid; echo rc=$?",
        docker = docker_cli::DOCKER,
    )
}

/// The lines of a terminal session the test compares: each from its
/// marker on (what the terminal echoed of script(1)'s end of input may
/// come before), without the carriage returns the TTY adds.
fn markers(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .split('\n')
        .filter_map(|l| {
            let at = ["size=", "resized=", "rc=", "/dev/"]
                .iter()
                .filter_map(|m| l.find(m))
                .min()?;
            Some(l[at..].trim_end_matches('\r').to_string())
        })
        .collect()
}

fn under_script(command: &str) -> std::io::Result<Output> {
    Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .stdin(Stdio::null())
        .output()
}

/// The comparison against the daemon at `host`, which has `mini`.
fn tty_same_through_proxy(name: &str, host: &str) {
    let proxy = Proxy::start(name, host, ALLOW_ALL);
    docker_cli::succeeds(
        host,
        &[
            "run",
            "-d",
            "--name",
            "px-tty",
            "--network",
            "none",
            "mini",
            "sleep",
            "300",
        ],
        String::new,
    );
    // -t alone: the TTY's output (stderr joins it on one terminal) and
    // the exit code, byte for byte as direct.
    let direct = exec_t(host);
    assert_eq!(
        direct,
        ("on-a-tty\r\none\ttwo\r\nerr\r\n".to_string(), 3),
        "direct"
    );
    assert_eq!(exec_t(&proxy.host()), direct, "{}", proxy.log());

    match under_script(&resize_script(host, "direct")) {
        Err(e) => eprintln!("skipped exec -it: no script(1): {e}"),
        Ok(d) => {
            let p = under_script(&resize_script(&proxy.host(), "proxied")).unwrap();
            let want = ["size=33 111", "/dev/pts/N", "resized=20 70", "rc=7"];
            assert_eq!(
                markers(&d),
                want,
                "direct: {:?}",
                String::from_utf8_lossy(&d.stdout)
            );
            assert_eq!(
                markers(&p),
                want,
                "proxy: {:?}\n{}",
                String::from_utf8_lossy(&p.stdout),
                proxy.log()
            );
            // The resizes went through as calls of their own, allowed.
            let resizes = proxy
                .audit()
                .iter()
                .filter(|e| e["operation"] == "ExecResize" && e["decision"] == "allow")
                .count();
            assert!(resizes >= 2, "{resizes} ExecResize in the audit log");
        }
    }
    docker_cli::succeeds(host, &["rm", "-f", "px-tty"], String::new);
}

#[test]
fn exec_with_a_tty_through_the_proxy_to_engined() {
    let Some(engined) = Engined::start_named("proxy-tty") else {
        return;
    };
    engined.import_mini();
    tty_same_through_proxy("tty-engined", &engined.host());
}

#[test]
fn exec_with_a_tty_through_the_proxy_to_dockerd() {
    let Some(dockerd) = Dockerd::start("proxy-tty") else {
        return;
    };
    let tar = busybox_rootfs_tar(dockerd.dir()).expect("busybox rootfs tar");
    dockerd.docker(&["import", tar.to_str().unwrap(), "mini"]);
    tty_same_through_proxy("tty-dockerd", &dockerd.host());
}
