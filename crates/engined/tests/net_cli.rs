//! Networking end to end: the real docker CLI against engined on real
//! runc. `docker network create/inspect/ls/rm/prune` with dockerd's shapes
//! and errors; busybox containers on user networks that reach each other
//! and not the containers of another network; the host reaching a
//! container's address; `--internal`; `network connect/disconnect` on a
//! running container; `--network container:`; and after `rm -f`, `network
//! rm` and a `kill -9` of engined with a restart, no bridge, veth,
//! namespace file or rule left (a veth no endpoint knows goes at the
//! restart); two daemons sharing the default bridge each keep their own
//! isolation rules on it. Subnets are 10.231.x.0/24 (this machine
//! routes 192.0.2.0/24 and sometimes 172.28.0.0/16).
//!
//! The tests take one lock: each makes host-wide bridges and rules, and
//! their leak checks look at the whole host.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use test_support::docker_cli::code;
use test_support::engined::Engined;
use test_support::made::Made;
use test_support::netns::{self, HOST_NETWORKING};
use test_support::skip::can_run_containers as can_run;

/// Deletes a link the test made itself, even when it fails.
struct DeleteLink(&'static str);

impl Drop for DeleteLink {
    fn drop(&mut self) {
        if netns::links().contains(self.0) {
            let _ = Command::new("ip").args(["link", "del", self.0]).status();
        }
    }
}

/// Every network event `d` has sent so far, one `ACTION NAME` a line.
fn network_events(d: &Engined) -> String {
    d.docker(&[
        "events",
        "--since",
        "0",
        "--until",
        &test_support::docker_cli::events_until_now(),
        "--filter",
        "type=network",
        "--format",
        "{{.Action}} {{.Actor.Attributes.name}}",
    ])
}

/// Whether `container` gets an answer to one ping of `ip` within 2 s.
fn pings(d: &Engined, container: &str, ip: &str) -> bool {
    code(&d.docker_output(&["exec", container, "ping", "-c1", "-W2", ip])) == 0
}

fn bridge_of(network_id: &str) -> String {
    format!("br-{}", &network_id[..12])
}

#[test]
fn network_api_shapes_and_errors() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Engined::test_dir("net_cli_api");
    let d = Engined::start(&dir);
    let mut made = Made::new(&d);

    let ls = d.docker(&[
        "network",
        "ls",
        "--format",
        "{{.Name}} {{.Driver}} {{.Scope}}",
    ]);
    let mut names: Vec<&str> = ls.lines().collect();
    names.sort();
    assert_eq!(
        names,
        ["bridge bridge local", "host host local", "none null local"]
    );
    let bridge = d.inspect_json(&["--type", "network", "bridge"]);
    assert_eq!(bridge["IPAM"]["Driver"], "default");
    assert_eq!(
        bridge["Options"]["com.docker.network.bridge.name"],
        "engined0"
    );
    assert_eq!(bridge["Id"].as_str().unwrap().len(), 64);

    let id = made.network(&[
        "--subnet",
        "10.231.61.0/24",
        "--gateway",
        "10.231.61.254",
        "--ip-range",
        "10.231.61.128/25",
        "--label",
        "team=net",
        "-o",
        "com.example.x=1",
        "--internal",
        "apinet",
    ]);
    let n = d.inspect_json(&["--type", "network", "apinet"]);
    assert_eq!(n["Id"], id.as_str());
    assert_eq!(n["Scope"], "local");
    assert_eq!(n["Driver"], "bridge");
    assert_eq!(n["Internal"], true);
    assert_eq!(n["EnableIPv6"], false);
    assert_eq!(n["Labels"]["team"], "net");
    assert_eq!(n["Options"]["com.example.x"], "1");
    assert_eq!(n["ConfigOnly"], false);
    assert_eq!(n["ConfigFrom"]["Network"], "");
    assert_eq!(
        n["IPAM"]["Config"][0],
        serde_json::json!({"Subnet": "10.231.61.0/24", "IPRange": "10.231.61.128/25", "Gateway": "10.231.61.254"})
    );
    assert_eq!(n["Containers"], serde_json::json!({}));
    // Its bridge has the gateway address, by id prefix too.
    let bridge_name = bridge_of(&id);
    assert!(netns::links().contains(&bridge_name), "{bridge_name}");
    assert_eq!(
        d.inspect_json(&["--type", "network", &id[..10]])["Name"],
        "apinet"
    );

    // dockerd's refusals.
    let dup = d.docker_fails(&["network", "create", "apinet"]);
    assert!(
        dup.contains("network with name apinet already exists"),
        "{dup}"
    );
    let pre = d.docker_fails(&["network", "rm", "bridge"]);
    assert!(
        pre.contains("bridge is a pre-defined network and cannot be removed"),
        "{pre}"
    );
    let overlap = d.docker_fails(&["network", "create", "--subnet", "10.231.61.0/25", "other"]);
    assert!(overlap.contains("Pool overlaps"), "{overlap}");
    let missing = d.docker_fails(&["network", "inspect", "nonesuch"]);
    assert!(missing.contains("network nonesuch not found"), "{missing}");

    // Filters, then prune by label (builtins are never pruned).
    let custom = d.docker(&[
        "network",
        "ls",
        "-q",
        "--no-trunc",
        "--filter",
        "type=custom",
    ]);
    assert_eq!(custom.trim(), id);
    let by_label = d.docker(&[
        "network",
        "ls",
        "--format",
        "{{.Name}}",
        "-f",
        "label=team=net",
    ]);
    assert_eq!(by_label.trim(), "apinet");
    let bad = d.docker_fails(&["network", "ls", "-f", "type=odd"]);
    assert!(bad.contains("invalid filter"), "{bad}");
    made.network(&["--subnet", "10.231.62.0/24", "keep"]);
    let pruned = d.docker(&["network", "prune", "-f", "--filter", "label=team=net"]);
    assert!(
        pruned.contains("apinet") && !pruned.contains("keep"),
        "{pruned}"
    );
    assert!(!netns::links().contains(&bridge_name));
    d.docker(&["network", "rm", "keep"]);
    let ls = d.docker(&["network", "ls", "-q"]);
    assert_eq!(ls.lines().count(), 3, "{ls}");
    let events = network_events(&d);
    assert!(
        events.contains("create apinet") && events.contains("destroy apinet"),
        "{events}"
    );
    made.forget_networks();
}

