//! Docker's multiplexed stdout/stderr stream: each frame is an 8-byte
//! header (stream id, three zero bytes, big-endian u32 length) and the
//! payload. Used by logs, attach and exec start when there is no TTY.

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// Which stream a frame belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// Stream id 0: input written back (only with `OpenStdin` and no TTY).
    Stdin,
    /// Stream id 1: the container's standard output.
    Stdout,
    /// Stream id 2: the container's standard error.
    Stderr,
}

impl StreamKind {
    fn id(self) -> u8 {
        match self {
            StreamKind::Stdin => 0,
            StreamKind::Stdout => 1,
            StreamKind::Stderr => 2,
        }
    }
}

/// One demultiplexed chunk of output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The stream the bytes were written to.
    pub stream: StreamKind,
    /// The payload of the frame, as written (not split into lines).
    pub data: Bytes,
}

/// A malformed header: the stream id is not 0, 1 or 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("multiplexed stream: unknown stream id {0} in a frame header")]
pub struct BadFrame(pub u8);

/// The size of a frame header in bytes: stream id, three zero bytes and a
/// big-endian `u32` payload length.
pub const HEADER_LEN: usize = 8;

/// Appends `data` as frames (header + payload) to `out`; empty data
/// writes nothing.
pub fn encode(stream: StreamKind, data: &[u8], out: &mut BytesMut) {
    // A payload over 4 GiB is split so every length fits the header.
    for chunk in data.chunks(u32::MAX as usize) {
        out.reserve(HEADER_LEN + chunk.len());
        out.put_u8(stream.id());
        out.put_bytes(0, 3);
        out.put_u32(chunk.len() as u32);
        out.put_slice(chunk);
    }
}

/// Takes the next complete frame from the front of `buf`, or `Ok(None)`
/// when more bytes are needed.
pub fn decode(buf: &mut BytesMut) -> Result<Option<Frame>, BadFrame> {
    if buf.len() < HEADER_LEN {
        return Ok(None);
    }
    let stream = match buf[0] {
        0 => StreamKind::Stdin,
        1 => StreamKind::Stdout,
        2 => StreamKind::Stderr,
        other => return Err(BadFrame(other)),
    };
    let len = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]) as usize;
    if buf.len() < HEADER_LEN + len {
        buf.reserve(HEADER_LEN + len - buf.len());
        return Ok(None);
    }
    buf.advance(HEADER_LEN);
    Ok(Some(Frame {
        stream,
        data: buf.split_to(len).freeze(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_byte_by_byte() {
        let mut wire = BytesMut::new();
        encode(StreamKind::Stdout, b"hello\n", &mut wire);
        encode(StreamKind::Stderr, b"", &mut wire); // writes nothing
        wire.put_slice(&[2, 0, 0, 0, 0, 0, 0, 0]); // an empty frame is still a frame
        encode(StreamKind::Stderr, b"oops\n", &mut wire);
        assert_eq!(&wire[..8], &[1, 0, 0, 0, 0, 0, 0, 6]);
        // Feed one byte at a time: frames come out whole and in order.
        let mut buf = BytesMut::new();
        let mut frames = Vec::new();
        for b in wire.iter() {
            buf.put_u8(*b);
            while let Some(f) = decode(&mut buf).unwrap() {
                frames.push(f);
            }
        }
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].data, Bytes::from_static(b"hello\n"));
        assert_eq!(frames[2].stream, StreamKind::Stderr);
        assert!(buf.is_empty());
    }

    #[test]
    fn rejects_unknown_stream_ids() {
        let mut buf = BytesMut::from(&[7u8, 0, 0, 0, 0, 0, 0, 1, b'x'][..]);
        assert_eq!(decode(&mut buf), Err(BadFrame(7)));
    }
}
