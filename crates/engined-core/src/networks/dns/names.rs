//! The names a container can resolve through the embedded DNS server:
//! those of the containers running beside it on its user networks (the
//! default bridge has no name service, as with dockerd).
//!
//! On each network a running container answers to its name, each alias
//! of its endpoint there (`--network-alias`, compose's service name) and
//! the first 12 hex digits of its id; each of those also with the
//! network's name after a dot (`web.backend`). Names are compared without
//! case and without a final dot.

use std::net::IpAddr;

/// One endpoint up on a user network the asking container shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    pub network: String,
    pub container_id: String,
    pub container_name: String,
    pub aliases: Vec<String>,
    pub ip: IpAddr,
}

impl Neighbour {
    fn names(&self) -> impl Iterator<Item = &str> {
        let short = &self.container_id[..12.min(self.container_id.len())];
        std::iter::once(self.container_name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(std::iter::once(short))
            .filter(|n| !n.is_empty())
    }

    fn answers_to(&self, name: &str) -> bool {
        let bare = name
            .strip_suffix(self.network.to_ascii_lowercase().as_str())
            .and_then(|rest| rest.strip_suffix('.'));
        self.names().any(|n| {
            let n = n.to_ascii_lowercase();
            n == name || bare == Some(n.as_str())
        })
    }
}

/// A query name as compared: lower case, no final dot.
fn normal(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The addresses `name` has among `neighbours` (several containers may
/// share an alias), in their order without repeats; `None` when no one
/// answers to it.
pub fn lookup(neighbours: &[Neighbour], name: &str) -> Option<Vec<IpAddr>> {
    let name = normal(name);
    let mut out: Vec<IpAddr> = Vec::new();
    for n in neighbours.iter().filter(|n| n.answers_to(&name)) {
        if !out.contains(&n.ip) {
            out.push(n.ip);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The address a reverse name (`4.3.2.1.in-addr.arpa`) stands for.
pub fn reverse_address(name: &str) -> Option<IpAddr> {
    let name = normal(name);
    let digits = name.strip_suffix(".in-addr.arpa")?;
    let mut octets: Vec<u8> = digits
        .split('.')
        .map(|d| d.parse::<u8>())
        .collect::<Result<_, _>>()
        .ok()?;
    if octets.len() != 4 {
        return None;
    }
    octets.reverse();
    Some(IpAddr::from([octets[0], octets[1], octets[2], octets[3]]))
}

/// The name of the container on address `ip`, as dockerd gives it to a
/// reverse lookup: `<container>.<network>`.
pub fn reverse(neighbours: &[Neighbour], ip: IpAddr) -> Option<String> {
    neighbours
        .iter()
        .find(|n| n.ip == ip)
        .map(|n| format!("{}.{}", n.container_name, n.network))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(network: &str, id: &str, name: &str, aliases: &[&str], ip: &str) -> Neighbour {
        Neighbour {
            network: network.into(),
            container_id: id.into(),
            container_name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ip: ip.parse().unwrap(),
        }
    }

    fn table() -> Vec<Neighbour> {
        vec![
            n("front", &"a".repeat(64), "web", &["www"], "10.231.1.2"),
            n("front", &"b".repeat(64), "web2", &["www"], "10.231.1.3"),
            n("back", &"a".repeat(64), "web", &[], "10.231.2.2"),
        ]
    }

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn names_aliases_and_short_ids() {
        let t = table();
        assert_eq!(lookup(&t, "web"), Some(ips(&["10.231.1.2", "10.231.2.2"])));
        assert_eq!(lookup(&t, "WWW."), Some(ips(&["10.231.1.2", "10.231.1.3"])));
        assert_eq!(lookup(&t, "bbbbbbbbbbbb"), Some(ips(&["10.231.1.3"])));
        assert_eq!(lookup(&t, "web.back"), Some(ips(&["10.231.2.2"])));
        assert_eq!(lookup(&t, "www.back"), None);
        assert_eq!(lookup(&t, "nobody"), None);
        assert_eq!(lookup(&t, "example.org"), None);
        assert_eq!(lookup(&[], "web"), None);
    }

    #[test]
    fn reverse_names() {
        let t = table();
        let ip = reverse_address("3.1.231.10.in-addr.arpa.").unwrap();
        assert_eq!(ip, "10.231.1.3".parse::<IpAddr>().unwrap());
        assert_eq!(reverse(&t, ip).as_deref(), Some("web2.front"));
        assert_eq!(reverse_address("1.2.3.in-addr.arpa"), None);
        assert_eq!(reverse_address("x.1.2.3.in-addr.arpa"), None);
        assert_eq!(reverse_address("web"), None);
        assert_eq!(reverse(&t, "10.9.9.9".parse().unwrap()), None);
    }
}
