//! The network seam: everything the rest of `containers` asks about a
//! container's network goes through here, and here the containers meet
//! the network service (`crate::networks`).
//!
//! A container's network mode is one of: the host's namespace (`host`);
//! a namespace of its own with loopback only (`none`); a namespace engined
//! makes for it with an endpoint on each of its networks (`default` /
//! `bridge`, a network's name, plus what `docker network connect` adds);
//! or another container's namespace (`container:<name or id>`).
//!
//! [`Network::for_create`] checks the mode and the `NetworkingConfig` at
//! create and gives the endpoints to record; [`setup`] makes the
//! namespace and brings the endpoints up before a run, [`teardown`] takes
//! them down after it; [`Network::run_files`] gives a run its
//! `/etc/hostname`, `/etc/hosts` and `/etc/resolv.conf`; [`connect`] and
//! [`disconnect`] are `docker network connect/disconnect`, live on a
//! running container; [`fill_settings`] is the `NetworkSettings` that
//! inspect and `ps` show.

use std::net::{IpAddr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use engine_api::types::{
    ContainerSummaryNetworkSettings, EndpointIpamConfig, EndpointSettings, HostConfig,
    NetworkSettings, NetworkingConfig,
};

use crate::containers::Services;
use crate::gojson::nil;
use crate::networks::dns::{resolv_conf, NeighboursFn, Overrides, ResolvConf, Resolver};
use crate::networks::{self, events, ports, Endpoint, NetworkError, NetworkRecord};

use super::error::{ContainerError, Result};
use super::etc_hosts;
use super::record::Record;
use engined_shim::atomic::{self, Durability};

/// What a container's network mode asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network {
    /// The host's network namespace.
    Host,
    /// A namespace of its own with nothing but loopback (`none`).
    None,
    /// A namespace engined makes, with the container's endpoints
    /// (`default`, `bridge` or a network's name).
    Bridge,
    /// The namespace of another container, by name or id.
    Container(String),
}

impl Network {
    /// The kind of network the mode (`HostConfig.NetworkMode`) names;
    /// whether a named network exists is the network service's to say.
    pub fn parse(mode: &str) -> Result<Network> {
        match mode {
            "host" => Ok(Network::Host),
            "none" => Ok(Network::None),
            m => match m.strip_prefix("container:") {
                Some("") => Err(ContainerError::InvalidArgument(
                    "invalid container format container:<name|id>".into(),
                )),
                Some(other) => Ok(Network::Container(other.to_string())),
                None => Ok(Network::Bridge),
            },
        }
    }

    /// At create: the network `host` asks for and the endpoints to record
    /// for the container (an empty mode is recorded as `default`, as
    /// dockerd does). `networking` is the request's `NetworkingConfig`.
    pub fn for_create(
        engine: &Services,
        host: &mut HostConfig,
        networking: Option<&NetworkingConfig>,
    ) -> Result<(Network, Vec<Endpoint>)> {
        let mode = host.network_mode.clone().unwrap_or_default();
        let network = Network::parse(&mode)?;
        if mode.is_empty() {
            host.network_mode = Some("default".into());
        }
        let configs = networking.and_then(|n| n.endpoints_config.as_ref());
        let mut endpoints = Vec::new();
        match &network {
            Network::Bridge => {
                let primary_name = if mode.is_empty() { "default" } else { &mode };
                let primary = engine.networks.find(primary_name)?;
                let settings = configs.and_then(|c| {
                    c.get(primary_name)
                        .or_else(|| c.get(&primary.name))
                        .or_else(|| c.get(&primary.id))
                });
                endpoints.push(endpoint_for(&primary, settings)?);
                for (name, settings) in configs.into_iter().flatten() {
                    let other = engine.networks.find(name)?;
                    if other.id != primary.id {
                        if other.bridge_name().is_none() {
                            return Err(ContainerError::InvalidArgument(format!(
                                "container cannot be connected to network {} of driver {}",
                                other.name, other.driver
                            )));
                        }
                        endpoints.push(endpoint_for(&other, Some(settings))?);
                    }
                }
            }
            Network::Host | Network::None => {
                endpoints.push(endpoint_for(&engine.networks.find(&mode)?, None)?);
            }
            Network::Container(other) => {
                engine.containers.get(other)?;
            }
        }
        Ok((network, endpoints))
    }

