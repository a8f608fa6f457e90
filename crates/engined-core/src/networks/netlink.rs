//! The kernel's network objects over rtnetlink: bridges, veth pairs,
//! addresses, routes and moving a link into another network namespace.
//!
//! Every call is synchronous and runs on a thread of its own with a
//! small single-threaded runtime for the netlink socket: the socket
//! belongs to the namespace of the thread that opens it, so the thread
//! first joins the namespace the call is about (a container's, by the
//! file engined bind-mounted it on), and the daemon's own threads never
//! change namespace. Callers on async threads go through
//! `spawn_blocking`.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::AsRawFd;
use std::path::Path;

use futures_util::stream::TryStreamExt;
use rtnetlink::packet_route::address::{AddressAttribute, AddressFlags, AddressHeaderFlags};
use rtnetlink::packet_route::link::{InfoData, InfoVeth};
use rtnetlink::packet_route::route::{RouteAddress, RouteAttribute};
use rtnetlink::packet_route::rule::{RuleAction, RuleAttribute};
use rtnetlink::{Handle, LinkBridge, LinkUnspec, LinkVeth, RouteMessageBuilder};

use super::error::{NetworkError, Result};
use super::ipam::Subnet;

const EEXIST: i32 = 17;
const ENODEV: i32 = 19;
const ENOENT: i32 = 2;

/// The errno of a netlink error answer, if it is one.
fn errno(e: &rtnetlink::Error) -> Option<i32> {
    match e {
        rtnetlink::Error::NetlinkError(m) => m.code.map(|c| -c.get()),
        _ => None,
    }
}

fn failed(what: &str) -> impl Fn(rtnetlink::Error) -> NetworkError + '_ {
    move |e| NetworkError::Netlink {
        what: what.to_string(),
        message: e.to_string(),
    }
}

/// Moves the calling thread into the network namespace held at `path`.
fn join(path: &Path) -> Result<()> {
    let file = std::fs::File::open(path)
        .map_err(|e| NetworkError::io(format!("opening {}", path.display()), e))?;
    // SAFETY: setns on an open namespace file, for this thread only.
    if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        return Err(NetworkError::io(
            format!("joining {}", path.display()),
            std::io::Error::last_os_error(),
        ));
    }
    Ok(())
}

/// A netlink handle in the calling thread's namespace (its connection
/// served on the current runtime).
fn connect() -> Result<Handle> {
    let (connection, handle, _) =
        rtnetlink::new_connection().map_err(|e| NetworkError::io("a netlink socket", e))?;
    tokio::spawn(connection);
    Ok(handle)
}

/// Runs `body` on a thread of its own with a small runtime, and waits.
fn on_thread<T, F>(body: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&tokio::runtime::Runtime) -> Result<T> + Send + 'static,
{
    let thread = std::thread::spawn(move || -> Result<T> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .map_err(|e| NetworkError::io("a netlink runtime", e))?;
        body(&runtime)
    });
    thread.join().map_err(|_| NetworkError::Netlink {
        what: "netlink".into(),
        message: "the netlink thread panicked".into(),
    })?
}

