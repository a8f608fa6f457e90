//! IP address management, pure: subnets (IPv4 and IPv6 as one type), the
//! default address pools dockerd takes networks from (172.17.0.0/16 for
//! the default bridge, then 172.18-31.0.0/16, then /20s of
//! 192.168.0.0/16), the choice of a pool that overlaps neither another
//! network nor a route the host already has, and the addresses of one
//! network (gateway, containers, `--ip-range`, `--ip`).

use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A subnet: its first address and the prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subnet {
    addr: IpAddr,
    prefix: u8,
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u32::from(v4) as u128,
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn from_u128(v4: bool, value: u128) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::from(value as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(value))
    }
}

impl Subnet {
    /// `addr/prefix`; the host bits are cleared (`10.1.2.3/24` is
    /// `10.1.2.0/24`).
    pub fn new(addr: IpAddr, prefix: u8) -> Option<Subnet> {
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        if prefix > bits {
            return None;
        }
        let s = Subnet { addr, prefix };
        Some(Subnet {
            addr: from_u128(addr.is_ipv4(), to_u128(addr) & s.mask()),
            prefix,
        })
    }

    /// CIDR text, as `--subnet` and `--ip-range` give it.
    pub fn parse(text: &str) -> Result<Subnet, String> {
        let bad = || format!("invalid CIDR address: {text}");
        let (addr, prefix) = text.split_once('/').ok_or_else(bad)?;
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let prefix: u8 = prefix.parse().map_err(|_| bad())?;
        Subnet::new(addr, prefix).ok_or_else(bad)
    }

    pub fn is_ipv4(self) -> bool {
        self.addr.is_ipv4()
    }

    pub fn prefix(self) -> u8 {
        self.prefix
    }

    pub fn network(self) -> IpAddr {
        self.addr
    }

    fn bits(self) -> u32 {
        if self.is_ipv4() {
            32
        } else {
            128
        }
    }

    fn mask(self) -> u128 {
        let host = self.bits() - u32::from(self.prefix);
        let all = if self.is_ipv4() {
            u32::MAX as u128
        } else {
            u128::MAX
        };
        if host >= 128 {
            0
        } else {
            all & !((1u128 << host) - 1)
        }
    }

    /// How many addresses the subnet has (saturating for a /0 of IPv6).
    fn size(self) -> u128 {
        let host = self.bits() - u32::from(self.prefix);
        1u128.checked_shl(host).unwrap_or(u128::MAX)
    }

    fn last(self) -> u128 {
        to_u128(self.addr).saturating_add(self.size() - 1)
    }

    pub fn contains(self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.is_ipv4() && to_u128(ip) & self.mask() == to_u128(self.addr)
    }

    pub fn overlaps(self, other: Subnet) -> bool {
        self.is_ipv4() == other.is_ipv4()
            && to_u128(self.addr) <= other.last()
            && to_u128(other.addr) <= self.last()
    }

    /// The address `n` places after the network address, if inside.
    pub fn nth(self, n: u128) -> Option<IpAddr> {
        (n < self.size()).then(|| from_u128(self.is_ipv4(), to_u128(self.addr) + n))
    }

    /// The first host address, dockerd's default gateway.
    pub fn first_host(self) -> Option<IpAddr> {
        self.nth(1)
    }

    /// IPv4's broadcast address (none for IPv6 or a /31, /32).
    fn broadcast(self) -> Option<IpAddr> {
        (self.is_ipv4() && self.prefix < 31).then(|| from_u128(true, self.last()))
    }
}

impl fmt::Display for Subnet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The subnet of the default `bridge` network when it is free.
pub const DEFAULT_BRIDGE: &str = "172.17.0.0/16";

/// dockerd's default address pools, in the order it takes them.
pub fn default_pools() -> impl Iterator<Item = Subnet> {
    let sixteens =
        (17u8..=31).filter_map(|b| Subnet::new(IpAddr::V4(Ipv4Addr::new(172, b, 0, 0)), 16));
    let twenties =
        (0u8..16).filter_map(|i| Subnet::new(IpAddr::V4(Ipv4Addr::new(192, 168, i * 16, 0)), 20));
    sixteens.chain(twenties)
}

/// The first default pool that overlaps neither a subnet of another
/// network (`taken`) nor a route of the host (`routes`; the default route
/// and host routes wider than the pools do not count, as with dockerd,
/// which only skips pools a more specific route covers).
pub fn choose_pool(taken: &[Subnet], routes: &[Subnet]) -> Option<Subnet> {
    choose_among(default_pools(), taken, routes)
}

