//! The records of a tar-split file (inside its gzip stream), after the
//! magic line [`MAGIC`]:
//!
//! - `R`, a u32 length (big-endian), then that many raw archive bytes;
//! - `C`, a u64 size, a u32 path length, then the path (bytes, relative
//!   to `diff/`): the next `size` bytes of the archive are that file's;
//! - `E`, a u64: the whole archive's length; nothing follows.

use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub const MAGIC: &[u8] = b"engined tar-split 1\n";

const RAW: u8 = b'R';
const CONTENT: u8 = b'C';
const END: u8 = b'E';

/// The longest path a content record may carry (Linux' PATH_MAX).
pub const MAX_PATH: usize = 4096;

/// One record as read; a raw record's bytes follow it in the stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Record {
    Raw(u32),
    Content { size: u64, path: PathBuf },
    End { total: u64 },
}

pub fn write_raw(out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    for chunk in bytes.chunks(u32::MAX as usize) {
        out.write_all(&[RAW])?;
        out.write_all(&(chunk.len() as u32).to_be_bytes())?;
        out.write_all(chunk)?;
    }
    Ok(())
}

pub fn write_content(out: &mut dyn Write, size: u64, path: &Path) -> io::Result<()> {
    let path = path.as_os_str().as_bytes();
    if path.len() > MAX_PATH {
        return Err(io::Error::other("a path longer than PATH_MAX"));
    }
    out.write_all(&[CONTENT])?;
    out.write_all(&size.to_be_bytes())?;
    out.write_all(&(path.len() as u32).to_be_bytes())?;
    out.write_all(path)
}

pub fn write_end(out: &mut dyn Write, total: u64) -> io::Result<()> {
    out.write_all(&[END])?;
    out.write_all(&total.to_be_bytes())
}

/// Reads the magic line; `Ok(false)` when it is not there.
pub fn read_magic(input: &mut dyn Read) -> io::Result<bool> {
    let mut magic = [0u8; MAGIC.len()];
    input.read_exact(&mut magic)?;
    Ok(magic == MAGIC)
}

/// The next record; an error of kind `InvalidData` when it is malformed.
pub fn read_record(input: &mut dyn Read) -> io::Result<Record> {
    let mut tag = [0u8; 1];
    input.read_exact(&mut tag)?;
    match tag[0] {
        RAW => {
            let mut len = [0u8; 4];
            input.read_exact(&mut len)?;
            Ok(Record::Raw(u32::from_be_bytes(len)))
        }
        CONTENT => {
            let mut size = [0u8; 8];
            input.read_exact(&mut size)?;
            let mut len = [0u8; 4];
            input.read_exact(&mut len)?;
            let len = u32::from_be_bytes(len) as usize;
            if len == 0 || len > MAX_PATH {
                return Err(invalid(format!("a content path of {len} bytes")));
            }
            let mut path = vec![0u8; len];
            input.read_exact(&mut path)?;
            Ok(Record::Content {
                size: u64::from_be_bytes(size),
                path: PathBuf::from(std::ffi::OsStr::from_bytes(&path)),
            })
        }
        END => {
            let mut total = [0u8; 8];
            input.read_exact(&mut total)?;
            Ok(Record::End {
                total: u64::from_be_bytes(total),
            })
        }
        other => Err(invalid(format!("unknown record {other:#04x}"))),
    }
}

fn invalid(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written() {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        write_raw(&mut out, b"head").unwrap();
        write_content(&mut out, 7, Path::new("a/b")).unwrap();
        write_end(&mut out, 1024).unwrap();
        let mut input = &out[..];
        assert!(read_magic(&mut input).unwrap());
        assert_eq!(read_record(&mut input).unwrap(), Record::Raw(4));
        let mut raw = [0u8; 4];
        input.read_exact(&mut raw).unwrap();
        assert_eq!(&raw, b"head");
        assert_eq!(
            read_record(&mut input).unwrap(),
            Record::Content {
                size: 7,
                path: "a/b".into()
            }
        );
        assert_eq!(
            read_record(&mut input).unwrap(),
            Record::End { total: 1024 }
        );
        assert!(input.is_empty());
        let bad = [b'Z'];
        assert_eq!(
            read_record(&mut &bad[..]).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }
}