/// Runs `work` with a netlink handle in the namespace of `netns` (a
/// namespace file), or the daemon's own when `None`.
pub fn run<T, F, Fut>(netns: Option<&Path>, work: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(Handle) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T>>,
{
    let netns = netns.map(Path::to_path_buf);
    on_thread(move |runtime| {
        if let Some(path) = &netns {
            join(path)?;
        }
        runtime.block_on(async move { work(connect()?).await })
    })
}

/// Runs `host` with a handle in the daemon's namespace, then `inside`
/// with one in the namespace of `netns`, on one thread (which joins
/// `netns` between the two: the thread is its own and ends after).
pub fn run_then_inside<T, F, Fut, G, Gut>(netns: &Path, host: F, inside: G) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(Handle) -> Fut + Send + 'static,
    Fut: Future<Output = Result<()>>,
    G: FnOnce(Handle) -> Gut + Send + 'static,
    Gut: Future<Output = Result<T>>,
{
    let netns = netns.to_path_buf();
    on_thread(move |runtime| {
        runtime.block_on(async { host(connect()?).await })?;
        join(&netns)?;
        runtime.block_on(async move { inside(connect()?).await })
    })
}

/// The index of link `name`, if there is one.
pub async fn index(handle: &Handle, name: &str) -> Result<Option<u32>> {
    let mut links = handle.link().get().match_name(name).execute();
    match links.try_next().await {
        Ok(Some(link)) => Ok(Some(link.header.index)),
        Ok(None) => Ok(None),
        Err(e) if errno(&e) == Some(ENODEV) => Ok(None),
        Err(e) => Err(failed("looking up a link")(e)),
    }
}

/// The IPv4 destinations of the host's routes (every table).
pub fn routes_v4() -> Result<Vec<Subnet>> {
    run(None, |handle| async move {
        let mut routes = handle
            .route()
            .get(RouteMessageBuilder::<Ipv4Addr>::new().build())
            .execute();
        let mut out = Vec::new();
        while let Some(route) = routes.try_next().await.map_err(failed("listing routes"))? {
            let prefix = route.header.destination_prefix_length;
            let dest = route.attributes.iter().find_map(|a| match a {
                RouteAttribute::Destination(RouteAddress::Inet(ip)) => Some(*ip),
                _ => None,
            });
            if let Some(subnet) = dest.and_then(|ip| Subnet::new(IpAddr::V4(ip), prefix)) {
                out.push(subnet);
            }
        }
        Ok(out)
    })
}

/// Makes the bridge `name` (when missing) with `addresses` on it, up.
pub fn ensure_bridge(name: &str, addresses: Vec<(IpAddr, u8)>) -> Result<()> {
    let name = name.to_string();
    run(None, move |handle| async move {
        bridge_up(&handle, &name, addresses).await.map(|_| ())
    })
}

/// [`ensure_bridge`] on a handle; the bridge's index.
async fn bridge_up(handle: &Handle, name: &str, addresses: Vec<(IpAddr, u8)>) -> Result<u32> {
    let index = match index(handle, name).await? {
        Some(i) => i,
        None => {
            handle
                .link()
                .add(LinkBridge::new(name).build())
                .execute()
                .await
                .map_err(failed("creating a bridge"))?;
            index(handle, name)
                .await?
                .ok_or_else(|| NetworkError::Netlink {
                    what: format!("bridge {name}"),
                    message: "missing right after its creation".into(),
                })?
        }
    };
    for (ip, prefix) in addresses {
        match add_address(handle, index, ip, prefix).execute().await {
            Err(e) if errno(&e) != Some(EEXIST) => return Err(failed("addressing a bridge")(e)),
            _ => {}
        }
    }
    handle
        .link()
        .set(LinkUnspec::new_with_index(index).up().build())
        .execute()
        .await
        .map_err(failed("bringing a bridge up"))?;
    Ok(index)
}

/// The first IPv4 address of link `name` with its prefix length, when the
/// link exists and has one.
pub fn ipv4_of(name: &str) -> Result<Option<(Ipv4Addr, u8)>> {
    let name = name.to_string();
    run(None, move |handle| async move {
        let Some(index) = index(&handle, &name).await? else {
            return Ok(None);
        };
        let mut addresses = handle
            .address()
            .get()
            .set_link_index_filter(index)
            .execute();
        while let Some(a) = addresses
            .try_next()
            .await
            .map_err(failed("listing addresses"))?
        {
            for attribute in &a.attributes {
                if let rtnetlink::packet_route::address::AddressAttribute::Address(IpAddr::V4(ip)) =
                    attribute
                {
                    return Ok(Some((*ip, a.header.prefix_len)));
                }
            }
        }
        Ok(None)
    })
}

/// Deletes link `name` (a bridge, or a veth with its peer); a missing
/// one is no error.
pub fn delete_link(name: &str) -> Result<()> {
    let name = name.to_string();
    run(None, move |handle| async move {
        let Some(index) = index(&handle, &name).await? else {
            return Ok(());
        };
        match handle.link().del(index).execute().await {
            Err(e) if errno(&e) != Some(ENODEV) => Err(failed("deleting a link")(e)),
            _ => Ok(()),
        }
    })
}

/// The names of the host's links (also for leak checks).
pub fn link_names() -> Result<Vec<String>> {
    run(None, |handle| async move {
        let mut links = handle.link().get().execute();
        let mut names = Vec::new();
        while let Some(link) = links.try_next().await.map_err(failed("listing links"))? {
            for a in link.attributes {
                if let rtnetlink::packet_route::link::LinkAttribute::IfName(n) = a {
                    names.push(n);
                }
            }
        }
        Ok(names)
    })
}

/// The priority of the default daemon's policy-routing rules (the one on
/// the default exec root).
pub const RULE_PRIORITY: u32 = 32100;

/// The priorities engined's rules may have: each daemon on a host (the
/// tests run many at once, sharing the default bridge) has one of its
/// own, so a sync replaces only its own rules and no daemon undoes
/// another's isolation of the bridge they share.
pub const RULE_PRIORITIES: std::ops::RangeInclusive<u32> = 31800..=32699;

/// The rule priority of the daemon whose exec root is `exec_root`:
/// [`RULE_PRIORITY`] for the default one, else one of
/// [`RULE_PRIORITIES`] picked by the root's SHA-256 (two daemons meet on
/// one with a chance of 1 in 900).
pub fn rule_priority(exec_root: &Path) -> u32 {
    use sha2::{Digest, Sha256};
    if exec_root == Path::new(crate::config::DEFAULT_EXEC_ROOT) {
        return RULE_PRIORITY;
    }
    let digest = Sha256::digest(exec_root.as_os_str().as_encoded_bytes());
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    let span = RULE_PRIORITIES.end() - RULE_PRIORITIES.start() + 1;
    RULE_PRIORITIES.start() + n % span
}

/// One isolation rule: what comes in on bridge `from` and goes to `to`
/// (anywhere when `None`) is refused (`prohibit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isolation {
    pub from: String,
    pub to: Option<Subnet>,
}

