//! The network service: every network's record and every container's
//! endpoints, in memory and on disk under `<data-root>/network/`, with
//! the address spaces of each network; the predefined `bridge`, `host`
//! and `none`; create, find, remove; a container's endpoints brought
//! up (a veth pair into its namespace) and down around its runs; and its
//! published ports (proxy and NAT), recorded with its endpoints so that a
//! restarted daemon publishes them again.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::error::{NetworkError, Result};
use super::ipam::{self, AddressSpace, Subnet};
use super::model::{
    ActiveEndpoint, ActiveIpv6, ContainerEndpoints, Endpoint, NetworkRecord, PoolRecord, BRIDGE,
    HOST, NULL, OPT_BRIDGE_NAME, PREDEFINED,
};
use super::nat::{self, Forward, Masquerade, Nat};
use super::settings::Settings;
use super::{dns, netlink, netns, ports};
use crate::sync::lock;
use engined_shim::atomic::{self, Durability};

/// The Linux bridge of the default network (dockerd's is `docker0`).
pub const DEFAULT_BRIDGE_NAME: &str = "engined0";

/// What `docker network create` asks for.
#[derive(Debug, Clone, Default)]
pub struct CreateRequest {
    pub name: String,
    pub driver: String,
    pub internal: bool,
    pub attachable: bool,
    pub enable_ipv6: bool,
    pub ipam_driver: String,
    pub ipam_options: BTreeMap<String, String>,
    pub pools: Vec<PoolRecord>,
    pub options: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}

#[derive(Default)]
struct State {
    networks: BTreeMap<String, NetworkRecord>,
    containers: BTreeMap<String, ContainerEndpoints>,
    spaces: HashMap<String, Vec<AddressSpace>>,
}

pub struct Networks {
    /// `<data-root>/network`
    root: PathBuf,
    /// `<exec-root>/netns`
    netns_dir: PathBuf,
    state: Arc<Mutex<State>>,
    /// The threads finishing the endpoints of runs that ended, by
    /// container ([`Networks::deactivate`]).
    pending: Mutex<HashMap<String, Vec<std::thread::JoinHandle<()>>>>,
    /// The embedded DNS servers of running containers on user networks.
    pub dns: dns::Servers,
    /// The published ports of running containers.
    pub ports: ports::Proxies,
    /// engined's NAT table.
    pub nat: Nat,
    /// The priority of this daemon's isolation rules.
    rule_priority: u32,
    settings: Settings,
}

/// A fresh 64-hex-digit id (the containers' helper lives above this
/// module in the layers, so it cannot be reused here).
fn new_id() -> Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| NetworkError::io("generating an id", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn now() -> String {
    humantime::format_rfc3339_nanos(std::time::SystemTime::now()).to_string()
}

fn read_dir_json<T: serde::de::DeserializeOwned>(dir: &Path) -> Vec<T> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| {
            let text = std::fs::read(e.path()).ok()?;
            match serde_json::from_slice(&text) {
                Ok(v) => Some(v),
                Err(err) => {
                    tracing::warn!("ignoring {}: {err}", e.path().display());
                    None
                }
            }
        })
        .collect()
}

/// The address spaces of a network's IPv4 and IPv6 pools.
fn spaces_of(record: &NetworkRecord) -> Vec<AddressSpace> {
    record
        .pools
        .iter()
        .filter_map(|p| {
            let subnet = Subnet::parse(&p.subnet).ok()?;
            let range = Subnet::parse(&p.ip_range).ok();
            let gateway = p.gateway.parse().ok();
            Some(AddressSpace::new(subnet, range, gateway))
        })
        .collect()
}

/// The host's routes, none when they cannot be read (then only the
/// other networks are avoided).
fn host_routes() -> Vec<Subnet> {
    netlink::routes_v4().unwrap_or_else(|e| {
        tracing::warn!("reading the host's routes: {e}");
        Vec::new()
    })
}

impl Networks {
    /// Loads `<data-root>/network/`, adding the predefined networks the
    /// first time, with the networking `settings` of the daemon.
    pub fn open(data_root: &Path, exec_root: &Path, settings: Settings) -> Result<Networks> {
        let root = data_root.join("network");
        for dir in ["networks", "endpoints"] {
            std::fs::create_dir_all(root.join(dir))
                .map_err(|e| NetworkError::io(format!("creating {}", root.display()), e))?;
        }
        let mut state = State::default();
        for record in read_dir_json::<NetworkRecord>(&root.join("networks")) {
            state.networks.insert(record.id.clone(), record);
        }
        for c in read_dir_json::<ContainerEndpoints>(&root.join("endpoints")) {
            state.containers.insert(c.container_id.clone(), c);
        }
        let localnet_record = root.join(nat::localnet::RECORD_FILE);
        let networks = Networks {
            root,
            netns_dir: exec_root.join("netns"),
            state: Arc::new(Mutex::new(State::default())),
            pending: Mutex::new(HashMap::new()),
            dns: dns::Servers::default(),
            ports: ports::Proxies::new(settings.userland_proxy),
            nat: Nat::new(
                nat::nft::table_name(exec_root),
                settings.nat,
                settings.userland_proxy,
                localnet_record,
            ),
            rule_priority: netlink::rule_priority(exec_root),
            settings,
        };
        // Named where tools (the test harness, an operator cleaning up
        // after a crash) find it without knowing how the name is made.
        let named = exec_root.join(nat::nft::TABLE_FILE);
        if let Err(e) = std::fs::write(&named, nat::nft::table_name(exec_root)) {
            tracing::warn!("writing {}: {e}", named.display());
        }
        if !networks.nat.enabled() {
            // `iptables: false`: no rules at all, not even an old run's.
            if let Err(e) = networks.nat.remove_table() {
                tracing::warn!("removing the NAT table of an earlier run: {e}");
            }
        }
        if networks.settings.ip_forward {
            match nat::forwarding::ensure(Path::new(nat::forwarding::IP_FORWARD), true) {
                Ok(true) => {}
                Ok(false) => tracing::warn!("IPv4 forwarding is disabled"),
                Err(e) => tracing::warn!("ip-forward: {e}"),
            }
        }
        for (name, driver) in [("bridge", BRIDGE), ("host", HOST), ("none", NULL)] {
            if !state
                .networks
                .values()
                .any(|n| n.predefined && n.name == name)
            {
                let record = networks.predefined(name, driver, &state)?;
                networks.save_network(&record)?;
                state.networks.insert(record.id.clone(), record);
            }
        }
        for record in state.networks.values() {
            state.spaces.insert(record.id.clone(), spaces_of(record));
        }
        for c in state.containers.values() {
            for e in &c.endpoints {
                if let (Some(a), Some(spaces)) = (&e.active, state.spaces.get_mut(&e.network_id)) {
                    for ip in a.addresses() {
                        spaces
                            .iter_mut()
                            .filter(|s| s.subnet.contains(ip))
                            .for_each(|s| s.mark(ip));
                    }
                }
            }
        }
        *lock(&networks.state) = state;
        Ok(networks)
    }

