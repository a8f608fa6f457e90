//! Capabilities: Docker's default set, `--cap-add` / `--cap-drop` (with
//! `ALL`), and what a privileged container gets: every capability the
//! daemon itself holds in its bounding set (read from
//! `/proc/self/status`), so a host whose root lacks one still runs it.

use std::collections::HashSet;
use std::sync::OnceLock;

use oci_spec::runtime::{Capabilities, Capability, LinuxCapabilities};

use super::error::SpecError;

/// Docker's default capability set.
pub const DEFAULT_CAPS: &[Capability] = &[
    Capability::Chown,
    Capability::DacOverride,
    Capability::Fsetid,
    Capability::Fowner,
    Capability::Mknod,
    Capability::NetRaw,
    Capability::Setgid,
    Capability::Setuid,
    Capability::Setfcap,
    Capability::Setpcap,
    Capability::NetBindService,
    Capability::SysChroot,
    Capability::Kill,
    Capability::AuditWrite,
];

/// Capabilities by their kernel bit number (linux/capability.h).
const BY_BIT: &[Capability] = &[
    Capability::Chown,
    Capability::DacOverride,
    Capability::DacReadSearch,
    Capability::Fowner,
    Capability::Fsetid,
    Capability::Kill,
    Capability::Setgid,
    Capability::Setuid,
    Capability::Setpcap,
    Capability::LinuxImmutable,
    Capability::NetBindService,
    Capability::NetBroadcast,
    Capability::NetAdmin,
    Capability::NetRaw,
    Capability::IpcLock,
    Capability::IpcOwner,
    Capability::SysModule,
    Capability::SysRawio,
    Capability::SysChroot,
    Capability::SysPtrace,
    Capability::SysPacct,
    Capability::SysAdmin,
    Capability::SysBoot,
    Capability::SysNice,
    Capability::SysResource,
    Capability::SysTime,
    Capability::SysTtyConfig,
    Capability::Mknod,
    Capability::Lease,
    Capability::AuditWrite,
    Capability::AuditControl,
    Capability::Setfcap,
    Capability::MacOverride,
    Capability::MacAdmin,
    Capability::Syslog,
    Capability::WakeAlarm,
    Capability::BlockSuspend,
    Capability::AuditRead,
    Capability::Perfmon,
    Capability::Bpf,
    Capability::CheckpointRestore,
];

/// The `CAP_…` name of a capability, as Docker and runc spell it.
pub fn cap_name(cap: Capability) -> String {
    format!("CAP_{cap}")
}

/// Parses a `--cap-add`/`--cap-drop` word (`net_admin`, `CAP_NET_ADMIN`);
/// `None` for `ALL`.
pub fn parse(word: &str) -> Result<Option<Capability>, SpecError> {
    let upper = word.trim().to_ascii_uppercase();
    let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
    if bare == "ALL" {
        return Ok(None);
    }
    bare.parse::<Capability>()
        .map(Some)
        .map_err(|_| SpecError::invalid(format!("unknown capability: \"CAP_{bare}\"")))
}

/// The bit mask of a capability list (a cache key).
pub fn mask(caps: &[Capability]) -> u64 {
    caps.iter()
        .filter_map(|c| BY_BIT.iter().position(|b| b == c))
        .fold(0, |m, bit| m | (1u64 << bit))
}

/// The capabilities whose bits are set in a `CapBnd:` hex mask.
pub fn from_mask(mask: u64) -> Vec<Capability> {
    BY_BIT
        .iter()
        .enumerate()
        .filter(|(bit, _)| mask & (1u64 << bit) != 0)
        .map(|(_, c)| *c)
        .collect()
}

/// The `CapBnd` mask of a `/proc/<pid>/status` text.
pub fn bounding_mask(status: &str) -> Option<u64> {
    let hex = status
        .lines()
        .find_map(|l| l.strip_prefix("CapBnd:"))?
        .trim();
    u64::from_str_radix(hex, 16).ok()
}

