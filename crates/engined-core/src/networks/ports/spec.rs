//! What a container asks to publish: `HostConfig.PortBindings` (`-p
//! [IP:][HOSTPORT:]PORT[/PROTO]`; the CLI sends ranges of container ports
//! one key each, and a host range such as `8000-8010` as it is), plus,
//! with `PublishAllPorts` (`-P`), every `ExposedPorts` entry not bound,
//! on a random host port.

use std::net::{IpAddr, Ipv4Addr};

use engine_api::types::PortMap;

/// A transport the proxy relays.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

/// One binding asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub proto: Proto,
    pub container_port: u16,
    pub host_ip: IpAddr,
    /// The host ports it may take (both ends included); `None`: a random
    /// one.
    pub host_ports: Option<(u16, u16)>,
}

/// A port key, `80/tcp` (no protocol: tcp).
pub fn parse_key(key: &str) -> Result<(u16, Proto), String> {
    let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
    let proto = match proto.to_ascii_lowercase().as_str() {
        "tcp" => Proto::Tcp,
        "udp" => Proto::Udp,
        other => return Err(format!("unsupported protocol {other} in port {key}")),
    };
    let port = port
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("invalid port specification: \"{key}\""))?;
    Ok((port, proto))
}

fn parse_host_ports(text: &str) -> Result<Option<(u16, u16)>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || format!("invalid port specification: \"{text}\"");
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let a: u16 = a.parse().map_err(|_| bad())?;
    let b: u16 = b.parse().map_err(|_| bad())?;
    if b < a {
        return Err(bad());
    }
    // 0 asks for a random port, as an empty one does.
    Ok((a != 0).then_some((a, b)))
}

/// The bindings `bindings`, `publish_all` and `exposed` ask for, checked.
pub fn wanted(
    bindings: Option<&PortMap>,
    publish_all: bool,
    exposed: &[String],
) -> Result<Vec<Wanted>, String> {
    let mut out = Vec::new();
    let mut bound = Vec::new();
    for (key, list) in bindings.into_iter().flatten() {
        let (container_port, proto) = parse_key(key)?;
        bound.push((container_port, proto));
        for b in list.iter().flatten() {
            let ip = b.host_ip.as_deref().unwrap_or("");
            let host_ip: IpAddr = if ip.is_empty() {
                Ipv4Addr::UNSPECIFIED.into()
            } else {
                ip.parse()
                    .map_err(|_| format!("invalid IP address: {ip}"))?
            };
            out.push(Wanted {
                proto,
                container_port,
                host_ip,
                host_ports: parse_host_ports(b.host_port.as_deref().unwrap_or(""))?,
            });
        }
    }
    if publish_all {
        for key in exposed {
            let (container_port, proto) = parse_key(key)?;
            if !bound.contains(&(container_port, proto)) {
                out.push(Wanted {
                    proto,
                    container_port,
                    host_ip: Ipv4Addr::UNSPECIFIED.into(),
                    host_ports: None,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine_api::types::PortBinding;

    fn binding(ip: &str, port: &str) -> PortBinding {
        PortBinding {
            host_ip: Some(ip.into()),
            host_port: Some(port.into()),
            ..Default::default()
        }
    }

    #[test]
    fn bindings_ranges_and_publish_all() {
        let mut map = PortMap::new();
        map.insert("80/tcp".into(), Some(vec![binding("127.0.0.1", "18080")]));
        map.insert("53/udp".into(), Some(vec![binding("", "8000-8010")]));
        map.insert("81".into(), Some(vec![binding("", "")]));
        let exposed = vec!["80/tcp".to_string(), "443/tcp".to_string()];
        let w = wanted(Some(&map), true, &exposed).unwrap();
        let any: IpAddr = Ipv4Addr::UNSPECIFIED.into();
        assert_eq!(
            w,
            [
                Wanted {
                    proto: Proto::Udp,
                    container_port: 53,
                    host_ip: any,
                    host_ports: Some((8000, 8010))
                },
                Wanted {
                    proto: Proto::Tcp,
                    container_port: 80,
                    host_ip: "127.0.0.1".parse().unwrap(),
                    host_ports: Some((18080, 18080))
                },
                Wanted {
                    proto: Proto::Tcp,
                    container_port: 81,
                    host_ip: any,
                    host_ports: None
                },
                Wanted {
                    proto: Proto::Tcp,
                    container_port: 443,
                    host_ip: any,
                    host_ports: None
                },
            ]
        );
        assert!(wanted(Some(&map), false, &exposed).unwrap().len() == 3);
    }

    #[test]
    fn bad_specs_are_refused() {
        for (key, ip, port) in [
            ("x/tcp", "", "1"),
            ("80/sctpx", "", "1"),
            ("80/tcp", "not-ip", "1"),
            ("80/tcp", "", "9-1"),
            ("80/tcp", "", "70000"),
        ] {
            let mut map = PortMap::new();
            map.insert(key.into(), Some(vec![binding(ip, port)]));
            assert!(wanted(Some(&map), false, &[]).is_err(), "{key} {ip} {port}");
        }
    }
}
