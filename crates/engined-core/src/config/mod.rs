//! The daemon's configuration model: what one `daemon.json` or the flags
//! set, and the checks of each key on its own.
//!
//! Keys are dockerd's, with dockerd's spelling and meaning: `hosts`,
//! `group`, `data-root`, `exec-root`, `pidfile`, `runtimes`, `default-runtime`,
//! `labels`, `debug`, `live-restore`, `log-level`, `tls`, `tlsverify`, `tlscacert`,
//! `tlscert`, `tlskey`, `registry-mirrors`, `insecure-registries`,
//! `max-concurrent-downloads`, `max-concurrent-uploads`, `dns`,
//! `dns-search`, `dns-opts`, the networking keys `bip`,
//! `default-address-pools`, `iptables`, `ip-forward`, `userland-proxy`,
//! and engined's own `registry-certs-dir`. An
//! unknown key, or a value of the wrong type, is refused with an error
//! naming the key ([`ConfigError`]), never ignored.
//!
//! - this file: [`DaemonConfig`] (one `daemon.json`, or what the flags set)
//!   and the checks of each key on its own (`data-root` must be absolute, a
//!   label is `key=value`, a host is `unix://` or `tcp://`);
//! - [`effective`]: the configuration in force, with the checks that relate
//!   keys (TLS needs a certificate and key) and the defaults;
//! - [`hosts`], [`labels`], [`log_level`], [`tls`]: one key each;
//!   [`network`]: `bip` and `default-address-pools`.
//!
//! Reading the file, merging it with the flags and reloading on SIGHUP are
//! the daemon binary's (`engined::config`); rules about the runtimes (a
//! runtime's `path` or `runtimeType`, `default-runtime` naming a runtime)
//! belong to [`crate::runtimes`].

pub mod effective;
mod error;
pub mod hosts;
pub mod labels;
pub mod log_level;
pub mod network;
mod runtime;
pub mod tls;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use effective::EffectiveConfig;
pub use error::{ConfigError, Conflict};
pub use hosts::DEFAULT_HOST;
pub use log_level::LogLevel;
pub use network::AddressPool;
pub use runtime::RuntimeConfig;
pub use tls::TlsSettings;

/// The name of the stock runtime (runc), the default `default-runtime`.
pub const STOCK_RUNTIME: &str = "runc";

/// Where the daemon keeps its state when `data-root` is not set.
///
/// Not dockerd's `/var/lib/docker`, so that engined and a real Docker daemon
/// on the same host never share a state directory.
pub const DEFAULT_DATA_ROOT: &str = "/var/lib/engined";

/// Where the daemon keeps its runtime state when `exec-root` is not set
/// (dockerd's is `/var/run/docker`).
pub const DEFAULT_EXEC_ROOT: &str = "/run/engined";

/// The daemon's pid file when `pidfile` is not set (dockerd's is
/// `/var/run/docker.pid`).
pub const DEFAULT_PIDFILE: &str = "/run/engined.pid";

/// The configuration file read when `--config-file` is not given; unlike a
/// named one, it may be absent.
pub const DEFAULT_CONFIG_FILE: &str = "/etc/engined/daemon.json";

