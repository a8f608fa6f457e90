//! A layer's tar rebuilt from its tar-split and its `diff/` directory,
//! as a reader: raw bytes from the tar-split, content from the files
//! (through the root-scoped resolver), hashed on the way; the read after
//! the last byte fails when the hash is not the layer's diff ID.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};

use super::format::{self, Record};
use super::TarSplitError;
use crate::images::blobs::hex_of;
use crate::scoped::Root;

enum Step {
    Next,
    Raw(u64),
    Content {
        file: File,
        path: PathBuf,
        left: u64,
    },
    Done,
}

/// The regenerated tar of one layer.
pub struct LayerTar {
    split_path: PathBuf,
    split: GzDecoder<BufReader<File>>,
    diff: Root,
    expected: String,
    hasher: Sha256,
    read: u64,
    step: Step,
}

impl std::fmt::Debug for LayerTar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayerTar")
            .field("split", &self.split_path)
            .field("expected", &self.expected)
            .field("read", &self.read)
            .finish()
    }
}

impl LayerTar {
    /// The tar of the layer `diff_id` whose tar-split is `split` and whose
    /// files are in `diff`.
    pub fn open(split: &Path, diff: Root, diff_id: &str) -> Result<LayerTar, TarSplitError> {
        let file = File::open(split).map_err(|source| TarSplitError::Io {
            what: "opening",
            path: split.to_path_buf(),
            source,
        })?;
        let mut decoder = GzDecoder::new(BufReader::new(file));
        let corrupt = |why: String| TarSplitError::Corrupt {
            path: split.to_path_buf(),
            why,
        };
        match format::read_magic(&mut decoder) {
            Ok(true) => {}
            Ok(false) => return Err(corrupt("not a tar-split".into())),
            Err(e) => return Err(corrupt(e.to_string())),
        }
        Ok(LayerTar {
            split_path: split.to_path_buf(),
            split: decoder,
            diff,
            expected: diff_id.to_string(),
            hasher: Sha256::new(),
            read: 0,
            step: Step::Next,
        })
    }

    fn corrupt(&self, why: impl std::fmt::Display) -> io::Error {
        TarSplitError::Corrupt {
            path: self.split_path.clone(),
            why: why.to_string(),
        }
        .into()
    }

    /// Reads the next record into `self.step`.
    fn next_record(&mut self) -> io::Result<()> {
        let record = format::read_record(&mut self.split).map_err(|e| self.corrupt(e))?;
        self.step = match record {
            Record::Raw(len) => Step::Raw(u64::from(len)),
            Record::Content { size, path } => {
                let file = self
                    .diff
                    .open(&path)
                    .map_err(|e| io::Error::from(TarSplitError::Content(e)))?;
                Step::Content {
                    file,
                    path,
                    left: size,
                }
            }
            Record::End { total } => {
                if total != self.read {
                    return Err(self.corrupt(format!(
                        "it ends at {total} bytes, its records at {}",
                        self.read
                    )));
                }
                let actual = format!(
                    "sha256:{}",
                    hex_of(&std::mem::take(&mut self.hasher).finalize())
                );
                if actual != self.expected {
                    return Err(TarSplitError::Changed {
                        expected: self.expected.clone(),
                        actual,
                    }
                    .into());
                }
                Step::Done
            }
        };
        Ok(())
    }
}

impl Read for LayerTar {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let n = match &mut self.step {
                Step::Done => return Ok(0),
                Step::Next => {
                    self.next_record()?;
                    continue;
                }
                Step::Raw(0) | Step::Content { left: 0, .. } => {
                    self.step = Step::Next;
                    continue;
                }
                Step::Raw(left) => {
                    let want = (*left).min(buf.len() as u64) as usize;
                    let n = self.split.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(self.corrupt("it ends inside a raw record"));
                    }
                    *left -= n as u64;
                    n
                }
                Step::Content { file, path, left } => {
                    let want = (*left).min(buf.len() as u64) as usize;
                    let n = file.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(TarSplitError::Short {
                            path: path.clone(),
                            missing: *left,
                        }
                        .into());
                    }
                    *left -= n as u64;
                    n
                }
            };
            self.hasher.update(&buf[..n]);
            self.read += n as u64;
            return Ok(n);
        }
    }
}
