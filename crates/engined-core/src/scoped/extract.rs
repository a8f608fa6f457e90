//! Writing tar entries inside a [`Root`]: the one extractor behind image
//! layers, `docker load`'s spool and `docker cp` into a container. Each
//! entry's directories are resolved (and made) in the root, whatever is
//! at its last element is replaced, never followed (a directory stays
//! when the entry is a directory too), and the entry is created with
//! `*at` syscalls on its parent's descriptor: regular files (runs of
//! zeros become holes, so a sparse or a 10 GB zero file costs no disk),
//! directories, symlinks (stored as they are), hard links (both ends in
//! the root), FIFOs and device nodes. Then, as dockerd does: the owner
//! (which clears setuid bits), then the mode with setuid/setgid/sticky,
//! then the times; directory times last, once their contents are in.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use tar::EntryType;

use super::dir::Node;
use super::error::ScopedError;
use super::{Dir, Root};

/// Whether engined runs as root (it can then set owners and make
/// device nodes, as dockerd does).
pub fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// What an entry's owner becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The archive's uid and gid (as root).
    FromArchive,
    /// Whoever extracts (not root: the archive's cannot be set).
    Extractor,
    /// These, for every entry (`docker cp -a`).
    Fixed(u32, u32),
}

/// How entries are written.
#[derive(Debug, Clone)]
pub struct Options {
    pub owner: Owner,
    /// Make device nodes (as root); otherwise they are skipped.
    pub devices: bool,
    /// Refuse replacing a directory by a non-directory and the reverse.
    pub no_overwrite_dir_non_dir: bool,
    /// Only regular files, directories and symlinks (an image archive's
    /// spool); anything else is skipped.
    pub plain_only: bool,
}

/// Why an entry could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{0}")]
    Scoped(#[from] ScopedError),
    #[error("cannot overwrite directory \"{0}\" with non-directory")]
    DirWithNonDir(String),
    #[error("cannot overwrite non-directory \"{0}\" with directory")]
    NonDirWithDir(String),
    #[error("{path}: {why}")]
    BadEntry { path: String, why: String },
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// Writes entries into one root; [`Extractor::finish`] sets the
/// directory times.
pub struct Extractor<'a> {
    root: &'a Root,
    options: Options,
    dir_times: Vec<(PathBuf, i64)>,
    /// The last entry's directory, kept open: most entries share one, and
    /// a held descriptor stays inside the root whatever moves.
    parent: Option<(PathBuf, Rc<Dir>)>,
    /// The copy buffer, and as many zeros to compare it with.
    buf: Vec<u8>,
    zeros: Vec<u8>,
}

/// `/path` for messages.
fn shown(rel: &Path) -> String {
    Path::new("/").join(rel).display().to_string()
}

impl<'a> Extractor<'a> {
    pub fn new(root: &'a Root, options: Options) -> Self {
        Extractor {
            root,
            options,
            dir_times: Vec::new(),
            parent: None,
            buf: vec![0; BLOCK],
            zeros: vec![0; BLOCK],
        }
    }

    /// Forgets the directory kept open (something outside the extractor,
    /// a whiteout, may have removed it).
    pub fn forget(&mut self) {
        self.parent = None;
    }

    /// The directory `parent` (made when missing), the kept one when it is
    /// the same path.
    fn dir(&mut self, parent: &Path) -> Result<Rc<Dir>, ExtractError> {
        if let Some((path, dir)) = &self.parent {
            if path == parent {
                return Ok(dir.clone());
            }
        }
        let dir = Rc::new(self.root.mkdir_all(parent, 0o755)?);
        self.parent = Some((parent.to_path_buf(), dir.clone()));
        Ok(dir)
    }

    /// Forgets the kept directory when `rel` is it or above it (an entry
    /// there is replaced or changes type).
    fn touched(&mut self, rel: &Path) {
        if self
            .parent
            .as_ref()
            .is_some_and(|(p, _)| p.starts_with(rel))
        {
            self.parent = None;
        }
    }

