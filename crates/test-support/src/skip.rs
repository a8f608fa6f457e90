//! Whether this machine can run a test, and why not: the docker CLI,
//! containers (runc, busybox-static, root) or a private dockerd. A test
//! that cannot run prints the reason and returns (it skips, it does not
//! fail).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::docker_cli::DOCKER;
use crate::rootfs::BUSYBOX;

/// What a test needs from the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// The docker CLI at [`DOCKER`] (an engined that runs no container).
    DockerCli,
    /// The docker CLI, runc, busybox-static (the image's root) and root.
    Containers,
    /// Debian's dockerd on PATH, the docker CLI, and root for its mounts.
    Dockerd,
    /// Debian's podman on PATH and root (a private rootful service).
    Podman,
    /// Debian's sshd, the ssh client tools, and root (a private sshd).
    Sshd,
    /// Debian's docker-compose (1.29) and what containers need.
    Compose,
}

/// Debian's docker-compose.
pub const COMPOSE: &str = "/usr/bin/docker-compose";

/// Why a test needing `need` cannot run here, or `None` when it can.
pub fn skip_reason(need: Need) -> Option<String> {
    match need {
        Need::Podman => {
            if which("podman").is_none() {
                return Some("no podman on PATH (apt-get install podman)".into());
            }
            return (!is_root()).then(|| "the private rootful podman needs root".into());
        }
        Need::Sshd => {
            if !Path::new("/usr/sbin/sshd").exists() {
                return Some("no /usr/sbin/sshd (apt-get install openssh-server)".into());
            }
            if let Some(tool) = ["ssh", "ssh-keygen"]
                .into_iter()
                .find(|t| which(t).is_none())
            {
                return Some(format!(
                    "no {tool} on PATH (apt-get install openssh-client)"
                ));
            }
            return (!is_root()).then(|| "the private sshd needs root".into());
        }
        Need::Compose => {
            if !Path::new(COMPOSE).exists() {
                return Some(format!("no {COMPOSE} (apt-get install docker-compose)"));
            }
            return skip_reason(Need::Containers);
        }
        Need::DockerCli | Need::Containers | Need::Dockerd => {}
    }
    if need == Need::Dockerd {
        if which("dockerd").is_none() {
            return Some("no dockerd on PATH (apt-get install docker.io)".into());
        }
        if !is_root() {
            return Some("dockerd needs root".into());
        }
    }
    if !Path::new(DOCKER).exists() {
        return Some(format!("no docker CLI at {DOCKER}"));
    }
    if need != Need::Containers {
        return None;
    }
    if Command::new("runc").arg("--version").output().is_err() {
        return Some("no runc on PATH (apt-get install runc)".into());
    }
    if !Path::new(BUSYBOX).exists() {
        return Some(format!("no busybox-static at {BUSYBOX}"));
    }
    if !is_root() {
        return Some("containers need root".into());
    }
    None
}

/// Whether a test needing `need` can run here; prints why not.
pub fn can_run(need: Need) -> bool {
    match skip_reason(need) {
        Some(why) => {
            eprintln!("skipped: {why}");
            false
        }
        None => true,
    }
}

/// Whether containers can run here; prints why not.
pub fn can_run_containers() -> bool {
    can_run(Need::Containers)
}

/// The first executable named `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Whether this process runs as root (effective uid 0).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}