    /// The network of a created container (a mode recorded by an older
    /// daemon that is not understood any more: engined's own namespace).
    pub fn of(record: &Record) -> Network {
        Network::parse(record.host_config.network_mode.as_deref().unwrap_or(""))
            .unwrap_or(Network::Bridge)
    }

    /// Whether a run gets a network namespace that is not the host's.
    pub fn own_namespace(&self) -> bool {
        *self != Network::Host
    }

    /// Writes a run's `/etc/hostname`, `/etc/hosts` (naming the container
    /// on its own address, when it has one) and `/etc/resolv.conf` (the
    /// one [`setup`] made for the run) into `dir` (the container's
    /// directory); returns each file with the path it is mounted at.
    /// They are made again before every run, so a start does not wait
    /// for them to reach the disk ([`Durability::Volatile`]).
    pub fn run_files(
        &self,
        record: &Record,
        dir: &Path,
        run: &RunNetwork,
    ) -> std::io::Result<Vec<(PathBuf, String)>> {
        let hostname = record.config.hostname.clone().unwrap_or_default();
        let hostname_path = dir.join("hostname");
        atomic::write_file_with(
            &hostname_path,
            format!("{hostname}\n").as_bytes(),
            Durability::Volatile,
        )?;
        let hosts_path = dir.join("hosts");
        let host_hosts = (*self == Network::Host)
            .then(|| std::fs::read_to_string("/etc/hosts").unwrap_or_default());
        let hosts = etc_hosts::contents(
            record,
            host_hosts.as_deref(),
            run.own_address
                .into_iter()
                .chain(run.own_address_v6.map(IpAddr::V6)),
            run.host_gateway,
            &run.links,
        );
        atomic::write_file_with(&hosts_path, hosts.as_bytes(), Durability::Volatile)?;
        let resolv_path = dir.join("resolv.conf");
        atomic::write_file_with(
            &resolv_path,
            run.resolv_conf.as_bytes(),
            Durability::Volatile,
        )?;
        Ok(vec![
            (hostname_path, "/etc/hostname".to_string()),
            (hosts_path, "/etc/hosts".to_string()),
            (resolv_path, "/etc/resolv.conf".to_string()),
        ])
    }
}

/// An address of `IPAMConfig` (`--ip`, `--ip6`), empty meaning none.
fn requested_address<T: std::str::FromStr>(text: Option<&str>, family: &str) -> Result<Option<T>> {
    text.filter(|ip| !ip.is_empty())
        .map(|ip| {
            ip.parse::<T>().map_err(|_| {
                ContainerError::InvalidArgument(format!("invalid {family} address: {ip}"))
            })
        })
        .transpose()
}

/// The endpoint a container asks for on `network` with `settings`
/// (`--ip`, `--mac-address`, `--alias`).
fn endpoint_for(network: &NetworkRecord, settings: Option<&EndpointSettings>) -> Result<Endpoint> {
    let ipam = settings.and_then(|s| s.ipam_config.as_ref());
    let requested_ip: Option<IpAddr> =
        requested_address(ipam.and_then(|c| c.ipv4_address.as_deref()), "IPv4")?;
    let requested_ipv6: Option<Ipv6Addr> =
        requested_address(ipam.and_then(|c| c.ipv6_address.as_deref()), "IPv6")?;
    if (requested_ip.is_some() || requested_ipv6.is_some())
        && (network.predefined || network.bridge_name().is_none())
    {
        return Err(ContainerError::InvalidArgument(
            "user specified IP address is supported on user defined networks only".into(),
        ));
    }
    let requested_mac = settings
        .and_then(|s| s.mac_address.clone())
        .filter(|m| !m.is_empty());
    if let Some(mac) = &requested_mac {
        if networks::netlink::parse_mac(mac).is_none() {
            return Err(ContainerError::InvalidArgument(format!(
                "invalid MAC address: {mac}"
            )));
        }
    }
    if requested_ipv6.is_some() && !network.enable_ipv6 {
        return Err(ContainerError::InvalidArgument(format!(
            "network {} does not have IPv6 enabled: an IPv6 address cannot be given on it",
            network.name
        )));
    }
    Ok(Endpoint {
        network_id: network.id.clone(),
        requested_ip,
        requested_ipv6,
        requested_mac,
        aliases: settings.and_then(|s| s.aliases.clone()).unwrap_or_default(),
        active: None,
    })
}