    fn predefined(&self, name: &str, driver: &str, state: &State) -> Result<NetworkRecord> {
        let mut record = NetworkRecord {
            id: new_id()?,
            name: name.into(),
            driver: driver.into(),
            created: now(),
            enable_ipv6: false,
            internal: false,
            attachable: false,
            ipam_options: None,
            pools: Vec::new(),
            options: BTreeMap::new(),
            labels: BTreeMap::new(),
            predefined: true,
        };
        if driver == BRIDGE {
            let taken = taken_subnets(state, None);
            let routes = host_routes();
            let default: Subnet =
                Subnet::parse(ipam::DEFAULT_BRIDGE).map_err(NetworkError::InvalidArgument)?;
            // `bip` names the address; else a default bridge already
            // there (left by an earlier engined, or shared with another)
            // keeps its address, as dockerd keeps docker0's.
            let bip = self
                .settings
                .bip
                .and_then(|(ip, prefix)| Subnet::new(ip, prefix).map(|s| (s, ip)));
            let existing = netlink::ipv4_of(DEFAULT_BRIDGE_NAME).ok().flatten();
            let existing = bip.or_else(|| {
                existing.and_then(|(ip, prefix)| {
                    Subnet::new(IpAddr::V4(ip), prefix).map(|s| (s, IpAddr::V4(ip)))
                })
            });
            let pools = self.pools();
            let subnet = if let Some((subnet, _)) = existing {
                subnet
            } else if pools.is_empty() && ipam::choose_pool(&taken, &routes) == Some(default) {
                default
            } else {
                ipam::choose_pool_in(&pools, &taken, &routes).ok_or_else(|| no_pool("IPv4"))?
            };
            let gateway = existing
                .map(|(_, gw)| gw)
                .or_else(|| subnet.first_host())
                .map(|g| g.to_string())
                .unwrap_or_default();
            record.pools.push(PoolRecord {
                subnet: subnet.to_string(),
                gateway,
                ..Default::default()
            });
            for (k, v) in [
                ("com.docker.network.bridge.default_bridge", "true"),
                ("com.docker.network.bridge.enable_icc", "true"),
                ("com.docker.network.bridge.enable_ip_masquerade", "true"),
                ("com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"),
                (OPT_BRIDGE_NAME, DEFAULT_BRIDGE_NAME),
                ("com.docker.network.driver.mtu", "1500"),
            ] {
                record.options.insert(k.into(), v.into());
            }
        }
        Ok(record)
    }

    fn save_network(&self, record: &NetworkRecord) -> Result<()> {
        let path = self
            .root
            .join("networks")
            .join(format!("{}.json", record.id));
        atomic::write_json(&path, record)
            .map_err(|e| NetworkError::io(format!("saving network {}", record.name), e))
    }

    /// Saves a container's endpoints ([`save_endpoints_in`]).
    fn save_endpoints(&self, c: &ContainerEndpoints, durability: Durability) -> Result<()> {
        save_endpoints_in(&self.root, c, durability)
    }

