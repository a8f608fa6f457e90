//! The configuration the daemon runs with: flags and file merged, checked as
//! a whole, defaults applied.
//!
//! [`EffectiveConfig::new`] adds to the key-by-key checks of
//! [`DaemonConfig::validate`] the rules that relate keys (TLS files,
//! `tlsverify` implying `tls`, a label key given twice) and resolves the
//! hosts (the default one when none; the default tcp port depends on TLS).
//! It also notes what is allowed but unwise (a tcp host without TLS) in
//! [`EffectiveConfig::warnings`], for the daemon to log.

use std::collections::BTreeMap;
use std::path::Path;

use engine_api::rt::host::Host;

use super::hosts::ListenAddr;
use super::{hosts, labels, ConfigError, DaemonConfig, LogLevel, TlsSettings};

/// A merged, checked configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveConfig {
    config: DaemonConfig,
    hosts: Vec<ListenAddr>,
    labels: BTreeMap<String, String>,
    tls: Option<TlsSettings>,
    warnings: Vec<String>,
}

impl EffectiveConfig {
    /// Checks `config` as a whole and derives the settings the daemon uses.
    pub fn new(config: DaemonConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let tls = TlsSettings::from_config(&config)?;
        let hosts = hosts::resolve(&config.hosts, tls.is_some())?;
        let labels = labels::conflict_free(&config.labels)?;
        let warnings = hosts
            .iter()
            .filter(|host| matches!(host, ListenAddr::Bind(Host::Tcp(_))))
            .filter(|_| tls.as_ref().is_none_or(|t| t.verify_clients_with.is_none()))
            .map(|host| {
                format!(
                    "{host}: listening on tcp without tlsverify: anyone who can reach it \
                     controls the daemon"
                )
            })
            .collect();
        Ok(Self {
            config,
            hosts,
            labels,
            tls,
            warnings,
        })
    }

    /// The merged configuration (what the runtimes store is given).
    pub fn config(&self) -> &DaemonConfig {
        &self.config
    }

    /// The merged configuration, by value.
    pub fn into_config(self) -> DaemonConfig {
        self.config
    }

    /// The addresses to listen on (at least one; duplicates dropped).
    pub fn hosts(&self) -> &[ListenAddr] {
        &self.hosts
    }

    /// The persistent state's root.
    pub fn data_root(&self) -> &Path {
        self.config.data_root()
    }

    /// The runtime state's root.
    pub fn exec_root(&self) -> &Path {
        self.config.exec_root()
    }

    /// The pid file.
    pub fn pidfile(&self) -> &Path {
        self.config.pidfile()
    }

    /// The daemon's labels, each key once.
    pub fn labels(&self) -> &BTreeMap<String, String> {
        &self.labels
    }

    /// The TLS of the tcp hosts; `None` when TLS is off.
    pub fn tls(&self) -> Option<&TlsSettings> {
        self.tls.as_ref()
    }

    /// The log level in effect (`debug` wins over `log-level`).
    pub fn log_level(&self) -> LogLevel {
        self.config.effective_log_level()
    }

    /// Allowed but unwise settings, for the daemon to log at start.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn effective(json: &str) -> Result<EffectiveConfig, ConfigError> {
        EffectiveConfig::new(DaemonConfig::from_json(json)?)
    }

    #[test]
    fn defaults() {
        let e = effective("{}").unwrap();
        assert_eq!(
            e.hosts(),
            [ListenAddr::Bind(Host::Unix(PathBuf::from(
                "/run/engined.sock"
            )))]
        );
        assert_eq!(e.data_root(), Path::new("/var/lib/engined"));
        assert_eq!(e.exec_root(), Path::new("/run/engined"));
        assert_eq!(e.pidfile(), Path::new("/run/engined.pid"));
        assert!(e.labels().is_empty());
        assert_eq!(e.tls(), None);
        assert_eq!(e.log_level(), LogLevel::Info);
        assert!(e.warnings().is_empty());
    }

    #[test]
    fn debug_wins_over_log_level() {
        let e = effective(r#"{"debug": true, "log-level": "error"}"#).unwrap();
        assert_eq!(e.log_level(), LogLevel::Debug);
        let e = effective(r#"{"debug": false, "log-level": "error"}"#).unwrap();
        assert_eq!(e.log_level(), LogLevel::Error);
    }

    #[test]
    fn tls_sets_the_default_tcp_port_and_quiets_the_warning() {
        let e = effective(r#"{"hosts": ["tcp://127.0.0.1"]}"#).unwrap();
        assert_eq!(
            e.hosts(),
            [ListenAddr::Bind(Host::Tcp("127.0.0.1:2375".into()))]
        );
        assert_eq!(e.warnings().len(), 1);
        assert!(e.warnings()[0].starts_with("tcp://127.0.0.1:2375: "));
        let e = effective(
            r#"{"hosts": ["tcp://127.0.0.1"], "tlsverify": true,
                "tlscacert": "/ca", "tlscert": "/c", "tlskey": "/k"}"#,
        )
        .unwrap();
        assert_eq!(
            e.hosts(),
            [ListenAddr::Bind(Host::Tcp("127.0.0.1:2376".into()))]
        );
        assert!(e.warnings().is_empty(), "{:?}", e.warnings());
    }

    #[test]
    fn cross_key_rules_apply() {
        let err = effective(r#"{"labels": ["a=1", "a=2"]}"#).unwrap_err();
        assert!(
            err.to_string().starts_with("labels: conflict labels"),
            "{err}"
        );
        let err = effective(r#"{"tls": true}"#).unwrap_err();
        assert_eq!(err.to_string(), "tlscert: required with tls");
    }
}