/// Records the endpoints of a new container.
pub fn record_endpoints(
    engine: &Services,
    id: &str,
    name: &str,
    endpoints: Vec<Endpoint>,
) -> Result<()> {
    Ok(engine.networks.set_endpoints(id, name, endpoints)?)
}

/// What a run's network is: the namespace file its spec joins (none:
/// the host's, or a new one the runtime makes), and the address its own
/// name is put on in its `/etc/hosts`.
#[derive(Debug, Clone, Default)]
pub struct RunNetwork {
    pub netns: Option<PathBuf>,
    pub own_address: Option<IpAddr>,
    /// The IPv6 address of the same endpoint, on a network with IPv6.
    pub own_address_v6: Option<Ipv6Addr>,
    /// `--pid container:X` / `--ipc container:X`: the namespace files of
    /// X's process the run joins.
    pub pid_ns: Option<PathBuf>,
    pub ipc_ns: Option<PathBuf>,
    /// The text of its `/etc/resolv.conf`.
    pub resolv_conf: String,
    /// What `--add-host name:host-gateway` names: the host's address on
    /// the default bridge.
    pub host_gateway: Option<IpAddr>,
    /// `--link`s on the default bridge: `/etc/hosts` lines and variables.
    pub links: Vec<super::links::Linked>,
}

/// The container a `container:<name|id>` mode names, if it is one.
fn shared_with(mode: Option<&str>) -> Option<&str> {
    mode.and_then(|m| m.strip_prefix("container:"))
        .filter(|other| !other.is_empty())
}

/// The namespace file `kind` (`net`, `pid`, `ipc`) of container `other`'s
/// process, which must run (dockerd's refusal otherwise).
fn namespace_of(engine: &Services, other: &str, kind: &str) -> Result<PathBuf> {
    let c = engine.containers.get(other)?;
    let r = c.record();
    if !r.state.status.is_running() || r.state.pid <= 0 {
        let what = match kind {
            "net" => "network namespace",
            "pid" => "PID namespace",
            _ => "IPC namespace",
        };
        return Err(ContainerError::Network(NetworkError::Conflict(format!(
            "cannot join {what} of a non running container: {}",
            c.id
        ))));
    }
    Ok(PathBuf::from(format!("/proc/{}/ns/{kind}", r.state.pid)))
}

/// At create: `--pid`/`--ipc container:X` name a container that exists.
pub fn check_shared_namespaces(engine: &Services, host: &HostConfig) -> Result<()> {
    for mode in [host.pid_mode.as_deref(), host.ipc_mode.as_deref()] {
        if let Some(other) = shared_with(mode) {
            engine.containers.get(other)?;
        }
    }
    Ok(())
}

/// Work of the network service, off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, NetworkError> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ContainerError::Supervisor(format!("network set-up: {e}")))?
        .map_err(ContainerError::from)
}

/// Before a run: the namespace and the endpoints of `record`'s network,
/// and the PID and IPC namespaces it shares.
pub async fn setup(engine: &Arc<Services>, record: &Record) -> Result<RunNetwork> {
    let host = &record.host_config;
    let pid_ns = shared_with(host.pid_mode.as_deref())
        .map(|other| namespace_of(engine, other, "pid"))
        .transpose()?;
    let ipc_ns = shared_with(host.ipc_mode.as_deref())
        .map(|other| namespace_of(engine, other, "ipc"))
        .transpose()?;
    let links = super::links::resolve(engine, record)?;
    let mut run = network_setup(engine, record).await?;
    run.links = links;
    run.pid_ns = pid_ns;
    run.ipc_ns = ipc_ns;
    let resolv = resolv_conf(engine, record);
    if resolver_of(engine, record) == (Resolver::Embedded, Some(record.id.clone())) {
        if let Some(netns) = &run.netns {
            if let Err(e) = start_dns(engine, &record.id, netns, resolv.upstreams) {
                teardown(engine, &record.id).await;
                return Err(e.into());
            }
        }
    }
    run.resolv_conf = resolv.text;
    run.host_gateway = host_gateway(engine);
    Ok(run)
}