#[test]
fn containers_reach_their_networks_only_and_leave_nothing() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Engined::test_dir("net_cli_reach");
    let d = Engined::start(&dir);
    d.import_mini();
    let mut made = Made::new(&d);
    let n1 = made.network(&["--subnet", "10.231.71.0/24", "n1"]);
    let n2 = made.network(&["--subnet", "10.231.72.0/24", "n2"]);
    let internal = made.network(&["--internal", "--subnet", "10.231.73.0/24", "n3"]);
    made.run("a1", &["--network", "n1", "mini", "sleep", "300"]);
    made.run(
        "b1",
        &[
            "--network",
            "n1",
            "--ip",
            "10.231.71.50",
            "mini",
            "httpd",
            "-f",
            "-p",
            "8080",
            "-h",
            "/etc",
        ],
    );
    made.run("c2", &["--network", "n2", "mini", "sleep", "300"]);
    made.run("i3", &["--network", "n3", "mini", "sleep", "300"]);
    let mut veths = BTreeSet::new();
    for n in [&n1, &n2, &internal] {
        veths.extend(netns::bridge_ports(&bridge_of(n)));
    }
    assert_eq!(veths.len(), 4, "{veths:?}");

    let a1 = d.ip_on("a1", "n1");
    let b1 = d.ip_on("b1", "n1");
    assert_eq!(b1, "10.231.71.50");
    let net = &d.inspect_json(&["a1"])["NetworkSettings"]["Networks"]["n1"];
    assert_eq!(net["Gateway"], "10.231.71.1");
    assert_eq!(net["IPPrefixLen"], 24);
    assert_eq!(net["NetworkID"], n1.as_str());
    assert_eq!(net["MacAddress"], "02:42:0a:e7:47:02");
    assert_eq!(net["EndpointID"].as_str().unwrap().len(), 64);
    // Its own name on its address in /etc/hosts.
    let hosts = d.docker(&["exec", "a1", "cat", "/etc/hosts"]);
    let short = &d.inspect_json(&["a1"])["Id"].as_str().unwrap()[..12].to_string();
    assert!(hosts.ends_with(&format!("{a1}\t{short}\n")), "{hosts}");

    // With NAT a bridge is routed beyond the host, but never to another
    // network's subnet; an --internal one nowhere. Read from the rule
    // set, never by sending a packet out.
    let rules = netns::rules_naming(&bridge_of(&n1));
    assert!(
        rules
            .iter()
            .any(|r| r.contains("prohibit") && r.contains("to 10.231.72.0/24")),
        "{rules:?}"
    );
    assert!(!rules.iter().any(|r| !r.contains(" to ")), "{rules:?}");
    let rules = netns::rules_naming(&bridge_of(&internal));
    assert!(
        rules
            .iter()
            .any(|r| r.contains("prohibit") && !r.contains(" to ")),
        "{rules:?}"
    );

    // Same network: reachable (ping, and wget of httpd); another: not.
    assert!(pings(&d, "a1", &b1));
    let page = d.docker(&[
        "exec",
        "a1",
        "wget",
        "-qO-",
        &format!("http://{b1}:8080/hostname"),
    ]);
    assert!(!page.is_empty());
    let c2 = d.ip_on("c2", "n2");
    assert!(!pings(&d, "c2", &b1));
    assert!(!pings(&d, "a1", &c2));
    // The host reaches a container's address on the bridge.
    let host_ping = Command::new(test_support::rootfs::BUSYBOX)
        .args(["ping", "-c1", "-W2", &b1])
        .output()
        .unwrap();
    assert!(host_ping.status.success(), "{host_ping:?}");
    // --internal: no default route out of the container.
    let routes = d.docker(&["exec", "i3", "ip", "route"]);
    assert!(!routes.contains("default"), "{routes}");
    assert!(routes.contains("10.231.73.0/24"), "{routes}");
    // ps --filter network=
    let on_n1 = d.docker(&["ps", "--filter", "network=n1", "--format", "{{.Names}}"]);
    let mut on_n1: Vec<&str> = on_n1.lines().collect();
    on_n1.sort();
    assert_eq!(on_n1, ["a1", "b1"]);

    // connect/disconnect live: c2 joins n1, reaches b1, leaves again.
    d.docker(&["network", "connect", "--alias", "web", "n1", "c2"]);
    veths.extend(netns::bridge_ports(&bridge_of(&n1)));
    let addrs = d.docker(&["exec", "c2", "ip", "-o", "-4", "addr"]);
    assert!(addrs.contains("eth1"), "{addrs}");
    assert!(pings(&d, "c2", &b1));
    let n1_view = d.inspect_json(&["--type", "network", "n1"]);
    assert_eq!(n1_view["Containers"].as_object().unwrap().len(), 3);
    let busy = d.docker_fails(&["network", "rm", "n1"]);
    assert!(busy.contains("has active endpoints"), "{busy}");
    d.docker(&["network", "disconnect", "n1", "c2"]);
    let addrs = d.docker(&["exec", "c2", "ip", "-o", "-4", "addr"]);
    assert!(!addrs.contains("eth1"), "{addrs}");
    assert!(!pings(&d, "c2", &b1));

    // --network container: shares a1's namespace and address.
    let shared = d.docker(&[
        "run",
        "--rm",
        "--network",
        "container:a1",
        "mini",
        "ip",
        "-o",
        "-4",
        "addr",
    ]);
    assert!(shared.contains(&format!("{a1}/24")), "{shared}");
    // --pid container: sees a1's processes.
    let ps = d.docker(&[
        "run",
        "--rm",
        "--pid",
        "container:a1",
        "--network",
        "none",
        "mini",
        "ps",
    ]);
    assert!(ps.contains("sleep 300"), "{ps}");

    // Joining at start and the live connect are announced, as dockerd does.
    let events = network_events(&d);
    let count = |line: &str| events.lines().filter(|l| *l == line).count();
    assert_eq!(
        (count("connect n1"), count("disconnect n1")),
        (3, 1),
        "{events}"
    );

    // Nothing stays: rm -f, then network rm.
    made.clean();
    let bridges: Vec<String> = [&n1, &n2, &internal].iter().map(|n| bridge_of(n)).collect();
    let left = netns::leftovers(&bridges, &veths, &dir.join("exec"));
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_crashed_engined_restores_endpoints_and_leaks_nothing() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Engined::test_dir("net_cli_crash");
    let mut d = Engined::start(&dir);
    d.import_mini();
    let id;
    let mut veths = BTreeSet::new();
    {
        let mut made = Made::new(&d);
        id = made.network(&["--subnet", "10.231.81.0/24", "n81"]);
        made.run("stays", &["--network", "n81", "mini", "sleep", "300"]);
        made.run("ends", &["--network", "n81", "mini", "sleep", "3"]);
        veths.extend(netns::bridge_ports(&bridge_of(&id)));
        assert_eq!(veths.len(), 2, "{veths:?}");
        made.forget();
    }
    let ip = d.ip_on("stays", "n81");
    d.crash();
    // While engined is away, one container ends, and a veth no endpoint
    // knows is on the network's bridge (as a crash mid-set-up leaves).
    let orphan = "vethnetcli0";
    let _orphan_goes = DeleteLink(orphan);
    let ip_link = |args: &[&str]| Command::new("ip").arg("link").args(args).status().unwrap();
    assert!(ip_link(&[
        "add",
        orphan,
        "type",
        "veth",
        "peer",
        "name",
        "vethnetcli0p"
    ])
    .success());
    veths.insert(orphan.to_string());
    assert!(ip_link(&["set", orphan, "master", &bridge_of(&id)]).success());
    std::thread::sleep(std::time::Duration::from_secs(4));
    let d2 = Engined::start(&dir);
    drop(std::mem::replace(&mut d, d2));
    let mut made = Made::new(&d);
    made.container("stays");
    made.container("ends");
    made.owns_network("n81");
    // The running one keeps its endpoint; the ended one's is gone.
    assert_eq!(d.ip_on("stays", "n81"), ip);
    let ping = Command::new(test_support::rootfs::BUSYBOX)
        .args(["ping", "-c1", "-W2", &ip])
        .output()
        .unwrap();
    assert!(ping.status.success(), "{ping:?}");
    assert!(!netns::links().contains(orphan));
    assert_eq!(netns::bridge_ports(&bridge_of(&id)).len(), 1);
    assert_eq!(netns::netns_files(&dir.join("exec")).len(), 1);
    // A restart of the ended one gets a new endpoint.
    d.docker(&["start", "ends"]);
    veths.extend(netns::bridge_ports(&bridge_of(&id)));
    assert_eq!(netns::bridge_ports(&bridge_of(&id)).len(), 2);
    made.clean();
    let left = netns::leftovers(&[bridge_of(&id)], &veths, Path::new(&dir.join("exec")));
    assert!(left.is_empty(), "{left:?}");
}

