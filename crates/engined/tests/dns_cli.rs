//! Name resolution end to end, with the real docker CLI on real runc:
//! on a user network, containers find each other by name, alias and
//! short id through engined's embedded DNS server on 127.0.0.11, a
//! container on another network does not, and other names are forwarded
//! to the daemon's `dns` servers; on the default bridge the resolv.conf
//! names those servers directly; `--dns`, `--dns-search`, `--dns-option`
//! and the daemon's `dns-search`/`dns-opts` shape the file.
//!
//! No query leaves this machine: every daemon here has `dns` set to a
//! [`FakeDns`] on a loopback address of the host, the only upstream
//! anything is forwarded to, and no test sends a packet beyond the host.
//! Subnets are 10.231.8x.0/24. `docker rename` changes the name a
//! container answers to.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use test_support::docker_cli::code;
use test_support::engined::Engined;
use test_support::made::Made;
use test_support::netns::{self, FakeDns, HOST_NETWORKING};
use test_support::skip::can_run_containers as can_run;

/// The fake upstream's address (the host's loopback, port 53).
const UPSTREAM: Ipv4Addr = Ipv4Addr::new(127, 0, 53, 1);

/// `nslookup name.` in `container`: (exit code, output). The final dot:
/// busybox's nslookup tries only the search domains' names otherwise (the
/// C library's resolver, which ping and wget use, tries the bare name).
fn nslookup(d: &Engined, container: &str, name: &str) -> (i32, String) {
    let absolute = format!("{name}.");
    let out = d.docker_output(&["exec", container, "busybox", "nslookup", &absolute]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (code(&out), text)
}

/// A daemon whose containers forward to `fake` only.
fn daemon(dir_name: &str, fake: &FakeDns) -> (std::path::PathBuf, Engined) {
    let dir = Engined::test_dir(dir_name);
    std::fs::write(
        dir.join("daemon.json"),
        format!(
            r#"{{"dns": ["{}"], "dns-search": ["engined.test"], "dns-opts": ["timeout:1"]}}"#,
            fake.address
        ),
    )
    .unwrap();
    let d = Engined::start(&dir);
    d.import_mini();
    (dir, d)
}

#[test]
fn names_resolve_on_user_networks_and_the_rest_goes_to_the_fake_upstream() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let fake = FakeDns::start(
        UPSTREAM,
        &[("upstream.test.", Ipv4Addr::new(192, 0, 2, 99))],
    )
    .expect("the fake upstream on 127.0.53.1:53");
    let (dir, d) = daemon("dns_cli_names", &fake);
    let mut made = Made::new(&d);
    let n1 = made.network(&["--subnet", "10.231.81.0/24", "dn1"]);
    let n2 = made.network(&["--subnet", "10.231.82.0/24", "dn2"]);
    made.run(
        "web",
        &[
            "--network",
            "dn1",
            "--network-alias",
            "www",
            "mini",
            "httpd",
            "-f",
            "-p",
            "80",
            "-h",
            "/etc",
        ],
    );
    made.run("client", &["--network", "dn1", "mini", "sleep", "300"]);
    made.run("other", &["--network", "dn2", "mini", "sleep", "300"]);
    let mut veths = BTreeSet::new();
    for n in [&n1, &n2] {
        veths.extend(netns::bridge_ports(&format!("br-{}", &n[..12])));
    }
    let web_ip = d.ip_on("web", "dn1");
    let web_id = d.inspect_json(&["web"])["Id"].as_str().unwrap().to_string();

    // The file: the embedded server, the daemon's search and options, and
    // ndots:0 added.
    let resolv = d.docker(&["exec", "client", "cat", "/etc/resolv.conf"]);
    let directives: Vec<&str> = resolv
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(
        directives,
        [
            "nameserver 127.0.0.11",
            "search engined.test",
            "options timeout:1 ndots:0"
        ],
        "{resolv}"
    );

    // Name, alias, short id, name.network: answered without the upstream.
    for name in ["web", "www", &web_id[..12], "web.dn1"] {
        let (status, out) = nslookup(&d, "client", name);
        assert_eq!(status, 0, "{name}: {out}");
        assert!(out.contains(&web_ip), "{name}: {out}");
    }
    let asked_before = fake.asked();
    assert!(
        !asked_before
            .iter()
            .any(|n| n.starts_with("www") || n.starts_with("web")),
        "{asked_before:?}"
    );
    // The C library's resolver finds it too: ping and wget by name.
    let ping = d.docker_output(&["exec", "client", "ping", "-c1", "-W2", "www"]);
    assert_eq!(code(&ping), 0, "{ping:?}");
    let page = d.docker(&["exec", "client", "wget", "-qO-", "http://web/hostname"]);
    assert_eq!(page.trim(), &web_id[..12]);

    // A container on another network does not see it.
    let (_, out) = nslookup(&d, "other", "web");
    assert!(!out.contains(&web_ip), "{out}");

    // Other names go to the upstream, which knows one of them.
    let (status, out) = nslookup(&d, "client", "upstream.test");
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("192.0.2.99"), "{out}");
    let (status, out) = nslookup(&d, "client", "nobody.test");
    assert_ne!(status, 0, "{out}");
    assert!(!out.contains("192.0.2.99"), "{out}");
    let asked = fake.asked();
    assert!(asked.contains(&"upstream.test.".to_string()), "{asked:?}");
    assert!(asked.contains(&"nobody.test.".to_string()), "{asked:?}");

    // A container's own --dns* win over the daemon's.
    let own = d.docker(&[
        "run",
        "--rm",
        "--network",
        "dn1",
        "--dns",
        "127.0.53.2",
        "--dns-search",
        "own.test",
        "--dns-option",
        "ndots:3",
        "mini",
        "cat",
        "/etc/resolv.conf",
    ]);
    assert!(
        own.starts_with("nameserver 127.0.0.11\nsearch own.test\noptions ndots:3\n"),
        "{own}"
    );
    assert!(
        own.contains("127.0.53.2"),
        "the upstream it forwards to: {own}"
    );

    // The default bridge: no embedded server, the daemon's servers as set.
    let legacy = d.docker(&["run", "--rm", "mini", "cat", "/etc/resolv.conf"]);
    assert!(
        legacy.starts_with(&format!(
            "nameserver {UPSTREAM}\nsearch engined.test\noptions timeout:1\n"
        )),
        "{legacy}"
    );

    // Nothing stays: no link, namespace file or rule, and no DNS socket.
    made.clean();
    let bridges = vec![format!("br-{}", &n1[..12]), format!("br-{}", &n2[..12])];
    let left = netns::leftovers(&bridges, &veths, &dir.join("exec"));
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_restarted_engined_serves_the_names_of_running_containers_again() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let fake = FakeDns::start(Ipv4Addr::new(127, 0, 53, 3), &[])
        .expect("the fake upstream on 127.0.53.3:53");
    let (dir, mut d) = daemon("dns_cli_restart", &fake);
    let n1 = d
        .docker(&["network", "create", "--subnet", "10.231.83.0/24", "dn3"])
        .trim()
        .to_string();
    let mut made = Made::new(&d);
    made.container("ra");
    made.container("rb");
    made.owns_network("dn3");
    for name in ["ra", "rb"] {
        d.docker(&[
            "run",
            "-d",
            "--name",
            name,
            "--network",
            "dn3",
            "mini",
            "sleep",
            "300",
        ]);
    }
    let b_ip = d.ip_on("rb", "dn3");
    let veths = netns::bridge_ports(&format!("br-{}", &n1[..12]));
    let (status, out) = nslookup(&d, "ra", "rb");
    assert!(status == 0 && out.contains(&b_ip), "{out}");
    // The restarted daemon's guard cleans up from now on.
    made.forget();
    drop(made);
    d.crash();
    let d = Engined::start(&dir);
    let mut made = Made::new(&d);
    made.container("ra");
    made.container("rb");
    made.owns_network("dn3");
    let (status, out) = nslookup(&d, "ra", "rb");
    assert!(
        status == 0 && out.contains(&b_ip),
        "after the restart: {out}"
    );
    made.clean();
    let left = netns::leftovers(&[format!("br-{}", &n1[..12])], &veths, &dir.join("exec"));
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn legacy_links_on_the_default_bridge_give_hosts_lines_and_variables() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let fake = FakeDns::start(UPSTREAM, &[]).expect("the fake upstream on 127.0.53.1:53");
    let (dir, d) = daemon("dns_cli_links", &fake);
    let mut made = Made::new(&d);
    // A link to nothing is refused at create, with dockerd's words.
    let refused = d.docker_fails(&["create", "--link", "nobody:db", "mini", "true"]);
    assert!(
        refused.contains("could not get container for nobody"),
        "{refused}"
    );

    made.run(
        "link-db",
        &[
            "--expose",
            "5432",
            "--expose",
            "8080-8081",
            "-e",
            "PGDATA=/data",
            "mini",
            "sleep",
            "300",
        ],
    );
    let db_ip = d.ip_on("link-db", "bridge");
    assert!(!db_ip.is_empty());
    made.container("link-app");
    let out = d.docker(&[
        "run",
        "--name",
        "link-app",
        "--link",
        "link-db:store",
        "mini",
        "sh",
        "-c",
        "cat /etc/hosts; env | sort",
    ]);
    let hosts_line = out
        .lines()
        .find(|l| l.starts_with(&format!("{db_ip}\t")))
        .unwrap_or_else(|| panic!("no /etc/hosts line for {db_ip}: {out}"));
    let names: Vec<&str> = hosts_line.split_whitespace().skip(1).collect();
    assert_eq!(names[0], "store", "{hosts_line}");
    assert!(names.contains(&"link-db"), "{hosts_line}");
    for want in [
        format!("STORE_PORT=tcp://{db_ip}:5432"),
        format!("STORE_PORT_5432_TCP_ADDR={db_ip}"),
        format!("STORE_PORT_8080_TCP_START=tcp://{db_ip}:8080"),
        format!("STORE_PORT_8080_TCP_END=tcp://{db_ip}:8081"),
        "STORE_NAME=/link-app/store".to_string(),
        "STORE_ENV_PGDATA=/data".to_string(),
    ] {
        assert!(out.lines().any(|l| l == want), "{want} not in:\n{out}");
    }
    assert!(!out.contains("STORE_ENV_PATH="), "{out}");
    let links = d.inspect_json(&["link-app"])["HostConfig"]["Links"].clone();
    assert_eq!(links, serde_json::json!(["/link-db:/link-app/store"]));

    // The linked container must run when the link is started.
    d.docker(&["stop", "-t", "0", "link-db"]);
    let refused = d.docker_fails(&["start", "link-app"]);
    assert!(
        refused.contains("Cannot link to a non running container: /link-db AS /link-app/store"),
        "{refused}"
    );
    made.clean();
    let left = netns::leftovers(&[], &BTreeSet::new(), &dir.join("exec"));
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_renamed_container_answers_to_its_new_name() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let fake = FakeDns::start(UPSTREAM, &[]).expect("the fake upstream on 127.0.53.1:53");
    let (dir, d) = daemon("dns_cli_rename", &fake);
    let mut made = Made::new(&d);
    let n = made.network(&["--subnet", "10.231.87.0/24", "dn7"]);
    made.run("before-name", &["--network", "dn7", "mini", "sleep", "300"]);
    made.run("asker", &["--network", "dn7", "mini", "sleep", "300"]);
    let ip = d.ip_on("before-name", "dn7");
    let (status, out) = nslookup(&d, "asker", "before-name");
    assert!(status == 0 && out.contains(&ip), "{out}");
    d.docker(&["rename", "before-name", "after-name"]);
    made.container("after-name");
    let (status, out) = nslookup(&d, "asker", "after-name");
    assert!(status == 0 && out.contains(&ip), "{out}");
    let (_, out) = nslookup(&d, "asker", "before-name");
    assert!(!out.contains(&ip), "{out}");
    // The network's view names it by its new name too.
    let view = d.inspect_json(&["dn7"]);
    let names: Vec<&str> = view["Containers"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, c)| c["Name"].as_str())
        .collect();
    assert!(names.contains(&"after-name"), "{names:?}");
    let mut veths = netns::bridge_ports(&format!("br-{}", &n[..12]));
    made.clean();
    veths.extend(netns::bridge_ports(&format!("br-{}", &n[..12])));
    let left = netns::leftovers(&[format!("br-{}", &n[..12])], &veths, &dir.join("exec"));
    assert!(left.is_empty(), "{left:?}");
}
