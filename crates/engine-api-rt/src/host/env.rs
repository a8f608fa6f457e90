//! [`EnvConfig`]: which daemon a client talks to and how, chosen as the
//! docker CLI chooses (without its flags):
//!
//! 1. DOCKER_HOST, when set, with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH;
//! 2. else the context DOCKER_CONTEXT names, else the `currentContext` of
//!    the CLI's `config.json` (in DOCKER_CONFIG, else `~/.docker`), with
//!    the context's own TLS material;
//! 3. else the default socket `/var/run/docker.sock`, and when that does
//!    not exist, podman's: the rootless `$XDG_RUNTIME_DIR/podman/podman.sock`,
//!    then the rootful `/run/podman/podman.sock` (the first that exists).
//!
//! DOCKER_API_VERSION pins the version in every case. TLS that would not
//! verify the daemon (`https://` without DOCKER_TLS_VERIFY, a context with
//! `SkipTLSVerify`) is refused rather than quietly sent in plain text or
//! unverified.

use std::path::{Path, PathBuf};

use super::context::{self, DEFAULT_CONTEXT};
use super::{Endpoint, Host, HostError, DEFAULT_UNIX_SOCKET};
use crate::version::ApiVersion;

/// The socket of a rootful podman service (`podman system service`).
pub const PODMAN_ROOTFUL_SOCKET: &str = "/run/podman/podman.sock";

/// Where the chosen endpoint came from (for messages and diagnostics).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointSource {
    /// The DOCKER_HOST variable.
    DockerHost,
    /// The docker CLI context of this name (DOCKER_CONTEXT or `currentContext`).
    Context(String),
    /// Nothing was configured: the default Docker socket.
    DefaultSocket,
    /// Nothing was configured and no Docker socket exists: podman's socket.
    Podman,
}

/// What the environment asks a client to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvConfig {
    /// The daemon's address.
    pub endpoint: Endpoint,
    /// Where `endpoint` came from.
    pub source: EndpointSource,
    /// Speak TLS, verifying the server with `ca.pem` and presenting
    /// `cert.pem`/`key.pem` from `cert_path` (DOCKER_TLS_VERIFY, or a
    /// context with TLS material).
    pub tls_verify: bool,
    /// The directory of the TLS files: DOCKER_CERT_PATH, else the CLI's
    /// config directory; a context's own TLS directory for a context.
    pub cert_path: PathBuf,
    /// DOCKER_API_VERSION pins the version and skips negotiation.
    pub api_version: Option<ApiVersion>,
    /// The docker CLI's config directory (DOCKER_CONFIG, else `~/.docker`).
    pub config_dir: PathBuf,
}

impl EnvConfig {
    /// Reads the variables through `get` (so tests need not touch the
    /// process environment); the CLI's files are read from the disk.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<EnvConfig, HostError> {
        resolve(get, Path::new(DEFAULT_UNIX_SOCKET))
    }

    /// Reads DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG, DOCKER_TLS_VERIFY,
    /// DOCKER_CERT_PATH, DOCKER_API_VERSION (and HOME, XDG_RUNTIME_DIR)
    /// from the process environment.
    pub fn from_env() -> Result<EnvConfig, HostError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }
}