/// The host's address on the default bridge.
fn host_gateway(engine: &Services) -> Option<IpAddr> {
    let bridge = engine.networks.find("bridge").ok()?;
    bridge
        .pools
        .iter()
        .find_map(|p| p.gateway.parse::<IpAddr>().ok())
}

/// The ports a container with `host` and `exposed` (`Config.ExposedPorts`)
/// asks to publish (`-p`, and `-P` for the exposed ones).
fn wanted_ports(
    host: &HostConfig,
    exposed: Option<&std::collections::BTreeMap<String, serde_json::Value>>,
) -> Result<Vec<ports::Wanted>> {
    let exposed: Vec<String> = exposed
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .collect();
    ports::wanted(
        host.port_bindings.as_ref(),
        host.publish_all_ports.unwrap_or(false),
        &exposed,
    )
    .map_err(ContainerError::InvalidArgument)
}

/// At create: the port bindings and exposed ports parse.
pub fn check_ports(
    host: &HostConfig,
    exposed: Option<&std::collections::BTreeMap<String, serde_json::Value>>,
) -> Result<()> {
    wanted_ports(host, exposed).map(|_| ())
}

/// Publishes the ports of `record`'s run, relayed to its address `ip`.
async fn publish(engine: &Arc<Services>, record: &Record, ip: IpAddr) -> Result<()> {
    let wanted = wanted_ports(&record.host_config, record.config.exposed_ports.as_ref())?;
    if wanted.is_empty() {
        return Ok(());
    }
    engine
        .networks
        .publish(&record.id, ip, &wanted)
        .await
        .map(|_| ())
        .map_err(|e| {
            ContainerError::Network(NetworkError::Programming(format!(
                "driver failed programming external connectivity on endpoint {} ({}): {e}",
                record.name, record.id
            )))
        })
}

/// The `NetworkSettings.Ports` of inspect: each exposed or bound port,
/// with the host bindings it has while the container runs (`null` for
/// one exposed but not published).
fn port_map(engine: &Services, record: &Record) -> engine_api::types::PortMap {
    let mut map = engine_api::types::PortMap::new();
    if !record.state.status.is_running() {
        return map;
    }
    let keys = record
        .config
        .exposed_ports
        .iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .chain(
            record
                .host_config
                .port_bindings
                .iter()
                .flatten()
                .map(|(k, _)| k.clone()),
        );
    for key in keys {
        if let Ok((port, proto)) = ports::spec::parse_key(&key) {
            map.entry(format!("{port}/{}", proto.as_str()))
                .or_insert(None);
        }
    }
    for p in engine.networks.ports.published(&record.id) {
        let key = format!("{}/{}", p.container_port, p.proto.as_str());
        map.entry(key)
            .or_insert(None)
            .get_or_insert_with(Vec::new)
            .push(engine_api::types::PortBinding {
                host_ip: Some(p.host_ip.to_string()),
                host_port: Some(p.host_port.to_string()),
                ..Default::default()
            });
    }
    map
}

/// The `Ports` of a container's `docker ps` line.
pub fn summary_ports(engine: &Services, record: &Record) -> Vec<engine_api::types::Port> {
    use engine_api::types::{Port, PortType};
    let kind = |p: ports::Proto| match p {
        ports::Proto::Tcp => PortType::Tcp,
        ports::Proto::Udp => PortType::Udp,
    };
    let published = engine.networks.ports.published(&record.id);
    let mut out: Vec<Port> = published
        .iter()
        .map(|p| Port {
            ip: Some(p.host_ip.to_string()),
            private_port: p.container_port,
            public_port: Some(p.host_port),
            r#type: kind(p.proto),
            rest: Default::default(),
        })
        .collect();
    for key in record.config.exposed_ports.iter().flatten().map(|(k, _)| k) {
        if let Ok((port, proto)) = ports::spec::parse_key(key) {
            if !published
                .iter()
                .any(|p| p.container_port == port && p.proto == proto)
            {
                out.push(Port {
                    ip: None,
                    private_port: port,
                    public_port: None,
                    r#type: kind(proto),
                    rest: Default::default(),
                });
            }
        }
    }
    out
}

