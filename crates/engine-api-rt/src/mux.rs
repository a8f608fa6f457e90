//! Docker's multiplexed stdout/stderr stream: each frame is an 8-byte
//! header (stream id, three zero bytes, big-endian u32 length) and the
//! payload. Used by logs, attach and exec start when there is no TTY.

use std::collections::VecDeque;

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

/// The stream and payload length of the frame header at the front of
/// `buf`, or `Ok(None)` when fewer than [`HEADER_LEN`] bytes are there.
fn header(buf: &[u8]) -> Result<Option<(StreamKind, usize)>, BadFrame> {
    let Some(head) = buf.get(..HEADER_LEN) else {
        return Ok(None);
    };
    let stream = match head[0] {
        0 => StreamKind::Stdin,
        1 => StreamKind::Stdout,
        2 => StreamKind::Stderr,
        other => return Err(BadFrame(other)),
    };
    let len = u32::from_be_bytes([head[4], head[5], head[6], head[7]]) as usize;
    Ok(Some((stream, len)))
}

/// Takes the next complete frame from the front of `buf`, or `Ok(None)`
/// when more bytes are needed.
pub fn decode(buf: &mut BytesMut) -> Result<Option<Frame>, BadFrame> {
    let Some((stream, len)) = header(buf)? else {
        return Ok(None);
    };
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

/// Frames out of a stream of chunks, copying as little as it can: a frame
/// that lies whole inside a chunk is a slice of that chunk (no copy); only
/// a frame cut between chunks is put together in a buffer of its own.
#[derive(Debug, Default)]
pub struct Demuxer {
    /// What is left of the chunk being read, starting at a frame header.
    chunk: Bytes,
    /// Chunks pushed before `chunk` was used up, in order (read ahead).
    queued: VecDeque<Bytes>,
    /// The start of a frame cut by the end of a chunk.
    partial: BytesMut,
}

impl Demuxer {
    /// A demuxer with nothing buffered.
    pub fn new() -> Demuxer {
        Demuxer::default()
    }

    /// Hands over the next chunk of the stream. It may come before
    /// [`Demuxer::next_frame`] asks for more (`Ok(None)`): it waits its
    /// turn behind the chunks already pushed, uncopied.
    pub fn push(&mut self, data: Bytes) {
        if data.is_empty() {
            return;
        }
        if self.chunk.is_empty() && self.queued.is_empty() {
            self.chunk = data;
        } else {
            self.queued.push_back(data);
        }
    }

    /// How many pushed chunks wait behind the one being read.
    pub fn queued(&self) -> usize {
        self.queued.len()
    }

    /// Whether bytes of an unfinished frame are buffered (at the end of
    /// the stream: it was cut inside a frame).
    pub fn is_empty(&self) -> bool {
        self.chunk.is_empty() && self.queued.is_empty() && self.partial.is_empty()
    }

    /// The next complete frame, or `Ok(None)` when the next chunk is needed.
    #[inline]
    pub fn next_frame(&mut self) -> Result<Option<Frame>, BadFrame> {
        // The common case first: a whole frame at the front of the chunk.
        if self.partial.is_empty() {
            if let Some(frame) = self.whole_frame()? {
                return Ok(Some(frame));
            }
        }
        self.next_frame_slow()
    }

    /// The frame at the front of the chunk when all of it is there, as a
    /// slice of the chunk.
    #[inline]
    fn whole_frame(&mut self) -> Result<Option<Frame>, BadFrame> {
        if let Some((stream, len)) = header(&self.chunk)? {
            // `header` saw HEADER_LEN bytes: no overflow either way.
            if self.chunk.len() - HEADER_LEN >= len {
                self.chunk.advance(HEADER_LEN);
                let data = self.chunk.split_to(len);
                return Ok(Some(Frame { stream, data }));
            }
        }
        Ok(None)
    }

    /// [`Demuxer::next_frame`] when the frame at the front is cut by the
    /// end of the chunk, or the chunk is used up.
    fn next_frame_slow(&mut self) -> Result<Option<Frame>, BadFrame> {
        loop {
            if self.partial.is_empty() {
                if let Some(frame) = self.whole_frame()? {
                    return Ok(Some(frame));
                }
                // A frame cut by the end of the chunk: gather it.
                self.partial.extend_from_slice(&self.chunk);
                self.chunk = Bytes::new();
            } else {
                // Complete the cut frame from the chunk: its header first,
                // then exactly its payload, so the rest of the chunk stays
                // a slice.
                if self.partial.len() < HEADER_LEN {
                    let n = (HEADER_LEN - self.partial.len()).min(self.chunk.len());
                    self.take_into_partial(n);
                }
                if let Some((stream, len)) = header(&self.partial)? {
                    // The buffer grows with what arrives, not by the length
                    // a header claims (up to 4 GiB).
                    let have = self.partial.len() - HEADER_LEN;
                    self.take_into_partial(len.saturating_sub(have));
                    if self.partial.len() - HEADER_LEN == len {
                        self.partial.advance(HEADER_LEN);
                        let data = self.partial.split().freeze();
                        return Ok(Some(Frame { stream, data }));
                    }
                }
            }
            // The chunk is used up: on to the next one pushed, if any.
            match self.queued.pop_front() {
                Some(next) => self.chunk = next,
                None => return Ok(None),
            }
        }
    }

    /// Moves up to `n` bytes from the front of the chunk to `partial`.
    fn take_into_partial(&mut self, n: usize) {
        let n = n.min(self.chunk.len());
        self.partial.extend_from_slice(&self.chunk[..n]);
        self.chunk.advance(n);
    }
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
    fn demuxer_slices_whole_frames_and_joins_cut_ones() {
        let mut wire = BytesMut::new();
        encode(StreamKind::Stdout, b"hello\n", &mut wire);
        wire.put_slice(&[2, 0, 0, 0, 0, 0, 0, 0]);
        encode(StreamKind::Stderr, b"a longer line on stderr\n", &mut wire);
        encode(StreamKind::Stdout, b"end", &mut wire);
        let wire = wire.freeze();
        let want = [
            (StreamKind::Stdout, &b"hello\n"[..]),
            (StreamKind::Stderr, b""),
            (StreamKind::Stderr, b"a longer line on stderr\n"),
            (StreamKind::Stdout, b"end"),
        ];
        // Every way of cutting the stream in three gives the same frames.
        for a in 0..=wire.len() {
            for b in a..=wire.len() {
                let mut d = Demuxer::new();
                let mut got = Vec::new();
                for piece in [wire.slice(..a), wire.slice(a..b), wire.slice(b..)] {
                    d.push(piece);
                    while let Some(f) = d.next_frame().unwrap() {
                        got.push((f.stream, f.data));
                    }
                }
                assert!(d.is_empty(), "cut at {a} and {b}");
                let got: Vec<_> = got.iter().map(|(s, d)| (*s, &d[..])).collect();
                assert_eq!(got, want, "cut at {a} and {b}");
            }
        }
        // A frame inside one chunk is a slice of it, not a copy.
        let mut d = Demuxer::new();
        d.push(wire.clone());
        let first = d.next_frame().unwrap().unwrap();
        assert_eq!(first.data.as_ptr(), wire[HEADER_LEN..].as_ptr());
        // Cut inside a frame: not empty at the end.
        let mut d = Demuxer::new();
        d.push(wire.slice(..16));
        assert!(d.next_frame().unwrap().is_some());
        assert!(d.next_frame().unwrap().is_none());
        assert!(!d.is_empty());
        let mut d = Demuxer::new();
        d.push(Bytes::from_static(&[9, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(d.next_frame(), Err(BadFrame(9)));
    }

    #[test]
    fn demuxer_takes_chunks_pushed_ahead_in_order() {
        let mut wire = BytesMut::new();
        for i in 0..6u8 {
            let stream = if i % 2 == 0 {
                StreamKind::Stdout
            } else {
                StreamKind::Stderr
            };
            encode(stream, &vec![b'a' + i; 3 + usize::from(i) * 5], &mut wire);
        }
        let wire = wire.freeze();
        let want: Vec<Bytes> = {
            let mut d = Demuxer::new();
            d.push(wire.clone());
            std::iter::from_fn(|| d.next_frame().unwrap().map(|f| f.data)).collect()
        };
        assert_eq!(want.len(), 6);
        // All pieces handed over before the first frame is asked for:
        // the same frames, and a frame whole in a later piece is still a
        // slice of it.
        for a in 0..=wire.len() {
            for b in a..=wire.len() {
                let mut d = Demuxer::new();
                for piece in [wire.slice(..a), wire.slice(a..b), wire.slice(b..)] {
                    d.push(piece);
                }
                let got: Vec<Bytes> =
                    std::iter::from_fn(|| d.next_frame().unwrap().map(|f| f.data)).collect();
                assert_eq!(got, want, "cut at {a} and {b}");
                assert!(d.is_empty() && d.queued() == 0, "cut at {a} and {b}");
            }
        }
        let mut d = Demuxer::new();
        d.push(wire.slice(..3));
        d.push(wire.slice(3..));
        assert_eq!(d.queued(), 1);
        assert_eq!(d.next_frame().unwrap().unwrap().data, want[0]);
        let second = d.next_frame().unwrap().unwrap();
        let at = 2 * HEADER_LEN + want[0].len();
        assert_eq!(second.data.as_ptr(), wire[at..].as_ptr());
    }

    #[test]
    fn demuxer_does_not_reserve_what_a_header_claims() {
        // A header announcing 4 GiB, then a few bytes: more is needed, and
        // the buffer holds what came, not room for the whole frame.
        let mut d = Demuxer::new();
        d.push(Bytes::from_static(&[1, 0, 0, 0, 0xff, 0xff]));
        assert_eq!(d.next_frame(), Ok(None));
        d.push(Bytes::from_static(&[0xff, 0xff, b'a', b'b']));
        assert_eq!(d.next_frame(), Ok(None));
        assert!(!d.is_empty());
        assert!(d.partial.capacity() < 1 << 20, "{}", d.partial.capacity());
    }

    #[test]
    fn demuxer_rejects_unknown_ids_in_cut_headers() {
        // Stream id 3, the header cut after its first byte.
        let mut d = Demuxer::new();
        d.push(Bytes::from_static(&[1, 0, 0, 0, 0, 0, 0, 1, b'x', 3]));
        assert_eq!(
            d.next_frame().unwrap().unwrap().data,
            Bytes::from_static(b"x")
        );
        assert_eq!(d.next_frame(), Ok(None));
        d.push(Bytes::from_static(&[0, 0, 0, 0, 0, 0, 1, b'y']));
        assert_eq!(d.next_frame(), Err(BadFrame(3)));
        // And in a chunk of its own.
        let mut d = Demuxer::new();
        d.push(Bytes::from_static(&[3, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(d.next_frame(), Err(BadFrame(3)));
    }

    #[test]
    fn rejects_unknown_stream_ids() {
        let mut buf = BytesMut::from(&[7u8, 0, 0, 0, 0, 0, 0, 1, b'x'][..]);
        assert_eq!(decode(&mut buf), Err(BadFrame(7)));
    }
}
