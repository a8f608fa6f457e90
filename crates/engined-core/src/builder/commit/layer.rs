//! A container's changes as a layer tar, the way Docker and OCI layers
//! carry them: added and modified paths as entries (a directory alone,
//! without what is below it, since every changed path below is listed on
//! its own), deleted paths as empty `.wh.<name>` files in their parent
//! directory. Entries are read through [`crate::scoped`] from the
//! container's files as the container sees them.

use std::io::{self, Write};
use std::path::Path;

use crate::containers::changes::{Change, Kind};
use crate::scoped::pack::EntryPacker;
use crate::scoped::Root;

/// The prefix of a whiteout entry's last element.
pub const WHITEOUT: &str = ".wh.";

/// The entry name of an absolute container path (`/etc/x` -> `etc/x`).
fn entry_name(path: &str) -> &str {
    path.trim_start_matches('/')
}

/// The whiteout entry that deletes `path` (`/a/b` -> `a/.wh.b`).
pub fn whiteout_name(path: &str) -> String {
    let name = entry_name(path);
    match name.rsplit_once('/') {
        Some((parent, last)) => format!("{parent}/{WHITEOUT}{last}"),
        None => format!("{WHITEOUT}{name}"),
    }
}

/// Writes the layer of `changes` (in `docker diff`'s order: a directory
/// before what is below it) of the files under `root` to `out`.
pub fn write_layer(out: &mut dyn Write, root: &Root, changes: &[Change]) -> io::Result<()> {
    let mut packer = EntryPacker::new(out);
    for change in changes {
        match change.kind {
            Kind::Deleted => packer.marker(&whiteout_name(&change.path))?,
            Kind::Added | Kind::Modified => {
                let name = entry_name(&change.path);
                if name.is_empty() {
                    continue;
                }
                packer.path(root, Path::new(&change.path), name)?;
            }
        }
    }
    packer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(path: &str, kind: Kind) -> Change {
        Change {
            path: path.into(),
            kind,
        }
    }

    #[test]
    fn whiteouts_sit_in_the_parent() {
        assert_eq!(whiteout_name("/removed"), ".wh.removed");
        assert_eq!(whiteout_name("/a/b/c"), "a/b/.wh.c");
    }

    #[test]
    fn a_layer_holds_each_change_once_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("etc/deep")).unwrap();
        std::fs::write(r.join("etc/passwd"), "root and more").unwrap();
        std::fs::write(r.join("etc/deep/untouched"), "u").unwrap();
        std::fs::write(r.join("new"), "n").unwrap();
        std::fs::hard_link(r.join("new"), r.join("etc/again")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", r.join("link")).unwrap();
        let changes = [
            change("/etc", Kind::Modified),
            change("/etc/again", Kind::Added),
            change("/etc/passwd", Kind::Modified),
            change("/link", Kind::Added),
            change("/new", Kind::Added),
            change("/opt/gone", Kind::Deleted),
            change("/removed", Kind::Deleted),
            change("/vanished", Kind::Added),
        ];
        let mut out = Vec::new();
        write_layer(&mut out, &Root::new(r).unwrap(), &changes).unwrap();
        let mut archive = tar::Archive::new(&out[..]);
        let got: Vec<(String, tar::EntryType, u64)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
                (name, e.header().entry_type(), e.header().size().unwrap())
            })
            .collect();
        use tar::EntryType::*;
        assert_eq!(
            got,
            vec![
                ("etc/".to_string(), Directory, 0),
                ("etc/again".to_string(), Regular, 1),
                ("etc/passwd".to_string(), Regular, 13),
                ("link".to_string(), Symlink, 0),
                ("new".to_string(), Link, 0),
                ("opt/.wh.gone".to_string(), Regular, 0),
                (".wh.removed".to_string(), Regular, 0),
            ]
        );
    }
}
