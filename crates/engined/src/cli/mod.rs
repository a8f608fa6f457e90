//! The `engined` command line: dockerd's flags, for what engined supports.
//!
//! [`Flags`] parses them (clap); [`Flags::to_config`] gives what they set as
//! a [`DaemonConfig`] holding only the keys given on the command line, which
//! [`crate::config::load`] merges with the configuration file by dockerd's
//! rules (and [`crate::config::reload()`] again on SIGHUP). Defaults are not
//! filled in here, so that "not given" stays distinguishable from "given the
//! default value": a flag given with its default still conflicts with the
//! file, as for dockerd.
//!
//! The boolean flags take an optional value (`--tls`, `--tls=false`), as
//! dockerd's do. Values are checked as they are parsed, so a bad one is
//! reported against its flag.

mod values;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use clap::Parser;

use crate::config::{ConfigError, ConfigFile, DaemonConfig, LogLevel, RuntimeConfig};

pub use values::AddRuntime;

/// `engined`'s flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Parser)]
#[command(
    name = "engined",
    about = "A small Docker-compatible engine that runs containers on OCI runtimes.",
    disable_version_flag = true
)]
pub struct Flags {
    /// Address to listen on, unix:///path, tcp://host:port or fd:// (repeatable)
    /// [default: unix:///run/engined.sock]
    #[arg(short = 'H', long = "host", value_name = "ADDRESS", value_parser = values::host)]
    pub hosts: Vec<String>,

    /// Group that owns the unix sockets (a name or a number)
    /// [default: docker, if that group exists, else root]
    #[arg(short = 'G', long, value_name = "GROUP", value_parser = values::group)]
    pub group: Option<String>,

    /// Root of the daemon's persistent state [default: /var/lib/engined]
    #[arg(long, value_name = "DIR", value_parser = values::absolute_path)]
    pub data_root: Option<PathBuf>,

    /// Root of the daemon's runtime state [default: /run/engined]
    #[arg(long, value_name = "DIR", value_parser = values::absolute_path)]
    pub exec_root: Option<PathBuf>,

    /// Daemon configuration file (must exist when given)
    /// [default: /etc/engined/daemon.json]
    #[arg(long, value_name = "FILE", value_parser = values::path)]
    pub config_file: Option<PathBuf>,

    /// File to write the daemon's pid to [default: /run/engined.pid]
    #[arg(long, value_name = "FILE", value_parser = values::absolute_path)]
    pub pidfile: Option<PathBuf>,

    /// Runtime for containers that name none [default: runc]
    #[arg(long, value_name = "NAME")]
    pub default_runtime: Option<String>,

    /// Register an OCI runtime: NAME=PATH (repeatable)
    #[arg(long = "add-runtime", value_name = "NAME=PATH", value_parser = values::add_runtime)]
    pub add_runtimes: Vec<AddRuntime>,

