//! NAT end to end, with the real docker CLI on real runc: engined's own
//! nftables table holds a DNAT per published port and a masquerade per
//! routed bridge subnet (read with `nft -j list table`, never checked by
//! sending traffic out); a packet from a network namespace the test makes
//! reaches a container's httpd through DNAT alone (`userland-proxy:
//! false`), and so does the host's own loopback (`route_localnet` on
//! the bridge, loopback masqueraded to it); `iptables: false` writes no
//! table at all; `rm -f`, `network
//! rm`, a `kill -9` of engined and its restart leave no rule behind and
//! duplicate none, and the restarted daemon publishes the same ports
//! again; random host ports come from dockerd's range; and the keys
//! `bip`, `default-address-pools`, `ip-forward` (turned on and read
//! back; the host's value is put back after) with their checks.
//!
//! Every packet stays on this machine: the host's loopback, its bridges,
//! and a veth pair into a namespace the test made (10.231.9x.0/24). The
//! daemons' `dns` is a loopback address nothing is asked of.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use test_support::engined::Engined;
use test_support::made::Made;
use test_support::netns::{self, HOST_NETWORKING};
use test_support::skip::can_run_containers as can_run;

/// The daemon.json keys every daemon here has: a DNS server nothing asks.
const QUIET_DNS: &str = r#""dns": ["127.0.53.9"], "dns-search": ["."]"#;

/// A test directory whose daemon.json is `{QUIET_DNS, extra}`.
fn dir_with(name: &str, extra: &str) -> PathBuf {
    let dir = Engined::test_dir(name);
    let sep = if extra.is_empty() { "" } else { ", " };
    std::fs::write(
        dir.join("daemon.json"),
        format!("{{{QUIET_DNS}{sep}{extra}}}"),
    )
    .unwrap();
    dir
}

/// The name of the NAT table of the daemon whose files are under `dir`.
fn table_of(dir: &Path) -> String {
    engined_core::networks::nat::nft::table_name(&dir.join("exec"))
}