/// The daemon's own bounding set, read once.
pub fn daemon_bounding() -> &'static [Capability] {
    static SET: OnceLock<Vec<Capability>> = OnceLock::new();
    SET.get_or_init(|| {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        match bounding_mask(&status) {
            Some(mask) => from_mask(mask),
            None => BY_BIT.to_vec(),
        }
    })
}

/// The capability list of a process: Docker's defaults, or everything
/// `host` holds when privileged; then drops and adds in Docker's order
/// (`ALL` means every capability `host` holds).
pub fn resolve(
    privileged: bool,
    add: &[String],
    drop: &[String],
    host: &[Capability],
) -> Result<Vec<Capability>, SpecError> {
    let mut caps: Vec<Capability> = if privileged {
        host.to_vec()
    } else {
        DEFAULT_CAPS.to_vec()
    };
    let adds = add
        .iter()
        .map(|a| parse(a))
        .collect::<Result<Vec<_>, _>>()?;
    let drops = drop
        .iter()
        .map(|d| parse(d))
        .collect::<Result<Vec<_>, _>>()?;
    if privileged {
        return Ok(caps);
    }
    if adds.contains(&None) {
        caps = host.to_vec();
    }
    for d in &drops {
        match d {
            None => caps.clear(),
            Some(cap) => caps.retain(|c| c != cap),
        }
    }
    for cap in adds.into_iter().flatten() {
        // An added capability wins over a drop of ALL.
        if !caps.contains(&cap) {
            caps.push(cap);
        }
    }
    Ok(caps)
}

/// The OCI capability sets of a process holding `caps` (bounding,
/// effective and permitted; no inheritable or ambient, as Docker).
pub fn linux_capabilities(caps: &[Capability]) -> LinuxCapabilities {
    let set: Capabilities = caps.iter().copied().collect::<HashSet<_>>();
    let mut out = LinuxCapabilities::default();
    out.set_bounding(Some(set.clone()))
        .set_effective(Some(set.clone()))
        .set_permitted(Some(set))
        .set_inheritable(None)
        .set_ambient(None);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn add_and_drop() {
        let all = BY_BIT.to_vec();
        let caps = resolve(
            false,
            &words(&["SYS_ADMIN"]),
            &words(&["net_raw", "CAP_KILL"]),
            &all,
        )
        .unwrap();
        assert!(!caps.contains(&Capability::NetRaw));
        assert!(!caps.contains(&Capability::Kill));
        assert!(caps.contains(&Capability::SysAdmin));
        assert_eq!(caps.len(), DEFAULT_CAPS.len() - 1);
        let caps = resolve(false, &words(&["chown"]), &words(&["ALL"]), &all).unwrap();
        assert_eq!(caps, [Capability::Chown]);
        assert_eq!(
            parse("bogus").unwrap_err(),
            SpecError::Invalid("unknown capability: \"CAP_BOGUS\"".into())
        );
    }

    #[test]
    fn privileged_and_all_mean_what_the_daemon_holds() {
        // The mask of a root without CAP_SYS_RESOURCE (bit 24).
        let host = from_mask(0x1fffeffffff);
        assert_eq!(host.len(), BY_BIT.len() - 1);
        assert!(!host.contains(&Capability::SysResource));
        assert_eq!(resolve(true, &[], &[], &host).unwrap(), host);
        assert_eq!(resolve(false, &words(&["ALL"]), &[], &host).unwrap(), host);
        let status = "Name:\tx\nCapBnd:\t000001fffeffffff\nCapAmb:\t0\n";
        assert_eq!(bounding_mask(status), Some(0x1fffeffffff));
        assert_eq!(cap_name(Capability::SysAdmin), "CAP_SYS_ADMIN");
    }

    #[test]
    fn the_oci_sets() {
        let caps = linux_capabilities(&[Capability::Chown, Capability::Kill]);
        assert_eq!(caps.bounding().as_ref().unwrap().len(), 2);
        assert_eq!(caps.effective(), caps.bounding());
        assert_eq!(caps.permitted(), caps.bounding());
        assert!(caps.inheritable().is_none() && caps.ambient().is_none());
    }
}