/// The contents of `daemon.json`, or the settings the flags gave.
///
/// A field left out is `None` or empty; accessors such as
/// [`DaemonConfig::data_root`] apply the defaults. Like dockerd, an empty
/// string counts as "not set".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DaemonConfig {
    /// The addresses the API listens on, `unix:///path` or `tcp://host:port`
    /// (dockerd's `hosts`, `-H`); [`DEFAULT_HOST`] when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// The group that owns the unix sockets (dockerd's `group`, `-G`):
    /// a name or a number; `docker` when unset, if that group exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The root of the daemon's persistent state (dockerd's `data-root`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_root: Option<PathBuf>,
    /// The root of the daemon's runtime state (dockerd's `exec-root`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_root: Option<PathBuf>,
    /// The file the daemon writes its pid to (dockerd's `pidfile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pidfile: Option<PathBuf>,
    /// Extra OCI runtimes, by name (dockerd's `runtimes`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub runtimes: BTreeMap<String, RuntimeConfig>,
    /// The runtime a container gets when it names none (dockerd's
    /// `default-runtime`; `runc` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_runtime: Option<String>,
    /// The daemon's labels, each `key=value` (dockerd's `labels`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Debug logging (dockerd's `debug`, `-D`): the log level is `debug`
    /// whatever `log-level` says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug: Option<bool>,
    /// Keep containers running when the daemon stops (dockerd's
    /// `live-restore`); off when unset: a clean stop stops them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_restore: Option<bool>,
    /// The log level (dockerd's `log-level`, `-l`); `info` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_level: Option<LogLevel>,
    /// Serve TLS on tcp hosts (dockerd's `tls`; implied by `tlsverify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
    /// Serve TLS and require client certificates signed by `tlscacert`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlsverify: Option<bool>,
    /// The CA that client certificates must be signed by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlscacert: Option<PathBuf>,
    /// The server's certificate (PEM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlscert: Option<PathBuf>,
    /// The server certificate's private key (PEM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlskey: Option<PathBuf>,
    // Registries (`images::registry::Settings` reads these).
    /// Mirrors tried first for Docker Hub pulls (dockerd's `registry-mirrors`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registry_mirrors: Vec<String>,
    /// Registries spoken to in plain HTTP, CIDRs or `host[:port]`
    /// (dockerd's `insecure-registries`; loopback is always insecure).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insecure_registries: Vec<String>,
    /// Layers downloaded at once per pull (dockerd's; 3 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_downloads: Option<u32>,
    /// Layers uploaded at once per push (dockerd's; 5 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_uploads: Option<u32>,
    /// engined's own: the directory of per-registry CA certificates,
    /// `<dir>/<host:port>/*.crt`; unset reads `/etc/docker/certs.d` and
    /// `/etc/engined/certs.d`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_certs_dir: Option<PathBuf>,
    // Name resolution in containers (`networks::dns` reads these).
    /// The nameservers containers use, IP addresses (dockerd's `dns`,
    /// `--dns`); the host's resolv.conf's when none. On user networks they
    /// are the embedded DNS server's upstreams.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<String>,
    /// The search domains of containers' resolv.conf (dockerd's
    /// `dns-search`; `.` for none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_search: Vec<String>,
    /// The `options` of containers' resolv.conf (dockerd's `dns-opts`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_opts: Vec<String>,
    // Networking (`networks::settings` reads these at start; a reload
    // keeps them).
    /// The default bridge's address and prefix, `172.17.0.1/16`
    /// (dockerd's `bip`); a free default pool when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bip: Option<String>,
    /// The pools new networks' subnets are cut from (dockerd's
    /// `default-address-pools`); dockerd's defaults when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_address_pools: Vec<AddressPool>,
    /// engined's NAT rules for published ports and outbound traffic
    /// (dockerd's `iptables`); on when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iptables: Option<bool>,
    /// Turn on `net.ipv4.ip_forward` at start (dockerd's `ip-forward`); on
    /// when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_forward: Option<bool>,
    /// The userland proxy for published ports (loopback, and hosts without
    /// NAT; dockerd's `userland-proxy`); on when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userland_proxy: Option<bool>,
}

