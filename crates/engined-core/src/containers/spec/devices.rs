//! Host devices in a container: `--device HOST[:CONTAINER[:PERMS]]`
//! (a directory adds every device below it) and, for a privileged
//! container, every device node of the host's `/dev`. Each becomes a node
//! runc creates (`linux.devices`) and a cgroup rule allowing it. These are
//! host paths, read with plain `std::fs`; nothing inside a container root.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use engine_api::types::DeviceMapping;
use oci_spec::runtime::{LinuxDevice, LinuxDeviceCgroup, LinuxDeviceType};

use super::error::SpecError;

/// A device node and the access the container gets to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Granted {
    pub device: LinuxDevice,
    pub rule: LinuxDeviceCgroup,
}

/// `/dev` entries a privileged container does not take from the host
/// (runc makes its own, or they are per-container mounts).
const SKIP_IN_DEV: &[&str] = &[
    "pts",
    "shm",
    "fd",
    "mqueue",
    ".lxc",
    ".lxd-mounts",
    ".udev",
    "console",
];

/// The node at `host` (following links), to appear at `inside`.
fn node(host: &Path, inside: &Path, access: &str) -> Result<Option<Granted>, std::io::Error> {
    let meta = std::fs::metadata(host)?;
    let ft = meta.file_type();
    let typ = if ft.is_char_device() {
        LinuxDeviceType::C
    } else if ft.is_block_device() {
        LinuxDeviceType::B
    } else {
        return Ok(None);
    };
    let rdev = meta.rdev();
    let (major, minor) = (libc::major(rdev) as i64, libc::minor(rdev) as i64);
    let mut device = LinuxDevice::default();
    device
        .set_path(inside.to_path_buf())
        .set_typ(typ)
        .set_major(major)
        .set_minor(minor)
        .set_file_mode(Some(meta.mode() & 0o777))
        .set_uid(Some(meta.uid()))
        .set_gid(Some(meta.gid()));
    let mut rule = LinuxDeviceCgroup::default();
    rule.set_allow(true)
        .set_typ(Some(typ))
        .set_major(Some(major))
        .set_minor(Some(minor))
        .set_access(Some(access.to_string()));
    Ok(Some(Granted { device, rule }))
}

/// Every device below `dir`, mapped under `inside`.
fn walk(dir: &Path, inside: &Path, access: &str, skip: &[&str], out: &mut Vec<Granted>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        let (host, target) = (entry.path(), inside.join(&name));
        if ft.is_dir() {
            walk(&host, &target, access, &[], out);
        } else if !ft.is_symlink() {
            if let Ok(Some(g)) = node(&host, &target, access) {
                out.push(g);
            }
        }
    }
}

/// The devices of `--device` entries.
pub fn mapped(mappings: &[DeviceMapping]) -> Result<Vec<Granted>, SpecError> {
    let mut out = Vec::new();
    for m in mappings {
        let host = PathBuf::from(m.path_on_host.clone().unwrap_or_default());
        let inside = m
            .path_in_container
            .clone()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| host.clone());
        let access = m
            .cgroup_permissions
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "rwm".into());
        let gather = |e: &dyn std::fmt::Display| {
            SpecError::Host(format!(
                "error gathering device information while adding custom device {:?}: {e}",
                host.display().to_string()
            ))
        };
        if std::fs::metadata(&host).map_err(|e| gather(&e))?.is_dir() {
            walk(&host, &inside, &access, &[], &mut out);
            continue;
        }
        match node(&host, &inside, &access).map_err(|e| gather(&e))? {
            Some(g) => out.push(g),
            None => return Err(gather(&"not a device node")),
        }
    }
    Ok(out)
}

/// Every device node of the host's `/dev` (privileged containers).
pub fn host_devices() -> Vec<Granted> {
    let mut out = Vec::new();
    walk(
        Path::new("/dev"),
        Path::new("/dev"),
        "rwm",
        SKIP_IN_DEV,
        &mut out,
    );
    out
}

/// Checks a `--device`'s permissions (`rwm` letters).
pub fn validate(mappings: &[DeviceMapping]) -> Result<(), SpecError> {
    for m in mappings {
        let perms = m.cgroup_permissions.as_deref().unwrap_or("");
        if !perms.chars().all(|c| "rwm".contains(c)) {
            return Err(SpecError::invalid(format!("invalid device mode: {perms}")));
        }
        let inside = m.path_in_container.as_deref().unwrap_or("");
        if !inside.is_empty() && !inside.starts_with('/') {
            return Err(SpecError::invalid(format!(
                "invalid device mapping: {inside} is not an absolute path"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(host: &str, inside: &str, perms: &str) -> DeviceMapping {
        DeviceMapping {
            path_on_host: Some(host.into()),
            path_in_container: Some(inside.into()),
            cgroup_permissions: Some(perms.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_device_node_and_its_rule() {
        let got = mapped(&[mapping("/dev/null", "/dev/mynull", "rw")]).unwrap();
        assert_eq!(got.len(), 1);
        let d = &got[0].device;
        assert_eq!(d.path(), Path::new("/dev/mynull"));
        assert_eq!((d.typ(), d.major(), d.minor()), (LinuxDeviceType::C, 1, 3));
        assert_eq!(got[0].rule.to_string(), "c 1:3 rw");
        let err = mapped(&[mapping("/etc/hostname", "", "")]).unwrap_err();
        assert!(err.to_string().ends_with("not a device node"), "{err}");
        assert!(mapped(&[mapping("/nonexistent", "", "")]).is_err());
        assert!(validate(&[mapping("/dev/null", "", "rwx")]).is_err());
        assert!(host_devices()
            .iter()
            .any(|g| g.device.path() == Path::new("/dev/null")));
    }
}
