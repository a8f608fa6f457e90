//! The network seam: everything the rest of `containers` asks about a
//! container's network goes through here, so that real networking
//! changes this one module.
//!
//! Today engined has two kinds of network: the host's (`--network host`,
//! the host's namespace and a copy of its `/etc/hosts`) and a namespace of
//! the container's own with its loopback only (`none`, and `default` /
//! `bridge`, which have no bridge here yet). [`Network::for_create`]
//! checks and normalises the mode at create; [`Network::run_files`] gives
//! a run its `/etc/hostname`, `/etc/hosts` and `/etc/resolv.conf`, and
//! [`Network::own_namespace`] tells the OCI spec whether to make a network
//! namespace.
//!
//! What the networking issue plugs in: named networks behind
//! [`Network`] (a bridge and its addresses, `container:<id>`), the
//! addresses that [`Network::own_address`] answers for the container's
//! own `/etc/hosts` line, the DNS servers of `resolv.conf`, and the
//! namespace set-up and tear-down around the start and the exit of a run.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use engine_api::types::{EndpointSettings, HostConfig};

use crate::gojson::nil;

use super::error::{ContainerError, Result};
use super::etc_hosts;
use super::record::Record;
use engined_shim::atomic;

/// What a container's network mode asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// The host's network namespace.
    Host,
    /// A namespace of its own with nothing but loopback (`none`).
    None,
    /// The default network (`default`, `bridge`): for now a namespace of
    /// its own with loopback only, the container's name on 127.0.0.1.
    Default,
}

impl Network {
    /// The network `mode` (`HostConfig.NetworkMode`) names, or why engined
    /// cannot give it.
    pub fn parse(mode: &str) -> Result<Network> {
        match mode {
            "" | "default" | "bridge" => Ok(Network::Default),
            "none" => Ok(Network::None),
            "host" => Ok(Network::Host),
            m if m.starts_with("container:") => Err(ContainerError::InvalidArgument(format!(
                "network mode {m} is not supported by engined"
            ))),
            m => Err(ContainerError::NotFoundNetwork(m.to_string())),
        }
    }

    /// At create: the network `host` asks for; an empty mode is recorded
    /// as `default`, as dockerd does.
    pub fn for_create(host: &mut HostConfig) -> Result<Network> {
        let mode = host.network_mode.clone().unwrap_or_default();
        let network = Network::parse(&mode)?;
        if mode.is_empty() {
            host.network_mode = Some("default".into());
        }
        Ok(network)
    }

    /// The network of a created container (a mode recorded by an older
    /// daemon that is not understood any more: the default one).
    pub fn of(record: &Record) -> Network {
        Network::parse(record.host_config.network_mode.as_deref().unwrap_or(""))
            .unwrap_or(Network::Default)
    }

    /// Whether a run gets a network namespace of its own.
    pub fn own_namespace(self) -> bool {
        self != Network::Host
    }

    /// The address the container's own name is put on in its
    /// `/etc/hosts`; none with the host's network or `none`.
    pub fn own_address(self) -> Option<IpAddr> {
        match self {
            Network::Default => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            Network::Host | Network::None => None,
        }
    }

    /// Writes a run's `/etc/hostname`, `/etc/hosts` and
    /// `/etc/resolv.conf` into `dir` (the container's directory); returns
    /// each file with the path it is mounted at.
    pub fn run_files(self, record: &Record, dir: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
        let hostname = record.config.hostname.clone().unwrap_or_default();
        let hostname_path = dir.join("hostname");
        atomic::write_file(&hostname_path, format!("{hostname}\n").as_bytes())?;
        let hosts_path = dir.join("hosts");
        let host_hosts = (self == Network::Host)
            .then(|| std::fs::read_to_string("/etc/hosts").unwrap_or_default());
        let hosts = etc_hosts::contents(record, host_hosts.as_deref(), self.own_address());
        atomic::write_file(&hosts_path, hosts.as_bytes())?;
        let resolv_path = dir.join("resolv.conf");
        let resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        atomic::write_file(&resolv_path, resolv.as_bytes())?;
        Ok(vec![
            (hostname_path, "/etc/hostname".to_string()),
            (hosts_path, "/etc/hosts".to_string()),
            (resolv_path, "/etc/resolv.conf".to_string()),
        ])
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::containers::record::tests::sample;

    #[test]
    fn modes_parse_and_unknown_ones_are_refused() {
        let table = [
            ("", Some(Network::Default)),
            ("default", Some(Network::Default)),
            ("bridge", Some(Network::Default)),
            ("none", Some(Network::None)),
            ("host", Some(Network::Host)),
            ("container:abc", None),
            ("mynet", None),
        ];
        for (mode, want) in table {
            assert_eq!(Network::parse(mode).ok(), want, "{mode}");
        }
        let unknown = Network::parse("mynet").unwrap_err();
        assert_eq!(
            (unknown.kind(), unknown.to_string()),
            (crate::ErrorKind::NotFound, "network mynet not found".into())
        );
        assert_eq!(
            Network::parse("container:x").unwrap_err().kind(),
            crate::ErrorKind::InvalidParameter
        );
    }

    #[test]
    fn create_records_an_empty_mode_as_default() {
        let mut host = HostConfig::default();
        assert_eq!(Network::for_create(&mut host).unwrap(), Network::Default);
        assert_eq!(host.network_mode.as_deref(), Some("default"));
        let mut host = HostConfig {
            network_mode: Some("host".into()),
            ..Default::default()
        };
        assert_eq!(Network::for_create(&mut host).unwrap(), Network::Host);
        assert_eq!(host.network_mode.as_deref(), Some("host"));
    }

    #[test]
    fn what_each_network_gives_a_run() {
        assert!(!Network::Host.own_namespace());
        assert!(Network::None.own_namespace() && Network::Default.own_namespace());
        assert_eq!(Network::None.own_address(), None);
        assert_eq!(Network::Host.own_address(), None);
        assert_eq!(
            Network::Default.own_address(),
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
        let mut r = sample();
        r.host_config.network_mode = Some("gone-network".into());
        assert_eq!(Network::of(&r), Network::Default);
    }

    #[test]
    fn a_run_gets_its_etc_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = sample();
        r.config.hostname = Some("box".into());
        r.host_config.network_mode = Some("default".into());
        let files = Network::of(&r).run_files(&r, dir.path()).unwrap();
        let targets: Vec<&str> = files.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(targets, ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"]);
        let read = |name| std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(read("hostname"), "box\n");
        assert!(
            read("hosts").ends_with("127.0.0.1\tbox\n"),
            "{}",
            read("hosts")
        );
    }
}