/// How a run of `record` resolves names, and whose embedded DNS server
/// answers it (its own; or, sharing another container's namespace, that
/// one's).
fn resolver_of(engine: &Services, record: &Record) -> (Resolver, Option<String>) {
    let id = match Network::of(record) {
        Network::Host => return (Resolver::Host, None),
        Network::None => return (Resolver::Legacy, None),
        Network::Container(other) => match engine.containers.get(&other) {
            Ok(c) => c.id.clone(),
            Err(_) => return (Resolver::Legacy, None),
        },
        Network::Bridge => record.id.clone(),
    };
    if engine.networks.uses_embedded_dns(&id) {
        (Resolver::Embedded, Some(id))
    } else {
        (Resolver::Legacy, None)
    }
}

/// The resolv.conf of a run of `record`: the host's with the container's
/// `--dns`, `--dns-search`, `--dns-option` (each, when it sets none, the
/// daemon's `dns`, `dns-search`, `dns-opts`), for the way it resolves.
pub fn resolv_conf(engine: &Services, record: &Record) -> ResolvConf {
    let snapshot = engine.snapshot();
    let config = snapshot.config();
    let daemon = Overrides {
        servers: config.dns.clone(),
        search: config.dns_search.clone(),
        options: config.dns_opts.clone(),
    };
    let host = &record.host_config;
    let container = Overrides {
        servers: host.dns.clone().unwrap_or_default(),
        search: host.dns_search.clone().unwrap_or_default(),
        options: host.dns_options.clone().unwrap_or_default(),
    };
    let (text, source) = resolv_conf::read_host();
    resolv_conf::build(
        &text,
        source,
        &Overrides::pick(&container, &daemon),
        resolver_of(engine, record).0,
    )
}

/// Starts the embedded DNS server of container `id` in the namespace at
/// `netns`, answering from the names of its networks.
fn start_dns(
    engine: &Arc<Services>,
    id: &str,
    netns: &Path,
    upstreams: Vec<IpAddr>,
) -> std::result::Result<(), NetworkError> {
    let (e, asking) = (engine.clone(), id.to_string());
    let neighbours: NeighboursFn = Arc::new(move || e.networks.neighbours(&asking));
    engine.networks.dns.start(id, netns, upstreams, neighbours)
}

async fn network_setup(engine: &Arc<Services>, record: &Record) -> Result<RunNetwork> {
    match Network::of(record) {
        Network::Host | Network::None => Ok(RunNetwork::default()),
        Network::Container(other) => Ok(RunNetwork {
            netns: Some(namespace_of(engine, &other, "net")?),
            ..Default::default()
        }),
        Network::Bridge => {
            let (e, id) = (engine.clone(), record.id.clone());
            let netns = blocking(move || e.networks.activate(&id)).await?;
            let endpoints = engine.networks.endpoints(&record.id);
            // dockerd announces each network the container joins.
            for network in active_networks(engine, endpoints.as_ref()) {
                events::publish(&engine.events, "connect", &network, Some(&record.id));
            }
            let first = endpoints.and_then(|c| c.endpoints.into_iter().find_map(|e| e.active));
            let own_address = first.as_ref().map(|a| a.ip);
            if let Some(ip) = own_address {
                if let Err(e) = publish(engine, record, ip).await {
                    teardown(engine, &record.id).await;
                    return Err(e);
                }
            }
            Ok(RunNetwork {
                netns: Some(netns),
                own_address,
                own_address_v6: first.and_then(|a| a.ipv6).map(|v6| v6.ip),
                ..Default::default()
            })
        }
    }
}

/// The networks on which `endpoints` are up.
fn active_networks(
    engine: &Services,
    endpoints: Option<&networks::ContainerEndpoints>,
) -> Vec<NetworkRecord> {
    endpoints
        .into_iter()
        .flat_map(|c| &c.endpoints)
        .filter(|e| e.active.is_some())
        .filter_map(|e| engine.networks.find(&e.network_id).ok())
        .collect()
}

