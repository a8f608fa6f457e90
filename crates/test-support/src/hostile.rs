//! Hostile archives, generated (never committed as binaries): tars
//! written header by header so that anything a real attacker could put in
//! one survives (`..`, absolute names, links to host paths, raw non-UTF-8
//! bytes, 4 KB names through GNU long-name records, GNU sparse entries
//! claiming 10 GB), `docker save` archives of such layers, and a canary
//! directory on the host whose every byte is checked after each input.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A tar written entry by entry, names and link targets as raw bytes.
pub struct TarWriter<W: Write> {
    out: W,
}

/// `value` in a numeric header field: octal with a NUL when it fits,
/// base-256 (the high bit set) when it does not (sizes past 8 GB).
fn number(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    if value < 1u64 << (3 * digits as u32) {
        let text = format!("{value:0digits$o}\0");
        field.copy_from_slice(text.as_bytes());
    } else {
        field.fill(0);
        let bytes = value.to_be_bytes();
        let n = field.len();
        field[n - 8..].copy_from_slice(&bytes);
        field[0] |= 0x80;
    }
}

/// A 512-byte GNU header; the checksum is set by [`seal`].
fn header(name: &[u8], kind: u8, size: u64, link: &[u8], mode: u32) -> [u8; 512] {
    let mut h = [0u8; 512];
    let n = name.len().min(100);
    h[..n].copy_from_slice(&name[..n]);
    number(&mut h[100..108], u64::from(mode));
    number(&mut h[108..116], 0);
    number(&mut h[116..124], 0);
    number(&mut h[124..136], size);
    number(&mut h[136..148], 1_700_000_000);
    h[156] = kind;
    let l = link.len().min(100);
    h[157..157 + l].copy_from_slice(&link[..l]);
    h[257..263].copy_from_slice(b"ustar ");
    h[263..265].copy_from_slice(b" \0");
    h
}

fn seal(h: &mut [u8; 512]) {
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

impl<W: Write> TarWriter<W> {
    pub fn new(out: W) -> Self {
        TarWriter { out }
    }

    fn pad(&mut self, len: u64) -> io::Result<()> {
        let pad = ((512 - len % 512) % 512) as usize;
        self.out.write_all(&vec![0u8; pad])
    }

    /// A GNU long-name (`L`) or long-link (`K`) record for `value`.
    fn long(&mut self, kind: u8, value: &[u8]) -> io::Result<()> {
        let mut data = value.to_vec();
        data.push(0);
        let mut h = header(b"././@LongLink", kind, data.len() as u64, b"", 0o644);
        seal(&mut h);
        self.out.write_all(&h)?;
        self.out.write_all(&data)?;
        self.pad(data.len() as u64)
    }

    /// Any entry: long names and links get their GNU records first.
    pub fn entry(
        &mut self,
        name: &[u8],
        kind: u8,
        link: &[u8],
        mode: u32,
        data: &[u8],
    ) -> io::Result<()> {
        if name.len() > 100 {
            self.long(b'L', name)?;
        }
        if link.len() > 100 {
            self.long(b'K', link)?;
        }
        let mut h = header(name, kind, data.len() as u64, link, mode);
        seal(&mut h);
        self.out.write_all(&h)?;
        self.out.write_all(data)?;
        self.pad(data.len() as u64)
    }

    pub fn file(&mut self, name: impl AsRef<[u8]>, data: &[u8]) -> io::Result<()> {
        self.entry(name.as_ref(), b'0', b"", 0o644, data)
    }

    pub fn dir(&mut self, name: impl AsRef<[u8]>) -> io::Result<()> {
        self.entry(name.as_ref(), b'5', b"", 0o755, b"")
    }

    pub fn symlink(&mut self, name: impl AsRef<[u8]>, target: impl AsRef<[u8]>) -> io::Result<()> {
        self.entry(name.as_ref(), b'2', target.as_ref(), 0o777, b"")
    }

    pub fn hard_link(
        &mut self,
        name: impl AsRef<[u8]>,
        target: impl AsRef<[u8]>,
    ) -> io::Result<()> {
        self.entry(name.as_ref(), b'1', target.as_ref(), 0o644, b"")
    }

    pub fn fifo(&mut self, name: impl AsRef<[u8]>) -> io::Result<()> {
        self.entry(name.as_ref(), b'6', b"", 0o644, b"")
    }

    /// A GNU sparse file of `real` bytes: holes, then `tail` at its end.
    pub fn sparse(&mut self, name: &[u8], real: u64, tail: &[u8]) -> io::Result<()> {
        let mut h = header(name, b'S', tail.len() as u64, b"", 0o644);
        // sparse[0] = (offset, numbytes) at 386; realsize at 483.
        number(&mut h[386..398], real - tail.len() as u64);
        number(&mut h[398..410], tail.len() as u64);
        number(&mut h[483..495], real);
        seal(&mut h);
        self.out.write_all(&h)?;
        self.out.write_all(tail)?;
        self.pad(tail.len() as u64)
    }

    /// Every entry of the tar `bytes` (its end marker dropped).
    pub fn copy_of(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut archive = ::tar::Archive::new(bytes);
        let mut builder = ::tar::Builder::new(&mut self.out);
        for entry in archive.entries()? {
            let mut entry = entry?;
            let mut h = entry.header().clone();
            let path = entry.path()?.into_owned();
            if h.entry_type().is_symlink() {
                let target = entry.link_name()?.unwrap_or_default().into_owned();
                builder.append_link(&mut h, &path, &target)?;
            } else {
                builder.append_data(&mut h, &path, &mut entry)?;
            }
        }
        // The builder's end marker is written by finish(), which is not
        // called: the entries go on.
        std::mem::forget(builder);
        Ok(())
    }

    /// The end-of-archive blocks; the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0u8; 1024])?;
        Ok(self.out)
    }
}

