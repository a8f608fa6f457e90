//! `route_localnet` on engined's bridges, for published ports on loopback
//! with the userland proxy off: the host's `127.0.0.1:PORT` is DNATed to
//! a container, and the kernel routes a 127.0.0.0/8 source out of a link
//! only when that link's `net.ipv4.conf.<link>.route_localnet` is 1 (as
//! dockerd sets it on docker0 then).
//!
//! The value a bridge had before is kept, in memory and in a record in
//! the data root (`<data-root>/network/route_localnet.json`) that is
//! written before the sysctl is, and read back after each write. A clean
//! stop puts each value back ([`Localnet::restore`]) and drops the
//! record; a daemon that was killed leaves the record, and the next start
//! ([`Localnet::open`]) puts the values back at once when it will not
//! turn `route_localnet` on itself, or else keeps them for its own stop.
//! A bridge that is deleted takes its value with it ([`Localnet::forget`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use engined_shim::atomic;

use crate::networks::error::{NetworkError, Result};
use crate::sync::lock;

/// The record's file name, under `<data-root>/network/`.
pub const RECORD_FILE: &str = "route_localnet.json";

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

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map(|v| v.trim().to_string())
        .map_err(|e| NetworkError::io(format!("reading {}", path.display()), e))
}

fn write(path: &Path, value: &str) -> Result<()> {
    std::fs::write(path, format!("{value}\n"))
        .map_err(|e| NetworkError::io(format!("writing {}", path.display()), e))
}

/// Whether `value` is one `route_localnet` can be put back to (the
/// record is read from disk: only what the kernel itself shows).
fn valid_value(value: &str) -> bool {
    matches!(value, "0" | "1")
}

/// The bridges whose `route_localnet` engined turned on, with the value
/// each had before, and where that is recorded.
pub struct Localnet {
    record: PathBuf,
    previous: Mutex<BTreeMap<String, String>>,
}

impl Localnet {
    /// The values recorded at `record` by an earlier daemon that did not
    /// stop cleanly: put back now, unless this daemon turns
    /// `route_localnet` on too (`keep`), which then puts them back at
    /// its own stop.
    pub fn open(record: PathBuf, keep: bool) -> Localnet {
        let recorded = read_record(&record);
        let localnet = Localnet {
            record,
            previous: Mutex::new(recorded),
        };
        if !keep {
            localnet.restore();
        }
        localnet
    }

    /// Saves `previous` (the file goes when nothing is left to put back).
    fn save(&self, previous: &BTreeMap<String, String>) -> Result<()> {
        let saved = if previous.is_empty() {
            match std::fs::remove_file(&self.record) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        } else {
            atomic::write_json(&self.record, previous)
        };
        saved.map_err(|e| NetworkError::io(format!("recording {}", self.record.display()), e))
    }

    /// Turns `route_localnet` on for `bridge` (an existing link),
    /// remembering the value it had the first time; that value is on
    /// disk before the sysctl changes.
    pub fn enable(&self, bridge: &str) -> Result<()> {
        let path = path_of(bridge)?;
        let mut previous = lock(&self.previous);
        let now = read(&path)?;
        if now == "1" {
            // Nothing to put back unless an earlier write of ours made it
            // so (then the entry is there already).
            return Ok(());
        }
        let fresh = !previous.contains_key(bridge);
        if fresh {
            previous.insert(bridge.to_string(), now);
            if let Err(e) = self.save(&previous) {
                previous.remove(bridge);
                return Err(e);
            }
        }
        let written = write(&path, "1").and_then(|()| match read(&path)? {
            after if after == "1" => Ok(()),
            after => Err(NetworkError::Nat {
                what: format!("{} = 1", path.display()),
                message: format!("it reads {after} after the write"),
            }),
        });
        if written.is_err() && fresh {
            previous.remove(bridge);
            if let Err(e) = self.save(&previous) {
                tracing::warn!("{e}");
            }
        }
        written
    }

    /// `bridge` is gone, its value with it.
    pub fn forget(&self, bridge: &str) {
        let mut previous = lock(&self.previous);
        if previous.remove(bridge).is_some() {
            if let Err(e) = self.save(&previous) {
                tracing::warn!("{e}");
            }
        }
    }

    /// Puts back the value of each bridge that still exists, and drops
    /// the record (keeping what could not be written back).
    pub fn restore(&self) {
        let mut previous = lock(&self.previous);
        let mut failed = BTreeMap::new();
        for (bridge, value) in std::mem::take(&mut *previous) {
            let Ok(path) = path_of(&bridge) else { continue };
            if value == "1" || !valid_value(&value) || !path.exists() {
                continue;
            }
            if let Err(e) = write(&path, &value) {
                tracing::warn!("restoring route_localnet of {bridge}: {e}");
                failed.insert(bridge, value);
            }
        }
        if let Err(e) = self.save(&failed) {
            tracing::warn!("{e}");
        }
        *previous = failed;
    }
}

/// The values an earlier daemon recorded at `path` (none when there is
/// no record; a record that does not parse is reported and ignored).
fn read_record(path: &Path) -> BTreeMap<String, String> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return BTreeMap::new(),
        Err(e) => {
            tracing::warn!("reading {}: {e}", path.display());
            return BTreeMap::new();
        }
    };
    match serde_json::from_slice::<BTreeMap<String, String>>(&text) {
        Ok(map) => map
            .into_iter()
            .filter(|(bridge, value)| path_of(bridge).is_ok() && valid_value(value))
            .collect(),
        Err(e) => {
            tracing::warn!("ignoring {}: {e}", path.display());
            BTreeMap::new()
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
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join(RECORD_FILE);
        let l = Localnet::open(record.clone(), true);
        assert!(l.enable("no-such-link0").is_err());
        assert!(lock(&l.previous).is_empty());
        assert!(!record.exists());
        l.restore();
    }

    #[test]
    fn a_record_is_read_back_checked_and_dropped_once_restored() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join(RECORD_FILE);
        std::fs::write(
            &record,
            r#"{"no-such-link0": "0", "../all": "0", "no-such-link1": "7"}"#,
        )
        .unwrap();
        let kept = Localnet::open(record.clone(), true);
        assert_eq!(
            *lock(&kept.previous),
            BTreeMap::from([("no-such-link0".to_string(), "0".to_string())])
        );
        assert!(record.exists());
        // The link is gone: nothing to write, and the record goes.
        kept.forget("no-such-link0");
        assert!(!record.exists());
        std::fs::write(&record, r#"{"no-such-link0": "0"}"#).unwrap();
        let restored = Localnet::open(record.clone(), false);
        assert!(lock(&restored.previous).is_empty());
        assert!(!record.exists());
        std::fs::write(&record, "not json").unwrap();
        let broken = Localnet::open(record.clone(), true);
        assert!(lock(&broken.previous).is_empty());
    }
}
