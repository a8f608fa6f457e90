//! [`Root`]: a directory that paths are resolved in, by the kernel.
//! `openat2` with `RESOLVE_IN_ROOT` treats the root as `/` for every
//! element of the path, so `..` stops there and an absolute symlink
//! starts there again; `RESOLVE_NO_MAGICLINKS` refuses `/proc/*/fd`-style
//! links that could jump anywhere. A rename racing with `..` makes the
//! kernel answer `EAGAIN`: the lookup is tried again a few times.

use std::fs::{File, Metadata};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags, ResolveFlags};

use super::dir::{regular, Dir};
use super::error::{Result, ScopedError};
use super::path;

/// How many times a lookup is retried when the kernel saw a race.
const RETRIES: usize = 32;

/// Whether the last element of a path is followed when it is a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// Followed (inside the root).
    Yes,
    /// The link itself.
    No,
}

/// A root directory, held open; every path is resolved inside it.
#[derive(Debug)]
pub struct Root {
    fd: OwnedFd,
    host: PathBuf,
}

impl Root {
    /// Opens the directory `host` as a root.
    pub fn new(host: &Path) -> Result<Root> {
        let fd = rustix::fs::open(
            host,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| ScopedError::new("opening the root", host, e))?;
        Ok(Root {
            fd,
            host: host.to_path_buf(),
        })
    }

    /// The root's host path (for messages and for mounts only; never
    /// join paths onto it).
    pub fn host(&self) -> &Path {
        &self.host
    }

    /// `openat2` of `path` in the root.
    fn resolve(&self, op: &'static str, path: &Path, flags: OFlags) -> Result<OwnedFd> {
        let rel = path::relative(path);
        let how = ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS;
        let mut tries = 0;
        loop {
            match rustix::fs::openat2(&self.fd, &rel, flags | OFlags::CLOEXEC, Mode::empty(), how) {
                Err(e) if e == rustix::io::Errno::AGAIN && tries < RETRIES => tries += 1,
                Err(e) if e == rustix::io::Errno::INTR => {}
                other => return other.map_err(|e| ScopedError::new(op, &rel, e)),
            }
        }
    }

    /// An `O_PATH` descriptor of `path` (for stat and for mounts).
    pub fn open_path(&self, path: &Path, follow: Follow) -> Result<OwnedFd> {
        let nofollow = match follow {
            Follow::Yes => OFlags::empty(),
            Follow::No => OFlags::NOFOLLOW,
        };
        self.resolve("looking up", path, OFlags::PATH | nofollow)
    }

    /// Opens the regular file `path` for reading, following symlinks
    /// (inside the root) to the end. A FIFO, device or directory is
    /// refused without blocking.
    pub fn open(&self, path: &Path) -> Result<File> {
        let fd = self.resolve(
            "opening",
            path,
            OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY,
        )?;
        regular(fd).map_err(|e| ScopedError::new("opening", &path::relative(path), e))
    }

    /// Opens the directory `path`, following symlinks to the end.
    pub fn dir(&self, path: &Path) -> Result<Dir> {
        let fd = self.resolve("opening", path, OFlags::RDONLY | OFlags::DIRECTORY)?;
        Ok(Dir::from_fd(fd, path::relative(path)))
    }

    /// The directory that holds `path`'s last element, and that element.
    /// The root itself, `.` and `..` have no last element.
    pub fn parent(&self, path: &Path) -> Result<(Dir, std::ffi::OsString)> {
        let Some((parent, name)) = path::split(path) else {
            return Err(ScopedError::new(
                "splitting",
                path,
                io::Error::new(io::ErrorKind::InvalidInput, "the path names no entry"),
            ));
        };
        Ok((self.dir(&parent)?, name))
    }

    /// The metadata of `path` (of a last symlink itself unless `follow`).
    pub fn metadata(&self, path: &Path, follow: Follow) -> Result<Metadata> {
        let fd = self.open_path(path, follow)?;
        File::from(fd)
            .metadata()
            .map_err(|e| ScopedError::new("stat", &path::relative(path), e))
    }