/// The subnets of prefix `size` that `base` splits into, in order (none
/// when `size` is shorter than the base's prefix).
pub fn split(base: Subnet, size: u8) -> impl Iterator<Item = Subnet> {
    let fits = size >= base.prefix && u32::from(size) <= base.bits();
    let count: u128 = if fits {
        1u128
            .checked_shl(u32::from(size - base.prefix))
            .unwrap_or(u128::MAX)
    } else {
        0
    };
    let step = 1u128
        .checked_shl(base.bits().saturating_sub(u32::from(size)))
        .unwrap_or(0);
    (0..count).filter_map(move |i| {
        let at = to_u128(base.addr).checked_add(i.checked_mul(step)?)?;
        Subnet::new(from_u128(base.is_ipv4(), at), size)
    })
}

/// The first subnet of `pools` (the `default-address-pools`: each base
/// split into subnets of its size) that is free, by [`choose_pool`]'s
/// rule; dockerd's defaults when `pools` is empty.
pub fn choose_pool_in(
    pools: &[(Subnet, u8)],
    taken: &[Subnet],
    routes: &[Subnet],
) -> Option<Subnet> {
    if pools.is_empty() {
        return choose_pool(taken, routes);
    }
    let candidates = pools.iter().flat_map(|(base, size)| split(*base, *size));
    choose_among(candidates, taken, routes)
}

fn choose_among(
    mut candidates: impl Iterator<Item = Subnet>,
    taken: &[Subnet],
    routes: &[Subnet],
) -> Option<Subnet> {
    candidates.find(|pool| {
        !taken.iter().any(|t| t.overlaps(*pool))
            && !routes
                .iter()
                .filter(|r| r.prefix > 0 && r.prefix >= pool.prefix)
                .any(|r| r.overlaps(*pool))
    })
}

/// The addresses of one subnet of a network: what is in use, and the
/// range containers get addresses from.
#[derive(Debug, Clone)]
pub struct AddressSpace {
    pub subnet: Subnet,
    /// `--ip-range`: containers' addresses come from here (the subnet
    /// when none).
    pub range: Subnet,
    pub gateway: Option<IpAddr>,
    in_use: BTreeSet<IpAddr>,
}

impl AddressSpace {
    pub fn new(subnet: Subnet, range: Option<Subnet>, gateway: Option<IpAddr>) -> AddressSpace {
        AddressSpace {
            subnet,
            range: range.unwrap_or(subnet),
            gateway,
            in_use: BTreeSet::new(),
        }
    }

    fn reserved(&self, ip: IpAddr) -> bool {
        ip == self.subnet.network()
            || Some(ip) == self.subnet.broadcast()
            || Some(ip) == self.gateway
            || self.in_use.contains(&ip)
    }

    /// Marks `ip` as used (a container's address found again at start).
    pub fn mark(&mut self, ip: IpAddr) {
        self.in_use.insert(ip);
    }

    pub fn release(&mut self, ip: IpAddr) {
        self.in_use.remove(&ip);
    }

    /// An address for a container: `wanted` when given (refused when used
    /// or outside the subnet), else the lowest free one of the range.
    pub fn allocate(&mut self, wanted: Option<IpAddr>) -> Result<IpAddr, String> {
        let ip = match wanted {
            Some(ip) => {
                if !self.subnet.contains(ip) {
                    return Err(format!(
                        "Invalid address {ip}: It does not belong to any of this network's subnets"
                    ));
                }
                if self.reserved(ip) {
                    return Err("Address already in use".into());
                }
                ip
            }
            None => (0..self.range.size())
                .map_while(|n| self.range.nth(n))
                .find(|ip| !self.reserved(*ip))
                .ok_or_else(|| {
                    "no available IPv4 addresses on this network's address pools".to_string()
                })?,
        };
        self.in_use.insert(ip);
        Ok(ip)
    }
}