/// [`EnvConfig::from_lookup`] with the default socket's path given.
pub(crate) fn resolve(
    get: impl Fn(&str) -> Option<String>,
    default_socket: &Path,
) -> Result<EnvConfig, HostError> {
    let non_empty = |k: &str| get(k).filter(|v| !v.is_empty());
    let home = non_empty("HOME").unwrap_or_else(|| "/root".into());
    let config_dir = non_empty("DOCKER_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(home).join(".docker"));
    let api_version = non_empty("DOCKER_API_VERSION")
        .map(|v| v.parse())
        .transpose()?;
    let env_tls = non_empty("DOCKER_TLS_VERIFY").is_some();
    let env_cert_path = non_empty("DOCKER_CERT_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| config_dir.clone());
    let mut cfg = EnvConfig {
        endpoint: Endpoint::Host(Host::Unix(default_socket.to_path_buf())),
        source: EndpointSource::DefaultSocket,
        tls_verify: env_tls,
        cert_path: env_cert_path,
        api_version,
        config_dir,
    };
    if let Some(host) = non_empty("DOCKER_HOST") {
        if host.starts_with("https://") && !env_tls {
            return Err(HostError::Unverified(host));
        }
        cfg.endpoint = Endpoint::parse(&host, env_tls)?;
        cfg.source = EndpointSource::DockerHost;
        return Ok(cfg);
    }
    let name = match non_empty("DOCKER_CONTEXT") {
        Some(name) => Some(name),
        None => context::current(&cfg.config_dir)?,
    };
    if let Some(name) = name.filter(|n| n != DEFAULT_CONTEXT) {
        let ctx = context::load(&cfg.config_dir, &name)?;
        let tls = ctx.tls_dir.is_some() || ctx.host.starts_with("https://");
        if ctx.skip_tls_verify || (tls && ctx.tls_dir.is_none()) {
            return Err(HostError::Unverified(format!(
                "{} (context {name})",
                ctx.host
            )));
        }
        cfg.endpoint = Endpoint::parse(&ctx.host, tls)?;
        cfg.tls_verify = tls && matches!(cfg.endpoint, Endpoint::Host(Host::Tcp(_)));
        if let Some(dir) = ctx.tls_dir {
            cfg.cert_path = dir;
        }
        cfg.source = EndpointSource::Context(name);
        return Ok(cfg);
    }
    // DOCKER_TLS_VERIFY means nothing for a unix socket.
    cfg.tls_verify = false;
    if !default_socket.exists() {
        let rootless =
            non_empty("XDG_RUNTIME_DIR").map(|dir| PathBuf::from(dir).join("podman/podman.sock"));
        let found = rootless
            .into_iter()
            .chain([PathBuf::from(PODMAN_ROOTFUL_SOCKET)])
            .find(|p| p.exists());
        if let Some(socket) = found {
            cfg.endpoint = Endpoint::Host(Host::Unix(socket));
            cfg.source = EndpointSource::Podman;
        }
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::super::context::context_dir_name;
    use super::*;
    use std::collections::HashMap;

    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("engine-api-rt-env-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn run(vars: &[(&str, &str)], default_socket: &Path) -> Result<EnvConfig, HostError> {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        resolve(|k| env.get(k).cloned(), default_socket)
    }

    fn write_context(config: &Path, name: &str, host: &str, skip: bool, tls: bool) {
        let dir = config.join("contexts/meta").join(context_dir_name(name));
        std::fs::create_dir_all(&dir).unwrap();
        let meta = serde_json::json!({
            "Name": name,
            "Metadata": {},
            "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": skip}},
        });
        std::fs::write(dir.join("meta.json"), meta.to_string()).unwrap();
        if tls {
            let tls = config
                .join("contexts/tls")
                .join(context_dir_name(name))
                .join("docker");
            std::fs::create_dir_all(&tls).unwrap();
            std::fs::write(tls.join("ca.pem"), "x").unwrap();
        }
    }

    #[test]
    fn docker_host_and_its_tls() {
        let none = Path::new("/nonexistent/docker.sock");
        let cfg = run(
            &[
                ("DOCKER_HOST", "tcp://10.0.0.1"),
                ("DOCKER_TLS_VERIFY", "1"),
                ("DOCKER_CERT_PATH", "/certs"),
                ("DOCKER_API_VERSION", "1.41"),
                ("DOCKER_CONTEXT", "ignored-when-DOCKER_HOST-is-set"),
            ],
            none,
        )
        .unwrap();
        assert_eq!(
            cfg.endpoint,
            Endpoint::Host(Host::Tcp("10.0.0.1:2376".into()))
        );
        assert_eq!(cfg.source, EndpointSource::DockerHost);
        assert!(cfg.tls_verify);
        assert_eq!(cfg.cert_path, PathBuf::from("/certs"));
        assert_eq!(cfg.api_version, Some(ApiVersion::new(1, 41)));
        // https:// alone would not verify the daemon.
        let err = run(&[("DOCKER_HOST", "https://10.0.0.1:2376")], none).unwrap_err();
        assert!(matches!(err, HostError::Unverified(_)), "{err}");
        let cfg = run(
            &[("DOCKER_HOST", "https://h:1"), ("DOCKER_TLS_VERIFY", "1")],
            none,
        )
        .unwrap();
        assert!(cfg.tls_verify);
        assert!(matches!(
            run(&[("DOCKER_HOST", "ssh://me@box")], none)
                .unwrap()
                .endpoint,
            Endpoint::Ssh(_)
        ));
        // The cert path defaults to the config directory.
        let cfg = run(&[("DOCKER_CONFIG", "/cfg")], none).unwrap();
        assert_eq!(cfg.cert_path, PathBuf::from("/cfg"));
    }

    #[test]
    fn contexts_from_the_variable_or_config_json() {
        let s = Scratch::new("contexts");
        let cfg_dir = s.0.join("cfg");
        write_context(&cfg_dir, "remote", "ssh://me@box:2222", false, false);
        write_context(&cfg_dir, "secure", "tcp://10.1.1.1:2376", false, true);
        write_context(&cfg_dir, "sloppy", "tcp://10.1.1.2:2376", true, false);
        let dc = cfg_dir.to_str().unwrap();
        let none = Path::new("/nonexistent/docker.sock");

        let cfg = run(&[("DOCKER_CONFIG", dc), ("DOCKER_CONTEXT", "remote")], none).unwrap();
        assert_eq!(cfg.endpoint.to_string(), "ssh://me@box:2222");
        assert_eq!(cfg.source, EndpointSource::Context("remote".into()));

        // config.json's currentContext, and the context's TLS directory.
        std::fs::write(
            cfg_dir.join("config.json"),
            r#"{"currentContext":"secure"}"#,
        )
        .unwrap();
        let cfg = run(&[("DOCKER_CONFIG", dc)], none).unwrap();
        assert_eq!(
            cfg.endpoint,
            Endpoint::Host(Host::Tcp("10.1.1.1:2376".into()))
        );
        assert!(cfg.tls_verify);
        assert!(cfg.cert_path.ends_with("docker"));
        assert!(cfg.cert_path.starts_with(cfg_dir.join("contexts/tls")));
        // DOCKER_CONTEXT wins over config.json; `default` is the socket.
        let cfg = run(
            &[("DOCKER_CONFIG", dc), ("DOCKER_CONTEXT", "default")],
            none,
        )
        .unwrap();
        assert_eq!(cfg.source, EndpointSource::DefaultSocket);

        let err = run(&[("DOCKER_CONFIG", dc), ("DOCKER_CONTEXT", "sloppy")], none).unwrap_err();
        assert!(matches!(err, HostError::Unverified(_)), "{err}");
        let err = run(&[("DOCKER_CONFIG", dc), ("DOCKER_CONTEXT", "nope")], none).unwrap_err();
        assert!(matches!(err, HostError::NoContext(..)), "{err}");
        std::fs::write(cfg_dir.join("config.json"), "{not json").unwrap();
        let err = run(&[("DOCKER_CONFIG", dc)], none).unwrap_err();
        assert!(matches!(err, HostError::File(..)), "{err}");
    }

    #[test]
    fn podman_sockets_when_docker_has_none() {
        let s = Scratch::new("podman");
        let xdg = s.0.join("xdg");
        std::fs::create_dir_all(xdg.join("podman")).unwrap();
        let none = s.0.join("no-docker.sock");
        let vars = [
            ("DOCKER_CONFIG", s.0.to_str().unwrap()),
            ("XDG_RUNTIME_DIR", xdg.to_str().unwrap()),
        ];
        let rootful_exists = Path::new(PODMAN_ROOTFUL_SOCKET).exists();
        let cfg = run(&vars, &none).unwrap();
        if rootful_exists {
            assert_eq!(cfg.source, EndpointSource::Podman);
        } else {
            assert_eq!(cfg.source, EndpointSource::DefaultSocket);
            assert_eq!(cfg.endpoint, Endpoint::Host(Host::Unix(none.clone())));
        }
        std::fs::write(xdg.join("podman/podman.sock"), "").unwrap();
        let cfg = run(&vars, &none).unwrap();
        assert_eq!(cfg.source, EndpointSource::Podman);
        assert_eq!(
            cfg.endpoint,
            Endpoint::Host(Host::Unix(xdg.join("podman/podman.sock")))
        );
        // A Docker socket that exists wins.
        let cfg = run(&vars, &xdg.join("podman/podman.sock")).unwrap();
        assert_eq!(cfg.source, EndpointSource::DefaultSocket);
    }
}