    /// Every network, by name.
    pub fn list(&self) -> Vec<NetworkRecord> {
        let mut all: Vec<NetworkRecord> = lock(&self.state).networks.values().cloned().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// A network by full id, name, or unique id prefix (dockerd's order);
    /// `default` names the default bridge.
    pub fn find(&self, term: &str) -> Result<NetworkRecord> {
        find_in(&lock(&self.state), term)
    }

    /// `docker network create`.
    pub fn create(&self, req: CreateRequest) -> Result<NetworkRecord> {
        if PREDEFINED.contains(&req.name.as_str()) {
            return Err(NetworkError::Predefined(req.name));
        }
        let driver = if req.driver.is_empty() {
            BRIDGE.to_string()
        } else {
            req.driver.clone()
        };
        match driver.as_str() {
            BRIDGE => {}
            HOST | NULL => {
                return Err(NetworkError::Forbidden(format!(
                    "only one instance of \"{driver}\" network is allowed"
                )))
            }
            other => return Err(NetworkError::DriverNotFound(other.to_string())),
        }
        if !req.ipam_driver.is_empty() && req.ipam_driver != "default" {
            return Err(NetworkError::DriverNotFound(req.ipam_driver));
        }
        let mut state = lock(&self.state);
        if state.networks.values().any(|n| n.name == req.name) {
            return Err(NetworkError::NameConflict(req.name));
        }
        let id = new_id()?;
        let pools = pools_for(&state, &req, &self.pools())?;
        let record = NetworkRecord {
            id: id.clone(),
            name: req.name,
            driver,
            created: now(),
            enable_ipv6: req.enable_ipv6,
            internal: req.internal,
            attachable: req.attachable,
            ipam_options: Some(req.ipam_options),
            pools,
            options: req.options,
            labels: req.labels,
            predefined: false,
        };
        self.bridge_up(&record)?;
        if let Err(e) = self.save_network(&record) {
            if let Some(bridge) = record.bridge_name() {
                let _ = netlink::delete_link(&bridge);
            }
            return Err(e);
        }
        state.spaces.insert(id.clone(), spaces_of(&record));
        state.networks.insert(id, record.clone());
        self.sync_rules(&state);
        Ok(record)
    }

    /// `docker network rm`: refused for the predefined networks and for
    /// networks with containers on them (running ones).
    pub fn remove(&self, term: &str) -> Result<NetworkRecord> {
        // Links of ended runs still on the bridge go first.
        self.settle_all();
        let mut state = lock(&self.state);
        let record = find_in(&state, term)?;
        if record.predefined {
            return Err(NetworkError::PredefinedRemove(record.name));
        }
        if active_on(&state, &record.id) > 0 {
            return Err(NetworkError::ActiveEndpoints {
                name: record.name,
                id: record.id,
            });
        }
        if let Some(bridge) = record.bridge_name() {
            netlink::delete_link(&bridge)?;
            self.nat.localnet.forget(&bridge);
        }
        let path = self
            .root
            .join("networks")
            .join(format!("{}.json", record.id));
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(NetworkError::io(
                    format!("removing network {}", record.name),
                    e,
                ))
            }
            _ => {}
        }
        state.networks.remove(&record.id);
        state.spaces.remove(&record.id);
        self.sync_rules(&state);
        Ok(record)
    }

    /// The containers with an endpoint up on network `id`: (container
    /// id, name, endpoint).
    pub fn attached(&self, id: &str) -> Vec<(String, String, ActiveEndpoint)> {
        let state = lock(&self.state);
        state
            .containers
            .values()
            .flat_map(|c| {
                c.endpoints
                    .iter()
                    .filter(|e| e.network_id == id)
                    .filter_map(|e| e.active.clone())
                    .map(|a| (c.container_id.clone(), c.name.clone(), a))
            })
            .collect()
    }

    /// Whether container `container` resolves names through the embedded
    /// DNS server: it is on a user network (not a predefined one).
    pub fn uses_embedded_dns(&self, container: &str) -> bool {
        let state = lock(&self.state);
        state.containers.get(container).is_some_and(|c| {
            c.endpoints.iter().any(|e| {
                state
                    .networks
                    .get(&e.network_id)
                    .is_some_and(|n| !n.predefined && n.bridge_name().is_some())
            })
        })
    }

    /// The endpoints up on the user networks where container `container`
    /// has one up: the names its embedded DNS server answers.
    pub fn neighbours(&self, container: &str) -> Vec<dns::Neighbour> {
        let state = lock(&self.state);
        let Some(asking) = state.containers.get(container) else {
            return Vec::new();
        };
        let shared: Vec<&NetworkRecord> = asking
            .endpoints
            .iter()
            .filter(|e| e.active.is_some())
            .filter_map(|e| state.networks.get(&e.network_id))
            .filter(|n| !n.predefined)
            .collect();
        let mut out = Vec::new();
        for network in shared {
            for c in state.containers.values() {
                for e in c.endpoints.iter().filter(|e| e.network_id == network.id) {
                    for ip in e.active.iter().flat_map(|a| a.addresses()) {
                        out.push(dns::Neighbour {
                            network: network.name.clone(),
                            container_id: c.container_id.clone(),
                            container_name: c.name.clone(),
                            aliases: e.aliases.clone(),
                            ip,
                        });
                    }
                }
            }
        }
        out
    }

    /// Whether a running container is on network `id`.
    pub fn in_use(&self, id: &str) -> bool {
        active_on(&lock(&self.state), id) > 0
    }

    /// The endpoints of container `id` (what it asked for, and what it got
    /// while it runs).
    pub fn endpoints(&self, container: &str) -> Option<ContainerEndpoints> {
        lock(&self.state).containers.get(container).cloned()
    }

    /// Records the networks a new container is on.
    pub fn set_endpoints(
        &self,
        container: &str,
        name: &str,
        endpoints: Vec<Endpoint>,
    ) -> Result<()> {
        self.settle(container);
        let c = ContainerEndpoints {
            container_id: container.into(),
            name: name.into(),
            endpoints,
            published: Vec::new(),
        };
        self.save_endpoints(&c, Durability::Full)?;
        lock(&self.state).containers.insert(container.into(), c);
        Ok(())
    }

    /// Adds network `endpoint.network_id` to container `container`'s
    /// networks; with `netns` (it runs) the endpoint comes up at once.
    pub fn connect(
        &self,
        container: &str,
        name: &str,
        endpoint: Endpoint,
        netns: Option<&Path>,
    ) -> Result<()> {
        self.settle(container);
        let mut state = lock(&self.state);
        let network = state
            .networks
            .get(&endpoint.network_id)
            .cloned()
            .ok_or_else(|| NetworkError::NotFound(endpoint.network_id.clone()))?;
        let c = state
            .containers
            .entry(container.to_string())
            .or_insert_with(|| ContainerEndpoints {
                container_id: container.into(),
                name: name.into(),
                endpoints: Vec::new(),
                published: Vec::new(),
            });
        if c.endpoints.iter().any(|e| e.network_id == network.id) {
            return Err(NetworkError::Forbidden(format!(
                "endpoint with name {name} already exists in network {}",
                network.name
            )));
        }
        c.endpoints.push(endpoint);
        let index = c.endpoints.len() - 1;
        if let Some(netns) = netns {
            if let Err(e) = self.activate_locked(&mut state, container, index, netns) {
                if let Some(c) = state.containers.get_mut(container) {
                    c.endpoints.remove(index);
                }
                return Err(e);
            }
        }
        let c = state.containers.get(container).cloned().unwrap_or_default();
        self.save_endpoints(&c, Durability::Full)
    }

    /// Takes container `container` off network `network` (its endpoint
    /// goes down first when up).
    pub fn disconnect(&self, container: &str, network: &NetworkRecord) -> Result<()> {
        self.settle(container);
        let mut state = lock(&self.state);
        let Some(index) = state
            .containers
            .get(container)
            .and_then(|c| c.endpoints.iter().position(|e| e.network_id == network.id))
        else {
            return Err(NetworkError::Forbidden(format!(
                "container {container} is not connected to network {}",
                network.name
            )));
        };
        deactivate_locked(&mut state, container, index);
        if let Some(c) = state.containers.get_mut(container) {
            c.endpoints.remove(index);
            let c = c.clone();
            self.save_endpoints(&c, Durability::Full)?;
        }
        Ok(())
    }

    /// Where container `container`'s network namespace is held while it
    /// runs.
    pub fn netns_path(&self, container: &str) -> PathBuf {
        self.netns_dir.join(container)
    }

    /// Before a run: a namespace of its own for container `container`, and
    /// each of its endpoints up in it; returns the namespace file. Nothing
    /// stays behind when it fails.
    pub fn activate(&self, container: &str) -> Result<PathBuf> {
        let path = self.netns_path(container);
        self.deactivate(container);
        self.settle(container);
        netns::create(&path)?;
        let mut state = lock(&self.state);
        let count = state
            .containers
            .get(container)
            .map_or(0, |c| c.endpoints.len());
        for index in 0..count {
            if let Err(e) = self.activate_locked(&mut state, container, index, &path) {
                drop(state);
                self.deactivate(container);
                return Err(e);
            }
        }
        let c = state.containers.get(container).cloned();
        drop(state);
        if let Some(c) = c {
            self.save_endpoints(&c, Durability::Contents)?;
        }
        Ok(path)
    }

    fn activate_locked(
        &self,
        state: &mut State,
        container: &str,
        index: usize,
        netns: &Path,
    ) -> Result<()> {
        let Some(endpoint) = state
            .containers
            .get(container)
            .and_then(|c| c.endpoints.get(index))
            .cloned()
        else {
            return Ok(());
        };
        let network = state
            .networks
            .get(&endpoint.network_id)
            .cloned()
            .ok_or_else(|| NetworkError::NotFound(endpoint.network_id.clone()))?;
        let Some(bridge) = network.bridge_name() else {
            // `host` and `none` endpoints have nothing to bring up.
            return Ok(());
        };
        let used: Vec<String> = state
            .containers
            .get(container)
            .map(|c| {
                c.endpoints
                    .iter()
                    .filter_map(|e| e.active.as_ref().map(|a| a.ifname.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let ifname = (0..)
            .map(|n| format!("eth{n}"))
            .find(|n| !used.contains(n))
            .unwrap_or_else(|| "eth0".into());
        let spaces = state.spaces.entry(network.id.clone()).or_default();
        let space = spaces
            .iter_mut()
            .find(|s| s.subnet.is_ipv4())
            .ok_or_else(|| {
                NetworkError::Unavailable(format!("network {} has no IPv4 subnet", network.name))
            })?;
        let ip = space
            .allocate(endpoint.requested_ip)
            .map_err(NetworkError::Unavailable)?;
        let prefix_len = space.subnet.prefix();
        let gateway = space.gateway.filter(|_| !network.internal);
        let shown_gateway = space.gateway;
        let ipv6 = if network.enable_ipv6 {
            match allocate_v6(spaces, &network, endpoint.requested_ipv6) {
                Ok(v6) => Some(v6),
                Err(e) => {
                    release(spaces, ip);
                    return Err(e);
                }
            }
        } else {
            None
        };
        let endpoint_id = match new_id() {
            Ok(id) => id,
            Err(e) => {
                release_all(spaces, ip, ipv6.as_ref());
                return Err(e);
            }
        };
        let mac = endpoint.requested_mac.clone().unwrap_or_else(|| match ip {
            IpAddr::V4(v4) => ipam::mac_for(v4),
            IpAddr::V6(_) => ipam::mac_for(Ipv4Addr::UNSPECIFIED),
        });
        let host_link = format!("veth{}", &endpoint_id[..7]);
        let up = netlink::parse_mac(&mac)
            .ok_or_else(|| NetworkError::InvalidArgument(format!("invalid MAC address: {mac}")))
            .and_then(|mac_bytes| {
                netlink::add_endpoint(
                    &host_link,
                    netlink::Bridge {
                        name: bridge.clone(),
                        addresses: gateways(&network),
                    },
                    netns,
                    netlink::Interface {
                        ifname: ifname.clone(),
                        mac: mac_bytes,
                        address: ip,
                        prefix_len,
                        gateway,
                        ipv6: ipv6.as_ref().map(|v6| (v6.ip, v6.prefix_len)),
                        gateway_v6: ipv6
                            .as_ref()
                            .and_then(|v6| v6.gateway)
                            .filter(|_| !network.internal),
                    },
                )
            })
            .and_then(|()| self.nat.bridge_ready(&bridge));
        if let Err(e) = up {
            let _ = netlink::delete_link(&host_link);
            if let Some(spaces) = state.spaces.get_mut(&network.id) {
                release_all(spaces, ip, ipv6.as_ref());
            }
            return Err(e);
        }
        if let Some(e) = state
            .containers
            .get_mut(container)
            .and_then(|c| c.endpoints.get_mut(index))
        {
            e.active = Some(ActiveEndpoint {
                endpoint_id,
                ip,
                prefix_len,
                gateway: shown_gateway,
                mac,
                host_link,
                ifname,
                ipv6,
            });
        }
        Ok(())
    }

    /// After a run: every endpoint of container `container` down (its host
    /// link deleted, its address free again) and its namespace file gone.
    /// Harmless when nothing is up.
    ///
    /// The caller (a run's end, which a `docker run --rm` or a `wait`
    /// waits for) waits only for the endpoints to be marked down and the
    /// namespace file to go; deleting the links (tens of milliseconds
    /// each on a busy host) and then freeing the addresses and
    /// saving the record go on on a thread of their own, which whatever
    /// next needs them waits for ([`Networks::settle`]: the container's
    /// next start, its removal, a network's removal, the daemon's stop).
    /// The namespace goes first, so even a daemon killed meanwhile leaves
    /// no link: the kernel deletes a pair with the namespace of its peer.
    pub fn deactivate(&self, container: &str) {
        self.settle(container);
        self.unpublish(container);
        let mut state = lock(&self.state);
        let mut down = Vec::new();
        let mut changed = false;
        if let Some(c) = state.containers.get_mut(container) {
            for e in &mut c.endpoints {
                if let Some(active) = e.active.take() {
                    down.push((e.network_id.clone(), active));
                }
            }
            changed = !down.is_empty() || !c.published.is_empty();
            c.published.clear();
        }
        drop(state);
        if let Err(e) = netns::remove(&self.netns_path(container)) {
            tracing::warn!("{e}");
        }
        // Saved only when something was up: a start deactivates first,
        // and a removal after the run's end, with nothing to write.
        if !changed {
            return;
        }
        let (state, root, id) = (self.state.clone(), self.root.clone(), container.to_string());
        let job = move || {
            for (_, active) in &down {
                if let Err(e) = netlink::delete_link(&active.host_link) {
                    tracing::warn!("container {id}: {e}");
                }
            }
            let mut state = lock(&state);
            for (network, active) in &down {
                if let Some(spaces) = state.spaces.get_mut(network) {
                    release_all(spaces, active.ip, active.ipv6.as_ref());
                }
            }
            let c = state.containers.get(&id).cloned();
            drop(state);
            if let Some(c) = c {
                if let Err(e) = save_endpoints_in(&root, &c, Durability::Contents) {
                    tracing::warn!("{e}");
                }
            }
        };
        // When no thread can be had, the caller does the work itself.
        let slot = Arc::new(Mutex::new(Some(job)));
        let theirs = slot.clone();
        let spawned = std::thread::Builder::new()
            .name("endpoint-down".into())
            .spawn(move || {
                if let Some(job) = lock(&theirs).take() {
                    job();
                }
            });
        match spawned {
            Ok(handle) => lock(&self.pending)
                .entry(container.to_string())
                .or_default()
                .push(handle),
            Err(e) => {
                tracing::warn!("container {container}: a thread for its endpoints: {e}");
                if let Some(job) = lock(&slot).take() {
                    job();
                }
            }
        }
    }

    /// Waits until the endpoints of container `container` that went down
    /// are gone: links deleted, addresses free, record saved. Call
    /// without the state's lock held.
    pub fn settle(&self, container: &str) {
        let handles = lock(&self.pending).remove(container);
        for handle in handles.into_iter().flatten() {
            let _ = handle.join();
        }
    }

    /// [`Networks::settle`] for every container.
    pub fn settle_all(&self) {
        let all = std::mem::take(&mut *lock(&self.pending));
        for handle in all.into_values().flatten() {
            let _ = handle.join();
        }
    }

    /// A removed container: its endpoints down and forgotten.
    pub fn forget(&self, container: &str) {
        self.deactivate(container);
        self.settle(container);
        lock(&self.state).containers.remove(container);
        let path = self
            .root
            .join("endpoints")
            .join(format!("{container}.json"));
        let _ = std::fs::remove_file(path);
    }

    /// At daemon start: the bridges of every bridge network exist again,
    /// and whatever a container that is not running (`running` says)
    /// left behind goes: its endpoints, its namespace file, and namespace
    /// files of containers engined does not know.
    pub fn restore(&self, running: &dyn Fn(&str) -> bool) {
        for network in self.list() {
            if let Err(e) = self.bridge_up(&network) {
                tracing::warn!("network {}: {e}", network.name);
            }
        }
        // The table is rebuilt from the records (replacing whatever a
        // daemon that was killed left); the running containers' ports
        // come back with `republish`.
        self.sync_rules(&lock(&self.state));
        let known: Vec<String> = lock(&self.state).containers.keys().cloned().collect();
        for id in &known {
            if !running(id) {
                self.deactivate(id);
            }
        }
        self.settle_all();
        self.remove_orphan_ports();
        for path in netns::list(&self.netns_dir) {
            let id = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if id.is_some_and(|id| !running(&id)) {
                tracing::info!("removing the stale namespace {}", path.display());
                if let Err(e) = netns::remove(&path) {
                    tracing::warn!("{e}");
                }
            }
        }
    }
}

impl Networks {
    /// The Linux bridge of a bridge network with its gateways, and what
    /// NAT needs of it (`route_localnet` with the proxy off).
    fn bridge_up(&self, record: &NetworkRecord) -> Result<()> {
        ensure_bridge(record)?;
        match record.bridge_name() {
            Some(bridge) => self.nat.bridge_ready(&bridge),
            None => Ok(()),
        }
    }

    /// The `default-address-pools` as (base, size).
    fn pools(&self) -> Vec<(Subnet, u8)> {
        self.settings
            .pools
            .iter()
            .map(|p| (p.base, p.size))
            .collect()
    }

    /// Makes the routing rules and the NAT table's masquerades match the
    /// networks.
    fn sync_rules(&self, state: &State) {
        sync_isolation(state, self.rule_priority, self.nat.enabled());
        if let Err(e) = self.nat.set_masquerades(masquerades(state)) {
            tracing::warn!("the NAT table: {e}");
        }
    }

    /// Publishes `wanted` of running container `container` at `ip`: the
    /// host ports bound (served by the proxy, or held), their DNAT
    /// rules, and the bindings recorded. All or nothing. Call on the
    /// daemon's runtime.
    pub async fn publish(
        &self,
        container: &str,
        ip: IpAddr,
        wanted: &[ports::Wanted],
    ) -> Result<Vec<ports::Published>> {
        let published = self.ports.start(container, ip, wanted).await?;
        if let Err(e) = self.record_published(container, ip, &published) {
            self.ports.stop(container);
            return Err(e);
        }
        Ok(published)
    }

    /// A restarted daemon: container `container` (running, at `ip`) gets
    /// the ports it had again, the same host ports.
    pub async fn republish(&self, container: &str, ip: IpAddr) -> Result<()> {
        let had = self
            .endpoints(container)
            .map(|c| c.published)
            .unwrap_or_default();
        if had.is_empty() {
            return Ok(());
        }
        let wanted: Vec<ports::Wanted> = had
            .iter()
            .map(|p| ports::Wanted {
                proto: p.proto,
                container_port: p.container_port,
                host_ip: p.host_ip,
                host_ports: Some((p.host_port, p.host_port)),
            })
            .collect();
        self.publish(container, ip, &wanted).await.map(|_| ())
    }

    fn record_published(
        &self,
        container: &str,
        ip: IpAddr,
        published: &[ports::Published],
    ) -> Result<()> {
        self.settle(container);
        let mut state = lock(&self.state);
        let forwards = forwards_for(&state, container, ip, published);
        self.nat.set_forwards(container, forwards)?;
        let saved = state.containers.get_mut(container).map(|c| {
            c.published = published.to_vec();
            c.clone()
        });
        drop(state);
        match saved {
            Some(c) => self.save_endpoints(&c, Durability::Contents),
            None => Ok(()),
        }
    }

    /// Container `container`'s ports are no longer published (proxies
    /// ended, rules gone).
    pub fn unpublish(&self, container: &str) {
        self.ports.stop(container);
        if let Err(e) = self.nat.remove_forwards(container) {
            tracing::warn!("container {container}: the NAT table: {e}");
        }
    }

    /// `docker rename`: the container's name on its networks (what the
    /// embedded DNS servers answer to) is now `name`.
    pub fn rename(&self, container: &str, name: &str) -> Result<()> {
        self.settle(container);
        let saved = {
            let mut state = lock(&self.state);
            state.containers.get_mut(container).map(|c| {
                c.name = name.to_string();
                c.clone()
            })
        };
        match saved {
            Some(c) => self.save_endpoints(&c, Durability::Full),
            None => Ok(()),
        }
    }

    /// The daemon stops with its containers stopped: its NAT table and
    /// isolation rules go, and the bridges' `route_localnet` is what it
    /// was (with forwards left, live-restore's, all stay).
    pub fn shutdown(&self) {
        self.settle_all();
        if self.nat.has_forwards() {
            return;
        }
        if self.nat.enabled() {
            if let Err(e) = self.nat.remove_table() {
                tracing::warn!("removing the NAT table: {e}");
            }
        }
        self.nat.localnet.restore();
        // Its isolation rules too (on the shared default bridge they
        // would outlive it); a restart writes them again.
        if let Err(e) = netlink::sync_rules(self.rule_priority, Vec::new()) {
            tracing::warn!("removing the isolation rules: {e}");
        }
    }

    /// Deletes the ports of this daemon's own bridges that no endpoint
    /// knows (a crash between making a veth pair and recording it). The
    /// default bridge is left alone: other engineds may share it.
    fn remove_orphan_ports(&self) {
        let (bridges, known): (Vec<String>, BTreeSet<String>) = {
            let state = lock(&self.state);
            let bridges = state
                .networks
                .values()
                .filter(|n| !n.predefined)
                .filter_map(NetworkRecord::bridge_name)
                .collect();
            let known = state
                .containers
                .values()
                .flat_map(|c| &c.endpoints)
                .filter_map(|e| e.active.as_ref().map(|a| a.host_link.clone()))
                .collect();
            (bridges, known)
        };
        for bridge in bridges {
            let ports = std::fs::read_dir(Path::new("/sys/class/net").join(&bridge).join("brif"));
            for port in ports.into_iter().flatten().flatten() {
                let name = port.file_name().to_string_lossy().into_owned();
                if !known.contains(&name) {
                    tracing::info!("removing {name}, a link of {bridge} no endpoint knows");
                    if let Err(e) = netlink::delete_link(&name) {
                        tracing::warn!("{e}");
                    }
                }
            }
        }
    }
}

/// Saves a container's endpoints under `root` (`<data-root>/network`):
/// with [`Durability::Full`] what it asks for (create, connect, rename),
/// with [`Durability::Contents`] what a run brings up and down around it
/// (which addresses and links are up, the ports published): after a
/// power loss none of that is up any more, so the record before the
/// change is as good, and a start does not wait for the directory's
/// sync.
fn save_endpoints_in(root: &Path, c: &ContainerEndpoints, durability: Durability) -> Result<()> {
    let path = root
        .join("endpoints")
        .join(format!("{}.json", c.container_id));
    atomic::write_json_with(&path, c, durability)
        .map_err(|e| NetworkError::io(format!("saving the endpoints of {}", c.container_id), e))
}

/// dockerd's error when no pool of `family` (`IPv4`, `IPv6`) is left.
fn no_pool(family: &str) -> NetworkError {
    NetworkError::Unavailable(format!(
        "could not find an available, non-overlapping {family} address pool among the defaults to assign to the network"
    ))
}

fn find_in(state: &State, term: &str) -> Result<NetworkRecord> {
    let term_or_bridge = if term == "default" { "bridge" } else { term };
    if let Some(n) = state.networks.get(term) {
        return Ok(n.clone());
    }
    if let Some(n) = state.networks.values().find(|n| n.name == term_or_bridge) {
        return Ok(n.clone());
    }
    let by_prefix: Vec<&NetworkRecord> = if term.is_empty() {
        Vec::new()
    } else {
        state
            .networks
            .values()
            .filter(|n| n.id.starts_with(term))
            .collect()
    };
    match by_prefix.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(NetworkError::NotFound(term.to_string())),
        many => Err(NetworkError::Ambiguous {
            term: term.to_string(),
            count: many.len(),
        }),
    }
}

fn active_on(state: &State, id: &str) -> usize {
    state
        .containers
        .values()
        .flat_map(|c| &c.endpoints)
        .filter(|e| e.network_id == id && e.active.is_some())
        .count()
}

/// The IPv4 and IPv6 subnets of every network but `except`.
fn taken_subnets(state: &State, except: Option<&str>) -> Vec<Subnet> {
    state
        .networks
        .values()
        .filter(|n| Some(n.id.as_str()) != except)
        .flat_map(|n| &n.pools)
        .filter_map(|p| Subnet::parse(&p.subnet).ok())
        .collect()
}

/// The pools of a new network: the ones asked for, checked, with their
/// gateways; else a free default pool.
fn pools_for(
    state: &State,
    req: &CreateRequest,
    defaults: &[(Subnet, u8)],
) -> Result<Vec<PoolRecord>> {
    let taken = taken_subnets(state, None);
    let mut pools = Vec::new();
    for p in &req.pools {
        if p.subnet.is_empty() {
            if !p.ip_range.is_empty() || !p.gateway.is_empty() {
                return Err(NetworkError::InvalidArgument(
                    "Invalid IPAM config: a subnet is required with an ip-range or a gateway"
                        .into(),
                ));
            }
            continue;
        }
        let subnet = Subnet::parse(&p.subnet).map_err(NetworkError::InvalidArgument)?;
        if taken
            .iter()
            .chain(
                pools
                    .iter()
                    .filter_map(|p: &PoolRecord| Subnet::parse(&p.subnet).ok())
                    .collect::<Vec<_>>()
                    .iter(),
            )
            .any(|t| t.overlaps(subnet))
        {
            return Err(NetworkError::Forbidden(
                "Pool overlaps with other one on this address space".into(),
            ));
        }
        if !p.ip_range.is_empty() {
            let range = Subnet::parse(&p.ip_range).map_err(NetworkError::InvalidArgument)?;
            if !subnet.contains(range.network()) || range.prefix() < subnet.prefix() {
                return Err(NetworkError::InvalidArgument(format!(
                    "Invalid range {range} for subnet {subnet}"
                )));
            }
        }
        let gateway = if p.gateway.is_empty() {
            subnet
                .first_host()
                .map(|g| g.to_string())
                .unwrap_or_default()
        } else {
            let gw: IpAddr = p.gateway.parse().map_err(|_| {
                NetworkError::InvalidArgument(format!("invalid gateway address: {}", p.gateway))
            })?;
            if !subnet.contains(gw) {
                return Err(NetworkError::InvalidArgument(format!(
                    "Invalid gateway address {gw}: it does not belong to subnet {subnet}"
                )));
            }
            gw.to_string()
        };
        pools.push(PoolRecord {
            subnet: subnet.to_string(),
            ip_range: p.ip_range.clone(),
            gateway,
            aux_addresses: p.aux_addresses.clone(),
        });
    }
    let has = |v4: bool| {
        pools
            .iter()
            .any(|p| Subnet::parse(&p.subnet).is_ok_and(|s| s.is_ipv4() == v4))
    };
    // No IPv6 pool is configured by default: an IPv6 network names its
    // IPv6 subnet.
    if req.enable_ipv6 && !has(false) {
        return Err(no_pool("IPv6"));
    }
    if !has(true) {
        let subnet = ipam::choose_pool_in(defaults, &taken, &host_routes())
            .ok_or_else(|| no_pool("IPv4"))?;
        pools.insert(
            0,
            PoolRecord {
                subnet: subnet.to_string(),
                gateway: subnet
                    .first_host()
                    .map(|g| g.to_string())
                    .unwrap_or_default(),
                ..Default::default()
            },
        );
    }
    Ok(pools)
}

/// The Linux bridge of a bridge network with its gateways (nothing for
/// other drivers).
fn ensure_bridge(record: &NetworkRecord) -> Result<()> {
    let Some(bridge) = record.bridge_name() else {
        return Ok(());
    };
    netlink::ensure_bridge(&bridge, gateways(record))
}

/// The gateway addresses of a network's bridge, with their prefixes.
fn gateways(record: &NetworkRecord) -> Vec<(IpAddr, u8)> {
    record
        .pools
        .iter()
        .filter_map(|p| {
            let subnet = Subnet::parse(&p.subnet).ok()?;
            let gw: IpAddr = p.gateway.parse().ok()?;
            Some((gw, subnet.prefix()))
        })
        .collect()
}

/// The isolation between bridge networks, as rules: a container on one
/// network reaches no other network's subnet through the host, and one on
/// an `--internal` network (every network, when `routed_out` is false)
/// nothing beyond its own bridge and the host. Without NAT (`iptables:
/// false`) a packet routed out would leave with a container's private
/// source address, so then nothing is routed out of any bridge.
fn isolation(state: &State, routed_out: bool) -> Vec<netlink::Isolation> {
    let bridges: Vec<(&NetworkRecord, String)> = state
        .networks
        .values()
        .filter_map(|n| n.bridge_name().map(|b| (n, b)))
        .collect();
    let mut rules = Vec::new();
    for (n, bridge) in &bridges {
        if n.internal || !routed_out {
            rules.push(netlink::Isolation {
                from: bridge.clone(),
                to: None,
            });
            continue;
        }
        for (other, _) in bridges.iter().filter(|(o, _)| o.id != n.id) {
            for p in &other.pools {
                if let Ok(subnet) = Subnet::parse(&p.subnet) {
                    if subnet.is_ipv4() {
                        rules.push(netlink::Isolation {
                            from: bridge.clone(),
                            to: Some(subnet),
                        });
                    }
                }
            }
        }
    }
    rules
}

/// Makes the kernel's routing rules at `priority` (this daemon's) match
/// the networks (`routed_out`: NAT is on).
fn sync_isolation(state: &State, priority: u32, routed_out: bool) {
    if let Err(e) = netlink::sync_rules(priority, isolation(state, routed_out)) {
        tracing::warn!("isolating the networks: {e}");
    }
}

/// The subnets whose outbound traffic is masqueraded: each IPv4 subnet
/// of a bridge network that is not `--internal` and does not turn
/// masquerading off.
fn masquerades(state: &State) -> Vec<Masquerade> {
    let mut out = Vec::new();
    for n in state.networks.values().filter(|n| !n.internal) {
        let Some(bridge) = n.bridge_name() else {
            continue;
        };
        if n.options
            .get("com.docker.network.bridge.enable_ip_masquerade")
            .is_some_and(|v| v == "false")
        {
            continue;
        }
        for p in &n.pools {
            if let Ok(subnet) = Subnet::parse(&p.subnet) {
                if subnet.is_ipv4() {
                    out.push(Masquerade {
                        subnet,
                        bridge: bridge.clone(),
                    });
                }
            }
        }
    }
    out
}

/// The DNAT of each of `published` (container `container` at `ip`, on
/// the bridge whose subnet holds `ip`): IPv4 host addresses only.
fn forwards_for(
    state: &State,
    container: &str,
    ip: IpAddr,
    published: &[ports::Published],
) -> Vec<Forward> {
    let IpAddr::V4(container_ip) = ip else {
        return Vec::new();
    };
    let bridge = state
        .containers
        .get(container)
        .into_iter()
        .flat_map(|c| &c.endpoints)
        .find(|e| e.active.as_ref().is_some_and(|a| a.ip == ip))
        .and_then(|e| state.networks.get(&e.network_id))
        .and_then(NetworkRecord::bridge_name);
    let Some(bridge) = bridge else {
        return Vec::new();
    };
    published
        .iter()
        .filter_map(|p| match p.host_ip {
            IpAddr::V4(host_ip) => Some(Forward {
                container: container.to_string(),
                proto: p.proto,
                host_ip,
                host_port: p.host_port,
                container_ip,
                container_port: p.container_port,
                bridge: bridge.clone(),
            }),
            IpAddr::V6(_) => None,
        })
        .collect()
}

/// Brings endpoint `index` of `container` down (if up); whether it was.
fn deactivate_locked(state: &mut State, container: &str, index: usize) -> bool {
    let Some(endpoint) = state
        .containers
        .get_mut(container)
        .and_then(|c| c.endpoints.get_mut(index))
    else {
        return false;
    };
    let Some(active) = endpoint.active.take() else {
        return false;
    };
    let network = endpoint.network_id.clone();
    if let Err(e) = netlink::delete_link(&active.host_link) {
        tracing::warn!("container {container}: {e}");
    }
    if let Some(spaces) = state.spaces.get_mut(&network) {
        release_all(spaces, active.ip, active.ipv6.as_ref());
    }
    true
}

/// An IPv6 address for an endpoint on `network` (which has IPv6 on):
/// `wanted`, or the next free one of its IPv6 pool.
fn allocate_v6(
    spaces: &mut [AddressSpace],
    network: &NetworkRecord,
    wanted: Option<Ipv6Addr>,
) -> Result<ActiveIpv6> {
    let space = spaces
        .iter_mut()
        .find(|s| !s.subnet.is_ipv4())
        .ok_or_else(|| {
            NetworkError::Unavailable(format!("network {} has no IPv6 subnet", network.name))
        })?;
    let ip = match space
        .allocate(wanted.map(IpAddr::V6))
        .map_err(NetworkError::Unavailable)?
    {
        IpAddr::V6(ip) => ip,
        IpAddr::V4(v4) => {
            // An IPv6 space hands out IPv6 addresses; not one to keep.
            space.release(IpAddr::V4(v4));
            return Err(NetworkError::Unavailable(format!(
                "network {}: {v4} is not an IPv6 address",
                network.name
            )));
        }
    };
    let gateway = match space.gateway {
        Some(IpAddr::V6(gw)) => Some(gw),
        _ => None,
    };
    Ok(ActiveIpv6 {
        ip,
        prefix_len: space.subnet.prefix(),
        gateway,
    })
}

/// `ip` free again in whichever of `spaces` holds it.
fn release(spaces: &mut [AddressSpace], ip: IpAddr) {
    if let Some(s) = spaces.iter_mut().find(|s| s.subnet.contains(ip)) {
        s.release(ip);
    }
}

/// An endpoint's addresses, IPv4 and IPv6, free again.
fn release_all(spaces: &mut [AddressSpace], ip: IpAddr, ipv6: Option<&ActiveIpv6>) {
    release(spaces, ip);
    if let Some(v6) = ipv6 {
        release(spaces, IpAddr::V6(v6.ip));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with(names: &[(&str, &str)]) -> State {
        let mut state = State::default();
        for (id, name) in names {
            state.networks.insert(
                id.to_string(),
                NetworkRecord {
                    id: id.to_string(),
                    name: name.to_string(),
                    driver: BRIDGE.into(),
                    created: String::new(),
                    enable_ipv6: false,
                    internal: false,
                    attachable: false,
                    ipam_options: None,
                    pools: vec![PoolRecord {
                        subnet: "10.231.1.0/24".into(),
                        gateway: "10.231.1.1".into(),
                        ..Default::default()
                    }],
                    options: BTreeMap::new(),
                    labels: BTreeMap::new(),
                    predefined: *name == "bridge",
                },
            );
        }
        state
    }

    #[test]
    fn lookups_go_by_id_name_then_prefix() {
        let state = state_with(&[("abc123", "bridge"), ("abd456", "web"), ("ffff", "abc")]);
        assert_eq!(find_in(&state, "abc123").unwrap().name, "bridge");
        assert_eq!(find_in(&state, "default").unwrap().name, "bridge");
        // A name wins over an id prefix.
        assert_eq!(find_in(&state, "abc").unwrap().id, "ffff");
        assert_eq!(find_in(&state, "abd").unwrap().name, "web");
        let ambiguous = find_in(&state, "ab").unwrap_err();
        assert_eq!(
            ambiguous.to_string(),
            "network ab is ambiguous (2 matches found based on ID prefix)"
        );
        let missing = find_in(&state, "nope").unwrap_err();
        assert_eq!(
            (missing.kind(), missing.to_string()),
            (crate::ErrorKind::NotFound, "network nope not found".into())
        );
    }

    #[test]
    fn networks_are_isolated_from_each_other_and_internal_ones_from_all() {
        let mut state = state_with(&[("a1", "one"), ("b2", "two")]);
        if let Some(n) = state.networks.get_mut("b2") {
            n.pools[0].subnet = "10.231.2.0/24".into();
        }
        let rules = isolation(&state, true);
        let shown: Vec<String> = rules
            .iter()
            .map(|r| format!("{}->{:?}", r.from, r.to.map(|s| s.to_string())))
            .collect();
        assert_eq!(
            shown,
            [
                "br-a1->Some(\"10.231.2.0/24\")",
                "br-b2->Some(\"10.231.1.0/24\")"
            ]
        );
        if let Some(n) = state.networks.get_mut("b2") {
            n.internal = true;
        }
        let rules = isolation(&state, true);
        assert!(rules.contains(&netlink::Isolation {
            from: "br-b2".into(),
            to: None
        }));
        assert_eq!(rules.len(), 2);
        // Without NAT nothing is routed beyond the host, from any bridge.
        let closed = isolation(&state, false);
        assert_eq!(closed.len(), 2);
        assert!(closed.iter().all(|r| r.to.is_none()));
        state.networks.remove("b2");
        assert!(isolation(&state, true).is_empty());
        assert_eq!(isolation(&state, false).len(), 1);
    }

    #[test]
    fn requested_pools_are_checked() {
        let state = state_with(&[("a1", "one")]);
        let req = |subnet: &str, range: &str, gw: &str| CreateRequest {
            name: "n".into(),
            pools: vec![PoolRecord {
                subnet: subnet.into(),
                ip_range: range.into(),
                gateway: gw.into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let overlap = pools_for(&state, &req("10.231.0.0/16", "", ""), &[]).unwrap_err();
        assert_eq!(overlap.kind(), crate::ErrorKind::Forbidden);
        let pools = pools_for(&state, &req("10.231.2.0/24", "", ""), &[]).unwrap();
        assert_eq!(pools[0].gateway, "10.231.2.1");
        let pools = pools_for(
            &state,
            &req("10.231.2.0/24", "10.231.2.128/25", "10.231.2.254"),
            &[],
        )
        .unwrap();
        assert_eq!(
            (pools[0].ip_range.as_str(), pools[0].gateway.as_str()),
            ("10.231.2.128/25", "10.231.2.254")
        );
        assert!(pools_for(&state, &req("10.231.2.0/24", "", "10.9.9.9"), &[]).is_err());
        assert!(pools_for(&state, &req("10.231.2.0/24", "10.9.0.0/24", ""), &[]).is_err());
        assert!(pools_for(&state, &req("nonsense", "", ""), &[]).is_err());
    }
}
