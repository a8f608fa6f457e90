//! Which root a `docker cp` path lives in: the container's own files, or
//! a volume or bind mount over them. Inside a running container those
//! mounts hide what lies below them in the root filesystem, so a path at
//! or below a mount's destination is resolved inside the mount's source
//! instead (through [`crate::scoped`] as well: a link in a volume cannot
//! lead out of the volume). tmpfs mounts have no host directory and are
//! not reached.

use std::path::{Path, PathBuf};

use super::error::{ArchiveError, Result};
use crate::containers::record::Record;
use crate::scoped::{self, Root};

/// The root a path is in, and the path relative to it.
pub struct Target {
    pub root: Root,
    pub relative: PathBuf,
    /// False for a read-only mount.
    pub writable: bool,
}

/// The mount (volume or bind) whose destination holds the cleaned
/// container path `relative`, the deepest one when they nest.
fn mount_for<'r>(
    record: &'r Record,
    relative: &Path,
) -> Option<(&'r crate::containers::record::MountRecord, PathBuf)> {
    record
        .mounts
        .iter()
        .filter(|m| m.kind == "bind" || m.kind == "volume")
        .filter_map(|m| {
            let dest = scoped::path::clean(Path::new(&m.destination));
            let rest = relative.strip_prefix(&dest).ok()?;
            Some((m, dest.components().count(), rest.to_path_buf()))
        })
        .max_by_key(|(_, depth, _)| *depth)
        .map(|(m, _, rest)| (m, rest))
}

/// Where the cleaned container path `relative` is: in a mount's source
/// when one covers it, otherwise in `container_root`.
pub fn target(record: &Record, container_root: &Path, relative: &Path) -> Result<Target> {
    let (host, relative, writable) = match mount_for(record, relative) {
        Some((m, rest)) => (m.source.clone(), rest, m.rw),
        None => (container_root.to_path_buf(), relative.to_path_buf(), true),
    };
    let root = Root::new(&host).map_err(|e| {
        ArchiveError::io(
            format!("opening the files of container {}", record.id),
            e.into(),
        )
    })?;
    Ok(Target {
        root,
        relative,
        writable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deepest_mount_covering_a_path_wins() {
        let image = tempfile::tempdir().unwrap();
        let vol = tempfile::tempdir().unwrap();
        let inner = tempfile::tempdir().unwrap();
        let mut record = super::super::test_record(image.path(), "vfs");
        for (source, dest, rw) in [
            (vol.path(), "/data/", true),
            (inner.path(), "/data/in", false),
        ] {
            record.mounts.push(crate::containers::record::MountRecord {
                kind: "bind".into(),
                name: String::new(),
                source: source.to_path_buf(),
                destination: dest.into(),
                rw,
                mode: String::new(),
                anonymous: false,
            });
        }
        let t = target(&record, image.path(), Path::new("data/x/y")).unwrap();
        assert_eq!(
            (t.root.host(), t.relative.as_path()),
            (vol.path(), Path::new("x/y"))
        );
        let t = target(&record, image.path(), Path::new("data/in/z")).unwrap();
        assert_eq!((t.root.host(), t.writable), (inner.path(), false));
        let t = target(&record, image.path(), Path::new("data")).unwrap();
        assert_eq!(
            (t.root.host(), t.relative.as_path()),
            (vol.path(), Path::new(""))
        );
        let t = target(&record, image.path(), Path::new("database/x")).unwrap();
        assert_eq!(t.root.host(), image.path());
    }
}
