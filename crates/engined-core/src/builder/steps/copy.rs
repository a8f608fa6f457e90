//! COPY and ADD: the sources (from the context, or with `--from` from
//! an earlier stage's or an image's root) written as one layer tar whose
//! entries sit at the destination, so the step never touches a container.
//! Sources are cleaned and must stay inside their root (`../x` is
//! refused by name, and every read goes through [`crate::scoped`]);
//! wildcards match path elements as Go's `path.Match`; a directory
//! source copies what it holds; `--chown` and `--chmod` set every entry's
//! owner and mode; ADD unpacks a local tar (plain or gzip) at the
//! destination and refuses URLs (engined has no network). The layer's
//! digest, computed while it is written, is the content hash the cache
//! keys the step with.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::builder::error::BuildError;
use crate::scoped::pack::EntryPacker;
use crate::scoped::{Follow, Root};

/// One COPY or ADD.
pub struct CopyStep<'a> {
    pub line: usize,
    /// `COPY` or `ADD`.
    pub keyword: &'a str,
    /// As written (substituted), relative to `from`.
    pub sources: Vec<String>,
    /// Absolute (the working directory already applied), substituted.
    pub dest: String,
    /// The root the sources are read from.
    pub from: &'a Root,
    /// The stage's current root, to see whether `dest` is a directory.
    pub image: Option<&'a Root>,
    pub owner: Option<(u32, u32)>,
    pub mode: Option<u32>,
}

/// Hashes what goes through to a file.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// `src` as a path relative to its root, or `None` when it climbs out.
fn clean(src: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in Path::new(src).components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir if !out.pop() => return None,
            _ => {}
        }
    }
    Some(out)
}

impl CopyStep<'_> {
    fn err(&self, why: impl Into<String>) -> BuildError {
        BuildError::step(self.line, why)
    }

    fn not_found(&self, src: &str) -> BuildError {
        self.err(format!(
            "{} failed: file not found in build context or excluded by .dockerignore: stat {src}: file does not exist",
            self.keyword
        ))
    }

    /// The paths `src` names in `from`.
    fn resolve(&self, src: &str) -> Result<Vec<PathBuf>, BuildError> {
        if src.contains("://") {
            return Err(self.err(format!(
                "{} from a URL ({src}) is not supported: engined builds offline",
                self.keyword
            )));
        }
        let cleaned = clean(src)
            .ok_or_else(|| self.err(format!("forbidden path outside the build context: {src}")))?;
        if !has_wildcard(src) {
            return match self.from.metadata(&cleaned, Follow::Yes) {
                Ok(_) => Ok(vec![cleaned]),
                Err(_) => Err(self.not_found(src)),
            };
        }
        let mut found = vec![PathBuf::new()];
        for element in cleaned.iter() {
            let text = element.to_string_lossy();
            let mut next = Vec::new();
            if !has_wildcard(&text) {
                for p in found {
                    let candidate = p.join(element);
                    if self.from.metadata(&candidate, Follow::No).is_ok() {
                        next.push(candidate);
                    }
                }
            } else {
                let glob =
                    crate::pattern::glob(&text).map_err(|e| self.err(format!("{src}: {e}")))?;
                for p in found {
                    let dir = if p.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        p.clone()
                    };
                    let Ok(names) = self.from.read_dir(&dir) else {
                        continue;
                    };
                    for name in names {
                        if glob.is_match(&name.to_string_lossy()) {
                            next.push(p.join(name));
                        }
                    }
                }
            }
            found = next;
        }
        if found.is_empty() {
            return Err(self.not_found(src));
        }
        Ok(found)
    }

    /// Writes the layer to `to`; returns its `sha256:` digest.
    pub fn write_layer(&self, to: &Path) -> Result<String, BuildError> {
        let mut all = Vec::new();
        for src in &self.sources {
            all.extend(self.resolve(src)?);
        }
        let many = all.len() > 1 || self.sources.iter().any(|s| has_wildcard(s));
        let dest_is_dir = self.dest.ends_with('/')
            || self.dest == "/"
            || self.image.is_some_and(|r| {
                r.metadata(Path::new(&self.dest), Follow::Yes)
                    .is_ok_and(|m| m.is_dir())
            });
        if many && !dest_is_dir {
            return Err(self.err(format!(
                "When using {} with more than one source file, the destination must be a directory and end with a /",
                self.keyword
            )));
        }
        let dest = self.dest.trim_matches('/').to_string();
        let context = || format!("writing the {} layer", self.keyword);
        let file = File::create(to).map_err(BuildError::io(context()))?;
        let mut out = Hashing {
            inner: BufWriter::new(file),
            hasher: Sha256::new(),
        };
        {
            let mut packer = EntryPacker::new(&mut out);
            packer.owner = self.owner;
            packer.mode = self.mode;
            for path in &all {
                self.add(&mut packer, path, &dest, dest_is_dir)
                    .map_err(BuildError::io(context()))?;
            }
            packer.finish().map_err(BuildError::io(context()))?;
        }
        out.flush().map_err(BuildError::io(context()))?;
        let digest = crate::images::hex_of(&out.hasher.finalize());
        Ok(format!("sha256:{digest}"))
    }

    fn add(
        &self,
        packer: &mut EntryPacker<'_>,
        path: &Path,
        dest: &str,
        dest_is_dir: bool,
    ) -> io::Result<()> {
        let join = |a: &str, b: &str| {
            if a.is_empty() {
                b.to_string()
            } else {
                format!("{a}/{b}")
            }
        };
        // The source itself is followed (inside its root); what is
        // below it is archived as it is.
        let path = if path.as_os_str().is_empty() {
            PathBuf::new()
        } else {
            self.from.resolved(path)?
        };
        let meta = if path.as_os_str().is_empty() {
            self.from.metadata(Path::new("."), Follow::Yes)?
        } else {
            self.from.metadata(&path, Follow::No)?
        };
        if meta.is_dir() {
            if !dest.is_empty() && !path.as_os_str().is_empty() {
                packer.path(self.from, &path, dest)?;
            }
            let dir = if path.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                path.clone()
            };
            for name in self.from.read_dir(&dir)? {
                let child = path.join(&name);
                packer.tree(self.from, &child, &join(dest, &name.to_string_lossy()))?;
            }
            return Ok(());
        }
        let base = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if self.keyword == "ADD" && is_tar(self.from, &path) {
            return extract_into(packer, self.from, &path, dest);
        }
        let name = if dest_is_dir {
            join(dest, &base)
        } else {
            dest.to_string()
        };
        packer.tree(self.from, &path, &name)
    }
}