/// The host's nftables tables, `family name`.
fn tables() -> BTreeSet<String> {
    let out = Command::new("nft")
        .args(["-j", "list", "tables"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    v["nftables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let t = &i["table"];
            Some(format!("{} {}", t["family"].as_str()?, t["name"].as_str()?))
        })
        .collect()
}

/// The host's named network namespaces.
fn named_netns() -> BTreeSet<String> {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// The rules of table `ip <table>` (none when it does not exist).
fn rules(table: &str) -> Vec<Value> {
    let out = Command::new("nft")
        .args(["-j", "list", "table", "ip", table])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    v["nftables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("rule").cloned())
        .collect()
}

/// One DNAT rule: (host port, container address, container port, comment).
fn dnats(table: &str) -> Vec<(u64, String, u64, String)> {
    rules(table)
        .iter()
        .filter_map(|r| {
            let expr = r["expr"].as_array()?;
            let dnat = expr.iter().find_map(|e| e.get("dnat"))?;
            let dport = expr.iter().find_map(|e| {
                let m = e.get("match")?;
                (m["left"]["payload"]["field"] == "dport").then(|| m["right"].as_u64())?
            })?;
            Some((
                dport,
                dnat["addr"].as_str()?.to_string(),
                dnat["port"].as_u64()?,
                r["comment"].as_str().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// The masquerades of the table: (source subnet, bridge it is not for).
fn masquerades(table: &str) -> Vec<(String, String)> {
    rules(table)
        .iter()
        .filter_map(|r| {
            let expr = r["expr"].as_array()?;
            expr.iter().find(|e| e.get("masquerade").is_some())?;
            let subnet = expr.iter().find_map(|e| {
                let p = &e.get("match")?["right"]["prefix"];
                Some(format!("{}/{}", p["addr"].as_str()?, p["len"].as_u64()?))
            })?;
            let bridge = expr.iter().find_map(|e| {
                let m = e.get("match")?;
                (m["left"]["meta"]["key"] == "oifname").then(|| m["right"].as_str())?
            })?;
            Some((subnet, bridge.to_string()))
        })
        .collect()
}

fn short_id(d: &Engined, name: &str) -> String {
    d.inspect_json(&[name])["Id"].as_str().unwrap()[..12].to_string()
}

/// `wget -qO- URL` with busybox from the host, or from namespace `netns`
/// (`ip netns exec`), retried while the container's httpd comes up;
/// the page, or "" when it never answered.
fn fetch(netns: Option<&str>, url: &str, tries: Duration) -> String {
    let deadline = Instant::now() + tries;
    loop {
        // busybox's own `wget -T` is broken here: `timeout` bounds a try.
        let mut cmd = Command::new("timeout");
        cmd.arg("4");
        if let Some(ns) = netns {
            cmd.args(["ip", "netns", "exec", ns]);
        }
        let out = cmd
            .args([test_support::rootfs::BUSYBOX, "wget", "-qO-", url])
            .output()
            .unwrap();
        if out.status.success() || Instant::now() > deadline {
            return String::from_utf8_lossy(&out.stdout).trim().to_string();
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `docker run -d --name NAME ARGS... mini httpd` serving `/etc` on 80.
fn serve(made: &mut Made, name: &str, args: &[&str]) {
    let mut all = args.to_vec();
    all.extend(["mini", "httpd", "-f", "-p", "80", "-h", "/etc"]);
    made.run(name, &all);
}

/// A network namespace with a veth pair to the host (`host` on the
/// host's side, `peer` inside with a default route through `host`),
/// removed on drop even when the test fails.
struct TestNetns {
    name: String,
    host_link: String,
}

impl TestNetns {
    fn make(name: &str, host_link: &str, host_ip: &str, ns_ip: &str) -> TestNetns {
        let made = TestNetns {
            name: name.into(),
            host_link: host_link.into(),
        };
        let run = |args: &[&str]| {
            let ok = Command::new("ip").args(args).status().unwrap().success();
            assert!(ok, "ip {args:?}");
        };
        let peer = format!("{host_link}p");
        run(&["netns", "add", name]);
        run(&[
            "link", "add", host_link, "type", "veth", "peer", "name", &peer,
        ]);
        run(&["link", "set", &peer, "netns", name]);
        run(&["addr", "add", &format!("{host_ip}/30"), "dev", host_link]);
        run(&["link", "set", host_link, "up"]);
        let inside = |args: &[&str]| {
            let mut all = vec!["netns", "exec", name, "ip"];
            all.extend(args);
            run(&all);
        };
        inside(&["addr", "add", &format!("{ns_ip}/30"), "dev", &peer]);
        inside(&["link", "set", &peer, "up"]);
        inside(&["link", "set", "lo", "up"]);
        inside(&["route", "add", "default", "via", host_ip]);
        made
    }
}

impl Drop for TestNetns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.host_link])
            .status();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// What the host has that a test could leak: links, named namespaces,
/// nftables tables.
type HostState = (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>);

/// The host's state now.
fn host_state() -> HostState {
    (netns::links(), named_netns(), tables())
}

/// The host state now, less links that were there before or that other
/// daemons (the shared default bridge, other tests' veths) may make:
/// only what `mine` names counts.
fn leaked(before: &HostState, mine: &[String]) -> Vec<String> {
    let now = host_state();
    let mut out: Vec<String> = now
        .0
        .difference(&before.0)
        .filter(|l| mine.contains(l))
        .map(|l| format!("link {l}"))
        .collect();
    out.extend(
        now.1
            .difference(&before.1)
            .filter(|n| mine.contains(n))
            .map(|n| format!("netns {n}")),
    );
    out.extend(
        now.2
            .difference(&before.2)
            .filter(|t| mine.iter().any(|m| t.ends_with(&format!(" {m}"))))
            .map(|t| format!("table {t}")),
    );
    out
}

#[test]
fn published_ports_get_dnat_and_bridges_masquerade_until_removed() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let before = host_state();
    let dir = dir_with("nat_cli_rules", "");
    let table = table_of(&dir);
    let d = Engined::start(&dir);
    d.import_mini();
    let mut made = Made::new(&d);
    let net = made.network(&["--subnet", "10.231.90.0/24", "natn1"]);
    let bridge = format!("br-{}", &net[..12]);
    let internal = made.network(&["--internal", "--subnet", "10.231.89.0/24", "natn0"]);
    serve(
        &mut made,
        "nat1",
        &[
            "--network",
            "natn1",
            "-p",
            "18190:80",
            "-p",
            "127.0.0.1:18191:80",
            "-p",
            "18192:53/udp",
        ],
    );
    let ip = d.ip_on("nat1", "natn1");
    let id = short_id(&d, "nat1");
    let mut veths = netns::bridge_ports(&bridge);

    // One DNAT per port the host's other addresses serve; loopback is the
    // proxy's (it still answers there).
    let mut got = dnats(&table);
    got.sort();
    let comment = format!("container {id}");
    assert_eq!(
        got,
        [
            (18190, ip.clone(), 80, comment.clone()),
            (18192, ip.clone(), 53, comment.clone())
        ],
        "{:#?}",
        rules(&table)
    );
    assert_eq!(
        fetch(
            None,
            "http://127.0.0.1:18191/hostname",
            Duration::from_secs(10)
        ),
        id
    );
    // Masquerade for the routed bridges (this one and the default bridge),
    // not for the internal one.
    let masq = masquerades(&table);
    assert!(
        masq.contains(&("10.231.90.0/24".to_string(), bridge.clone())),
        "{masq:?}"
    );
    assert!(
        masq.iter().any(|(_, b)| b == netns::DEFAULT_BRIDGE),
        "{masq:?}"
    );
    assert!(!masq.iter().any(|(s, _)| s == "10.231.89.0/24"), "{masq:?}");
    // Other networks' subnets stay unreachable from this bridge.
    let isolation = netns::rules_naming(&bridge);
    assert!(
        isolation
            .iter()
            .any(|r| r.contains("to 10.231.89.0/24") && r.contains("prohibit")),
        "{isolation:?}"
    );

    // rm -f: its DNATs go, the networks' masquerades stay.
    d.docker(&["rm", "-f", "nat1"]);
    assert!(dnats(&table).is_empty(), "{:#?}", rules(&table));
    assert!(masquerades(&table)
        .iter()
        .any(|(s, _)| s == "10.231.90.0/24"));
    // network rm: its masquerade goes.
    d.docker(&["network", "rm", "natn1", "natn0"]);
    made.forget_networks();
    let masq = masquerades(&table);
    assert!(!masq.iter().any(|(s, _)| s == "10.231.90.0/24"), "{masq:?}");
    veths.extend(netns::bridge_ports(&bridge));
    let left = netns::leftovers(
        &[bridge.clone(), format!("br-{}", &internal[..12])],
        &veths,
        &dir.join("exec"),
    );
    assert!(left.is_empty(), "{left:?}");
    drop(made);
    drop(d);
    // A clean stop takes the table with it.
    let mine: Vec<String> = vec![table.clone(), bridge];
    let left = leaked(&before, &mine);
    assert!(left.is_empty(), "{left:?}");
    assert!(!tables().contains(&format!("ip {table}")));
}

#[test]
fn a_packet_from_another_namespace_reaches_the_container_through_dnat() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let forwarding = std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").unwrap_or_default();
    let before = host_state();
    // No proxy: only DNAT can carry the packet; ip-forward false: the
    // host's value is left alone (it is read, not changed).
    let dir = dir_with(
        "nat_cli_packet",
        r#""userland-proxy": false, "ip-forward": false"#,
    );
    let table = table_of(&dir);
    let d = Engined::start(&dir);
    d.import_mini();
    let mut made = Made::new(&d);
    let net = made.network(&["--subnet", "10.231.91.0/24", "natn2"]);
    let bridge = format!("br-{}", &net[..12]);
    serve(&mut made, "nat2", &["--network", "natn2", "-p", "18193:80"]);
    let id = short_id(&d, "nat2");
    assert_eq!(
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").unwrap_or_default(),
        forwarding
    );
    // The port is held: nothing else may bind it.
    assert!(std::net::TcpListener::bind(("0.0.0.0", 18193)).is_err());
    let ns_name = format!("natcli{}", std::process::id());
    let outside = TestNetns::make(&ns_name, "vethnatcli0", "10.231.92.1", "10.231.92.2");
    if forwarding.trim() == "1" {
        // From the namespace to the host's address on the bridge.
        let page = fetch(
            Some(&ns_name),
            "http://10.231.91.1:18193/hostname",
            Duration::from_secs(10),
        );
        assert_eq!(page, id, "{:#?}", rules(&table));
        // And to the host's address on the namespace's own link.
        let page = fetch(
            Some(&ns_name),
            "http://10.231.92.1:18193/hostname",
            Duration::from_secs(5),
        );
        assert_eq!(page, id);
    } else {
        eprintln!("skipped the DNAT packet: net.ipv4.ip_forward is 0 on this host");
    }
    drop(outside);
    drop(made);
    // The port is free again.
    assert!(std::net::TcpListener::bind(("0.0.0.0", 18193)).is_ok());
    drop(d);
    let mine = vec![
        table,
        bridge,
        ns_name,
        "vethnatcli0".to_string(),
        "vethnatcli0p".to_string(),
    ];
    let left = leaked(&before, &mine);
    assert!(left.is_empty(), "{left:?}");
}

/// Puts a sysctl file back as it was when dropped (also when the test
/// fails).
struct Restore(&'static str, String);

impl Restore {
    fn of(path: &'static str) -> Restore {
        Restore(path, std::fs::read_to_string(path).unwrap_or_default())
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        if !self.1.is_empty() {
            let _ = std::fs::write(self.0, &self.1);
        }
    }
}

#[test]
fn without_the_proxy_loopback_goes_through_dnat_and_ip_forward_is_turned_on() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let _forwarding = Restore::of("/proc/sys/net/ipv4/ip_forward");
    let before = host_state();
    // `ip-forward` is on by default: the daemon turns it on.
    let dir = dir_with("nat_cli_loopback", r#""userland-proxy": false"#);
    let table = table_of(&dir);
    let d = Engined::start(&dir);
    assert_eq!(
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward")
            .unwrap_or_default()
            .trim(),
        "1"
    );
    d.import_mini();
    let mut made = Made::new(&d);
    let net = made.network(&["--subnet", "10.231.94.0/24", "natn4"]);
    let bridge = format!("br-{}", &net[..12]);
    serve(
        &mut made,
        "nat4",
        &["--network", "natn4", "-p", "127.0.0.1:18195:80"],
    );
    let id = short_id(&d, "nat4");
    let localnet = format!("/proc/sys/net/ipv4/conf/{bridge}/route_localnet");
    assert_eq!(
        std::fs::read_to_string(&localnet)
            .unwrap_or_default()
            .trim(),
        "1"
    );
    // No proxy serves loopback: the rules alone carry the request.
    let page = fetch(
        None,
        "http://127.0.0.1:18195/hostname",
        Duration::from_secs(10),
    );
    assert_eq!(page, id, "{:#?}", rules(&table));
    assert!(dnats(&table)
        .iter()
        .any(|(port, addr, cport, _)| *port == 18195 && addr == "10.231.94.2" && *cport == 80));
    assert!(
        rules(&table)
            .iter()
            .any(|r| r["comment"] == format!("loopback to {bridge}")),
        "{:#?}",
        rules(&table)
    );
    drop(made);
    drop(d);
    let mine = vec![table, bridge];
    let left = leaked(&before, &mine);
    assert!(left.is_empty(), "{left:?}");
}

/// `route_localnet` of a bridge engined turned on, with the proxy off,
/// survives a `kill -9` of engined only until its next start: a restart
/// with the proxy off keeps it on and its clean stop puts the old value
/// back; a restart with the proxy on puts it back at once. The bridge is
/// one the test makes (named in the network's options), so its value
/// before engined's first start is the test's to set.
#[test]
fn a_killed_engined_leaves_route_localnet_for_the_next_start_to_put_back() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    const BRIDGE: &str = "natlocal98";
    struct DropBridge;
    impl Drop for DropBridge {
        fn drop(&mut self) {
            let _ = Command::new("ip").args(["link", "del", BRIDGE]).output();
        }
    }
    let _ = Command::new("ip").args(["link", "del", BRIDGE]).output();
    let made = Command::new("ip")
        .args(["link", "add", BRIDGE, "type", "bridge"])
        .status()
        .unwrap();
    assert!(made.success());
    let _bridge = DropBridge;
    let localnet = format!("/proc/sys/net/ipv4/conf/{BRIDGE}/route_localnet");
    std::fs::write(&localnet, "0\n").unwrap();
    let value = || {
        std::fs::read_to_string(&localnet)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let before = value();
    assert_eq!(before, "0");
    let proxy_off = r#""userland-proxy": false"#;
    let dir = dir_with("nat_cli_localnet", proxy_off);
    let record = dir
        .join("data/network")
        .join(engined_core::networks::nat::localnet::RECORD_FILE);
    let mut d = Engined::start(&dir);
    // The network outlives the daemons that crash: removed through
    // whichever listens on the socket then, even when the test fails.
    struct Remove(String);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = test_support::docker_cli::output(&self.0, &["network", "rm", "natn98"]);
        }
    }
    let _remove = Remove(d.host());
    d.docker(&[
        "network",
        "create",
        "--subnet",
        "10.231.98.0/24",
        "-o",
        &format!("com.docker.network.bridge.name={BRIDGE}"),
        "natn98",
    ]);
    assert_eq!(value(), "1");
    assert!(record.exists(), "{}", record.display());

    // Killed, and started again with the proxy still off: on it stays,
    // and the clean stop after puts the first value back.
    d.crash();
    assert_eq!(value(), "1", "a killed daemon puts nothing back");
    d = Engined::start(&dir);
    assert_eq!(value(), "1", "{}", d.log());
    d.stop();
    assert_eq!(value(), before, "{}", d.log());
    assert!(!record.exists());

    // Killed again, and started with the proxy on: the start puts it back.
    d = Engined::start(&dir);
    assert_eq!(value(), "1");
    d.crash();
    assert_eq!(value(), "1");
    std::fs::write(dir.join("daemon.json"), format!("{{{QUIET_DNS}}}")).unwrap();
    d = Engined::start(&dir);
    assert_eq!(value(), before, "{}", d.log());
    assert!(!record.exists());
    d.docker(&["network", "rm", "natn98"]);
    assert!(!netns::links().contains(BRIDGE));
}

#[test]
fn without_iptables_there_is_no_table_and_the_proxy_serves() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = dir_with("nat_cli_off", r#""iptables": false"#);
    let table = table_of(&dir);
    let d = Engined::start(&dir);
    d.import_mini();
    let mut made = Made::new(&d);
    let net = made.network(&["--subnet", "10.231.93.0/24", "natn3"]);
    serve(
        &mut made,
        "nat3",
        &["--network", "natn3", "-p", "127.0.0.1:18194:80"],
    );
    assert_eq!(
        fetch(
            None,
            "http://127.0.0.1:18194/hostname",
            Duration::from_secs(10)
        ),
        short_id(&d, "nat3")
    );
    assert!(!tables().contains(&format!("ip {table}")));
    // Nothing is routed out of a bridge without NAT.
    let isolation = netns::rules_naming(&format!("br-{}", &net[..12]));
    assert!(
        isolation
            .iter()
            .any(|r| r.contains("prohibit") && !r.contains(" to ")),
        "{isolation:?}"
    );
}

#[test]
fn a_killed_engined_rebuilds_its_table_and_publishes_the_same_ports() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let before = host_state();
    let dir = dir_with("nat_cli_crash", "");
    let table = table_of(&dir);
    let mut d = Engined::start(&dir);
    d.import_mini();
    // What the test makes outlives one daemon: removed through whichever
    // daemon listens on the socket then, even when the test fails.
    struct Remove(String);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = test_support::docker_cli::output(&self.0, &["rm", "-f", "nat4"]);
            let _ = test_support::docker_cli::output(&self.0, &["network", "rm", "natn4"]);
        }
    }
    let remove = Remove(d.host());
    let net;
    {
        let mut made = Made::new(&d);
        net = made.network(&["--subnet", "10.231.94.0/24", "natn4"]);
        serve(
            &mut made,
            "nat4",
            &[
                "--network",
                "natn4",
                "-p",
                "18195:80",
                "--expose",
                "81",
                "-P",
            ],
        );
        made.forget();
    }
    let bridge = format!("br-{}", &net[..12]);
    let id = short_id(&d, "nat4");
    let random: u16 = d
        .docker(&["port", "nat4", "81"])
        .lines()
        .next()
        .and_then(|l| l.rsplit(':').next())
        .and_then(|p| p.trim().parse().ok())
        .expect("a random host port for 81/tcp");
    // dockerd's allocator: the kernel's ephemeral range (49153-65535 when
    // it cannot be read), the first free port of it for a fresh daemon.
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|t| {
            let mut p = t.split_whitespace().map(|n| n.parse::<u16>().ok());
            Some((p.next()??, p.next()??))
        })
        .unwrap_or((49153, 65535));
    assert!(
        (range.0..=range.1).contains(&random),
        "{random} not in {range:?}"
    );
    let mut before_crash = dnats(&table);
    before_crash.sort();
    assert_eq!(before_crash.len(), 2, "{before_crash:?}");
    assert_eq!(
        fetch(
            None,
            "http://127.0.0.1:18195/hostname",
            Duration::from_secs(10)
        ),
        id
    );
    d.crash();
    // The rules stay while engined is away (the container runs on); the
    // restarted daemon rebuilds them from its records, once.
    let d2 = Engined::start(&dir);
    drop(std::mem::replace(&mut d, d2));
    let mut made = Made::new(&d);
    made.container("nat4");
    made.owns_network("natn4");
    let mut after = dnats(&table);
    after.sort();
    assert_eq!(after, before_crash, "{:#?}", rules(&table));
    let masq = masquerades(&table);
    let ours = masq.iter().filter(|(s, _)| s == "10.231.94.0/24").count();
    assert_eq!(ours, 1, "{masq:?}");
    // The same host ports answer again, through the proxy.
    assert_eq!(
        fetch(
            None,
            "http://127.0.0.1:18195/hostname",
            Duration::from_secs(10)
        ),
        id
    );
    let port = d.docker(&["port", "nat4", "81"]);
    assert!(port.contains(&format!(":{random}")), "{port}");
    assert!(std::net::TcpListener::bind(("0.0.0.0", random)).is_err());
    let mut veths = netns::bridge_ports(&bridge);
    made.clean();
    veths.extend(netns::bridge_ports(&bridge));
    let left = netns::leftovers(std::slice::from_ref(&bridge), &veths, &dir.join("exec"));
    assert!(left.is_empty(), "{left:?}");
    drop(made);
    drop(remove);
    drop(d);
    let left = leaked(&before, &[table, bridge]);
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn address_pools_and_bip_shape_the_networks() {
    if !can_run() {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let bip = "10.231.95.1/24";
    // The default bridge is shared with other daemons: the address this
    // test adds goes again at the end.
    struct DropAddress(&'static str);
    impl Drop for DropAddress {
        fn drop(&mut self) {
            if netns::links().contains(netns::DEFAULT_BRIDGE) {
                let _ = Command::new("ip")
                    .args(["addr", "del", self.0, "dev", netns::DEFAULT_BRIDGE])
                    .output();
            }
        }
    }
    let _address = DropAddress("10.231.95.1/24");
    let dir = dir_with(
        "nat_cli_pools",
        &format!(
            r#""bip": "{bip}", "default-address-pools": [{{"base": "10.231.96.0/23", "size": 24}}]"#
        ),
    );
    let d = Engined::start(&dir);
    d.import_mini();
    let mut made = Made::new(&d);
    let bridge = d.inspect_json(&["--type", "network", "bridge"]);
    assert_eq!(bridge["IPAM"]["Config"][0]["Subnet"], "10.231.95.0/24");
    assert_eq!(bridge["IPAM"]["Config"][0]["Gateway"], "10.231.95.1");
    made.run("onbip", &["mini", "sleep", "300"]);
    let ip = d.inspect_json(&["onbip"])["NetworkSettings"]["IPAddress"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(ip.starts_with("10.231.95."), "{ip}");
    // New networks come from the pool, one /24 after the other, and the
    // pool runs out.
    made.network(&["poola"]);
    made.network(&["poolb"]);
    let subnet = |n: &str| {
        d.inspect_json(&["--type", "network", n])["IPAM"]["Config"][0]["Subnet"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(subnet("poola"), "10.231.96.0/24");
    assert_eq!(subnet("poolb"), "10.231.97.0/24");
    let full = d.docker_fails(&["network", "create", "poolc"]);
    assert!(
        full.contains("could not find an available, non-overlapping IPv4 address pool"),
        "{full}"
    );
}

#[test]
fn bad_network_keys_are_refused_at_start() {
    let Some(bin) = test_support::engined::binary() else {
        eprintln!("skipped: no engined binary");
        return;
    };
    for (extra, says) in [
        (r#""bip": "10.231.95.300/24""#, "bip: invalid CIDR address"),
        (r#""bip": "10.231.95.0/24""#, "bip: 10.231.95.0/24"),
        (
            r#""default-address-pools": [{"base": "10.231.96.0/23", "size": 16}]"#,
            "default-address-pools: invalid pools size 16",
        ),
        (
            r#""default-address-pools": [{"base": "nonsense", "size": 24}]"#,
            "default-address-pools: invalid base pool",
        ),
        (r#""iptables": "yes""#, "iptables: invalid type"),
        (r#""userland-proxy": 1"#, "userland-proxy: invalid type"),
    ] {
        let dir = dir_with("nat_cli_bad_keys", extra);
        match Engined::launch(&bin, &dir) {
            Ok(_) => panic!("{extra}: engined started"),
            Err(log) => assert!(log.contains(says), "{extra}: {log}"),
        }
    }
}
