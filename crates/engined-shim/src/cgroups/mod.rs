//! A container's cgroup: where it is and what it says, on cgroup v1 and
//! v2 behind one interface.
//!
//! engined asks the runtime for `cgroupsPath` = `/engined/<id>`
//! (cgroupfs style), so on v1 the container has a directory at that path
//! in each controller's hierarchy (`/sys/fs/cgroup/memory/engined/<id>`)
//! and on v2 one directory (`/sys/fs/cgroup/engined/<id>`). The runtime
//! creates it at create and removes it at delete.
//!
//! - [`sample`]: the figures of one reading; [`v1`], [`v2`]: reading them;
//! - [`files`]: the kernel's file formats; [`host`]: `/proc/stat`;
//! - [`error`]: what can go wrong, with a kind.

pub mod error;
pub mod files;
pub mod host;
pub mod sample;
pub mod v1;
pub mod v2;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use error::{CgroupError, ErrorKind};
pub use sample::Sample;

/// Where the kernel's cgroup filesystems are mounted.
pub const ROOT: &str = "/sys/fs/cgroup";

/// The `cgroupsPath` engined gives a container's runtime.
pub fn container_path(id: &str) -> String {
    format!("/engined/{id}")
}

/// Which cgroup interface the kernel offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

impl Version {
    /// v2 when `root` is the unified hierarchy (it has
    /// `cgroup.controllers`), else v1.
    pub fn detect(root: &Path) -> Version {
        if root.join("cgroup.controllers").exists() {
            Version::V2
        } else {
            Version::V1
        }
    }
}

/// One cgroup, read the way its version needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cgroup {
    V1(v1::V1),
    V2(v2::V2),
}

impl Cgroup {
    /// The cgroup of container `id` under the cgroup root `root`
    /// (normally [`ROOT`]; a test passes a fake tree).
    pub fn of_container(root: &Path, id: &str) -> Cgroup {
        let path = container_path(id);
        Self::at(root, Version::detect(root), Path::new(&path))
    }

    /// The cgroup at `path` (absolute or relative: it is taken relative
    /// to each hierarchy) under `root`.
    pub fn at(root: &Path, version: Version, path: &Path) -> Cgroup {
        let relative: PathBuf = path
            .components()
            .skip_while(|c| c.as_os_str() == "/")
            .collect();
        match version {
            Version::V1 => Cgroup::V1(v1::V1::new(root, &relative)),
            Version::V2 => Cgroup::V2(v2::V2::new(root, &relative)),
        }
    }

    pub fn version(&self) -> Version {
        match self {
            Cgroup::V1(_) => Version::V1,
            Cgroup::V2(_) => Version::V2,
        }
    }

    /// A reading of every figure; [`ErrorKind::Missing`] when the cgroup
    /// is gone (the container does not run).
    pub fn sample(&self) -> Result<Sample, CgroupError> {
        match self {
            Cgroup::V1(c) => c.sample(host::clock_ticks()),
            Cgroup::V2(c) => c.sample(),
        }
    }

    /// How many processes the kernel's OOM killer killed in this cgroup.
    pub fn oom_kills(&self) -> Result<u64, CgroupError> {
        match self {
            Cgroup::V1(c) => c.oom_kills(),
            Cgroup::V2(c) => c.oom_kills(),
        }
    }
}
