//! A path's stat as Docker sends it in the `X-Docker-Container-Path-Stat`
//! header: base64 (standard alphabet) of a JSON object with `name`,
//! `size`, `mode` (Go's `os.FileMode`: permission bits plus type and
//! special bits at the top), `mtime` (RFC 3339) and `linkTarget` (for a
//! symlink: where it leads inside the container, resolved in scope).

use std::fs::Metadata;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use base64::Engine as _;
use serde::Serialize;

use super::error::{ArchiveError, Result};
use super::scope::{self, Located};
use crate::scoped::Root;
use engined_shim::logs::format_time;

/// Go's `os.FileMode` bits.
pub mod go_mode {
    pub const DIR: u32 = 1 << 31;
    pub const SYMLINK: u32 = 1 << 27;
    pub const DEVICE: u32 = 1 << 26;
    pub const NAMED_PIPE: u32 = 1 << 25;
    pub const SOCKET: u32 = 1 << 24;
    pub const SETUID: u32 = 1 << 23;
    pub const SETGID: u32 = 1 << 22;
    pub const CHAR_DEVICE: u32 = 1 << 21;
    pub const STICKY: u32 = 1 << 20;
}

/// The stat of one path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathStat {
    pub name: String,
    pub size: i64,
    pub mode: u32,
    pub mtime: String,
    #[serde(rename = "linkTarget")]
    pub link_target: String,
}

impl PathStat {
    /// The header's value.
    pub fn header(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::STANDARD.encode(json)
    }

    pub fn is_dir(&self) -> bool {
        self.mode & go_mode::DIR != 0
    }
}

/// A file's mode as Go's `os.FileMode` spells it.
pub fn go_file_mode(meta: &Metadata) -> u32 {
    let unix = meta.mode();
    let mut mode = unix & 0o777;
    let t = meta.file_type();
    if t.is_dir() {
        mode |= go_mode::DIR;
    } else if t.is_symlink() {
        mode |= go_mode::SYMLINK;
    } else if t.is_fifo() {
        mode |= go_mode::NAMED_PIPE;
    } else if t.is_socket() {
        mode |= go_mode::SOCKET;
    } else if t.is_char_device() {
        mode |= go_mode::DEVICE | go_mode::CHAR_DEVICE;
    } else if t.is_block_device() {
        mode |= go_mode::DEVICE;
    }
    for (unix_bit, go_bit) in [
        (0o4000, go_mode::SETUID),
        (0o2000, go_mode::SETGID),
        (0o1000, go_mode::STICKY),
    ] {
        if unix & unix_bit != 0 {
            mode |= go_bit;
        }
    }
    mode
}

/// Stats `located` (a last symlink only when its spelling asks) in the
/// container whose root is `root`; `container` names it in the
/// not-found message.
pub fn stat(root: &Root, located: &Located, container: &str, asked: &str) -> Result<PathStat> {
    let meta = match root.metadata(&located.relative, located.follow) {
        Ok(meta) => meta,
        Err(e) if e.is_not_found() => {
            return Err(ArchiveError::PathNotFound {
                path: asked.to_string(),
                container: container.to_string(),
            })
        }
        Err(e) => return Err(scope::scoped_error(&located.container, e)),
    };
    let link_target = if meta.file_type().is_symlink() {
        let resolved = scope::follow(root, &located.relative)?;
        Path::new("/").join(resolved).display().to_string()
    } else {
        String::new()
    };
    Ok(PathStat {
        name: located.name.clone(),
        size: meta.len() as i64,
        mode: go_file_mode(&meta),
        mtime: meta.modified().map(format_time).unwrap_or_default(),
        link_target,
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::{symlink, PermissionsExt};

    use super::*;
    use crate::containers::archive::scope::locate;

    #[test]
    fn stat_fields_follow_go() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::write(r.join("etc/motd"), "hello").unwrap();
        std::fs::set_permissions(r.join("etc/motd"), std::fs::Permissions::from_mode(0o4755))
            .unwrap();
        std::fs::set_permissions(r.join("etc"), std::fs::Permissions::from_mode(0o1755)).unwrap();
        symlink("/etc/motd", r.join("link")).unwrap();
        let root = Root::new(r).unwrap();

        let file = stat(&root, &locate("etc/motd"), "web", "etc/motd").unwrap();
        assert_eq!(file.name, "motd");
        assert_eq!(file.size, 5);
        assert_eq!(file.mode, 0o755 | go_mode::SETUID);
        assert!(
            file.mtime.ends_with('Z') && file.mtime.contains('T'),
            "{}",
            file.mtime
        );
        assert_eq!(file.link_target, "");

        let d = stat(&root, &locate("/etc"), "web", "/etc").unwrap();
        assert_eq!(d.mode, go_mode::DIR | go_mode::STICKY | 0o755);
        assert!(d.is_dir());

        let l = stat(&root, &locate("/link"), "web", "/link").unwrap();
        assert_eq!(l.mode, go_mode::SYMLINK | 0o777);
        assert_eq!(l.link_target, "/etc/motd");

        let e = stat(&root, &locate("/nope"), "web", "/nope").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::NotFound);
        assert_eq!(
            e.to_string(),
            "Could not find the file /nope in container web"
        );
    }

    #[test]
    fn the_header_is_base64_json() {
        let s = PathStat {
            name: "motd".into(),
            size: 5,
            mode: 420,
            mtime: "2024-01-30T12:00:00Z".into(),
            link_target: String::new(),
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s.header())
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"name": "motd", "size": 5, "mode": 420,
                "mtime": "2024-01-30T12:00:00Z", "linkTarget": ""})
        );
    }
}
