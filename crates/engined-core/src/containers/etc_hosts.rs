//! The container's `/etc/hosts`, written as dockerd writes it.
//!
//! With the host's network the file starts as a copy of the host's
//! `/etc/hosts`, otherwise as Docker's fixed block (localhost and the IPv6
//! names). Then come one line per `--add-host` entry
//! (`HostConfig.ExtraHosts`, `name:ip`; `host-gateway` for the ip is the
//! host's address on the default bridge, as with dockerd), then the
//! container's own name on the address it can be reached at (dockerd's
//! order).
//!
//! The own-name line: dockerd writes it for the address the container
//! has on its network and writes none with `--network none`; the network
//! module (`containers::network`) says which address, if any (the first
//! endpoint's), and whether the host's file is the start.

use std::net::IpAddr;

use super::record::Record;

/// Docker's fixed lines of a container's own `/etc/hosts`.
const BASE: &str = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\
                    fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n\
                    ff02::2\tip6-allrouters\n";

/// The text of the container's `/etc/hosts`: it starts as `host_copy` (the
/// host's file, with the host's network) or Docker's fixed block, and names
/// the container on each of `own_addresses` (its IPv4, then its IPv6
/// address, when it has them); `host_gateway` is what
/// an `--add-host name:host-gateway` stands for.
pub fn contents(
    record: &Record,
    host_copy: Option<&str>,
    own_addresses: impl IntoIterator<Item = IpAddr>,
    host_gateway: Option<IpAddr>,
    links: &[super::links::Linked],
) -> String {
    let mut text = if let Some(host_hosts) = host_copy {
        let mut copy = host_hosts.to_owned();
        if !copy.is_empty() && !copy.ends_with('\n') {
            copy.push('\n');
        }
        copy
    } else {
        BASE.to_owned()
    };
    for entry in record.host_config.extra_hosts.iter().flatten() {
        match extra_host(entry, host_gateway) {
            Some((name, ip)) => text.push_str(&format!("{ip}\t{name}\n")),
            None => tracing::warn!(
                container = %record.id,
                entry = %entry,
                "ignoring an --add-host entry that is not name:ip"
            ),
        }
    }
    for link in links {
        text.push_str(&format!("{}\t{}\n", link.ip, link.names.join(" ")));
    }
    let names = own_names(
        record.config.hostname.as_deref().unwrap_or(""),
        record.config.domainname.as_deref().unwrap_or(""),
    );
    for address in own_addresses {
        if !names.is_empty() {
            text.push_str(&format!("{address}\t{names}\n"));
        }
    }
    text
}

/// The address an `--add-host` entry may name instead of an IP.
pub const HOST_GATEWAY: &str = "host-gateway";

/// One `--add-host` entry, `name:ip` (the CLI's form; `name=ip` too), as
/// (name, address); `None` when it is neither.
fn extra_host(entry: &str, host_gateway: Option<IpAddr>) -> Option<(&str, IpAddr)> {
    let (name, ip) = entry.split_once('=').or_else(|| entry.split_once(':'))?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = if ip == HOST_GATEWAY {
        host_gateway?
    } else {
        ip.parse().ok()?
    };
    (!name.is_empty()).then_some((name, ip))
}

/// The names of the container's own line: the full name, then the bare
/// host name when it differs (`web.example.org web`).
fn own_names(hostname: &str, domainname: &str) -> String {
    if hostname.is_empty() {
        return String::new();
    }
    let full = if domainname.is_empty() {
        hostname.to_owned()
    } else {
        format!("{hostname}.{domainname}")
    };
    let bare = full.split('.').next().unwrap_or(&full);
    if bare == full {
        full
    } else {
        format!("{full} {bare}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(mode: &str, hostname: &str, extra: &[&str]) -> Record {
        let mut r = crate::containers::record::tests::sample();
        r.host_config.network_mode = Some(mode.into());
        r.host_config.extra_hosts = Some(extra.iter().map(|e| e.to_string()).collect());
        r.config.hostname = Some(hostname.into());
        r
    }

    fn contents(record: &Record, host_hosts: &str) -> String {
        use crate::containers::network::Network;
        let network = Network::of(record);
        let host_copy = (network == Network::Host).then_some(host_hosts);
        let own = (network == Network::Bridge).then(|| "172.17.0.2".parse().unwrap());
        super::contents(
            record,
            host_copy,
            own,
            Some("172.17.0.1".parse().unwrap()),
            &[],
        )
    }

    #[test]
    fn default_network_names_the_container_after_the_extra_hosts() {
        let text = contents(&record("default", "abc123", &["db:10.1.2.3"]), "");
        assert_eq!(text, format!("{BASE}10.1.2.3\tdb\n172.17.0.2\tabc123\n"),);
    }

    #[test]
    fn none_has_no_own_line_but_the_extra_hosts() {
        let text = contents(
            &record("none", "abc123", &["db:10.1.2.3", "v6:::1", "eq=192.0.2.1"]),
            "",
        );
        assert_eq!(
            text,
            format!("{BASE}10.1.2.3\tdb\n::1\tv6\n192.0.2.1\teq\n")
        );
    }

    #[test]
    fn host_network_copies_the_hosts_file() {
        let text = contents(
            &record("host", "vm", &["db:10.1.2.3"]),
            "127.0.0.1 localhost\n127.0.0.1 vm",
        );
        assert_eq!(text, "127.0.0.1 localhost\n127.0.0.1 vm\n10.1.2.3\tdb\n");
    }

    #[test]
    fn host_gateway_is_the_default_bridges_address() {
        let text = contents(
            &record("none", "x", &["host.docker.internal:host-gateway"]),
            "",
        );
        assert_eq!(text, format!("{BASE}172.17.0.1\thost.docker.internal\n"));
        let r = record("none", "x", &["gw:host-gateway"]);
        assert_eq!(super::contents(&r, None, None::<IpAddr>, None, &[]), BASE);
    }

    #[test]
    fn an_ipv6_endpoint_names_the_container_on_both_addresses() {
        let r = record("default", "abc123", &[]);
        let own: [IpAddr; 2] = ["172.18.0.2".parse().unwrap(), "fd00:77::2".parse().unwrap()];
        assert_eq!(
            super::contents(&r, None, own, None, &[]),
            format!("{BASE}172.18.0.2\tabc123\nfd00:77::2\tabc123\n")
        );
    }

    #[test]
    fn bad_entries_are_skipped() {
        let text = contents(
            &record("none", "x", &["nocolon", "db:not-an-ip", ":1.2.3.4"]),
            "",
        );
        assert_eq!(text, BASE);
    }

    #[test]
    fn domain_names_give_the_full_and_the_bare_name() {
        assert_eq!(own_names("web", "example.org"), "web.example.org web");
        assert_eq!(own_names("web.example.org", ""), "web.example.org web");
        assert_eq!(own_names("web", ""), "web");
        assert_eq!(own_names("", "example.org"), "");
    }
}
