//! The persisted record of one network and of a container's endpoints on
//! networks. A network is `<data-root>/network/networks/<id>.json`; a
//! container's endpoints are `<data-root>/network/endpoints/<id>.json`
//! (what it asked for at create or connect, and while it runs the
//! address, MAC and link names it got).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::ports::Published;

/// The drivers engined has.
pub const BRIDGE: &str = "bridge";
pub const HOST: &str = "host";
pub const NULL: &str = "null";

/// The names of the three predefined networks (and `default`, which
/// names the default bridge in a network mode).
pub const PREDEFINED: &[&str] = &["bridge", "host", "none", "default"];

/// The bridge option naming the Linux bridge.
pub const OPT_BRIDGE_NAME: &str = "com.docker.network.bridge.name";

/// One `IPAM.Config` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolRecord {
    pub subnet: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ip_range: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub gateway: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aux_addresses: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkRecord {
    pub id: String,
    pub name: String,
    pub driver: String,
    /// RFC 3339 with nanoseconds.
    pub created: String,
    pub enable_ipv6: bool,
    pub internal: bool,
    pub attachable: bool,
    /// `None` for the predefined `host` and `none`, whose IPAM options
    /// dockerd sends as `null` (also the default bridge).
    pub ipam_options: Option<BTreeMap<String, String>>,
    pub pools: Vec<PoolRecord>,
    pub options: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    /// One of `bridge`, `host`, `none`.
    pub predefined: bool,
}

impl NetworkRecord {
    /// The Linux bridge of a bridge network: `engined0` for the default
    /// one (not dockerd's `docker0`, so the two never share one),
    /// `br-<12 hex of the id>` for the others, unless an option names it.
    pub fn bridge_name(&self) -> Option<String> {
        if self.driver != BRIDGE {
            return None;
        }
        Some(
            self.options
                .get(OPT_BRIDGE_NAME)
                .cloned()
                .unwrap_or_else(|| format!("br-{}", &self.id[..12.min(self.id.len())])),
        )
    }
}

/// A container on one network.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub network_id: String,
    /// `--ip` / `IPAMConfig.IPv4Address`.
    #[serde(default)]
    pub requested_ip: Option<IpAddr>,
    /// `--ip6` / `IPAMConfig.IPv6Address`, on a network with IPv6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_ipv6: Option<Ipv6Addr>,
    /// `--mac-address` / `MacAddress` of the endpoint settings.
    #[serde(default)]
    pub requested_mac: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Set while the container runs.
    #[serde(default)]
    pub active: Option<ActiveEndpoint>,
}

/// What an endpoint got for the current run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveEndpoint {
    pub endpoint_id: String,
    pub ip: IpAddr,
    pub prefix_len: u8,
    pub gateway: Option<IpAddr>,
    pub mac: String,
    /// The host end of the veth pair.
    pub host_link: String,
    /// The link's name inside the container (`eth0`, ...).
    pub ifname: String,
    /// The IPv6 address beside `ip`, on a network with IPv6 enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<ActiveIpv6>,
}

/// An endpoint's IPv6 address for the current run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveIpv6 {
    pub ip: Ipv6Addr,
    pub prefix_len: u8,
    /// The network's IPv6 gateway (shown also on an internal network,
    /// which gets no route through it).
    pub gateway: Option<Ipv6Addr>,
}

impl ActiveEndpoint {
    /// Every address the endpoint has: its IPv4 one, then its IPv6 one.
    pub fn addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        std::iter::once(self.ip).chain(self.ipv6.as_ref().map(|v6| IpAddr::V6(v6.ip)))
    }
}

/// A container's endpoints, in the order they were attached.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerEndpoints {
    pub container_id: String,
    /// The container's name (for `Containers` of a network inspect).
    pub name: String,
    pub endpoints: Vec<Endpoint>,
    /// The ports it got while it runs (random ones included), published
    /// again by a daemon that restarts while it runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub published: Vec<Published>,
}