/// After a run (or a start that failed): the endpoints of container
/// `id` down (each announced as a `disconnect`, as dockerd does), its
/// namespace file gone.
pub async fn teardown(engine: &Arc<Services>, id: &str) {
    engine.networks.dns.stop(id);
    engine.networks.unpublish(id);
    let left = active_networks(engine, engine.networks.endpoints(id).as_ref());
    let (e, owned) = (engine.clone(), id.to_string());
    let _ = tokio::task::spawn_blocking(move || e.networks.deactivate(&owned)).await;
    for network in left {
        events::publish(&engine.events, "disconnect", &network, Some(id));
    }
}

/// A removed container leaves its networks.
pub async fn forget(engine: &Arc<Services>, id: &str) {
    let (e, id) = (engine.clone(), id.to_string());
    let _ = tokio::task::spawn_blocking(move || e.networks.forget(&id)).await;
}

/// At daemon start, after the containers are restored: bridges back,
/// and nothing left of runs that ended while engined was away.
pub async fn restore(engine: &Arc<Services>) {
    let e = engine.clone();
    let _ = tokio::task::spawn_blocking(move || {
        let running = |id: &str| e.containers.get(id).is_ok_and(|c| c.status().is_running());
        e.networks.restore(&running)
    })
    .await;
    // The published ports and embedded DNS servers of the runs that go
    // on (their sockets went with the daemon that made them).
    for c in engine.containers.all() {
        let record = c.record();
        if !record.state.status.is_running() {
            continue;
        }
        let own_address = engine
            .networks
            .endpoints(&record.id)
            .and_then(|c| c.endpoints.into_iter().find_map(|e| e.active))
            .map(|a| a.ip);
        if let Some(ip) = own_address {
            if let Err(e) = engine.networks.republish(&record.id, ip).await {
                tracing::warn!(container = %record.id, "publishing its ports again: {e}");
            }
        }
        if resolver_of(engine, &record) != (Resolver::Embedded, Some(record.id.clone())) {
            continue;
        }
        let netns = engine.networks.netns_path(&record.id);
        let upstreams = resolv_conf(engine, &record).upstreams;
        if let Err(e) = start_dns(engine, &record.id, &netns, upstreams) {
            tracing::warn!(container = %record.id, "the embedded DNS server: {e}");
        }
    }
}

/// The modes a `docker network connect/disconnect` cannot change.
fn check_connectable(record: &Record, network: &NetworkRecord) -> Result<()> {
    let refused = match Network::of(record) {
        Network::Host => Some("container cannot be disconnected from host network or connected to host network"),
        Network::None => Some("container cannot be connected to multiple networks with one of the networks in private (none) mode"),
        Network::Container(_) => Some("container sharing network namespace with another container or host cannot be connected to any other network"),
        Network::Bridge => None,
    };
    if let Some(message) = refused {
        return Err(ContainerError::InvalidArgument(message.into()));
    }
    if network.bridge_name().is_none() {
        return Err(ContainerError::InvalidArgument(
            "container cannot be disconnected from host network or connected to host network"
                .into(),
        ));
    }
    Ok(())
}

/// `docker network connect`: the container joins `network`; a running one
/// gets the endpoint at once.
pub async fn connect(
    engine: &Arc<Services>,
    network: &str,
    container: &str,
    settings: EndpointSettings,
) -> Result<()> {
    let network = engine.networks.find(network)?;
    let c = engine.containers.get(container)?;
    let _op = c.op.lock().await;
    let record = c.record();
    check_connectable(&record, &network)?;
    let endpoint = endpoint_for(&network, Some(&settings))?;
    let running = record.state.status.is_running();
    let (e, id, name) = (engine.clone(), c.id.clone(), record.name.clone());
    blocking(move || {
        let netns = running.then(|| e.networks.netns_path(&id));
        e.networks.connect(&id, &name, endpoint, netns.as_deref())
    })
    .await?;
    events::publish(&engine.events, "connect", &network, Some(&c.id));
    Ok(())
}

