//! What the daemon's configuration says about registries, taken from the
//! snapshot in force when a pull, push or login starts (so a reload
//! applies to the next one): where per-registry CA certificates live
//! (`<certs.d>/<host:port>/*.crt`, as dockerd reads
//! `/etc/docker/certs.d`), which registries are insecure, spoken to
//! over TLS without verification or in plain HTTP
//! (`insecure-registries`: CIDRs and `host[:port]`; loopback always), the
//! mirrors tried first for Docker Hub names, how many layers move at
//! once, and what `docker info` shows of all this.
//!
//! One difference from dockerd: a registry with a certs.d directory is
//! always spoken to over verified TLS, even on loopback, where dockerd
//! would skip verification; that is how a local test registry with TLS
//! is trusted or refused.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

use engine_api::types::{IndexInfo, RegistryServiceConfig};

use crate::config::DaemonConfig;

/// dockerd's certificates directory, read when none is configured.
pub const DOCKER_CERTS_DIR: &str = "/etc/docker/certs.d";
/// engined's own, read as well when none is configured.
pub const ENGINED_CERTS_DIR: &str = "/etc/engined/certs.d";

/// dockerd's defaults for `max-concurrent-downloads` / `-uploads`.
pub const DEFAULT_DOWNLOADS: usize = 3;
pub const DEFAULT_UPLOADS: usize = 5;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Directories holding one `<host:port>` directory per registry.
    pub certs_dirs: Vec<PathBuf>,
    /// `insecure-registries`: CIDRs (`10.0.0.0/8`) and `host[:port]`.
    pub insecure: Vec<String>,
    /// `registry-mirrors`: base URLs tried first for Docker Hub names.
    pub mirrors: Vec<String>,
    pub max_downloads: usize,
    pub max_uploads: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            certs_dirs: vec![DOCKER_CERTS_DIR.into(), ENGINED_CERTS_DIR.into()],
            insecure: Vec::new(),
            mirrors: Vec::new(),
            max_downloads: DEFAULT_DOWNLOADS,
            max_uploads: DEFAULT_UPLOADS,
        }
    }
}

impl Settings {
    /// The registry settings of a daemon configuration.
    pub fn from_config(config: &DaemonConfig) -> Settings {
        let defaults = Settings::default();
        Settings {
            certs_dirs: match &config.registry_certs_dir {
                Some(dir) if !dir.as_os_str().is_empty() => vec![dir.clone()],
                _ => defaults.certs_dirs,
            },
            insecure: config.insecure_registries.clone(),
            mirrors: config
                .registry_mirrors
                .iter()
                .map(|m| m.trim_end_matches('/').to_string())
                .collect(),
            max_downloads: config
                .max_concurrent_downloads
                .map_or(DEFAULT_DOWNLOADS, |n| n.max(1) as usize),
            max_uploads: config
                .max_concurrent_uploads
                .map_or(DEFAULT_UPLOADS, |n| n.max(1) as usize),
        }
    }

    /// The certificates directory for `host_port`, if one exists.
    pub fn certs_dir(&self, host_port: &str) -> Option<PathBuf> {
        self.certs_dirs
            .iter()
            .map(|d| d.join(host_port.replace(['[', ']'], "")))
            .find(|d| d.is_dir())
    }

    /// The CA certificates (`*.crt`) of `host_port`'s certs.d directory.
    pub fn ca_files(&self, host_port: &str) -> Vec<PathBuf> {
        let Some(dir) = self.certs_dir(host_port) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "crt"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    /// The client certificate and key of `host_port`'s certs.d directory
    /// (`NAME.cert` with `NAME.key`, as dockerd pairs them), if any.
    pub fn client_pair(&self, host_port: &str) -> Option<(PathBuf, PathBuf)> {
        let dir = self.certs_dir(host_port)?;
        let mut certs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "cert"))
            .collect();
        certs.sort();
        certs.into_iter().find_map(|cert| {
            let key = cert.with_extension("key");
            key.is_file().then_some((cert, key))
        })
    }

    /// True for an insecure registry, spoken to over TLS without
    /// verification or, when it speaks no TLS, plain HTTP: loopback (as
    /// dockerd's default 127.0.0.0/8) or listed in `insecure-registries`,
    /// and without a certs.d directory.
    pub fn is_insecure(&self, host_port: &str) -> bool {
        if self.certs_dir(host_port).is_some() {
            return false;
        }
        super::http::is_insecure(host_port)
            || self
                .insecure
                .iter()
                .any(|entry| matches_entry(entry, host_port))
    }

    /// The registry part of `docker info`, as dockerd reports its
    /// options: the loopback range and every CIDR of
    /// `insecure-registries` as insecure ranges, every host named there as
    /// an insecure index, and the mirrors on Docker Hub's index (with the
    /// trailing slash dockerd normalises a mirror URL to).
    pub fn service_config(&self) -> RegistryServiceConfig {
        let mirrors: Vec<String> = self.mirrors.iter().map(|m| format!("{m}/")).collect();
        let mut cidrs = vec![LOOPBACK_CIDR.to_string()];
        let mut indexes = BTreeMap::new();
        indexes.insert(
            super::name::DEFAULT_DOMAIN.to_string(),
            IndexInfo {
                name: Some(super::name::DEFAULT_DOMAIN.into()),
                mirrors: Some(mirrors.clone()),
                secure: Some(true),
                official: Some(true),
                ..Default::default()
            },
        );
        for entry in self.insecure.iter().map(|e| bare(e)) {
            if cidr(entry).is_some() {
                if !cidrs.iter().any(|c| c == entry) {
                    cidrs.push(entry.to_string());
                }
                continue;
            }
            indexes.insert(
                entry.to_string(),
                IndexInfo {
                    name: Some(entry.to_string()),
                    mirrors: Some(Vec::new()),
                    secure: Some(false),
                    official: Some(false),
                    ..Default::default()
                },
            );
        }
        RegistryServiceConfig {
            allow_nondistributable_artifacts_cid_rs: Some(Vec::new()),
            allow_nondistributable_artifacts_hostnames: Some(Vec::new()),
            insecure_registry_cid_rs: Some(cidrs),
            // Go writes a map sorted by key, as the BTreeMap iterates.
            index_configs: Some(indexes.into_iter().collect()),
            mirrors: Some(mirrors),
            ..Default::default()
        }
    }
}

