//! Recording a layer's tar-split while the unpacker reads the tar: the
//! tar goes through [`Recording`], which writes every byte it passes on
//! as a raw record except the content the unpacker announced with
//! [`Recorder::entry`]; that becomes a content record naming its file.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use flate2::write::GzEncoder;

use super::format;
use super::TarSplitError;

/// Raw bytes are written out in records of at most this many.
const FLUSH: usize = 64 << 10;

struct State {
    /// Bytes of the archive read so far.
    pos: u64,
    /// Content bytes of the current entry not read yet.
    content_left: u64,
    raw: Vec<u8>,
    /// None once the layer is known not to be regenerable (or on error).
    out: Option<GzEncoder<BufWriter<File>>>,
    /// Why the tar cannot be rebuilt from its files, when it cannot.
    unfit: Option<String>,
    error: Option<io::Error>,
}

impl State {
    fn take(&mut self, mut bytes: &[u8]) {
        self.pos += bytes.len() as u64;
        if self.content_left > 0 {
            let n = self.content_left.min(bytes.len() as u64) as usize;
            self.content_left -= n as u64;
            bytes = &bytes[n..];
        }
        if self.out.is_some() {
            self.raw.extend_from_slice(bytes);
            if self.raw.len() >= FLUSH {
                self.flush_raw();
            }
        }
    }

    fn flush_raw(&mut self) {
        if self.raw.is_empty() {
            return;
        }
        if let Some(out) = self.out.as_mut() {
            if let Err(e) = format::write_raw(out, &self.raw) {
                self.fail(e);
            }
        }
        self.raw.clear();
    }

    fn unfit(&mut self, why: String) {
        if self.unfit.is_none() {
            self.unfit = Some(why);
        }
        self.out = None;
        self.raw = Vec::new();
    }

    fn fail(&mut self, e: io::Error) {
        self.error.get_or_insert(e);
        self.out = None;
    }
}

/// Records one layer's tar-split into a file.
pub struct Recorder {
    path: PathBuf,
    state: Rc<RefCell<State>>,
}

/// What recording found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The archive's length in bytes.
    pub total: u64,
    /// Why its tar-split cannot rebuild it, when it cannot (the file is
    /// then removed).
    pub unfit: Option<String>,
}

/// A tar stream that records what passes through it.
pub struct Recording<R> {
    inner: R,
    state: Rc<RefCell<State>>,
}

impl<R: Read> Read for Recording<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.state.borrow_mut().take(&buf[..n]);
        Ok(n)
    }
}

impl Recorder {
    /// Starts the tar-split file `path`.
    pub fn create(path: &Path) -> Result<Recorder, TarSplitError> {
        let io_err = |source| TarSplitError::Io {
            what: "writing",
            path: path.to_path_buf(),
            source,
        };
        let file = File::create(path).map_err(io_err)?;
        let mut out = GzEncoder::new(BufWriter::new(file), flate2::Compression::fast());
        out.write_all(format::MAGIC).map_err(io_err)?;
        Ok(Recorder {
            path: path.to_path_buf(),
            state: Rc::new(RefCell::new(State {
                pos: 0,
                content_left: 0,
                raw: Vec::with_capacity(FLUSH),
                out: Some(out),
                unfit: None,
                error: None,
            })),
        })
    }

    /// `tar`, recorded as it is read.
    pub fn wrap<R: Read>(&self, tar: R) -> Recording<R> {
        Recording {
            inner: tar,
            state: self.state.clone(),
        }
    }

    /// What the unpacker says of the entry whose header it just read:
    /// its content starts at `file_position` in the archive, is `size`
    /// bytes long, and goes to `path` in the layer's `diff/` (none when it
    /// is skipped); `sparse` for a GNU sparse entry.
    pub fn entry(&self, file_position: u64, size: u64, path: Option<&Path>, sparse: bool) {
        let mut state = self.state.borrow_mut();
        if sparse {
            state.unfit("a GNU sparse entry".into());
        } else if file_position != state.pos {
            let why = format!(
                "entry data at {file_position} while the reader is at {}",
                state.pos
            );
            state.unfit(why);
        }
        state.content_left = size;
        if size == 0 || state.out.is_none() {
            return;
        }
        let Some(path) = path.filter(|p| !p.as_os_str().is_empty()) else {
            state.unfit("content of an entry the unpacker skips".into());
            return;
        };
        state.flush_raw();
        if let Some(out) = state.out.as_mut() {
            if let Err(e) = format::write_content(out, size, path) {
                state.fail(e);
            }
        }
    }

    /// Ends the file once the whole tar has been read.
    pub fn finish(self) -> Result<Recorded, TarSplitError> {
        let mut state = self.state.borrow_mut();
        state.flush_raw();
        let total = state.pos;
        let io_err = |source| TarSplitError::Io {
            what: "writing",
            path: self.path.clone(),
            source,
        };
        if let Some(e) = state.error.take() {
            let _ = std::fs::remove_file(&self.path);
            return Err(io_err(e));
        }
        if let Some(mut out) = state.out.take() {
            let written = format::write_end(&mut out, total)
                .and_then(|()| out.finish())
                .and_then(|mut file| file.flush());
            if let Err(e) = written {
                let _ = std::fs::remove_file(&self.path);
                return Err(io_err(e));
            }
        }
        let unfit = state.unfit.take();
        if unfit.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
        Ok(Recorded { total, unfit })
    }
}