/// Makes the IPv4 rules at `priority` (this daemon's) exactly `rules`,
/// and drops rules at any of [`RULE_PRIORITIES`] whose bridge no longer
/// exists (a daemon that was killed with its networks removed after).
pub fn sync_rules(priority: u32, rules: Vec<Isolation>) -> Result<()> {
    let links = link_names()?;
    run(None, move |handle| async move {
        let mut existing = handle.rule().get(rtnetlink::IpVersion::V4).execute();
        let mut stale = Vec::new();
        while let Some(rule) = existing.try_next().await.map_err(failed("listing rules"))? {
            let Some(at) = rule.attributes.iter().find_map(|a| match a {
                RuleAttribute::Priority(p) => Some(*p),
                _ => None,
            }) else {
                continue;
            };
            if !RULE_PRIORITIES.contains(&at) {
                continue;
            }
            let from = rule.attributes.iter().find_map(|a| match a {
                RuleAttribute::Iifname(name) => Some(name.clone()),
                _ => None,
            });
            let gone = from.is_none_or(|name| !links.contains(&name));
            if at == priority || gone {
                stale.push(rule);
            }
        }
        for rule in stale {
            match handle.rule().del(rule).execute().await {
                Err(e) if errno(&e) != Some(ENOENT) => return Err(failed("deleting a rule")(e)),
                _ => {}
            }
        }
        for rule in rules {
            let mut add = handle
                .rule()
                .add()
                .v4()
                .input_interface(rule.from)
                .priority(priority)
                .action(RuleAction::Prohibit);
            add.message_mut().header.table = 0;
            if let Some(IpAddr::V4(net)) = rule.to.map(|s| s.network()) {
                let prefix = rule.to.map_or(0, |s| s.prefix());
                add = add.destination_prefix(net, prefix);
            }
            match add.execute().await {
                Err(e) if errno(&e) != Some(EEXIST) => return Err(failed("adding a rule")(e)),
                _ => {}
            }
        }
        Ok(())
    })
}

/// What an endpoint's link inside the container gets.
#[derive(Debug, Clone)]
pub struct Interface {
    pub ifname: String,
    pub mac: [u8; 6],
    pub address: IpAddr,
    pub prefix_len: u8,
    /// The default route's gateway; none on an internal network.
    pub gateway: Option<IpAddr>,
    /// The IPv6 address beside `address`, with its prefix length.
    pub ipv6: Option<(Ipv6Addr, u8)>,
    /// The IPv6 default route's gateway.
    pub gateway_v6: Option<Ipv6Addr>,
}

/// The bridge an endpoint joins: its name and gateway addresses (it is
/// made, addressed and brought up when it is not).
#[derive(Debug, Clone)]
pub struct Bridge {
    pub name: String,
    pub addresses: Vec<(IpAddr, u8)>,
}