/// `--ipv6` networks: each container gets an address of the network's
/// IPv6 subnet (or the one `--ip6` names) beside its IPv4 one, usable at
/// once (no duplicate address detection), shown by inspect, named in
/// `/etc/hosts` and by the embedded DNS server (`AAAA`); another
/// container reaches it over IPv6 on the bridge. Nothing is routed
/// beyond the bridge: the host's IPv6 forwarding is left as it is.
#[test]
fn ipv6_networks_address_name_and_reach_containers() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Engined::test_dir("net_cli_ipv6");
    let d = Engined::start(&dir);
    d.import_mini();
    let mut made = Made::new(&d);
    let forwarding = std::fs::read_to_string("/proc/sys/net/ipv6/conf/all/forwarding").ok();
    // No IPv6 pool is configured by default: the subnet must be named.
    let err = d.docker_fails(&["network", "create", "--ipv6", "v6none"]);
    assert!(err.contains("non-overlapping IPv6 address pool"), "{err}");
    let n6 = made.network(&[
        "--ipv6",
        "--subnet",
        "10.231.74.0/24",
        "--subnet",
        "fd00:231:74::/64",
        "n6",
    ]);
    let n4 = made.network(&["--subnet", "10.231.75.0/24", "n4"]);
    made.run(
        "web6",
        &[
            "--network",
            "n6",
            "--ip6",
            "fd00:231:74::50",
            "mini",
            "httpd",
            "-f",
            "-p",
            "8080",
            "-h",
            "/etc",
        ],
    );
    made.run("cli6", &["--network", "n6", "mini", "sleep", "300"]);

    let web = &d.inspect_json(&["web6"])["NetworkSettings"]["Networks"]["n6"];
    assert_eq!(web["GlobalIPv6Address"], "fd00:231:74::50", "{web}");
    assert_eq!(web["GlobalIPv6PrefixLen"], 64);
    assert_eq!(web["IPv6Gateway"], "fd00:231:74::1");
    assert_eq!(web["IPAMConfig"]["IPv6Address"], "fd00:231:74::50");
    assert_eq!(web["IPAddress"], "10.231.74.2");
    let cli = &d.inspect_json(&["cli6"])["NetworkSettings"]["Networks"]["n6"];
    assert_eq!(cli["GlobalIPv6Address"], "fd00:231:74::2", "{cli}");
    let listed = d.docker(&[
        "network",
        "inspect",
        "n6",
        "--format",
        "{{range .Containers}}{{.Name}} {{.IPv6Address}}\n{{end}}",
    ]);
    assert!(listed.contains("web6 fd00:231:74::50/64\n"), "{listed}");

    // Inside: the address is usable at once, with a default route through
    // the bridge's IPv6 gateway.
    let addr = d.docker(&["exec", "cli6", "ip", "-6", "-o", "addr", "show", "eth0"]);
    assert!(
        addr.contains("inet6 fd00:231:74::2/64 scope global"),
        "{addr}"
    );
    assert!(
        !addr.contains("fd00:231:74::2/64 scope global tentative"),
        "{addr}"
    );
    let routes = d.docker(&["exec", "cli6", "ip", "-6", "route"]);
    assert!(
        routes.contains("default via fd00:231:74::1 dev eth0"),
        "{routes}"
    );
    let hosts = d.docker(&["exec", "web6", "cat", "/etc/hosts"]);
    let short = d.inspect_json(&["web6"])["Id"].as_str().unwrap()[..12].to_string();
    assert!(
        hosts.ends_with(&format!("10.231.74.2\t{short}\nfd00:231:74::50\t{short}\n")),
        "{hosts}"
    );

    // Reached over IPv6: by address, by name (AAAA), and a page fetched.
    assert!(pings(&d, "cli6", "fd00:231:74::50"));
    assert!(pings(&d, "cli6", "fd00:231:74::1"));
    let by_name = d.docker(&["exec", "cli6", "ping", "-6", "-c1", "-W2", "web6"]);
    assert!(by_name.contains("fd00:231:74::50"), "{by_name}");
    let page = d.docker(&[
        "exec",
        "cli6",
        "wget",
        "-qO-",
        "http://[fd00:231:74::50]:8080/hostname",
    ]);
    assert_eq!(page.trim(), short);

    // --ip6 needs a network with IPv6.
    let err = d.docker_fails(&[
        "run",
        "--rm",
        "--network",
        "n4",
        "--ip6",
        "fd00:231:75::9",
        "mini",
        "true",
    ]);
    assert!(err.contains("does not have IPv6 enabled"), "{err}");
    let err = d.docker_fails(&[
        "run",
        "--rm",
        "--network",
        "n6",
        "--ip6",
        "10.231.74.9",
        "mini",
        "true",
    ]);
    assert!(err.contains("invalid IPv6 address"), "{err}");

    // A restart of the container gets its addresses again; rm frees them.
    d.docker(&["restart", "-t", "0", "cli6"]);
    let again = &d.inspect_json(&["cli6"])["NetworkSettings"]["Networks"]["n6"];
    let v6 = again["GlobalIPv6Address"].as_str().unwrap_or("");
    assert!(
        v6.starts_with("fd00:231:74::") && v6 != "fd00:231:74::50",
        "{again}"
    );
    let veths = netns::bridge_ports(&bridge_of(&n6));
    assert_eq!(veths.len(), 2, "{veths:?}");
    made.clean();
    let bridges = [bridge_of(&n6), bridge_of(&n4)];
    let left = netns::leftovers(&bridges, &veths, &dir.join("exec"));
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(
        std::fs::read_to_string("/proc/sys/net/ipv6/conf/all/forwarding").ok(),
        forwarding,
        "the host's IPv6 forwarding changed"
    );
}