impl DaemonConfig {
    /// Parses and checks the text of a `daemon.json`.
    ///
    /// A file that is empty or only whitespace is an empty configuration, as
    /// for dockerd.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Self::default());
        }
        if !text.starts_with('{') {
            // The derived `Deserialize` would take an array as the fields in
            // order, and `null` as all defaults; a daemon.json is an object.
            // Parsing as one gives the error, with its line and column.
            if let Err(source) =
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
            {
                return Err(ConfigError::Parse {
                    key: String::new(),
                    source,
                });
            }
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let config: Self = serde_path_to_error::deserialize(&mut de).map_err(|err| {
            // serde_path_to_error writes "." for the top level and "?" where
            // the syntax broke before a key was known.
            let key = err.path().to_string();
            ConfigError::Parse {
                key: if key == "." || key == "?" {
                    String::new()
                } else {
                    key
                },
                source: err.into_inner(),
            }
        })?;
        de.end().map_err(|source| ConfigError::Parse {
            key: String::new(),
            source,
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads, parses and checks a `daemon.json` file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// Checks the values that can be judged key by key: the paths are
    /// absolute, every host parses, every label is `key=value`.
    ///
    /// What relates keys to each other (TLS files, labels given twice) is
    /// checked by [`EffectiveConfig::new`], on the merged configuration.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (key, path) in [
            ("data-root", &self.data_root),
            ("exec-root", &self.exec_root),
            ("pidfile", &self.pidfile),
            ("registry-certs-dir", &self.registry_certs_dir),
        ] {
            if let Some(path) = path.as_deref() {
                if !path.as_os_str().is_empty() && !path.is_absolute() {
                    return Err(ConfigError::InvalidValue {
                        key: key.to_owned(),
                        value: path.display().to_string(),
                        reason: "must be an absolute path",
                    });
                }
            }
        }
        for host in &self.hosts {
            hosts::parse(host, false)?;
        }
        for label in &self.labels {
            labels::parse(label)?;
        }
        if let Some(bip) = self.bip.as_deref().filter(|b| !b.is_empty()) {
            network::check_bip(bip)?;
        }
        for pool in &self.default_address_pools {
            network::check_pool(pool)?;
        }
        for server in &self.dns {
            if server.parse::<std::net::IpAddr>().is_err() {
                return Err(ConfigError::InvalidValue {
                    key: "dns".to_owned(),
                    value: server.clone(),
                    reason: "is not an IP address",
                });
            }
        }
        Ok(())
    }

    /// The data root: `data-root` if set, else [`DEFAULT_DATA_ROOT`].
    pub fn data_root(&self) -> &Path {
        non_empty_or(self.data_root.as_deref(), DEFAULT_DATA_ROOT)
    }

    /// The exec root: `exec-root` if set, else [`DEFAULT_EXEC_ROOT`].
    pub fn exec_root(&self) -> &Path {
        non_empty_or(self.exec_root.as_deref(), DEFAULT_EXEC_ROOT)
    }

    /// The pid file: `pidfile` if set, else [`DEFAULT_PIDFILE`].
    pub fn pidfile(&self) -> &Path {
        non_empty_or(self.pidfile.as_deref(), DEFAULT_PIDFILE)
    }

    /// The default runtime's name: `default-runtime` if set, else `runc`.
    pub fn default_runtime_name(&self) -> &str {
        match self.default_runtime.as_deref() {
            Some(name) if !name.is_empty() => name,
            _ => STOCK_RUNTIME,
        }
    }

    /// The log level in effect: `debug` when `debug` is true, else
    /// `log-level`, else `info`.
    pub fn effective_log_level(&self) -> LogLevel {
        if self.debug == Some(true) {
            LogLevel::Debug
        } else {
            self.log_level.unwrap_or_default()
        }
    }

    /// Whether TLS is on: `tls` or `tlsverify` (which implies it).
    pub fn tls_enabled(&self) -> bool {
        self.tls == Some(true) || self.tlsverify == Some(true)
    }
}

