//! The networking keys of `daemon.json`, dockerd's: `bip` (the default
//! bridge's address and prefix), `default-address-pools` (where new
//! networks' subnets come from), and the checks of each on its own. The
//! switches `iptables`, `ip-forward` and `userland-proxy` need none; the
//! network service (`crate::networks::settings`) reads all of them.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// One entry of `default-address-pools`: subnets of prefix length `size`
/// are cut from `base`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressPool {
    /// A CIDR, `10.10.0.0/16`.
    pub base: String,
    /// The prefix length of each network's subnet, `24`.
    pub size: u32,
}

/// An IPv4 `address/prefix` (host bits allowed: `172.17.0.1/16`).
pub fn parse_cidr_v4(text: &str) -> Option<(Ipv4Addr, u8)> {
    let (ip, prefix) = text.split_once('/')?;
    let ip: Ipv4Addr = ip.parse().ok()?;
    let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32)?;
    Some((ip, prefix))
}

fn invalid(key: &'static str, message: String) -> ConfigError {
    ConfigError::Network { key, message }
}

/// `bip`: an IPv4 address with its prefix, not the subnet's own address
/// nor its broadcast address (the bridge takes that address).
pub fn check_bip(bip: &str) -> Result<(Ipv4Addr, u8), ConfigError> {
    let (ip, prefix) =
        parse_cidr_v4(bip).ok_or_else(|| invalid("bip", format!("invalid CIDR address: {bip}")))?;
    if prefix > 30 {
        return Err(invalid(
            "bip",
            format!("{bip}: the prefix leaves no address for containers"),
        ));
    }
    let host_bits = u32::from(ip) & (u32::MAX >> prefix);
    if host_bits == 0 || host_bits == u32::MAX >> prefix {
        return Err(invalid(
            "bip",
            format!("{bip}: the bridge needs a host address of the subnet, not its network or broadcast address"),
        ));
    }
    Ok((ip, prefix))
}

/// One `default-address-pools` entry: an IPv4 base, and a size no shorter
/// than the base's prefix nor longer than 32.
pub fn check_pool(pool: &AddressPool) -> Result<(Ipv4Addr, u8, u8), ConfigError> {
    let key = "default-address-pools";
    let (ip, prefix) = parse_cidr_v4(&pool.base).ok_or_else(|| {
        invalid(
            key,
            format!("invalid base pool {:?}: not an IPv4 CIDR", pool.base),
        )
    })?;
    let size = u8::try_from(pool.size).ok().filter(|s| *s <= 32);
    match size {
        Some(size) if size >= prefix => Ok((ip, prefix, size)),
        _ => Err(invalid(
            key,
            format!(
                "invalid pools size {} for base {}: it must be between {prefix} and 32",
                pool.size, pool.base
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bip_is_a_host_address_with_its_prefix() {
        assert_eq!(
            check_bip("10.231.250.1/24").unwrap(),
            (Ipv4Addr::new(10, 231, 250, 1), 24)
        );
        for (bad, says) in [
            ("10.231.250.1", "invalid CIDR address: 10.231.250.1"),
            ("nonsense/24", "invalid CIDR address"),
            ("10.0.0.1/33", "invalid CIDR address"),
            ("10.0.0.0/24", "not its network or broadcast address"),
            ("10.0.0.255/24", "not its network or broadcast address"),
            ("10.0.0.1/31", "leaves no address"),
        ] {
            let text = check_bip(bad).unwrap_err().to_string();
            assert!(text.starts_with("bip: "), "{text}");
            assert!(text.contains(says), "{bad}: {text}");
        }
    }

    #[test]
    fn pools_have_a_base_and_a_size_inside_it() {
        let pool = |base: &str, size| AddressPool {
            base: base.into(),
            size,
        };
        assert_eq!(
            check_pool(&pool("10.232.0.0/16", 24)).unwrap(),
            (Ipv4Addr::new(10, 232, 0, 0), 16, 24)
        );
        for (bad, says) in [
            (pool("10.232.0.0/16", 8), "invalid pools size 8"),
            (pool("10.232.0.0/16", 33), "invalid pools size 33"),
            (pool("10.232.0.0", 24), "invalid base pool"),
            (pool("fd00::/8", 24), "invalid base pool"),
        ] {
            let text = check_pool(&bad).unwrap_err().to_string();
            assert!(text.starts_with("default-address-pools: "), "{text}");
            assert!(text.contains(says), "{text}");
        }
    }
}