/// `docker network disconnect`: the container leaves `network` (its
/// endpoint goes down when it runs).
pub async fn disconnect(engine: &Arc<Services>, network: &str, container: &str) -> Result<()> {
    let network = engine.networks.find(network)?;
    let c = engine.containers.get(container)?;
    let _op = c.op.lock().await;
    check_connectable(&c.record(), &network)?;
    let (e, id, n) = (engine.clone(), c.id.clone(), network.clone());
    blocking(move || e.networks.disconnect(&id, &n)).await?;
    events::publish(&engine.events, "disconnect", &network, Some(&c.id));
    Ok(())
}

/// A network endpoint as dockerd shows one without addresses (also in
/// the container list).
pub fn endpoint_view() -> EndpointSettings {
    let mut e = EndpointSettings {
        network_id: Some(String::new()),
        endpoint_id: Some(String::new()),
        gateway: Some(String::new()),
        ip_address: Some(String::new()),
        ip_prefix_len: Some(0),
        ipv6_gateway: Some(String::new()),
        global_ipv6_address: Some(String::new()),
        global_ipv6_prefix_len: Some(0),
        mac_address: Some(String::new()),
        ..Default::default()
    };
    nil(&mut e.rest, "IPAMConfig", &e.ipam_config);
    nil(&mut e.rest, "Links", &e.links);
    nil(&mut e.rest, "Aliases", &e.aliases);
    nil(&mut e.rest, "DriverOpts", &e.driver_opts);
    e
}

/// The container's networks by name, each endpoint with what it got
/// while the container runs.
fn endpoints_view(
    engine: &Services,
    record: &Record,
) -> indexmap::IndexMap<String, EndpointSettings> {
    let mut out = indexmap::IndexMap::new();
    let Some(c) = engine.networks.endpoints(&record.id) else {
        return out;
    };
    for e in c.endpoints {
        let Ok(network) = engine.networks.find(&e.network_id) else {
            continue;
        };
        let mut view = endpoint_view();
        view.network_id = Some(network.id.clone());
        if e.requested_ip.is_some() || e.requested_ipv6.is_some() {
            view.rest.fields_mut().remove("IPAMConfig");
            view.ipam_config = Some(EndpointIpamConfig {
                ipv4_address: e.requested_ip.map(|ip| ip.to_string()),
                ipv6_address: e.requested_ipv6.map(|ip| ip.to_string()),
                ..Default::default()
            });
        }
        if !e.aliases.is_empty() {
            view.rest.fields_mut().remove("Aliases");
            view.aliases = Some(e.aliases.clone());
        }
        if let Some(mac) = &e.requested_mac {
            view.mac_address = Some(mac.clone());
        }
        if let Some(a) = &e.active {
            view.endpoint_id = Some(a.endpoint_id.clone());
            view.ip_address = Some(a.ip.to_string());
            view.ip_prefix_len = Some(i64::from(a.prefix_len));
            view.gateway = Some(a.gateway.map(|g| g.to_string()).unwrap_or_default());
            view.mac_address = Some(a.mac.clone());
            if let Some(v6) = &a.ipv6 {
                view.global_ipv6_address = Some(v6.ip.to_string());
                view.global_ipv6_prefix_len = Some(i64::from(v6.prefix_len));
                view.ipv6_gateway = Some(v6.gateway.map(|g| g.to_string()).unwrap_or_default());
            }
        }
        out.insert(network.name.clone(), view);
    }
    out
}

/// The `NetworkSettings` of a container's inspect: its networks, and
/// dockerd's top-level copy of the default bridge's endpoint.
pub fn fill_settings(engine: &Services, record: &Record, settings: &mut NetworkSettings) {
    if matches!(Network::of(record), Network::Container(_)) {
        settings.networks = Some(Default::default());
        return;
    }
    let networks = endpoints_view(engine, record);
    if networks.is_empty() {
        return;
    }
    if let Some(bridge) = networks.get("bridge") {
        settings.endpoint_id = bridge.endpoint_id.clone();
        settings.gateway = bridge.gateway.clone();
        settings.ip_address = bridge.ip_address.clone();
        settings.ip_prefix_len = bridge.ip_prefix_len;
        settings.mac_address = bridge.mac_address.clone();
        settings.global_ipv6_address = bridge.global_ipv6_address.clone();
        settings.global_ipv6_prefix_len = bridge.global_ipv6_prefix_len;
        settings.ipv6_gateway = bridge.ipv6_gateway.clone();
    }
    if record.state.status.is_running() {
        settings.sandbox_key = Some(engine.networks.netns_path(&record.id).display().to_string());
    }
    settings.ports = Some(port_map(engine, record));
    settings.networks = Some(networks);
}

