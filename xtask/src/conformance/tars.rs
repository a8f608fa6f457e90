//! The tar archives the scenario sends, made in memory: a minimal busybox
//! root filesystem for the image (from the host's static busybox), a
//! build context, a file to upload into a container, and a plugin
//! directory without a config (so a daemon refuses to create it).

use std::path::{Path, PathBuf};

/// Where a static busybox is looked for, in order.
const BUSYBOX: &[&str] = &["/usr/bin/busybox", "/bin/busybox"];

/// The applets the scenario's containers run.
const APPLETS: &[&str] = &["sh", "echo", "sleep", "cat", "true", "ls"];

#[derive(Debug, thiserror::Error)]
pub enum TarError {
    #[error("no static busybox at {}; install busybox-static", BUSYBOX.join(" or "))]
    NoBusybox,
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> TarError + '_ {
    move |source| TarError::Io {
        path: path.to_path_buf(),
        source,
    }
}

struct Tar(tar::Builder<Vec<u8>>);

impl Tar {
    fn new() -> Tar {
        Tar(tar::Builder::new(Vec::new()))
    }

    fn dir(&mut self, name: &str) -> std::io::Result<()> {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        h.set_mtime(0);
        self.0.append_data(&mut h, name, std::io::empty())
    }

    fn file(&mut self, name: &str, mode: u32, data: &[u8]) -> std::io::Result<()> {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(mode);
        h.set_size(data.len() as u64);
        h.set_mtime(0);
        self.0.append_data(&mut h, name, data)
    }

    fn symlink(&mut self, name: &str, target: &str) -> std::io::Result<()> {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_mode(0o777);
        h.set_size(0);
        h.set_mtime(0);
        self.0.append_link(&mut h, name, target)
    }

    fn finish(self) -> std::io::Result<Vec<u8>> {
        self.0.into_inner()
    }
}

/// A root filesystem: `/bin/busybox` and its applets, `/etc/passwd`,
/// `/etc/group`, `/tmp`.
pub fn rootfs() -> Result<Vec<u8>, TarError> {
    let busybox = BUSYBOX
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .ok_or(TarError::NoBusybox)?;
    let binary = std::fs::read(busybox).map_err(io_err(busybox))?;
    let build = || -> std::io::Result<Vec<u8>> {
        let mut t = Tar::new();
        for d in ["bin", "etc", "tmp"] {
            t.dir(d)?;
        }
        t.file("bin/busybox", 0o755, &binary)?;
        for applet in APPLETS {
            t.symlink(&format!("bin/{applet}"), "busybox")?;
        }
        t.file("etc/passwd", 0o644, b"root:x:0:0:root:/root:/bin/sh\n")?;
        t.file("etc/group", 0o644, b"root:x:0:\n")?;
        t.finish()
    };
    build().map_err(io_err(busybox))
}

/// A tar of one file, `name`, holding `data`.
pub fn single(name: &str, data: &[u8]) -> Result<Vec<u8>, TarError> {
    let build = || -> std::io::Result<Vec<u8>> {
        let mut t = Tar::new();
        t.file(name, 0o644, data)?;
        t.finish()
    };
    build().map_err(io_err(Path::new(name)))
}