    /// Writes `entry` at `rel` (a cleaned path relative to the root, with
    /// a last element). `link` is a hard link's target, relative to the
    /// root, already checked by the caller to be inside. Returns the bytes
    /// of a regular file's content (0 for anything else).
    pub fn put<R: Read>(
        &mut self,
        rel: &Path,
        entry: &mut tar::Entry<'_, R>,
        link: Option<&Path>,
    ) -> Result<u64, ExtractError> {
        let bad = |why: String| ExtractError::BadEntry {
            path: shown(rel),
            why,
        };
        let header = entry.header();
        let kind = header.entry_type();
        // Contiguous and GNU sparse files are regular files too (the
        // reader fills a sparse file's holes with zeros).
        let regular = kind.is_file() || kind == EntryType::Continuous || kind.is_gnu_sparse();
        let plain = regular || kind.is_dir() || kind.is_symlink();
        if self.options.plain_only && !plain {
            return Ok(0);
        }
        let old = header.as_old();
        let mode = numeric(&old.mode, header.mode().map(u64::from)).map_err(&bad)?;
        let mode = u32::try_from(mode).map_err(|_| bad(format!("mode {mode:o} too large")))?;
        let mtime = numeric(&old.mtime, header.mtime()).map_err(&bad)?;
        let mtime = i64::try_from(mtime).map_err(|_| bad(format!("mtime {mtime} too large")))?;
        let owner = match self.options.owner {
            Owner::FromArchive => {
                let uid = numeric(&old.uid, header.uid()).map_err(&bad)?;
                let gid = numeric(&old.gid, header.gid()).map_err(&bad)?;
                let id = |v: u64| u32::try_from(v).map_err(|_| bad(format!("id {v} too large")));
                Some((id(uid)?, id(gid)?))
            }
            Owner::Extractor => None,
            Owner::Fixed(u, g) => Some((u, g)),
        };
        let node = match kind {
            EntryType::Char => Some(Node::Char),
            EntryType::Block => Some(Node::Block),
            EntryType::Fifo => Some(Node::Fifo),
            _ => None,
        };
        if matches!(node, Some(Node::Char | Node::Block)) && !self.options.devices {
            return Ok(0);
        }
        let known = plain || kind.is_hard_link() || node.is_some();
        if !known {
            // Pax and GNU long-name records are consumed by the reader;
            // what is left (volume labels, multi-volume parts) is skipped.
            return Ok(0);
        }
        let Some((parent, name)) = super::path::split(rel) else {
            return Err(bad("the entry names no file".into()));
        };
        let dir = self.dir(&parent)?;
        let is_dir = kind.is_dir();
        if let Some(was_dir) = dir.is_dir(&name)? {
            if self.options.no_overwrite_dir_non_dir && was_dir && !is_dir {
                return Err(ExtractError::DirWithNonDir(shown(rel)));
            }
            if self.options.no_overwrite_dir_non_dir && !was_dir && is_dir {
                return Err(ExtractError::NonDirWithDir(shown(rel)));
            }
            if !(was_dir && is_dir) {
                self.touched(rel);
                dir.remove_all(&name)?;
            }
        }
        let mut size = 0;
        if let Some(target) = link.filter(|_| kind.is_hard_link()) {
            let (from, existing) = self.root.parent(target)?;
            dir.hard_link(&from, &existing, &name)?;
            // A hard link shares its target's owner, mode and times.
            return Ok(0);
        } else if kind.is_hard_link() {
            return Err(bad("a hard link without a target".into()));
        } else if is_dir {
            match dir.mkdir(&name, 0o700) {
                Ok(()) => {}
                Err(e) if e.errno() == Some(libc::EEXIST) => {}
                Err(e) => return Err(e.into()),
            }
        } else if kind.is_symlink() {
            let target = entry
                .link_name()
                .map_err(|e| bad(e.to_string()))?
                .ok_or_else(|| bad("a symlink without a target".into()))?
                .into_owned();
            dir.symlink(&target, &name)?;
        } else if let Some(node) = node {
            let major = header.device_major().ok().flatten().unwrap_or(0);
            let minor = header.device_minor().ok().flatten().unwrap_or(0);
            dir.mknod(&name, node, 0o600, major, minor)?;
        } else {
            let mut file = dir.create_file(&name, 0o600)?;
            size = copy_sparse(entry, &mut file, &mut self.buf, &self.zeros).map_err(|source| {
                ExtractError::Read {
                    path: shown(rel),
                    source,
                }
            })?;
        }
        self.finish_entry(&dir, &name, rel, kind, mode, mtime, owner)?;
        Ok(size)
    }

    #[allow(clippy::too_many_arguments)]
    fn finish_entry(
        &mut self,
        dir: &Dir,
        name: &OsStr,
        rel: &Path,
        kind: EntryType,
        mode: u32,
        mtime: i64,
        owner: Option<(u32, u32)>,
    ) -> Result<(), ExtractError> {
        if let Some((uid, gid)) = owner {
            dir.chown(name, uid, gid)?;
        }
        if !kind.is_symlink() {
            dir.chmod(name, mode)?;
        }
        if kind.is_dir() {
            self.dir_times.push((rel.to_path_buf(), mtime));
        } else {
            dir.set_mtime(name, mtime)?;
        }
        Ok(())
    }

    /// Sets the times of the directories written, deepest first (a
    /// directory that is gone meanwhile is skipped).
    pub fn finish(self) -> Result<(), ExtractError> {
        let mut times = self.dir_times;
        times.sort_by(|a, b| b.0.cmp(&a.0));
        for (rel, mtime) in times {
            let Ok((dir, name)) = self.root.parent(&rel) else {
                continue;
            };
            match dir.set_mtime(&name, mtime) {
                Err(e) if !e.is_not_found() => return Err(e.into()),
                _ => {}
            }
        }
        Ok(())
    }
}

/// A numeric header field as Go's archive/tar (and so dockerd) reads
/// it: an empty field (only NULs and spaces) is 0, garbage is an error.
fn numeric(raw: &[u8], parsed: io::Result<u64>) -> Result<u64, String> {
    match parsed {
        Ok(v) => Ok(v),
        Err(_) if raw.iter().all(|&b| b == 0 || b == b' ') => Ok(0),
        Err(e) => Err(e.to_string()),
    }
}

/// How much is read at a time; a block of only zeros becomes a hole.
const BLOCK: usize = 64 * 1024;

/// Copies `reader` to `file` through `buf`, leaving holes for blocks
/// equal to `zeros` (as long as `buf`); returns the bytes copied (holes
/// included).
fn copy_sparse(
    reader: &mut dyn Read,
    file: &mut File,
    buf: &mut [u8],
    zeros: &[u8],
) -> io::Result<u64> {
    let mut total = 0u64;
    let mut hole = false;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..n];
        // A slice comparison is one memcmp, fast even in a debug build.
        if chunk == &zeros[..n] {
            file.seek(SeekFrom::Current(n as i64))?;
            hole = true;
        } else {
            file.write_all(chunk)?;
            hole = false;
        }
        total += n as u64;
    }
    if hole {
        file.set_len(total)?;
    }
    Ok(total)
}
