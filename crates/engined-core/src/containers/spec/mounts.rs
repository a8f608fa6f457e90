//! The container's mounts: Docker's defaults (/proc, /dev, /dev/pts,
//! /sys read-only unless privileged, the cgroup tree, /dev/mqueue,
//! /dev/shm sized by `--shm-size`), the generated /etc files, the init
//! binary for `--init`, then the user's binds, volumes and tmpfs, parents
//! before children. A user mount replaces a default one at its place.

use std::path::{Path, PathBuf};

use oci_spec::runtime::Mount;

use super::super::record::MountRecord;
use super::init::INIT_PATH;

/// dockerd's default `/dev/shm` size (64 MiB).
pub const DEFAULT_SHM_SIZE: i64 = 64 * 1024 * 1024;

/// One mount.
pub fn mount(dest: &str, kind: &str, source: impl Into<PathBuf>, options: &[&str]) -> Mount {
    let mut m = Mount::default();
    m.set_destination(dest.into())
        .set_typ(Some(kind.to_string()))
        .set_source(Some(source.into()))
        .set_options(Some(options.iter().map(|o| o.to_string()).collect()));
    m
}

/// What the mounts are made from.
pub struct MountsInput<'a> {
    pub privileged: bool,
    /// Bytes; 0 for dockerd's default.
    pub shm_size: i64,
    pub etc_files: &'a [(PathBuf, String)],
    /// The host's init binary, for `--init`.
    pub init: Option<&'a Path>,
    pub user: &'a [MountRecord],
}

/// Every mount of the container, in mount order.
pub fn mounts(input: &MountsInput) -> Vec<Mount> {
    let rw_or_ro = if input.privileged { "rw" } else { "ro" };
    let shm = if input.shm_size > 0 {
        input.shm_size
    } else {
        DEFAULT_SHM_SIZE
    };
    let shm_size = format!("size={shm}");
    let mut out = vec![
        mount("/proc", "proc", "proc", &["nosuid", "noexec", "nodev"]),
        mount(
            "/dev",
            "tmpfs",
            "tmpfs",
            &["nosuid", "strictatime", "mode=755", "size=65536k"],
        ),
        mount(
            "/dev/pts",
            "devpts",
            "devpts",
            &[
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620",
                "gid=5",
            ],
        ),
        mount(
            "/sys",
            "sysfs",
            "sysfs",
            &["nosuid", "noexec", "nodev", rw_or_ro],
        ),
        mount(
            "/sys/fs/cgroup",
            "cgroup",
            "cgroup",
            &["nosuid", "noexec", "nodev", "relatime", rw_or_ro],
        ),
        mount(
            "/dev/mqueue",
            "mqueue",
            "mqueue",
            &["nosuid", "noexec", "nodev"],
        ),
        mount(
            "/dev/shm",
            "tmpfs",
            "shm",
            &["nosuid", "noexec", "nodev", "mode=1777", &shm_size],
        ),
    ];
    let user_dests: Vec<&str> = input
        .user
        .iter()
        .map(|m| m.destination.as_str())
        .chain(input.etc_files.iter().map(|(_, d)| d.as_str()))
        .collect();
    out.retain(|m| {
        !user_dests
            .iter()
            .any(|d| Path::new(d) == m.destination().as_path())
    });
    for (source, dest) in input.etc_files {
        out.push(mount(dest, "bind", source, &["rbind", "rprivate"]));
    }
    if let Some(init) = input.init {
        out.push(mount(INIT_PATH, "bind", init, &["bind", "ro"]));
    }
    let mut user: Vec<&MountRecord> = input.user.iter().collect();
    user.sort_by_key(|m| Path::new(&m.destination).components().count());
    for m in user {
        if m.kind == "tmpfs" {
            let extra = m.source.to_string_lossy().to_string();
            let mut options = vec!["nosuid", "nodev", "noexec"];
            options.extend(extra.split(',').filter(|o| !o.is_empty()));
            if !m.rw {
                options.push("ro");
            }
            out.push(mount(&m.destination, "tmpfs", "tmpfs", &options));
            continue;
        }
        let mut options = vec!["rbind", "rprivate"];
        if !m.rw {
            options.push("ro");
        }
        out.push(mount(&m.destination, "bind", &m.source, &options));
    }
    out
}
