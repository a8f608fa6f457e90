//! What a test looks at to tell that networking left nothing behind: the
//! host's links (`/sys/class/net`), a bridge's ports, the namespace files
//! a daemon holds under its exec root, and the policy-routing rules that
//! name a bridge.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The names of the entries of `dir` (none when it cannot be read).
fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The names of the host's network links.
pub fn links() -> BTreeSet<String> {
    names_in(Path::new("/sys/class/net"))
}

/// The links enslaved to bridge `bridge` (empty when it does not exist).
pub fn bridge_ports(bridge: &str) -> BTreeSet<String> {
    names_in(&Path::new("/sys/class/net").join(bridge).join("brif"))
}

/// The namespace files under a daemon's `<exec-root>/netns`.
pub fn netns_files(exec_root: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(exec_root.join("netns"))
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// The IPv4 rules (`ip rule` lines) that name link `name`.
pub fn rules_naming(name: &str) -> Vec<String> {
    let Ok(out) = Command::new("ip").args(["-4", "rule", "show"]).output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.split_whitespace().any(|w| w == name))
        .map(str::to_string)
        .collect()
}

/// Everything of `bridges` and `veths` (host links seen during a test)
/// and of the namespace files under `exec_root` that still exists: empty
/// when nothing leaked.
pub fn leftovers(bridges: &[String], veths: &BTreeSet<String>, exec_root: &Path) -> Vec<String> {
    let now = links();
    let mut left: Vec<String> = bridges
        .iter()
        .chain(veths.iter())
        .filter(|l| now.contains(*l))
        .map(|l| format!("link {l}"))
        .collect();
    left.extend(
        netns_files(exec_root)
            .into_iter()
            .map(|p| format!("namespace file {}", p.display())),
    );
    for b in bridges {
        left.extend(rules_naming(b).into_iter().map(|r| format!("rule {r}")));
    }
    left
}

/// The bridge of engined's default network (engined-core's
/// `DEFAULT_BRIDGE_NAME`). Like dockerd's `docker0`, a daemon makes it at
/// start and leaves it at exit for the next daemon; the harness removes it
/// when the last daemon on the machine has gone (see
/// [`remove_default_bridge_when_unused`]).
pub const DEFAULT_BRIDGE: &str = "engined0";

/// Held while a daemon is spawned and while the last one is looked for,
/// so that a daemon starting now cannot lose its bridge to that check.
pub static DAEMONS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Removes [`DEFAULT_BRIDGE`] when no `engined` process runs on the
/// machine any more, so that tests leave no link behind. Call with
/// [`DAEMONS`] held.
pub fn remove_default_bridge_when_unused() {
    if engined_running() || !links().contains(DEFAULT_BRIDGE) {
        return;
    }
    let _ = Command::new("ip")
        .args(["link", "del", DEFAULT_BRIDGE])
        .status();
    // The rules a daemon kept on that bridge go with it.
    for _ in 0..64 {
        if rules_naming(DEFAULT_BRIDGE).is_empty() {
            break;
        }
        let _ = Command::new("ip")
            .args(["-4", "rule", "del", "iif", DEFAULT_BRIDGE])
            .status();
    }
}

/// Whether some live (not zombie) process is named `engined`.
fn engined_running() -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return true;
    };
    entries.flatten().any(|e| {
        let dir = e.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim_end() != "engined" {
            return false;
        }
        // `pid (comm) S ...`: the state follows the last ')'.
        let stat = std::fs::read_to_string(dir.join("stat")).unwrap_or_default();
        let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
        !matches!(state.and_then(|s| s.chars().next()), Some('Z' | 'X') | None)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_a_link_and_missing_things_are_empty() {
        assert!(links().contains("lo"));
        assert!(bridge_ports("no-such-bridge0").is_empty());
        assert!(netns_files(Path::new("/nonexistent")).is_empty());
        let left = leftovers(
            &["no-such-bridge0".to_string()],
            &BTreeSet::new(),
            Path::new("/nonexistent"),
        );
        assert!(left.is_empty(), "{left:?}");
    }
}
