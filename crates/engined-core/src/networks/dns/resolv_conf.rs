//! A container's `/etc/resolv.conf`, made from the host's file the way
//! dockerd makes it, and the upstream servers of the embedded DNS server.
//!
//! The host's file is read (systemd-resolved's full list instead when the
//! host's file only names its local stub, as dockerd does); `--dns`,
//! `--dns-search` and `--dns-option` (or the daemon's `dns`, `dns-search`,
//! `dns-opts` when the container sets none) replace its nameservers,
//! search domains and options. Then, by how the container resolves names:
//!
//! - [`Resolver::Embedded`] (user networks): the one nameserver is
//!   [`EMBEDDED_ADDRESS`]; the servers it replaced become the embedded
//!   server's upstreams (dockerd's public fallbacks when there are none),
//!   and `ndots:0` is added unless an `ndots` option is there already;
//! - [`Resolver::Legacy`] (the default bridge, `none`): nameservers on the
//!   host's loopback (which the container cannot reach) and IPv6 ones are
//!   dropped unless they were asked for, and dockerd's public fallbacks
//!   stand in when nothing is left;
//! - [`Resolver::Host`] (`--network host`): the host's file with the
//!   overrides, nothing dropped.
//!
//! A comment at the end says where the file came from, as dockerd's does.

use std::net::{IpAddr, Ipv4Addr};

/// The address the embedded DNS server listens on inside a container.
pub const EMBEDDED_ADDRESS: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 11);

/// The host's resolver configuration.
pub const HOST_FILE: &str = "/etc/resolv.conf";

/// systemd-resolved's list of the real servers, used when the host's file
/// names only its stub on loopback.
pub const RESOLVED_FILE: &str = "/run/systemd/resolve/resolv.conf";

/// dockerd's fallback nameservers when the host gives none a container
/// can use.
const FALLBACK: [Ipv4Addr; 2] = [Ipv4Addr::new(8, 8, 8, 8), Ipv4Addr::new(8, 8, 4, 4)];

/// How a container resolves names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolver {
    /// Through engined's DNS server on [`EMBEDDED_ADDRESS`].
    Embedded,
    /// Straight to the nameservers of its file.
    Legacy,
    /// With the host's network: the host's file.
    Host,
}

/// What the container (or else the daemon) asks to replace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub servers: Vec<String>,
    pub search: Vec<String>,
    pub options: Vec<String>,
}

impl Overrides {
    /// Each list from the container when it sets it, else the daemon's.
    pub fn pick(container: &Overrides, daemon: &Overrides) -> Overrides {
        let one = |c: &Vec<String>, d: &Vec<String>| {
            if c.is_empty() {
                d.clone()
            } else {
                c.clone()
            }
        };
        Overrides {
            servers: one(&container.servers, &daemon.servers),
            search: one(&container.search, &daemon.search),
            options: one(&container.options, &daemon.options),
        }
    }
}

/// The file a container gets, and where its embedded server forwards to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvConf {
    pub text: String,
    /// The embedded server's upstreams (empty unless
    /// [`Resolver::Embedded`]).
    pub upstreams: Vec<IpAddr>,
}

/// The parts of a resolv.conf that matter here.
#[derive(Debug, Default)]
struct Parsed {
    servers: Vec<IpAddr>,
    invalid: Vec<String>,
    search: Vec<String>,
    options: Vec<String>,
    other: Vec<String>,
}

fn parse(text: &str) -> Parsed {
    let mut p = Parsed::default();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { continue };
        if first.starts_with('#') || first.starts_with(';') {
            continue;
        }
        let rest: Vec<String> = words.map(str::to_owned).collect();
        match first {
            "nameserver" => {
                if let Some(server) = rest.first() {
                    match server.parse::<IpAddr>() {
                        Ok(ip) => p.servers.push(ip),
                        Err(_) => p.invalid.push(server.clone()),
                    }
                }
            }
            // `domain` is the old spelling; the last one wins.
            "search" | "domain" if !rest.is_empty() => p.search = rest,
            "options" => p.options.extend(rest),
            "search" | "domain" => {}
            _ => p.other.push(line.to_owned()),
        }
    }
    p
}

