//! Content-addressed blobs under `<images>/blobs/sha256/<hex>`: layer tars
//! (uncompressed, named by their diff ID) and image configs (named by the
//! image ID). A blob is written to a temporary file while it is hashed,
//! then renamed to its digest, so a name always matches its content.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::ImageError;
use engined_shim::atomic;

pub struct Blobs {
    dir: PathBuf,
}

/// A blob as stored: its digest (`sha256:<hex>`) and size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub digest: String,
    pub size: u64,
}

pub fn hex_of(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// `sha256:<hex>` of `bytes`.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex_of(&Sha256::digest(bytes)))
}

impl Blobs {
    pub fn open(dir: PathBuf) -> Result<Blobs, ImageError> {
        fs::create_dir_all(&dir).map_err(ImageError::io("creating", &dir))?;
        atomic::sweep_temps(&dir).map_err(ImageError::io("cleaning", &dir))?;
        Ok(Blobs { dir })
    }

    /// Where the blob with this digest lives (whether or not it exists).
    pub fn path(&self, digest: &str) -> PathBuf {
        self.dir
            .join(digest.strip_prefix("sha256:").unwrap_or(digest))
    }

    pub fn contains(&self, digest: &str) -> bool {
        self.path(digest).is_file()
    }

    pub fn read(&self, digest: &str) -> Result<Vec<u8>, ImageError> {
        let path = self.path(digest);
        fs::read(&path).map_err(ImageError::io("reading", path))
    }

    pub fn size(&self, digest: &str) -> u64 {
        fs::metadata(self.path(digest)).map_or(0, |m| m.len())
    }

    /// Stores `bytes` (an image config); returns its digest.
    pub fn put_bytes(&self, bytes: &[u8]) -> Result<Stored, ImageError> {
        let digest = digest_of(bytes);
        let path = self.path(&digest);
        if !path.is_file() {
            atomic::write_file(&path, bytes).map_err(ImageError::io("writing", &path))?;
        }
        Ok(Stored {
            digest,
            size: bytes.len() as u64,
        })
    }

    /// Stores everything `reader` yields, hashing it on the way.
    pub fn put_reader(&self, reader: &mut dyn Read) -> Result<Stored, ImageError> {
        let temp = atomic::temp_path(&self.dir, "blob");
        let result = self.put_reader_via(&temp, reader);
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result
    }

    fn put_reader_via(&self, temp: &Path, reader: &mut dyn Read) -> Result<Stored, ImageError> {
        let mut file = File::create(temp).map_err(ImageError::io("creating", temp))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ImageError::Body(e)),
            };
            hasher.update(&buf[..n]);
            file.write_all(&buf[..n])
                .map_err(ImageError::io("writing", temp))?;
            size += n as u64;
        }
        file.sync_all().map_err(ImageError::io("syncing", temp))?;
        drop(file);
        let digest = format!("sha256:{}", hex_of(&hasher.finalize()));
        let path = self.path(&digest);
        if path.is_file() {
            let _ = fs::remove_file(temp);
        } else {
            fs::rename(temp, &path).map_err(ImageError::io("renaming", &path))?;
            atomic::sync_dir(&self.dir).map_err(ImageError::io("syncing", &self.dir))?;
        }
        Ok(Stored { digest, size })
    }

    /// Every stored digest.
    pub fn list(&self) -> Result<Vec<String>, ImageError> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(ImageError::io("listing", &self.dir))? {
            let entry = entry.map_err(ImageError::io("listing", &self.dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with(atomic::TEMP_PREFIX) {
                out.push(format!("sha256:{name}"));
            }
        }
        Ok(out)
    }

    pub fn remove(&self, digest: &str) -> Result<(), ImageError> {
        let path = self.path(digest);
        atomic::remove_any(&path).map_err(ImageError::io("removing", path))
    }
}