/// The `NetworkSettings` of a container's `docker ps` line.
pub fn fill_summary(
    engine: &Services,
    record: &Record,
    settings: &mut ContainerSummaryNetworkSettings,
) {
    let networks = endpoints_view(engine, record);
    if !networks.is_empty() || matches!(Network::of(record), Network::Container(_)) {
        settings.networks = Some(networks);
    }
}

/// The names and ids of the networks container `record` is on (for
/// `docker ps --filter network=`).
pub fn network_names(engine: &Services, record: &Record) -> Vec<String> {
    engine
        .networks
        .endpoints(&record.id)
        .into_iter()
        .flat_map(|c| c.endpoints)
        .filter_map(|e| engine.networks.find(&e.network_id).ok())
        .flat_map(|n| [n.name, n.id])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::containers::record::tests::sample;

    #[test]
    fn modes_parse() {
        let table = [
            ("", Some(Network::Bridge)),
            ("default", Some(Network::Bridge)),
            ("bridge", Some(Network::Bridge)),
            ("mynet", Some(Network::Bridge)),
            ("none", Some(Network::None)),
            ("host", Some(Network::Host)),
            ("container:abc", Some(Network::Container("abc".into()))),
            ("container:", None),
        ];
        for (mode, want) in table {
            assert_eq!(Network::parse(mode).ok(), want, "{mode}");
        }
        assert_eq!(
            Network::parse("container:").unwrap_err().kind(),
            crate::ErrorKind::InvalidParameter
        );
    }

    #[test]
    fn what_each_network_gives_a_run() {
        assert!(!Network::Host.own_namespace());
        assert!(Network::None.own_namespace() && Network::Bridge.own_namespace());
        assert!(Network::Container("x".into()).own_namespace());
    }

    #[test]
    fn requested_addresses_only_on_user_networks() {
        let mut network = NetworkRecord {
            id: "a".repeat(64),
            name: "web".into(),
            driver: "bridge".into(),
            created: String::new(),
            enable_ipv6: false,
            internal: false,
            attachable: false,
            ipam_options: None,
            pools: Vec::new(),
            options: Default::default(),
            labels: Default::default(),
            predefined: false,
        };
        let settings = EndpointSettings {
            ipam_config: Some(EndpointIpamConfig {
                ipv4_address: Some("10.231.3.7".into()),
                ..Default::default()
            }),
            mac_address: Some("02:42:0a:e7:03:07".into()),
            aliases: Some(vec!["db".into()]),
            ..Default::default()
        };
        let e = endpoint_for(&network, Some(&settings)).unwrap();
        assert_eq!(e.requested_ip, Some("10.231.3.7".parse().unwrap()));
        assert_eq!(e.requested_mac.as_deref(), Some("02:42:0a:e7:03:07"));
        assert_eq!(e.aliases, ["db"]);
        network.predefined = true;
        let refused = endpoint_for(&network, Some(&settings)).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "user specified IP address is supported on user defined networks only"
        );
        let bad_mac = EndpointSettings {
            mac_address: Some("nope".into()),
            ..Default::default()
        };
        assert!(endpoint_for(&network, Some(&bad_mac)).is_err());
    }

    #[test]
    fn a_run_gets_its_etc_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = sample();
        r.config.hostname = Some("box".into());
        r.host_config.network_mode = Some("default".into());
        let own = Some("172.17.0.2".parse().unwrap());
        let run = RunNetwork {
            own_address: own,
            resolv_conf: "nameserver 192.0.2.53\n".into(),
            ..Default::default()
        };
        let files = Network::of(&r).run_files(&r, dir.path(), &run).unwrap();
        let targets: Vec<&str> = files.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(targets, ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"]);
        let read = |name| std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(read("hostname"), "box\n");
        assert!(
            read("hosts").ends_with("172.17.0.2\tbox\n"),
            "{}",
            read("hosts")
        );
        assert_eq!(read("resolv.conf"), "nameserver 192.0.2.53\n");
    }
}