/// The insecure range dockerd always has: loopback.
const LOOPBACK_CIDR: &str = "127.0.0.0/8";

/// An `insecure-registries` entry without the scheme or trailing slash a
/// user may have written around it.
fn bare(entry: &str) -> &str {
    entry
        .trim()
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .trim_end_matches('/')
}

/// A `net/bits` entry's network and prefix length, when it is a CIDR.
fn cidr(entry: &str) -> Option<(IpAddr, u32)> {
    let (net, bits) = entry.split_once('/')?;
    let net = net.parse::<IpAddr>().ok()?;
    let bits = bits.parse::<u32>().ok()?;
    let max = if net.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((net, bits))
}

/// An `insecure-registries` entry against `host[:port]`: the same name,
/// the host alone when the entry names no port, or a CIDR holding the IP.
fn matches_entry(entry: &str, host_port: &str) -> bool {
    let entry = bare(entry);
    if entry == host_port {
        return true;
    }
    let host = super::http::host_of(host_port);
    if entry == host {
        return true;
    }
    let (Some((net, bits)), Ok(ip)) = (cidr(entry), host.parse::<IpAddr>()) else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_insecure(entries: &[&str]) -> Settings {
        Settings {
            certs_dirs: Vec::new(),
            insecure: entries.iter().map(|e| e.to_string()).collect(),
            ..Settings::default()
        }
    }

    #[test]
    fn insecure_registries() {
        let s = with_insecure(&["10.0.0.0/8", "reg.example:5000", "plain.example"]);
        assert!(s.is_insecure("127.0.0.1:5000"));
        assert!(s.is_insecure("10.1.2.3:5000"));
        assert!(!s.is_insecure("11.1.2.3:5000"));
        assert!(s.is_insecure("reg.example:5000"));
        assert!(!s.is_insecure("reg.example:5001"));
        assert!(s.is_insecure("plain.example:443"));
        assert!(!s.is_insecure("registry-1.docker.io"));
        assert!(s.is_insecure("10.0.0.1:80"));
        assert!(!s.is_insecure("11.0.0.1:80"));
    }

    #[test]
    fn info_lists_mirrors_and_insecure_ranges_and_hosts_as_dockerd() {
        let s = Settings {
            insecure: vec![
                "10.0.0.0/8".into(),
                "http://reg.example:5000/".into(),
                "127.0.0.0/8".into(),
            ],
            mirrors: vec!["https://mirror.example".into()],
            ..Settings::default()
        };
        let c = s.service_config();
        assert_eq!(
            c.insecure_registry_cid_rs.unwrap(),
            ["127.0.0.0/8", "10.0.0.0/8"]
        );
        assert_eq!(c.mirrors.unwrap(), ["https://mirror.example/"]);
        let indexes = c.index_configs.unwrap();
        let names: Vec<&str> = indexes.keys().map(String::as_str).collect();
        assert_eq!(names, ["docker.io", "reg.example:5000"]);
        assert_eq!(
            indexes["docker.io"].mirrors.as_deref().unwrap(),
            ["https://mirror.example/"]
        );
        assert_eq!(indexes["docker.io"].official, Some(true));
        assert_eq!(indexes["reg.example:5000"].secure, Some(false));
        assert_eq!(indexes["reg.example:5000"].official, Some(false));
        let plain = Settings::default().service_config();
        assert_eq!(plain.insecure_registry_cid_rs.unwrap(), ["127.0.0.0/8"]);
        assert_eq!(plain.mirrors.unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_certs_dir_makes_loopback_tls() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("127.0.0.1:5443")).unwrap();
        std::fs::write(dir.path().join("127.0.0.1:5443/ca.crt"), "x").unwrap();
        std::fs::write(dir.path().join("127.0.0.1:5443/client.key"), "x").unwrap();
        let s = Settings {
            certs_dirs: vec![dir.path().to_path_buf()],
            ..Settings::default()
        };
        assert!(!s.is_insecure("127.0.0.1:5443"));
        assert!(s.is_insecure("127.0.0.1:5000"));
        assert_eq!(
            s.ca_files("127.0.0.1:5443"),
            vec![dir.path().join("127.0.0.1:5443/ca.crt")]
        );
        // A key without its certificate is no client pair; with it, it is.
        assert_eq!(s.client_pair("127.0.0.1:5443"), None);
        std::fs::write(dir.path().join("127.0.0.1:5443/client.cert"), "x").unwrap();
        assert_eq!(
            s.client_pair("127.0.0.1:5443"),
            Some((
                dir.path().join("127.0.0.1:5443/client.cert"),
                dir.path().join("127.0.0.1:5443/client.key")
            ))
        );
    }
}
