//! What the network service takes from the daemon's configuration at
//! start: the default bridge's address (`bip`), the pools new networks
//! come from (`default-address-pools`), whether engined writes NAT rules
//! (`iptables`), turns on IPv4 forwarding (`ip-forward`) and runs the
//! userland proxy (`userland-proxy`). The keys were checked when the
//! configuration was read; a value that still does not parse counts as
//! unset here.

use std::net::IpAddr;

use super::ipam::Subnet;
use crate::config::{network, DaemonConfig};

/// One `default-address-pools` entry: subnets of prefix `size` cut from
/// `base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool {
    pub base: Subnet,
    pub size: u8,
}

/// The networking settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `bip`: the default bridge's gateway and prefix.
    pub bip: Option<(IpAddr, u8)>,
    /// `default-address-pools`; dockerd's defaults when empty.
    pub pools: Vec<Pool>,
    /// `iptables`: engined's nftables table (DNAT, masquerade).
    pub nat: bool,
    /// `ip-forward`: `net.ipv4.ip_forward` turned on at start.
    pub ip_forward: bool,
    /// `userland-proxy`: published ports also served by the proxy.
    pub userland_proxy: bool,
}

impl Default for Settings {
    /// dockerd's defaults: NAT, forwarding and the proxy on.
    fn default() -> Settings {
        Settings {
            bip: None,
            pools: Vec::new(),
            nat: true,
            ip_forward: true,
            userland_proxy: true,
        }
    }
}

impl Settings {
    /// The settings `config` gives.
    pub fn from_config(config: &DaemonConfig) -> Settings {
        let bip = config
            .bip
            .as_deref()
            .and_then(|b| network::check_bip(b).ok())
            .map(|(ip, prefix)| (IpAddr::V4(ip), prefix));
        let pools = config
            .default_address_pools
            .iter()
            .filter_map(|p| network::check_pool(p).ok())
            .filter_map(|(ip, prefix, size)| {
                Some(Pool {
                    base: Subnet::new(IpAddr::V4(ip), prefix)?,
                    size,
                })
            })
            .collect();
        Settings {
            bip,
            pools,
            nat: config.iptables.unwrap_or(true),
            ip_forward: config.ip_forward.unwrap_or(true),
            userland_proxy: config.userland_proxy.unwrap_or(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_settings() {
        let config = DaemonConfig::from_json(
            r#"{"bip": "10.231.250.1/24", "iptables": false, "userland-proxy": false,
                "default-address-pools": [{"base": "10.232.0.0/16", "size": 24}]}"#,
        )
        .unwrap();
        let s = Settings::from_config(&config);
        assert_eq!(s.bip, Some(("10.231.250.1".parse().unwrap(), 24)));
        assert_eq!(
            s.pools,
            [Pool {
                base: Subnet::parse("10.232.0.0/16").unwrap(),
                size: 24
            }]
        );
        assert!(!s.nat && s.ip_forward && !s.userland_proxy);
        assert_eq!(
            Settings::from_config(&DaemonConfig::default()),
            Settings::default()
        );
    }
}
