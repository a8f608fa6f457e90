//! `route_localnet` on engined's bridges, for published ports on loopback
//! with the userland proxy off: the host's `127.0.0.1:PORT` is DNATed to
//! a container, and the kernel routes a 127.0.0.0/8 source out of a link
//! only when that link's `net.ipv4.conf.<link>.route_localnet` is 1 (as
//! dockerd sets it on docker0 then).
//!
//! The value a bridge had before is kept, read back after each write, and
//! put back by [`Localnet::restore`] when the daemon stops (a bridge that
//! is deleted takes its value with it: [`Localnet::forget`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::networks::error::{NetworkError, Result};
use crate::sync::lock;

/// `/proc/sys/net/ipv4/conf/<link>/route_localnet`, for a link name the
/// kernel could have (no `/`, not `.` or `..`).
fn path_of(link: &str) -> Result<PathBuf> {
    if link.is_empty() || link.contains('/') || link == "." || link == ".." {
        return Err(NetworkError::InvalidArgument(format!(
            "invalid link name: {link:?}"
        )));
    }
    Ok(PathBuf::from("/proc/sys/net/ipv4/conf")
        .join(link)
        .join("route_localnet"))
}

fn read(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map(|v| v.trim().to_string())
        .map_err(|e| NetworkError::io(format!("reading {}", path.display()), e))
}

fn write(path: &std::path::Path, value: &str) -> Result<()> {
    std::fs::write(path, format!("{value}\n"))
        .map_err(|e| NetworkError::io(format!("writing {}", path.display()), e))
}

/// The bridges whose `route_localnet` engined turned on, with the value
/// each had before.
#[derive(Default)]
pub struct Localnet {
    previous: Mutex<BTreeMap<String, String>>,
}

impl Localnet {
    /// Turns `route_localnet` on for `bridge` (an existing link),
    /// remembering the value it had the first time.
    pub fn enable(&self, bridge: &str) -> Result<()> {
        let path = path_of(bridge)?;
        let mut previous = lock(&self.previous);
        let now = read(&path)?;
        if now == "1" {
            previous.entry(bridge.to_string()).or_insert(now);
            return Ok(());
        }
        write(&path, "1")?;
        let after = read(&path)?;
        if after != "1" {
            return Err(NetworkError::Nat {
                what: format!("{} = 1", path.display()),
                message: format!("it reads {after} after the write"),
            });
        }
        previous.entry(bridge.to_string()).or_insert(now);
        Ok(())
    }

    /// `bridge` is gone, its value with it.
    pub fn forget(&self, bridge: &str) {
        lock(&self.previous).remove(bridge);
    }

    /// Puts back the value of each bridge that still exists.
    pub fn restore(&self) {
        let previous = std::mem::take(&mut *lock(&self.previous));
        for (bridge, value) in previous {
            let Ok(path) = path_of(&bridge) else { continue };
            if value == "1" || !path.exists() {
                continue;
            }
            if let Err(e) = write(&path, &value) {
                tracing::warn!("restoring route_localnet of {bridge}: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_link_names_make_paths() {
        assert_eq!(
            path_of("engined0").unwrap(),
            PathBuf::from("/proc/sys/net/ipv4/conf/engined0/route_localnet")
        );
        for bad in ["", ".", "..", "a/b", "../all"] {
            assert!(path_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_missing_link_is_an_error_and_nothing_is_remembered() {
        let l = Localnet::default();
        assert!(l.enable("no-such-link0").is_err());
        assert!(lock(&l.previous).is_empty());
        l.restore();
    }
}