/// A tar built in memory by `build`.
pub fn tar(build: impl FnOnce(&mut TarWriter<Vec<u8>>) -> io::Result<()>) -> Vec<u8> {
    let mut w = TarWriter::new(Vec::new());
    build(&mut w).expect("writing to memory");
    w.finish().expect("writing to memory")
}

fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// A `docker save` archive of one image tagged `tag` with `layers`.
pub fn saved_image(tag: &str, layers: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| digest(l)).collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {}, "rootfs": {"type": "layers", "diff_ids": diff_ids},
    });
    let config = serde_json::to_vec(&config).unwrap();
    let names: Vec<String> = (0..layers.len())
        .map(|i| format!("l{i}/layer.tar"))
        .collect();
    let manifest = serde_json::json!([{
        "Config": "config.json", "RepoTags": [tag], "Layers": names,
    }]);
    tar(|w| {
        w.file("config.json", &config)?;
        for (name, layer) in names.iter().zip(layers) {
            w.dir(name.trim_end_matches("layer.tar"))?;
            w.file(name, layer)?;
        }
        w.file("manifest.json", &serde_json::to_vec(&manifest).unwrap())
    })
}

/// A `docker save` archive whose manifest names `config` and `layer`
/// (hostile paths) as they are.
pub fn saved_with_paths(
    config: &str,
    layer: &str,
    extra: impl FnOnce(&mut TarWriter<Vec<u8>>) -> io::Result<()>,
) -> Vec<u8> {
    let manifest = serde_json::json!([{
        "Config": config, "RepoTags": ["hostile:paths"], "Layers": [layer],
    }]);
    tar(|w| {
        extra(w)?;
        w.file("manifest.json", &serde_json::to_vec(&manifest).unwrap())
    })
}

/// A host directory whose every file, link and mode is known, so any
/// change an input makes to it is seen.
pub struct Canary {
    pub dir: PathBuf,
    snapshot: BTreeMap<PathBuf, String>,
}

impl Canary {
    /// Plants the canary in `dir`: a secret, an `etc` with passwd and
    /// group, a deep file, a link and a setuid file.
    pub fn plant(dir: &Path) -> Canary {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        std::fs::create_dir_all(dir.join("sub/deep")).unwrap();
        std::fs::write(dir.join("secret"), "canary secret\n").unwrap();
        std::fs::write(dir.join("etc/passwd"), "hostonly:x:4242:4242::/:/bin/sh\n").unwrap();
        std::fs::write(dir.join("etc/group"), "hostgroup:x:4343:hostonly\n").unwrap();
        std::fs::write(dir.join("sub/deep/file"), "deep\n").unwrap();
        std::fs::write(dir.join("suid"), "s").unwrap();
        std::fs::set_permissions(dir.join("suid"), std::fs::Permissions::from_mode(0o4755))
            .unwrap();
        std::os::unix::fs::symlink("secret", dir.join("link")).unwrap();
        let mut canary = Canary {
            dir: dir.to_path_buf(),
            snapshot: BTreeMap::new(),
        };
        canary.snapshot = canary.take();
        canary
    }

    /// Every entry below the canary: type, mode, owner, size and bytes.
    fn take(&self) -> BTreeMap<PathBuf, String> {
        let mut out = BTreeMap::new();
        let mut todo = vec![self.dir.clone()];
        while let Some(dir) = todo.pop() {
            let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
            names.sort_by_key(|e| e.file_name());
            for e in names {
                let path = e.path();
                let m = std::fs::symlink_metadata(&path).unwrap();
                let what = if m.file_type().is_symlink() {
                    format!("link {:?}", std::fs::read_link(&path).unwrap())
                } else if m.is_dir() {
                    todo.push(path.clone());
                    "dir".to_string()
                } else {
                    format!("file {:?}", std::fs::read(&path).unwrap())
                };
                let rel = path.strip_prefix(&self.dir).unwrap().to_path_buf();
                out.insert(
                    rel,
                    format!(
                        "{what} mode {:o} {}:{} mtime {}",
                        m.mode(),
                        m.uid(),
                        m.gid(),
                        m.mtime()
                    ),
                );
            }
        }
        out
    }

    /// Panics, naming `case`, when anything in the canary changed.
    pub fn assert_intact(&self, case: &str) {
        let now = self.take();
        assert_eq!(now, self.snapshot, "the host canary changed after {case}");
    }

    /// The canary path as bytes (for link targets in tars).
    pub fn path_bytes(&self, rest: &str) -> Vec<u8> {
        let mut p = self.dir.as_os_str().as_encoded_bytes().to_vec();
        if !rest.is_empty() {
            p.push(b'/');
            p.extend_from_slice(rest.as_bytes());
        }
        p
    }
}
