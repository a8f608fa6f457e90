//! What a test looks at to tell that networking left nothing behind: the
//! host's links (`/sys/class/net`), a bridge's ports, the namespace files
//! a daemon holds under its exec root, and the policy-routing rules that
//! name a bridge. And [`FakeDns`], the upstream DNS server a test daemon
//! is given on a loopback address, so that no container's query ever
//! reaches a real resolver.

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

/// Deletes the nftables table of the stopped daemon whose exec root is
/// `exec_root` (engined names it in `<exec-root>/nat-table`); nothing
/// when it named none or the table is already gone.
pub fn remove_nat_table(exec_root: &std::path::Path) {
    let Ok(name) = std::fs::read_to_string(exec_root.join("nat-table")) else {
        return;
    };
    let name = name.trim();
    let ours = name
        .strip_prefix("engined")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'));
    if !ours {
        return;
    }
    let _ = Command::new("nft")
        .args(["delete", "table", "ip", name])
        .stderr(std::process::Stdio::null())
        .status();
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

/// A DNS server on `<loopback address>:53` (UDP) that knows a fixed set of
/// names (IPv4 only), says NXDOMAIN to every other one and remembers each
/// name it was asked (lower case, with the final dot). It stops when
/// dropped.
pub struct FakeDns {
    pub address: std::net::Ipv4Addr,
    asked: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeDns {
    /// Serves `names` (`name.` → address) on `address` (a 127.x.y.z the
    /// test owns), port 53.
    pub fn start(
        address: std::net::Ipv4Addr,
        names: &[(&str, std::net::Ipv4Addr)],
    ) -> std::io::Result<FakeDns> {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Arc, Mutex};
        assert!(address.is_loopback(), "a fake upstream stays on loopback");
        let socket = std::net::UdpSocket::bind((address, 53))?;
        socket.set_read_timeout(Some(std::time::Duration::from_millis(100)))?;
        let known: Vec<(String, std::net::Ipv4Addr)> = names
            .iter()
            .map(|(n, a)| (n.to_ascii_lowercase(), *a))
            .collect();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, done) = (asked.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            while !done.load(Ordering::SeqCst) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                if let Some((name, reply)) = fake_reply(&buf[..n], &known) {
                    log.lock().unwrap_or_else(|e| e.into_inner()).push(name);
                    let _ = socket.send_to(&reply, from);
                }
            }
        });
        Ok(FakeDns {
            address,
            asked,
            stop,
            thread: Some(thread),
        })
    }

    /// The names asked so far, in order.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for FakeDns {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The question name of a query (`a.b.`) and where the question ends.
fn question(packet: &[u8]) -> Option<(String, usize)> {
    let mut at = 12;
    let mut name = String::new();
    loop {
        let len = usize::from(*packet.get(at)?);
        at += 1;
        if len == 0 {
            break;
        }
        if len > 63 {
            return None;
        }
        let label = packet.get(at..at + len)?;
        name.push_str(&String::from_utf8_lossy(label).to_ascii_lowercase());
        name.push('.');
        at += len;
    }
    if name.is_empty() {
        name.push('.');
    }
    // type and class
    packet.get(at..at + 4)?;
    Some((name, at + 4))
}

/// The fake's answer to one query: the name asked and the reply bytes.
fn fake_reply(packet: &[u8], known: &[(String, std::net::Ipv4Addr)]) -> Option<(String, Vec<u8>)> {
    if packet.len() < 12 || packet[2] & 0x80 != 0 {
        return None;
    }
    let (name, end) = question(packet)?;
    let qtype = u16::from_be_bytes([packet[end - 4], packet[end - 3]]);
    let found = known.iter().find(|(n, _)| *n == name).map(|(_, a)| *a);
    let mut reply = packet[..end].to_vec();
    // QR, the query's opcode and RD; RA; NOERROR or NXDOMAIN.
    reply[2] = 0x80 | (packet[2] & 0x79);
    reply[3] = if found.is_some() { 0x80 } else { 0x83 };
    reply[4..12].copy_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    if let (Some(address), 1) = (found, qtype) {
        reply[7] = 1;
        reply.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        reply.extend_from_slice(&address.octets());
    }
    Some((name, reply))
}

/// Held by every test that makes host-wide bridges and rules or runs a
/// [`FakeDns`], across test modules of one binary.
pub static HOST_NETWORKING: std::sync::Mutex<()> = std::sync::Mutex::new(());

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

    #[test]
    fn the_fake_dns_answers_its_names_and_nxdomain_otherwise() {
        let q = |id: u8, name: &str, qtype: u8| {
            let mut p = vec![0, id, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0];
            for label in name.split('.').filter(|l| !l.is_empty()) {
                p.push(label.len() as u8);
                p.extend_from_slice(label.as_bytes());
            }
            p.extend_from_slice(&[0, 0, qtype, 0, 1]);
            p
        };
        let known = vec![(
            "up.test.".to_string(),
            std::net::Ipv4Addr::new(192, 0, 2, 9),
        )];
        let (name, r) = fake_reply(&q(7, "UP.test", 1), &known).unwrap();
        assert_eq!(name, "up.test.");
        assert_eq!(&r[..4], &[0, 7, 0x81, 0x80]);
        assert_eq!(&r[6..8], &[0, 1]);
        assert_eq!(&r[r.len() - 4..], &[192, 0, 2, 9]);
        let (_, r) = fake_reply(&q(8, "nobody.test", 1), &known).unwrap();
        assert_eq!(r[3] & 0x0f, 3);
        assert_eq!(&r[6..8], &[0, 0]);
        assert!(fake_reply(&[1, 2, 3], &known).is_none());
    }
}