    /// Daemon label KEY=VALUE (repeatable)
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = values::label)]
    pub labels: Vec<String>,

    /// Debug mode: log at debug level
    #[arg(
        short = 'D',
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub debug: Option<bool>,

    /// Keep containers running when the daemon stops
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub live_restore: Option<bool>,

    /// Log level: debug, info, warn, error or fatal [default: info]
    #[arg(short = 'l', long, value_name = "LEVEL", value_parser = values::log_level)]
    pub log_level: Option<LogLevel>,

    /// Serve TLS on tcp hosts; implied by --tlsverify
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub tls: Option<bool>,

    /// Serve TLS and require client certificates signed by --tlscacert
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub tlsverify: Option<bool>,

    /// CA that client certificates must be signed by (PEM)
    #[arg(long, value_name = "FILE", value_parser = values::path)]
    pub tlscacert: Option<PathBuf>,

    /// Server certificate (PEM)
    #[arg(long, value_name = "FILE", value_parser = values::path)]
    pub tlscert: Option<PathBuf>,

    /// Server certificate's private key (PEM)
    #[arg(long, value_name = "FILE", value_parser = values::path)]
    pub tlskey: Option<PathBuf>,

    /// Preferred Docker Hub mirror (repeatable)
    #[arg(long = "registry-mirror", value_name = "URL")]
    pub registry_mirrors: Vec<String>,

    /// Registry spoken to in plain HTTP: CIDR or HOST[:PORT] (repeatable)
    #[arg(long = "insecure-registry", value_name = "REGISTRY")]
    pub insecure_registries: Vec<String>,

    /// Layers downloaded at once per pull [default: 3]
    #[arg(long, value_name = "N")]
    pub max_concurrent_downloads: Option<u32>,

    /// Layers uploaded at once per push [default: 5]
    #[arg(long, value_name = "N")]
    pub max_concurrent_uploads: Option<u32>,

    /// Directory of per-registry CA certificates, DIR/HOST:PORT/*.crt
    /// [default: /etc/docker/certs.d and /etc/engined/certs.d]
    #[arg(long, value_name = "DIR", value_parser = values::absolute_path)]
    pub registry_certs_dir: Option<PathBuf>,

    /// DNS server containers use (repeatable)
    #[arg(long = "dns", value_name = "IP")]
    pub dns: Vec<String>,

    /// DNS search domain of containers (repeatable)
    #[arg(long = "dns-search", value_name = "DOMAIN")]
    pub dns_search: Vec<String>,

    /// DNS option of containers (repeatable)
    #[arg(long = "dns-opt", value_name = "OPTION")]
    pub dns_opts: Vec<String>,

    /// The default bridge's address and prefix (172.17.0.1/16)
    #[arg(long, value_name = "CIDR")]
    pub bip: Option<String>,

    /// Write NAT rules for published ports and outbound traffic (default true)
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub iptables: Option<bool>,

    /// Turn on net.ipv4.ip_forward (default true)
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub ip_forward: Option<bool>,

    /// Serve published ports through the userland proxy too (default true)
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub userland_proxy: Option<bool>,

    /// Print the version and exit
    #[arg(short = 'v', long)]
    pub version: bool,
}

impl Flags {
    /// The settings the flags give, as `daemon.json` keys; a key not given
    /// on the command line is unset.
    ///
    /// Refuses two `--add-runtime` of one name (dockerd does too).
    pub fn to_config(&self) -> Result<DaemonConfig, ConfigError> {
        let mut runtimes = std::collections::BTreeMap::new();
        for AddRuntime { name, path } in &self.add_runtimes {
            if runtimes
                .insert(name.clone(), RuntimeConfig::from_path(path.clone()))
                .is_some()
            {
                return Err(ConfigError::RepeatedFlag {
                    flag: "--add-runtime",
                    value: name.clone(),
                });
            }
        }
        Ok(DaemonConfig {
            hosts: self.hosts.clone(),
            group: self.group.clone(),
            data_root: self.data_root.clone(),
            exec_root: self.exec_root.clone(),
            pidfile: self.pidfile.clone(),
            runtimes,
            default_runtime: self.default_runtime.clone(),
            labels: self.labels.clone(),
            debug: self.debug,
            live_restore: self.live_restore,
            log_level: self.log_level,
            tls: self.tls,
            tlsverify: self.tlsverify,
            tlscacert: self.tlscacert.clone(),
            tlscert: self.tlscert.clone(),
            tlskey: self.tlskey.clone(),
            registry_mirrors: self.registry_mirrors.clone(),
            insecure_registries: self.insecure_registries.clone(),
            max_concurrent_downloads: self.max_concurrent_downloads,
            max_concurrent_uploads: self.max_concurrent_uploads,
            registry_certs_dir: self.registry_certs_dir.clone(),
            dns: self.dns.clone(),
            dns_search: self.dns_search.clone(),
            dns_opts: self.dns_opts.clone(),
            bip: self.bip.clone(),
            default_address_pools: Vec::new(),
            iptables: self.iptables,
            ip_forward: self.ip_forward,
            userland_proxy: self.userland_proxy,
        })
    }

    /// The configuration file: the one `--config-file` names (which must
    /// exist), else the default one (which may be absent).
    pub fn config_file(&self) -> ConfigFile {
        match &self.config_file {
            Some(path) => ConfigFile::named(path),
            None => ConfigFile::default_file(),
        }
    }
}

/// What `engined --version` prints.
pub fn version_text() -> String {
    format!("engined version {}", env!("CARGO_PKG_VERSION"))
}