    /// The target of the symlink `path`.
    pub fn read_link(&self, path: &Path) -> Result<PathBuf> {
        let (dir, name) = self.parent(path)?;
        dir.read_link(&name)
    }

    /// The names in directory `path`, sorted.
    pub fn read_dir(&self, path: &Path) -> Result<Vec<std::ffi::OsString>> {
        self.dir(path)?.entries()
    }

    /// Creates the regular file `path` (its directories must exist; the
    /// file must not).
    pub fn create(&self, path: &Path, mode: u32) -> Result<File> {
        let (dir, name) = self.parent(path)?;
        dir.create_file(&name, mode)
    }

    /// Creates the symlink `path` to `target`.
    pub fn symlink(&self, target: &Path, path: &Path) -> Result<()> {
        let (dir, name) = self.parent(path)?;
        dir.symlink(target, &name)
    }

    /// Makes `new` a hard link to `existing`; both are resolved in the
    /// root (their directories followed, their last elements not).
    pub fn hard_link(&self, existing: &Path, new: &Path) -> Result<()> {
        let (from, old_name) = self.parent(existing)?;
        let (to, new_name) = self.parent(new)?;
        to.hard_link(&from, &old_name, &new_name)
    }

    /// Removes `path` whatever it is (a directory with its contents),
    /// never following its last element; a missing path is no error.
    pub fn remove(&self, path: &Path) -> Result<()> {
        match self.parent(path) {
            Ok((dir, name)) => dir.remove_all(&name),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Creates directory `path` and its missing parents (`mode` for the
    /// new ones); symlinks on the way are followed inside the root.
    /// Returns the directory.
    pub fn mkdir_all(&self, path: &Path, mode: u32) -> Result<Dir> {
        match self.dir(path) {
            Ok(dir) => return Ok(dir),
            Err(e) if e.errno() == Some(libc::ENOENT) => {}
            Err(e) => return Err(e),
        }
        let Some((parent, name)) = path::split(path) else {
            // `..` or `.` of something missing: nothing sensible to make.
            return self.dir(path);
        };
        let dir = self.mkdir_all(&parent, mode)?;
        match dir.mkdir(&name, mode) {
            Ok(()) => {}
            Err(e) if e.errno() == Some(libc::EEXIST) => {}
            Err(e) => return Err(e),
        }
        self.dir(path)
    }

    /// Where `path` leads inside the root, every symlink followed: the
    /// path the kernel found, relative to the root (`.` for the root).
    pub fn resolved(&self, path: &Path) -> Result<PathBuf> {
        let fd = self.open_path(path, Follow::Yes)?;
        let rel = path::relative(path);
        let at = |fd: BorrowedFd<'_>| -> Result<PathBuf> {
            let link = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&fd));
            std::fs::read_link(link).map_err(|e| ScopedError::new("locating", &rel, e))
        };
        let found = at(fd.as_fd())?;
        let base = at(self.fd.as_fd())?;
        let inside = found.strip_prefix(&base).map_err(|_| {
            ScopedError::new(
                "locating",
                &rel,
                io::Error::other("the path is not below the root (moved meanwhile)"),
            )
        })?;
        Ok(if inside.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            inside.to_path_buf()
        })
    }

    /// Flushes the whole filesystem the root is on to disk (`syncfs`).
    pub fn sync_fs(&self) -> Result<()> {
        let dir = self.dir(Path::new("."))?;
        rustix::fs::syncfs(&dir).map_err(|e| ScopedError::new("syncing", Path::new("."), e))
    }

    /// Whether `path` exists (a dangling link counts).
    pub fn exists(&self, path: &Path) -> bool {
        self.open_path(path, Follow::No).is_ok()
    }
}

impl AsFd for Root {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
