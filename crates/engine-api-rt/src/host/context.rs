//! The docker CLI's contexts, read as the CLI stores them under its config
//! directory (DOCKER_CONFIG, else `~/.docker`): `config.json` names the
//! current one (`currentContext`), `contexts/meta/<sha256 of the name>/
//! meta.json` holds its docker endpoint (`Endpoints.docker.Host`,
//! `SkipTLSVerify`), and `contexts/tls/<sha256 of the name>/docker/` its
//! `ca.pem`, `cert.pem` and `key.pem` when it has TLS material. The
//! context `default` is no file: it is DOCKER_HOST or the default socket.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::HostError;

/// The name of the built-in context (DOCKER_HOST or the default socket).
pub const DEFAULT_CONTEXT: &str = "default";

/// The directory name the CLI gives a context: the hex SHA-256 of its name.
pub fn context_dir_name(name: &str) -> String {
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a context says about its docker endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextEndpoint {
    /// The context's name.
    pub name: String,
    /// `Endpoints.docker.Host` (`unix://...`, `tcp://...`, `ssh://...`).
    pub host: String,
    /// `Endpoints.docker.SkipTLSVerify`.
    pub skip_tls_verify: bool,
    /// The directory with the context's `ca.pem`, `cert.pem`, `key.pem`,
    /// when it has one.
    pub tls_dir: Option<PathBuf>,
}

fn read_json(path: &Path) -> Result<Option<Value>, HostError> {
    let bad = |why: String| HostError::File(path.to_path_buf(), why);
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| bad(e.to_string())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(bad(e.to_string())),
    }
}

/// `currentContext` of `config_dir/config.json`; `None` when the file or
/// the key is absent or empty.
pub(crate) fn current(config_dir: &Path) -> Result<Option<String>, HostError> {
    let path = config_dir.join("config.json");
    let Some(config) = read_json(&path)? else {
        return Ok(None);
    };
    match config.get("currentContext") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(HostError::File(
            path,
            "`currentContext` is not a string".into(),
        )),
    }
}

/// The docker endpoint of context `name` under `config_dir`.
pub(crate) fn load(config_dir: &Path, name: &str) -> Result<ContextEndpoint, HostError> {
    let dir = context_dir_name(name);
    let meta = config_dir
        .join("contexts/meta")
        .join(&dir)
        .join("meta.json");
    let Some(doc) = read_json(&meta)? else {
        return Err(HostError::NoContext(name.into(), meta));
    };
    let docker = doc.pointer("/Endpoints/docker");
    let host = docker
        .and_then(|d| d.get("Host"))
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty())
        .ok_or_else(|| HostError::File(meta.clone(), "no `Endpoints.docker.Host`".into()))?;
    let skip_tls_verify = docker
        .and_then(|d| d.get("SkipTLSVerify"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let tls = config_dir.join("contexts/tls").join(&dir).join("docker");
    let tls_dir = ["ca.pem", "cert.pem", "key.pem"]
        .iter()
        .any(|f| tls.join(f).is_file())
        .then_some(tls);
    Ok(ContextEndpoint {
        name: name.into(),
        host: host.into(),
        skip_tls_verify,
        tls_dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_the_names_sha256() {
        // sha256("default"), as `docker context inspect` shows in its Storage paths.
        assert_eq!(
            context_dir_name("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
        );
    }
}
