//! Published ports through engined's userland proxy, with the real docker
//! CLI on real runc: `-p 127.0.0.1:18080:80` on the default bridge and on
//! a user network, `--expose 80 -P` on a random host port, what `docker
//! port`, inspect and `docker ps` say, dockerd's "port is already
//! allocated", and after `rm -f` the host ports free again and no link,
//! namespace file or rule left. All traffic is the host's loopback and
//! its bridges; `dns` points at a loopback address nothing is asked of.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use test_support::engined::Engined;
use test_support::made::Made;
use test_support::netns::{self, HOST_NETWORKING};
use test_support::skip::can_run_containers as can_run;

/// `GET http://127.0.0.1:port/hostname` from the host (busybox wget),
/// retried while the container's httpd comes up.
fn fetch(port: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = Command::new(test_support::rootfs::BUSYBOX)
            .args(["wget", "-qO-", &format!("http://127.0.0.1:{port}/hostname")])
            .output()
            .unwrap();
        if out.status.success() || Instant::now() > deadline {
            return String::from_utf8_lossy(&out.stdout).trim().to_string();
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn short_id(d: &Engined, name: &str) -> String {
    d.docker(&["inspect", "-f", "{{.Id}}", name]).trim()[..12].to_string()
}

#[test]
fn published_ports_reach_the_container_and_are_reported() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Engined::test_dir("ports_cli");
    std::fs::write(
        dir.join("daemon.json"),
        r#"{"dns": ["127.0.53.7"], "dns-search": ["."]}"#,
    )
    .unwrap();
    let d = Engined::start(&dir);
    d.import_mini();
    let mut made = Made::new(&d);
    let n1 = made.network(&["--subnet", "10.231.85.0/24", "pn1"]);

    // The default bridge, a fixed port on the host's loopback.
    serve(&mut made, "p1", &["-p", "127.0.0.1:18080:80"]);
    assert_eq!(fetch("18080"), short_id(&d, "p1"));
    let port = d.docker(&["port", "p1"]);
    assert_eq!(port.trim(), "80/tcp -> 127.0.0.1:18080");
    let ps = d.docker(&["ps", "--filter", "name=p1", "--format", "{{.Ports}}"]);
    assert_eq!(ps.trim(), "127.0.0.1:18080->80/tcp");

    // The same host port again: refused like dockerd, nothing left of it.
    made.container("p1b");
    let taken = d.docker_fails(&[
        "run",
        "-d",
        "--name",
        "p1b",
        "-p",
        "127.0.0.1:18080:80",
        "mini",
        "sleep",
        "60",
    ]);
    assert!(taken.contains("port is already allocated"), "{taken}");
    assert!(taken.contains("Bind for 127.0.0.1:18080 failed"), "{taken}");

    // A user network.
    serve(
        &mut made,
        "p2",
        &["--network", "pn1", "-p", "127.0.0.1:18081:80"],
    );
    assert_eq!(fetch("18081"), short_id(&d, "p2"));

    // -P: the exposed port on a random host port, reported everywhere.
    serve(&mut made, "p3", &["--expose", "80", "-P"]);
    let port = d.docker(&["port", "p3", "80"]);
    let random = port
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("0.0.0.0:"))
        .unwrap_or_else(|| panic!("{port}"))
        .to_string();
    assert_ne!(random, "0");
    assert_eq!(fetch(&random), short_id(&d, "p3"));
    let ports = d.docker(&["inspect", "-f", "{{json .NetworkSettings.Ports}}", "p3"]);
    assert_eq!(
        ports.trim(),
        format!(r#"{{"80/tcp":[{{"HostIp":"0.0.0.0","HostPort":"{random}"}}]}}"#)
    );
    // An exposed port not published is listed without a binding.
    serve(&mut made, "p4", &["--expose", "81"]);
    let ports = d.docker(&["inspect", "-f", "{{json .NetworkSettings.Ports}}", "p4"]);
    assert_eq!(ports.trim(), r#"{"81/tcp":null}"#);

    let mut veths = BTreeSet::new();
    veths.extend(netns::bridge_ports(&format!("br-{}", &n1[..12])));
    made.clean();
    // The host ports are free again.
    for p in [18080, 18081] {
        assert!(std::net::TcpListener::bind(("127.0.0.1", p)).is_ok(), "{p}");
    }
    let left = netns::leftovers(&[format!("br-{}", &n1[..12])], &veths, &dir.join("exec"));
    assert!(left.is_empty(), "{left:?}");
}

/// `docker run -d --name NAME ARGS... mini httpd` serving `/etc` on port 80.
fn serve(made: &mut Made, name: &str, args: &[&str]) {
    let mut all = args.to_vec();
    all.extend(["mini", "httpd", "-f", "-p", "80", "-h", "/etc"]);
    made.run(name, &all);
}
