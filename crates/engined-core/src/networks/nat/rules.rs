//! engined's NAT rule set, pure: what the network service wants (a DNAT
//! per published port, a masquerade per routed bridge subnet) written as
//! one nftables JSON batch that replaces the whole table at once.
//!
//! The table (`ip` family) has four chains:
//! - `prerouting` (nat, dstnat): traffic from other namespaces and
//!   bridges to a local address jumps to `ports`;
//! - `output` (nat, dstnat): the host's own traffic to a local address
//!   jumps to `ports`; with the userland proxy on, not traffic to
//!   loopback (the proxy serves it);
//! - `ports`: one DNAT per published port (`tcp dport 8080 dnat to
//!   172.17.0.2:80`), only for its host address when it names one, and
//!   (with the userland proxy on, as dockerd's `! -i docker0`) not for
//!   traffic from the container's own bridge;
//! - `postrouting` (nat, srcnat): a bridge subnet's traffic leaving by
//!   another link is masqueraded; with the proxy off, a container that
//!   reaches its own published port (hairpin) is masqueraded too, and so
//!   is the host's loopback traffic DNAT sends to a bridge (dockerd's
//!   `-s 127.0.0.0/8 -o docker0 -j MASQUERADE`; the bridge also needs
//!   `route_localnet`, see [`super::localnet`]).

use std::net::Ipv4Addr;

use serde_json::{json, Value};

use crate::networks::ipam::Subnet;
use crate::networks::ports::Proto;

/// One published port's DNAT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    /// The container the rule is for (its comment names it).
    pub container: String,
    pub proto: Proto,
    /// `0.0.0.0` for every local address.
    pub host_ip: Ipv4Addr,
    pub host_port: u16,
    pub container_ip: Ipv4Addr,
    pub container_port: u16,
    /// The container's bridge.
    pub bridge: String,
}

/// One bridge subnet whose outbound traffic is masqueraded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masquerade {
    pub subnet: Subnet,
    pub bridge: String,
}

/// The whole rule set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSet {
    pub forwards: Vec<Forward>,
    pub masquerades: Vec<Masquerade>,
    /// The userland proxy serves the ports too (dockerd's
    /// `userland-proxy`).
    pub userland_proxy: bool,
}

/// The chain every DNAT is in.
pub const PORTS_CHAIN: &str = "ports";

fn matching(op: &str, left: Value, right: Value) -> Value {
    json!({"match": {"op": op, "left": left, "right": right}})
}

fn meta(key: &str) -> Value {
    json!({"meta": {"key": key}})
}

fn payload(protocol: &str, field: &str) -> Value {
    json!({"payload": {"protocol": protocol, "field": field}})
}

fn prefix(subnet: Subnet) -> Value {
    json!({"prefix": {"addr": subnet.network().to_string(), "len": subnet.prefix()}})
}

fn local_destination() -> Value {
    matching(
        "==",
        json!({"fib": {"result": "type", "flags": ["daddr"]}}),
        json!("local"),
    )
}

/// 127.0.0.0/8, the userland proxy's.
fn loopback() -> Value {
    json!({"prefix": {"addr": "127.0.0.0", "len": 8}})
}

fn base_chain(table: &str, name: &str, hook: &str, priority: i32) -> Value {
    json!({"add": {"chain": {
        "family": "ip", "table": table, "name": name,
        "type": "nat", "hook": hook, "prio": priority, "policy": "accept"
    }}})
}

fn rule(table: &str, chain: &str, expr: Vec<Value>, comment: &str) -> Value {
    json!({"add": {"rule": {
        "family": "ip", "table": table, "chain": chain, "expr": expr, "comment": comment
    }}})
}

/// Whether a forward gets a DNAT: every IPv4 host address, but loopback
/// only with the userland proxy off (on, the proxy serves loopback).
fn routed(f: &Forward, userland_proxy: bool) -> bool {
    !userland_proxy || !f.host_ip.is_loopback()
}

/// The comment of a container's rules: `container <12 hex>`.
pub fn comment_of(container: &str) -> String {
    format!("container {}", &container[..container.len().min(12)])
}