fn non_empty_or<'a>(path: Option<&'a Path>, default: &'static str) -> &'a Path {
    match path {
        Some(path) if !path.as_os_str().is_empty() => path,
        _ => Path::new(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dockerd_runtime_keys() {
        let config = DaemonConfig::from_json(
            r#"{
                "data-root": "/srv/engined",
                "default-runtime": "crun",
                "runtimes": {
                    "crun": {"path": "/usr/bin/crun", "runtimeArgs": ["--debug"]},
                    "kata": {"runtimeType": "io.containerd.kata.v2", "options": {"ConfigPath": "/etc/kata.toml"}}
                }
            }"#,
        )
        .unwrap();
        assert_eq!(config.data_root(), Path::new("/srv/engined"));
        assert_eq!(config.default_runtime_name(), "crun");
        let crun = &config.runtimes["crun"];
        assert_eq!(crun.path(), Some("/usr/bin/crun"));
        assert_eq!(crun.args(), ["--debug".to_owned()]);
        let kata = &config.runtimes["kata"];
        assert_eq!(kata.runtime_type(), Some("io.containerd.kata.v2"));
        assert_eq!(kata.options().map(|o| o.len()), Some(1));
    }

    #[test]
    fn empty_file_and_defaults() {
        let config = DaemonConfig::from_json("  \n").unwrap();
        assert_eq!(config, DaemonConfig::default());
        assert_eq!(config.data_root(), Path::new(DEFAULT_DATA_ROOT));
        assert_eq!(config.default_runtime_name(), "runc");
        let config =
            DaemonConfig::from_json(r#"{"data-root": "", "default-runtime": ""}"#).unwrap();
        assert_eq!(config.data_root(), Path::new(DEFAULT_DATA_ROOT));
        assert_eq!(config.default_runtime_name(), "runc");
    }

    #[test]
    fn unknown_top_level_key_is_named() {
        let err = DaemonConfig::from_json(r#"{"runtimes": {}, "storage-driver": "overlay2"}"#)
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("unknown field `storage-driver`"), "{text}");
        // dockerd's flag names are not file keys.
        let err = DaemonConfig::from_json(r#"{"host": ["unix:///x"]}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `host`"), "{err}");
    }

    #[test]
    fn parses_every_dockerd_key() {
        let config = DaemonConfig::from_json(
            r#"{
                "hosts": ["unix:///run/e.sock", "tcp://127.0.0.1:2376"],
                "group": "engined",
                "data-root": "/srv/data",
                "exec-root": "/srv/exec",
                "pidfile": "/srv/e.pid",
                "runtimes": {"crun": {"path": "crun"}},
                "default-runtime": "crun",
                "labels": ["zone=a", "tier=db"],
                "debug": true,
                "log-level": "warn",
                "tls": true,
                "tlsverify": true,
                "tlscacert": "/tls/ca.pem",
                "tlscert": "/tls/cert.pem",
                "tlskey": "/tls/key.pem"
            }"#,
        )
        .unwrap();
        assert_eq!(config.hosts, ["unix:///run/e.sock", "tcp://127.0.0.1:2376"]);
        assert_eq!(config.group.as_deref(), Some("engined"));
        assert_eq!(config.data_root(), Path::new("/srv/data"));
        assert_eq!(config.exec_root(), Path::new("/srv/exec"));
        assert_eq!(config.pidfile(), Path::new("/srv/e.pid"));
        assert_eq!(config.default_runtime_name(), "crun");
        assert_eq!(config.labels, ["zone=a", "tier=db"]);
        assert_eq!(config.debug, Some(true));
        assert_eq!(config.log_level, Some(LogLevel::Warn));
        assert_eq!(config.tls, Some(true));
        assert_eq!(config.tlsverify, Some(true));
        assert_eq!(config.tlscacert.as_deref(), Some(Path::new("/tls/ca.pem")));
        assert_eq!(config.tlscert.as_deref(), Some(Path::new("/tls/cert.pem")));
        assert_eq!(config.tlskey.as_deref(), Some(Path::new("/tls/key.pem")));
        assert_eq!(config.effective_log_level(), LogLevel::Debug);
        assert!(config.tls_enabled());
        // Serializing writes the same keys back.
        let again = serde_json::to_string(&config).unwrap();
        assert_eq!(DaemonConfig::from_json(&again).unwrap(), config);
    }

    #[test]
    fn wrong_types_name_their_key() {
        for (json, key) in [
            (r#"{"hosts": "unix:///x"}"#, "hosts"),
            (r#"{"hosts": [1]}"#, "hosts[0]"),
            (r#"{"labels": {"a": "b"}}"#, "labels"),
            (r#"{"debug": "true"}"#, "debug"),
            (r#"{"tls": 1}"#, "tls"),
            (r#"{"tlsverify": null, "tlscert": false}"#, "tlscert"),
            (r#"{"exec-root": ["/x"]}"#, "exec-root"),
            (r#"{"pidfile": 7}"#, "pidfile"),
            (r#"{"group": 0}"#, "group"),
            (r#"{"log-level": 3}"#, "log-level"),
        ] {
            let err = DaemonConfig::from_json(json).unwrap_err();
            assert!(matches!(err, ConfigError::Parse { .. }), "{json}: {err:?}");
            let text = err.to_string();
            assert!(
                text.starts_with(&format!("invalid daemon.json: {key}: invalid type")),
                "{json}: {text}"
            );
        }
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = DaemonConfig::from_json(r#"{"log-level": "verbose"}"#).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(
                "invalid daemon.json: log-level: unknown log level \"verbose\" \
                 (use debug, info, warn, error or fatal)"
            ),
            "{text}"
        );
        for (json, start) in [
            (
                r#"{"hosts": ["ssh://box"]}"#,
                "hosts: `ssh://box`: unsupported scheme",
            ),
            (r#"{"hosts": ["tcp://h:x"]}"#, "hosts: `tcp://h:x`"),
            (r#"{"labels": ["novalue"]}"#, "labels: must be key=value"),
            (
                r#"{"exec-root": "run/x"}"#,
                "exec-root: must be an absolute path",
            ),
            (
                r#"{"pidfile": "x.pid"}"#,
                "pidfile: must be an absolute path",
            ),
        ] {
            let text = DaemonConfig::from_json(json).unwrap_err().to_string();
            assert!(text.starts_with(start), "{json}: {text}");
        }
    }

    #[test]
    fn non_object_documents_are_refused() {
        for json in ["[]", r#"["unix:///x"]"#, "true", "\"x\"", "1", "null"] {
            let text = DaemonConfig::from_json(json).unwrap_err().to_string();
            assert!(
                text.starts_with("invalid daemon.json: invalid type"),
                "{json}: {text}"
            );
        }
    }

    #[test]
    fn unknown_runtime_key_is_named_with_its_runtime() {
        let err =
            DaemonConfig::from_json(r#"{"runtimes": {"crun": {"path": "crun", "args": ["-x"]}}}"#)
                .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("runtimes.crun"), "{text}");
        assert!(text.contains("`args`"), "{text}");
    }

    #[test]
    fn wrong_type_names_the_key_path() {
        let err = DaemonConfig::from_json(
            r#"{"runtimes": {"crun": {"path": "crun", "runtimeArgs": [1]}}}"#,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("runtimes.crun.runtimeArgs[0]"), "{text}");
        let err = DaemonConfig::from_json(r#"{"default-runtime": 3}"#).unwrap_err();
        assert!(err.to_string().contains("default-runtime"), "{err}");
    }

    #[test]
    fn syntax_errors_are_refused() {
        assert!(DaemonConfig::from_json(r#"{} {}"#).is_err());
        let err = DaemonConfig::from_json("{").unwrap_err();
        assert!(
            err.to_string().starts_with("invalid daemon.json: EOF"),
            "{err}"
        );
    }

    #[test]
    fn relative_data_root_is_refused() {
        let err = DaemonConfig::from_json(r#"{"data-root": "var/lib/x"}"#).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("data-root:"), "{text}");
        assert!(text.contains("var/lib/x"), "{text}");
    }
}