/// Whether the file is a tar archive (plain or gzip).
fn is_tar(root: &Root, path: &Path) -> bool {
    let Ok(file) = root.open(path) else {
        return false;
    };
    let Ok(mut reader) = crate::images::decompressed(io::BufReader::new(file)) else {
        return false;
    };
    let mut head = vec![0u8; 512];
    if reader.read_exact(&mut head).is_err() {
        return false;
    }
    &head[257..262] == b"ustar"
}

/// ADD's unpacking: the tar's entries below `dest`.
fn extract_into(
    packer: &mut EntryPacker<'_>,
    root: &Root,
    path: &Path,
    dest: &str,
) -> io::Result<()> {
    let file = root.open(path)?;
    let reader = crate::images::decompressed(io::BufReader::new(file))?;
    let mut archive = tar::Archive::new(reader);
    let place = |raw: &[u8]| -> Option<String> {
        let cleaned = clean(&String::from_utf8_lossy(raw))?;
        let text = cleaned.to_string_lossy().into_owned();
        if text.is_empty() {
            return None;
        }
        Some(if dest.is_empty() {
            text
        } else {
            format!("{dest}/{text}")
        })
    };
    for entry in archive.entries()? {
        let mut entry = entry?;
        let Some(name) = place(&entry.path_bytes()) else {
            continue;
        };
        let mut header = entry.header().clone();
        let link = match entry.header().entry_type() {
            tar::EntryType::Link => match entry.link_name_bytes().and_then(|l| place(&l)) {
                Some(target) => Some(PathBuf::from(target)),
                None => continue,
            },
            tar::EntryType::Symlink => entry.link_name()?.map(|l| l.into_owned()),
            _ => None,
        };
        packer.raw(&mut header, &name, link.as_deref(), &mut entry)?;
    }
    Ok(())
}