/// dockerd's MAC address for a container address: `02:42` and the four
/// bytes of the IPv4 address.
pub fn mac_for(ip: Ipv4Addr) -> String {
    let o = ip.octets();
    format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Subnet {
        Subnet::parse(text).unwrap()
    }

    #[test]
    fn subnets_parse_normalise_and_compare() {
        assert_eq!(s("10.1.2.3/24").to_string(), "10.1.2.0/24");
        assert_eq!(s("fd00:1::5/64").to_string(), "fd00:1::/64");
        assert!(Subnet::parse("10.0.0.0/33").is_err());
        assert!(Subnet::parse("10.0.0.0").is_err());
        assert!(Subnet::parse("x/8").is_err());
        assert!(s("10.0.0.0/8").overlaps(s("10.231.1.0/24")));
        assert!(s("10.231.1.0/24").overlaps(s("10.0.0.0/8")));
        assert!(!s("10.231.1.0/24").overlaps(s("10.231.2.0/24")));
        assert!(!s("10.0.0.0/8").overlaps(s("fd00::/8")));
        assert!(s("0.0.0.0/0").overlaps(s("192.0.2.0/24")));
        assert!(s("192.0.2.0/24").contains("192.0.2.255".parse().unwrap()));
        assert!(!s("192.0.2.0/24").contains("192.0.3.0".parse().unwrap()));
        assert_eq!(
            s("172.18.0.0/16").first_host(),
            Some("172.18.0.1".parse().unwrap())
        );
    }

    #[test]
    fn pools_come_in_dockerds_order() {
        let pools: Vec<String> = default_pools().map(|p| p.to_string()).collect();
        assert_eq!(pools[0], DEFAULT_BRIDGE);
        assert_eq!(pools[1], "172.18.0.0/16");
        assert_eq!(pools[14], "172.31.0.0/16");
        assert_eq!(pools[15], "192.168.0.0/20");
        assert_eq!(pools[16], "192.168.16.0/20");
        assert_eq!(pools.len(), 31);
    }

    #[test]
    fn a_pool_skips_networks_and_host_routes() {
        let taken = [s("172.17.0.0/16"), s("172.18.0.0/16")];
        // This machine routes 172.28.0.0/16 at times, and 192.0.2.0/24.
        let routes = [s("0.0.0.0/0"), s("172.19.5.0/24"), s("192.0.2.0/24")];
        assert_eq!(choose_pool(&taken, &routes), Some(s("172.20.0.0/16")));
        // A route wider than the pools (10/8, 172.16/12) does not block them.
        assert_eq!(
            choose_pool(&[], &[s("172.16.0.0/12")]),
            Some(s("172.17.0.0/16"))
        );
        let all: Vec<Subnet> = default_pools().collect();
        assert_eq!(choose_pool(&all, &[]), None);
        let without_last = &all[..all.len() - 1];
        assert_eq!(choose_pool(without_last, &[]), Some(s("192.168.240.0/20")));
    }

    #[test]
    fn configured_pools_are_split_and_skip_what_is_taken() {
        let split: Vec<String> = split(s("10.232.0.0/16"), 24)
            .take(3)
            .map(|p| p.to_string())
            .collect();
        assert_eq!(split, ["10.232.0.0/24", "10.232.1.0/24", "10.232.2.0/24"]);
        assert_eq!(super::split(s("10.232.0.0/16"), 8).count(), 0);
        assert_eq!(super::split(s("10.232.0.0/30"), 32).count(), 4);
        let pools = [(s("10.232.0.0/23"), 24), (s("10.233.0.0/16"), 20)];
        assert_eq!(
            choose_pool_in(&pools, &[s("10.232.0.0/24")], &[]),
            Some(s("10.232.1.0/24"))
        );
        assert_eq!(
            choose_pool_in(&pools, &[s("10.232.0.0/23")], &[s("10.233.0.0/20")]),
            Some(s("10.233.16.0/20"))
        );
        assert_eq!(choose_pool_in(&[], &[], &[]), Some(s(DEFAULT_BRIDGE)));
    }

    #[test]
    fn addresses_skip_the_reserved_ones_and_honour_requests() {
        let subnet = s("10.231.7.0/29");
        let gw = subnet.first_host();
        let mut space = AddressSpace::new(subnet, None, gw);
        let ip = |t: &str| t.parse::<IpAddr>().unwrap();
        assert_eq!(space.allocate(None), Ok(ip("10.231.7.2")));
        assert_eq!(space.allocate(Some(ip("10.231.7.5"))), Ok(ip("10.231.7.5")));
        assert_eq!(
            space.allocate(Some(ip("10.231.7.5"))),
            Err("Address already in use".into())
        );
        assert!(space
            .allocate(Some(ip("10.231.8.5")))
            .unwrap_err()
            .contains("does not belong"));
        assert_eq!(space.allocate(None), Ok(ip("10.231.7.3")));
        assert_eq!(space.allocate(None), Ok(ip("10.231.7.4")));
        assert_eq!(space.allocate(None), Ok(ip("10.231.7.6")));
        // .7 is the broadcast address: the /29 is full.
        assert!(space.allocate(None).is_err());
        space.release(ip("10.231.7.3"));
        assert_eq!(space.allocate(None), Ok(ip("10.231.7.3")));
        // An --ip-range narrows where automatic addresses come from.
        let mut ranged = AddressSpace::new(s("10.231.0.0/16"), Some(s("10.231.9.0/24")), gw);
        assert_eq!(ranged.allocate(None), Ok(ip("10.231.9.0")));
    }

    #[test]
    fn macs_follow_the_address() {
        assert_eq!(mac_for(Ipv4Addr::new(172, 17, 0, 2)), "02:42:ac:11:00:02");
    }
}