/// A veth pair for an endpoint: `host` joins `bridge` on the host, its
/// peer is made in the namespace `netns` as `interface` there, with
/// loopback up too. One thread does it all (the host's side, then the
/// container's), as a container start waits for it.
///
/// The pair is made by one request: the host's end already on its
/// bridge and up, the peer already in the container's namespace with its
/// name and MAC. Moving a link between namespaces afterwards unregisters
/// it from the first one (the slowest step of the old way, tens of
/// milliseconds on a busy host), and each separate step is another round
/// trip; a start waits for all of them.
pub fn add_endpoint(host: &str, bridge: Bridge, netns: &Path, interface: Interface) -> Result<()> {
    let host = host.to_string();
    let netns_file = std::fs::File::open(netns)
        .map_err(|e| NetworkError::io(format!("opening {}", netns.display()), e))?;
    let ifname = interface.ifname.clone();
    let peer = LinkUnspec::new_with_name(&ifname)
        .address(interface.mac.to_vec())
        .setns_by_fd(netns_file.as_raw_fd())
        .build();
    let host_side = move |handle: Handle| async move {
        let bridge_index = bridge_up(&handle, &bridge.name, bridge.addresses).await?;
        let pair = LinkVeth::new(&host, &ifname)
            .set_info_data(InfoData::Veth(InfoVeth::Peer(peer)))
            .controller(bridge_index)
            .up()
            .build();
        let made = handle
            .link()
            .add(pair)
            .execute()
            .await
            .map_err(failed("creating a veth pair"));
        // The request used the namespace's descriptor; it may go now.
        drop(netns_file);
        made
    };
    run_then_inside(netns, host_side, move |handle| async move {
        if let Some(lo) = index(&handle, "lo").await? {
            handle
                .link()
                .set(LinkUnspec::new_with_index(lo).up().build())
                .execute()
                .await
                .map_err(failed("bringing loopback up"))?;
        }
        let link = index(&handle, &interface.ifname)
            .await?
            .ok_or_else(|| NetworkError::NotFound(format!("link {}", interface.ifname)))?;
        add_address(&handle, link, interface.address, interface.prefix_len)
            .execute()
            .await
            .map_err(failed("addressing the container's link"))?;
        if let Some((ip, prefix_len)) = interface.ipv6 {
            add_address(&handle, link, IpAddr::V6(ip), prefix_len)
                .execute()
                .await
                .map_err(failed("giving the container's link its IPv6 address"))?;
        }
        handle
            .link()
            .set(LinkUnspec::new_with_index(link).up().build())
            .execute()
            .await
            .map_err(failed("bringing the container's link up"))?;
        let mut routes = Vec::new();
        if let Some(IpAddr::V4(gateway)) = interface.gateway {
            let route = RouteMessageBuilder::<Ipv4Addr>::new().gateway(gateway);
            routes.push((
                route.output_interface(link).build(),
                "the container's default route",
            ));
        }
        if let Some(gateway) = interface.gateway_v6 {
            let route = RouteMessageBuilder::<Ipv6Addr>::new().gateway(gateway);
            routes.push((
                route.output_interface(link).build(),
                "the container's IPv6 default route",
            ));
        }
        for (route, what) in routes {
            match handle.route().add(route).execute().await {
                Err(e) if errno(&e) != Some(EEXIST) => return Err(failed(what)(e)),
                _ => {}
            }
        }
        Ok(())
    })
}

/// A request adding `ip/prefix` to link `index`. An IPv6 address skips
/// duplicate address detection (the subnet's addresses are ours to hand
/// out): else it stays tentative, unusable, for the first second or two
/// of the container's run.
fn add_address(
    handle: &Handle,
    index: u32,
    ip: IpAddr,
    prefix: u8,
) -> rtnetlink::AddressAddRequest {
    let mut request = handle.address().add(index, ip, prefix);
    if ip.is_ipv6() {
        let message = request.message_mut();
        message.header.flags |= AddressHeaderFlags::Nodad;
        message
            .attributes
            .push(AddressAttribute::Flags(AddressFlags::Nodad));
    }
    request
}

/// `aa:bb:cc:dd:ee:ff` as bytes.
pub fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = text.split(':');
    for byte in &mut out {
        *byte = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_exec_root_has_its_own_rule_priority() {
        assert_eq!(
            rule_priority(Path::new(crate::config::DEFAULT_EXEC_ROOT)),
            RULE_PRIORITY
        );
        let a = rule_priority(Path::new("/tmp/a/exec"));
        assert!(RULE_PRIORITIES.contains(&a), "{a}");
        assert_eq!(a, rule_priority(Path::new("/tmp/a/exec")));
        let all: std::collections::BTreeSet<u32> = (0..50)
            .map(|i| rule_priority(Path::new(&format!("/tmp/{i}/exec"))))
            .collect();
        assert!(all.len() > 40, "{all:?}");
        assert!(RULE_PRIORITIES.contains(&RULE_PRIORITY));
    }

    #[test]
    fn macs_parse() {
        assert_eq!(
            parse_mac("02:42:ac:11:00:02"),
            Some([2, 0x42, 0xac, 0x11, 0, 2])
        );
        assert_eq!(parse_mac("02:42:ac:11:00"), None);
        assert_eq!(parse_mac("02:42:ac:11:00:02:03"), None);
        assert_eq!(parse_mac("zz:42:ac:11:00:02"), None);
    }
}