/// Which host file to start from: the one at [`HOST_FILE`], unless it only
/// names systemd-resolved's stub and [`RESOLVED_FILE`] can be read.
pub fn read_host() -> (String, &'static str) {
    let host = std::fs::read_to_string(HOST_FILE).unwrap_or_default();
    let servers = parse(&host).servers;
    let stub: IpAddr = Ipv4Addr::new(127, 0, 0, 53).into();
    if !servers.is_empty() && servers.iter().all(|s| *s == stub) {
        if let Ok(resolved) = std::fs::read_to_string(RESOLVED_FILE) {
            return (resolved, RESOLVED_FILE);
        }
    }
    (host, HOST_FILE)
}

/// The option's name (`ndots` of `ndots:2`).
fn option_name(option: &str) -> &str {
    option.split(':').next().unwrap_or(option)
}

/// Builds the container's file from `host` (the text of the file at
/// `source`), the `overrides` and the way it resolves names.
pub fn build(host: &str, source: &str, overrides: &Overrides, resolver: Resolver) -> ResolvConf {
    let mut p = parse(host);
    let mut done = Vec::new();
    let servers_overridden = !overrides.servers.is_empty();
    if servers_overridden {
        p.invalid.clear();
        p.servers.clear();
        for s in &overrides.servers {
            match s.parse::<IpAddr>() {
                Ok(ip) => p.servers.push(ip),
                Err(_) => p.invalid.push(s.clone()),
            }
        }
        done.push("nameservers");
    }
    if !overrides.search.is_empty() {
        p.search = overrides
            .search
            .iter()
            .filter(|s| s.as_str() != ".")
            .cloned()
            .collect();
        done.push("search");
    }
    let mut ndots_from = p
        .options
        .iter()
        .any(|o| option_name(o) == "ndots")
        .then_some("host");
    if !overrides.options.is_empty() {
        p.options = overrides.options.clone();
        ndots_from = p
            .options
            .iter()
            .any(|o| option_name(o) == "ndots")
            .then_some("override");
        done.push("options");
    }
    let mut used_fallback = false;
    let mut upstreams = Vec::new();
    let how = match resolver {
        Resolver::Host => "host",
        Resolver::Legacy => {
            if !servers_overridden {
                p.servers.retain(|s| !s.is_loopback() && s.is_ipv4());
                if p.servers.is_empty() {
                    p.servers = FALLBACK.iter().map(|&a| a.into()).collect();
                    used_fallback = true;
                }
            }
            "legacy"
        }
        Resolver::Embedded => {
            upstreams = std::mem::take(&mut p.servers);
            if upstreams.is_empty() {
                upstreams = FALLBACK.iter().map(|&a| a.into()).collect();
                used_fallback = true;
            }
            p.servers = vec![EMBEDDED_ADDRESS.into()];
            // An ndots that is not a number is dropped, then the embedded
            // server's own wish is added unless one is left.
            p.options.retain(|o| match o.split_once(':') {
                Some(("ndots", n)) => n.parse::<u32>().is_ok(),
                _ => true,
            });
            if !p.options.iter().any(|o| option_name(o) == "ndots") {
                p.options.push("ndots:0".into());
                ndots_from = Some("internal");
            }
            "internal resolver"
        }
    };
    let mut text = String::new();
    for s in &p.servers {
        text.push_str(&format!("nameserver {s}\n"));
    }
    if !p.search.is_empty() {
        text.push_str(&format!("search {}\n", p.search.join(" ")));
    }
    if !p.options.is_empty() {
        text.push_str(&format!("options {}\n", p.options.join(" ")));
    }
    for line in &p.other {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(&format!(
        "\n# engined: from the host's '{source}' ({how})\n"
    ));
    if used_fallback {
        text.push_str("# No usable host nameserver: the public fallbacks.\n");
    }
    if !upstreams.is_empty() {
        let list: Vec<String> = upstreams.iter().map(IpAddr::to_string).collect();
        text.push_str(&format!("# Forwarded to: [{}]\n", list.join(" ")));
    }
    if !p.invalid.is_empty() {
        text.push_str(&format!(
            "# Not nameserver addresses: [{}]\n",
            p.invalid.join(" ")
        ));
    }
    text.push_str(&format!("# Overridden: [{}]\n", done.join(" ")));
    if let Some(from) = ndots_from {
        text.push_str(&format!("# ndots from: {from}\n"));
    }
    ResolvConf { text, upstreams }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "# a comment\nnameserver 127.0.0.53\nnameserver 10.0.0.1\n\
                        nameserver fd00::1\nsearch corp.example\noptions edns0\n\
                        sortlist 10.0.0.0\n";

    fn servers(text: &str) -> Vec<&str> {
        text.lines()
            .filter_map(|l| l.strip_prefix("nameserver "))
            .collect()
    }

    fn line<'a>(text: &'a str, directive: &str) -> Option<&'a str> {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{directive} ")))
    }

    #[test]
    fn legacy_drops_loopback_and_v6_and_keeps_the_rest() {
        let r = build(HOST, HOST_FILE, &Overrides::default(), Resolver::Legacy);
        assert_eq!(servers(&r.text), ["10.0.0.1"]);
        assert_eq!(line(&r.text, "search"), Some("corp.example"));
        assert_eq!(line(&r.text, "options"), Some("edns0"));
        assert!(r.text.contains("\nsortlist 10.0.0.0\n"), "{}", r.text);
        assert!(r.upstreams.is_empty());
    }

    #[test]
    fn legacy_falls_back_to_the_public_servers() {
        let r = build(
            "nameserver 127.0.0.1\n",
            HOST_FILE,
            &Overrides::default(),
            Resolver::Legacy,
        );
        assert_eq!(servers(&r.text), ["8.8.8.8", "8.8.4.4"]);
        assert!(r.text.contains("public fallbacks"), "{}", r.text);
    }

    #[test]
    fn overrides_replace_and_are_kept_as_asked() {
        let o = Overrides {
            servers: vec!["127.0.0.9".into(), "192.0.2.1".into()],
            search: vec![".".into()],
            options: vec!["ndots:3".into(), "timeout:1".into()],
        };
        let r = build(HOST, HOST_FILE, &o, Resolver::Legacy);
        assert_eq!(servers(&r.text), ["127.0.0.9", "192.0.2.1"]);
        assert_eq!(line(&r.text, "search"), None);
        assert_eq!(line(&r.text, "options"), Some("ndots:3 timeout:1"));
        assert!(r
            .text
            .contains("# Overridden: [nameservers search options]\n"));
        assert!(r.text.contains("# ndots from: override\n"));
    }

    #[test]
    fn embedded_names_itself_and_forwards_to_the_rest() {
        let r = build(HOST, HOST_FILE, &Overrides::default(), Resolver::Embedded);
        assert_eq!(servers(&r.text), ["127.0.0.11"]);
        let want: Vec<IpAddr> = ["127.0.0.53", "10.0.0.1", "fd00::1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(r.upstreams, want);
        assert_eq!(line(&r.text, "options"), Some("edns0 ndots:0"));
        assert!(r
            .text
            .contains("# Forwarded to: [127.0.0.53 10.0.0.1 fd00::1]\n"));
        // An ndots of its own stays; a broken one is replaced.
        let o = Overrides {
            options: vec!["ndots:2".into()],
            ..Default::default()
        };
        let r = build(HOST, HOST_FILE, &o, Resolver::Embedded);
        assert_eq!(line(&r.text, "options"), Some("ndots:2"));
        let o = Overrides {
            options: vec!["ndots:x".into()],
            ..Default::default()
        };
        let r = build(HOST, HOST_FILE, &o, Resolver::Embedded);
        assert_eq!(line(&r.text, "options"), Some("ndots:0"));
    }

    #[test]
    fn embedded_with_nothing_forwards_to_the_fallbacks() {
        let r = build("", HOST_FILE, &Overrides::default(), Resolver::Embedded);
        assert_eq!(servers(&r.text), ["127.0.0.11"]);
        assert_eq!(r.upstreams.len(), 2);
        assert!(r.upstreams.iter().all(|u| !u.is_loopback()));
    }

    #[test]
    fn host_keeps_everything_but_takes_overrides() {
        let r = build(HOST, HOST_FILE, &Overrides::default(), Resolver::Host);
        assert_eq!(servers(&r.text), ["127.0.0.53", "10.0.0.1", "fd00::1"]);
        let o = Overrides {
            search: vec!["a.example".into(), "b.example".into()],
            ..Default::default()
        };
        let r = build(HOST, HOST_FILE, &o, Resolver::Host);
        assert_eq!(line(&r.text, "search"), Some("a.example b.example"));
    }

    #[test]
    fn container_overrides_win_over_the_daemons_list_by_list() {
        let c = Overrides {
            servers: vec!["192.0.2.1".into()],
            ..Default::default()
        };
        let d = Overrides {
            servers: vec!["192.0.2.2".into()],
            search: vec!["d.example".into()],
            options: vec![],
        };
        let o = Overrides::pick(&c, &d);
        assert_eq!(o.servers, ["192.0.2.1"]);
        assert_eq!(o.search, ["d.example"]);
        assert!(o.options.is_empty());
    }
}
