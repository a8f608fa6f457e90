//! Where a random host port comes from, as dockerd's port allocator
//! picks it: the kernel's ephemeral range
//! (`/proc/sys/net/ipv4/ip_local_port_range`), or 49153-65535 when that
//! cannot be read; for each host address and protocol the port after the
//! one handed out last, wrapping round to the start of the range (so a
//! fresh daemon's first is the range's first port).

use std::collections::HashMap;
use std::net::IpAddr;

use super::spec::Proto;

/// dockerd's range when the kernel's cannot be read.
pub const FALLBACK: (u16, u16) = (49153, 65535);

/// The kernel's file.
pub const KERNEL_RANGE: &str = "/proc/sys/net/ipv4/ip_local_port_range";

/// `first<TAB>last`, as the kernel writes it.
pub fn parse(text: &str) -> Option<(u16, u16)> {
    let mut parts = text.split_whitespace();
    let first: u16 = parts.next()?.parse().ok()?;
    let last: u16 = parts.next()?.parse().ok()?;
    (first > 0 && first <= last && parts.next().is_none()).then_some((first, last))
}

/// The range random host ports come from.
pub fn dynamic() -> (u16, u16) {
    std::fs::read_to_string(KERNEL_RANGE)
        .ok()
        .and_then(|t| parse(&t))
        .unwrap_or(FALLBACK)
}

/// The last random port handed out, per host address and protocol.
#[derive(Debug, Default)]
pub struct Picker {
    last: HashMap<(IpAddr, Proto), u16>,
}

impl Picker {
    /// Every port of `range` in the order to try them for `ip`/`proto`:
    /// from the one after the last handed out, round the range once.
    pub fn order(&self, ip: IpAddr, proto: Proto, range: (u16, u16)) -> Vec<u16> {
        let (first, last) = range;
        let after = self
            .last
            .get(&(ip, proto))
            .copied()
            .filter(|p| (first..=last).contains(p))
            .unwrap_or(last);
        let start = if after >= last { first } else { after + 1 };
        (start..=last).chain(first..start).collect()
    }

    /// `port` was handed out for `ip`/`proto`.
    pub fn taken(&mut self, ip: IpAddr, proto: Proto, port: u16) {
        self.last.insert((ip, proto), port);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_range_parses() {
        assert_eq!(parse("32768\t60999\n"), Some((32768, 60999)));
        assert_eq!(parse("60999 32768"), None);
        assert_eq!(parse("x y"), None);
        assert_eq!(parse("1 2 3"), None);
    }

    #[test]
    fn ports_follow_the_last_one_and_wrap() {
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        let mut p = Picker::default();
        assert_eq!(p.order(any, Proto::Tcp, (100, 103)), [100, 101, 102, 103]);
        p.taken(any, Proto::Tcp, 101);
        assert_eq!(p.order(any, Proto::Tcp, (100, 103)), [102, 103, 100, 101]);
        // Per protocol.
        assert_eq!(p.order(any, Proto::Udp, (100, 103))[0], 100);
        p.taken(any, Proto::Tcp, 103);
        assert_eq!(p.order(any, Proto::Tcp, (100, 103))[0], 100);
    }
}