/// The nftables JSON batch that makes table `table` exactly `rules`
/// (created when missing, emptied and refilled otherwise; one
/// transaction).
pub fn batch(table: &str, rules: &RuleSet) -> Value {
    let t = json!({"family": "ip", "name": table});
    let mut cmds = vec![
        json!({"add": {"table": t}}),
        json!({"delete": {"table": t}}),
        json!({"add": {"table": t}}),
        base_chain(table, "prerouting", "prerouting", -100),
        base_chain(table, "output", "output", -100),
        base_chain(table, "postrouting", "postrouting", 100),
        json!({"add": {"chain": {"family": "ip", "table": table, "name": PORTS_CHAIN}}}),
        rule(
            table,
            "prerouting",
            vec![
                local_destination(),
                json!({"jump": {"target": PORTS_CHAIN}}),
            ],
            "published ports",
        ),
    ];
    let mut from_host = Vec::new();
    if rules.userland_proxy {
        from_host.push(matching("!=", payload("ip", "daddr"), loopback()));
    }
    from_host.push(local_destination());
    from_host.push(json!({"jump": {"target": PORTS_CHAIN}}));
    cmds.push(rule(
        table,
        "output",
        from_host,
        "published ports, from the host",
    ));
    for m in &rules.masquerades {
        cmds.push(rule(
            table,
            "postrouting",
            vec![
                matching("==", payload("ip", "saddr"), prefix(m.subnet)),
                matching("!=", meta("oifname"), json!(m.bridge)),
                json!({"masquerade": null}),
            ],
            &format!("outbound from {}", m.bridge),
        ));
    }
    if !rules.userland_proxy {
        let bridges: std::collections::BTreeSet<&str> =
            rules.forwards.iter().map(|f| f.bridge.as_str()).collect();
        for bridge in bridges {
            cmds.push(rule(
                table,
                "postrouting",
                vec![
                    matching("==", payload("ip", "saddr"), loopback()),
                    matching("==", meta("oifname"), json!(bridge)),
                    json!({"masquerade": null}),
                ],
                &format!("loopback to {bridge}"),
            ));
        }
    }
    for f in rules
        .forwards
        .iter()
        .filter(|f| routed(f, rules.userland_proxy))
    {
        let proto = f.proto.as_str();
        let mut expr = Vec::new();
        if rules.userland_proxy {
            expr.push(matching("!=", meta("iifname"), json!(f.bridge)));
        }
        if !f.host_ip.is_unspecified() {
            expr.push(matching(
                "==",
                payload("ip", "daddr"),
                json!(f.host_ip.to_string()),
            ));
        }
        expr.push(matching("==", payload(proto, "dport"), json!(f.host_port)));
        expr.push(json!({"dnat": {"addr": f.container_ip.to_string(), "port": f.container_port}}));
        cmds.push(rule(table, PORTS_CHAIN, expr, &comment_of(&f.container)));
        if !rules.userland_proxy {
            cmds.push(rule(
                table,
                "postrouting",
                vec![
                    matching(
                        "==",
                        payload("ip", "saddr"),
                        json!(f.container_ip.to_string()),
                    ),
                    matching(
                        "==",
                        payload("ip", "daddr"),
                        json!(f.container_ip.to_string()),
                    ),
                    matching("==", payload(proto, "dport"), json!(f.container_port)),
                    json!({"masquerade": null}),
                ],
                &comment_of(&f.container),
            ));
        }
    }
    json!({"nftables": cmds})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forward(host_ip: &str, port: u16) -> Forward {
        Forward {
            container: "c0ffee".repeat(10),
            proto: Proto::Tcp,
            host_ip: host_ip.parse().unwrap(),
            host_port: port,
            container_ip: "172.17.0.2".parse().unwrap(),
            container_port: 80,
            bridge: "engined0".into(),
        }
    }

    fn rules_of(batch: &Value, chain: &str) -> Vec<Value> {
        batch["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["add"]["rule"].as_object())
            .filter(|r| r["chain"] == chain)
            .map(|r| Value::Object(r.clone()))
            .collect()
    }

    #[test]
    fn a_batch_replaces_the_table_and_holds_each_rule() {
        let set = RuleSet {
            forwards: vec![forward("0.0.0.0", 8080), forward("127.0.0.1", 8081)],
            masquerades: vec![Masquerade {
                subnet: Subnet::parse("172.17.0.0/16").unwrap(),
                bridge: "engined0".into(),
            }],
            userland_proxy: true,
        };
        let b = batch("engined_x", &set);
        let cmds = b["nftables"].as_array().unwrap();
        assert_eq!(
            cmds[0],
            json!({"add": {"table": {"family": "ip", "name": "engined_x"}}})
        );
        assert_eq!(cmds[1]["delete"]["table"]["name"], "engined_x");
        // Loopback is left to the proxy: one DNAT, for 0.0.0.0.
        let ports = rules_of(&b, PORTS_CHAIN);
        assert_eq!(ports.len(), 1);
        let expr = ports[0]["expr"].as_array().unwrap();
        assert_eq!(expr[0]["match"]["op"], "!=");
        assert_eq!(expr[0]["match"]["right"], "engined0");
        assert_eq!(expr[1]["match"]["left"]["payload"]["field"], "dport");
        assert_eq!(expr[1]["match"]["right"], 8080);
        assert_eq!(expr[2]["dnat"], json!({"addr": "172.17.0.2", "port": 80}));
        assert_eq!(ports[0]["comment"], "container c0ffeec0ffee");
        let post = rules_of(&b, "postrouting");
        assert_eq!(post.len(), 1);
        assert_eq!(
            post[0]["expr"][0]["match"]["right"],
            json!({"prefix": {"addr": "172.17.0.0", "len": 16}})
        );
        assert_eq!(post[0]["expr"][2], json!({"masquerade": null}));
    }

    #[test]
    fn without_the_proxy_bridges_hairpin_and_a_host_address_is_matched() {
        let set = RuleSet {
            forwards: vec![forward("10.231.0.1", 8080)],
            masquerades: Vec::new(),
            userland_proxy: false,
        };
        let b = batch("t", &set);
        let ports = rules_of(&b, PORTS_CHAIN);
        let expr = ports[0]["expr"].as_array().unwrap();
        assert_eq!(expr[0]["match"]["left"]["payload"]["field"], "daddr");
        assert_eq!(expr[0]["match"]["right"], "10.231.0.1");
        // Loopback's masquerade towards the bridge, then the hairpin
        // masquerade of the container reaching itself.
        let post = rules_of(&b, "postrouting");
        assert_eq!(post.len(), 2);
        assert_eq!(post[0]["expr"][0]["match"]["right"], loopback());
        assert_eq!(post[0]["expr"][1]["match"]["right"], "engined0");
        assert_eq!(post[1]["expr"][1]["match"]["right"], "172.17.0.2");
    }

    #[test]
    fn without_the_proxy_loopback_is_dnatted_too() {
        let on = RuleSet {
            forwards: vec![forward("127.0.0.1", 8081)],
            masquerades: Vec::new(),
            userland_proxy: true,
        };
        let off = RuleSet {
            userland_proxy: false,
            ..on.clone()
        };
        let output = |set: &RuleSet| rules_of(&batch("t", set), "output")[0]["expr"].clone();
        assert_eq!(output(&on)[0]["match"]["op"], "!=");
        assert_eq!(output(&on)[0]["match"]["right"], loopback());
        assert_eq!(output(&off)[0]["match"]["left"]["fib"]["result"], "type");
        assert_eq!(output(&off).as_array().unwrap().len(), 2);
        assert!(rules_of(&batch("t", &on), PORTS_CHAIN).is_empty());
        let ports = rules_of(&batch("t", &off), PORTS_CHAIN);
        assert_eq!(ports.len(), 1);
        assert_eq!(ports[0]["expr"][0]["match"]["right"], "127.0.0.1");
    }
}