#[test]
fn daemons_sharing_the_default_bridge_keep_each_others_isolation_rules() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let (dir_a, dir_b) = (
        Engined::test_dir("net_cli_share_a"),
        Engined::test_dir("net_cli_share_b"),
    );
    let priority = |dir: &Path| engined_core::networks::netlink::rule_priority(&dir.join("exec"));
    let (pa, pb) = (priority(&dir_a), priority(&dir_b));
    let a = Engined::start(&dir_a);
    let b = Engined::start(&dir_b);
    let mut made_a = Made::new(&a);
    let mut made_b = Made::new(&b);
    made_a.network(&["--subnet", "10.231.77.0/24", "sa"]);
    let nb = made_b.network(&["--subnet", "10.231.78.0/24", "sb"]);
    // Each daemon isolates the default bridge from its own networks; the
    // second one's sync left the first one's rule alone.
    let on_default = || netns::rules_naming(netns::DEFAULT_BRIDGE);
    let has = |rules: &[String], subnet: &str| {
        rules
            .iter()
            .any(|r| r.contains("prohibit") && r.contains(&format!("to {subnet}")))
    };
    let rules = on_default();
    assert!(has(&rules, "10.231.77.0/24"), "{rules:?}");
    assert!(has(&rules, "10.231.78.0/24"), "{rules:?}");
    // b's network goes: only its rules go with it.
    b.docker(&["network", "rm", &nb]);
    made_b.forget_networks();
    let rules = on_default();
    assert!(has(&rules, "10.231.77.0/24"), "{rules:?}");
    assert!(!has(&rules, "10.231.78.0/24"), "{rules:?}");
    // b stops cleanly: a's rules stay, b left none.
    drop(made_b);
    drop(b);
    let rules = on_default();
    assert!(has(&rules, "10.231.77.0/24"), "{rules:?}");
    if pa == pb {
        eprintln!("skipped the per-daemon check: both test roots hash to priority {pa}");
    } else {
        let left: Vec<String> = Command::new("ip")
            .args(["-4", "rule", "show"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with(&format!("{pb}:")))
            .map(str::to_string)
            .collect();
        assert!(left.is_empty(), "{left:?}");
        assert!(
            rules.iter().any(|r| r.starts_with(&format!("{pa}:"))),
            "{rules:?}"
        );
    }
    drop(made_a);
}
