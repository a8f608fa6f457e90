//! Container output as typed chunks (logs, attach, exec start): Docker's
//! multiplexed frames become stdout / stderr / stdin items, and a TTY's raw
//! bytes become console items. Whether a stream is framed is read from the
//! content type when the daemon states it (API 1.42 and later), and sniffed
//! from the first bytes otherwise (a frame header is a stream id 0..=2 and
//! three zero bytes, which terminal output practically never starts with).

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};

use super::ClientError;
use crate::mux::{self, Demuxer, StreamKind};
use crate::version::ApiVersion;

/// One chunk of a container's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogOutput {
    /// Written to the container's stdout.
    Stdout(Bytes),
    /// Written to the container's stderr.
    Stderr(Bytes),
    /// Input echoed back in a multiplexed stream.
    Stdin(Bytes),
    /// Raw output of a container with a TTY (stdout and stderr merged).
    Console(Bytes),
}

impl LogOutput {
    /// The bytes, whichever stream they came from.
    pub fn data(&self) -> &Bytes {
        match self {
            LogOutput::Stdout(b)
            | LogOutput::Stderr(b)
            | LogOutput::Stdin(b)
            | LogOutput::Console(b) => b,
        }
    }

    /// The bytes as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(self.data()).into_owned()
    }

    fn from_frame(frame: mux::Frame) -> LogOutput {
        match frame.stream {
            StreamKind::Stdin => LogOutput::Stdin(frame.data),
            StreamKind::Stdout => LogOutput::Stdout(frame.data),
            StreamKind::Stderr => LogOutput::Stderr(frame.data),
        }
    }
}

/// A stream of container output.
pub type LogStream = Pin<Box<dyn Stream<Item = Result<LogOutput, ClientError>> + Send>>;

/// How a stream is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// Docker's 8-byte-header frames.
    Multiplexed,
    /// Bytes as the TTY wrote them.
    Raw,
    /// Decide from the first bytes.
    Sniff,
}

/// The content type of framed output (API 1.42 and later).
pub const MULTIPLEXED_STREAM: &str = "application/vnd.docker.multiplexed-stream";
/// The content type of raw output (and, before 1.42, of any output).
pub const RAW_STREAM: &str = "application/vnd.docker.raw-stream";

impl Framing {
    /// From the answer's content type and the API version of the call:
    /// from 1.42 on, dockerd labels framed streams as multiplexed and TTY
    /// output as raw; before, raw-stream is sent for both.
    pub fn from_content_type(content_type: Option<&str>, version: Option<ApiVersion>) -> Framing {
        let ct = content_type.unwrap_or("");
        if ct.starts_with(MULTIPLEXED_STREAM) {
            Framing::Multiplexed
        } else if ct.starts_with(RAW_STREAM) && version.is_some_and(|v| v >= ApiVersion::new(1, 42))
        {
            Framing::Raw
        } else {
            Framing::Sniff
        }
    }
}

/// Whether `buf` can be the start of a frame header; `None` while too few
/// bytes have arrived to tell.
fn looks_framed(buf: &[u8]) -> Option<bool> {
    if buf.is_empty() {
        return None;
    }
    if buf[0] > 2 || buf.iter().skip(1).take(3).any(|b| *b != 0) {
        return Some(false);
    }
    (buf.len() >= mux::HEADER_LEN).then_some(true)
}

/// Turns a byte stream into container output.
pub fn decode_output<S>(chunks: S, framing: Framing) -> LogStream
where
    S: Stream<Item = Result<Bytes, ClientError>> + Send + Unpin + 'static,
{
    Box::pin(Output {
        chunks,
        framing,
        sniffed: BytesMut::new(),
        demux: Demuxer::new(),
        ended: None,
        since_poll: 0,
        done: false,
    })
}

/// Frames handed out between two looks at the next chunk (read ahead).
const READ_AHEAD_EVERY: u32 = 8;

/// Chunks read ahead at most, waiting behind the one being demultiplexed.
const READ_AHEAD_CHUNKS: usize = 2;

/// [`decode_output`]'s stream: polled directly (one boxed stream, no
/// future per item), frames sliced out of the chunks they arrive in.
struct Output<S> {
    chunks: S,
    framing: Framing,
    /// The first bytes, while [`Framing::Sniff`] cannot tell yet.
    sniffed: BytesMut,
    demux: Demuxer,
    /// How the chunk stream ended (`Ok`) or failed, once it did while
    /// reading ahead: handed out after the frames before it.
    ended: Option<Result<(), ClientError>>,
    /// Frames handed out since the chunk stream was last polled.
    since_poll: u32,
    done: bool,
}

impl<S> Output<S> {
    /// A chunk of the body: to the demuxer, out as console output, or into
    /// the sniffing buffer; `Some` when it makes an item at once.
    fn take(&mut self, data: Bytes) -> Option<LogOutput> {
        if self.framing == Framing::Sniff {
            self.sniffed.extend_from_slice(&data);
            match looks_framed(&self.sniffed) {
                Some(true) => self.framing = Framing::Multiplexed,
                Some(false) => self.framing = Framing::Raw,
                None => return None,
            }
            let data = self.sniffed.split().freeze();
            return self.take(data);
        }
        match self.framing {
            Framing::Multiplexed => {
                self.demux.push(data);
                None
            }
            _ => (!data.is_empty()).then_some(LogOutput::Console(data)),
        }
    }

    /// Every few frames, takes the next chunk if it has arrived, so that
    /// the connection can read the one after while the frames of this one
    /// are handed out (hyper holds one chunk for the reader at a time; a
    /// reader that only asks once it has nothing left waits for each).
    fn read_ahead(&mut self, cx: &mut Context<'_>)
    where
        S: Stream<Item = Result<Bytes, ClientError>> + Unpin,
    {
        self.since_poll += 1;
        if self.since_poll < READ_AHEAD_EVERY
            || self.ended.is_some()
            || self.demux.queued() >= READ_AHEAD_CHUNKS
        {
            return;
        }
        self.since_poll = 0;
        match self.chunks.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(data))) => self.demux.push(data),
            Poll::Ready(Some(Err(e))) => self.ended = Some(Err(e)),
            Poll::Ready(None) => self.ended = Some(Ok(())),
            Poll::Pending => {}
        }
    }

    /// The end of the body.
    fn end(&mut self) -> Option<Result<LogOutput, ClientError>> {
        self.done = true;
        if !self.sniffed.is_empty() {
            // A few bytes that could have begun a header, then the end: raw.
            return Some(Ok(LogOutput::Console(self.sniffed.split().freeze())));
        }
        if self.framing == Framing::Multiplexed && !self.demux.is_empty() {
            let err = ClientError::Stream("a multiplexed stream ended inside a frame".into());
            return Some(Err(err));
        }
        None
    }
}

impl<S> Stream for Output<S>
where
    S: Stream<Item = Result<Bytes, ClientError>> + Unpin,
{
    type Item = Result<LogOutput, ClientError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if this.framing == Framing::Multiplexed {
                match this.demux.next_frame() {
                    Ok(Some(frame)) => {
                        this.read_ahead(cx);
                        return Poll::Ready(Some(Ok(LogOutput::from_frame(frame))));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        this.done = true;
                        return Poll::Ready(Some(Err(ClientError::Stream(e.to_string()))));
                    }
                }
                match this.ended.take() {
                    Some(Ok(())) => return Poll::Ready(this.end()),
                    Some(Err(e)) => {
                        this.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                    None => {}
                }
            }
            match ready!(this.chunks.poll_next_unpin(cx)) {
                Some(Ok(data)) => {
                    if let Some(item) = this.take(data) {
                        return Poll::Ready(Some(Ok(item)));
                    }
                }
                Some(Err(e)) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                None => return Poll::Ready(this.end()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: Vec<&'static [u8]>, framing: Framing) -> Vec<Result<LogOutput, String>> {
        let s = futures_util::stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from_static(c))));
        let out = decode_output(s, framing);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(out.map(|r| r.map_err(|e| e.to_string())).collect())
    }

    #[test]
    fn sniffs_frames_split_anywhere() {
        let mut wire = BytesMut::new();
        mux::encode(StreamKind::Stdout, b"out\n", &mut wire);
        mux::encode(StreamKind::Stderr, b"err\n", &mut wire);
        let wire: &'static [u8] = Box::leak(wire.to_vec().into_boxed_slice());
        let got = run(
            vec![&wire[..1], &wire[1..5], &wire[5..14], &wire[14..]],
            Framing::Sniff,
        );
        assert_eq!(
            got,
            vec![
                Ok(LogOutput::Stdout(Bytes::from_static(b"out\n"))),
                Ok(LogOutput::Stderr(Bytes::from_static(b"err\n")))
            ]
        );
    }

    #[test]
    fn tty_output_is_console() {
        let got = run(vec![b"# ", b"ls\r\n"], Framing::Sniff);
        assert_eq!(
            got,
            vec![
                Ok(LogOutput::Console(Bytes::from_static(b"# "))),
                Ok(LogOutput::Console(Bytes::from_static(b"ls\r\n")))
            ]
        );
        // Short output that could begin a header, then the end.
        let got = run(vec![b"\x01\x00"], Framing::Sniff);
        assert_eq!(
            got,
            vec![Ok(LogOutput::Console(Bytes::from_static(b"\x01\x00")))]
        );
        // The content type wins over sniffing.
        let got = run(vec![b"\x01\x00\x00\x00\x00\x00\x00\x00"], Framing::Raw);
        assert_eq!(got.len(), 1);
        assert!(matches!(got[0], Ok(LogOutput::Console(_))));
    }

    #[test]
    fn truncated_frames_and_bad_ids_are_errors() {
        let got = run(vec![b"\x01\x00\x00\x00\x00\x00\x00\x09abc"], Framing::Sniff);
        assert!(got[0]
            .as_ref()
            .unwrap_err()
            .contains("ended inside a frame"));
        let got = run(vec![b"\x07\x00\x00\x00"], Framing::Multiplexed);
        assert!(got[0].is_err());
    }

    /// `frames` stdout frames of one byte each (`b'a'` + their index).
    fn frames(n: u8) -> Bytes {
        let mut wire = BytesMut::new();
        for i in 0..n {
            mux::encode(StreamKind::Stdout, &[b'a' + i], &mut wire);
        }
        wire.freeze()
    }

    #[test]
    fn reads_the_next_chunk_ahead_while_handing_out_frames() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, ClientError>>(4);
            tx.send(Ok(frames(20))).await.unwrap();
            tx.send(Ok(frames(3))).await.unwrap();
            let chunks = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
            let mut out = decode_output(chunks, Framing::Multiplexed);
            let mut got = Vec::new();
            for _ in 0..READ_AHEAD_EVERY {
                got.push(out.next().await.unwrap().unwrap());
            }
            // The first chunk still has frames, and the second one has
            // been taken from the connection already.
            assert_eq!(tx.capacity(), 4);
            tx.send(Err(ClientError::Stream("cut off".into())))
                .await
                .unwrap();
            drop(tx);
            while let Some(item) = out.next().await {
                got.push(item.unwrap_or_else(|e| LogOutput::Console(e.to_string().into())));
            }
            let data: Vec<u8> = got.iter().flat_map(|o| o.data().to_vec()).collect();
            let mut want: Vec<u8> = (0..20).map(|i| b'a' + i).collect();
            want.extend(b"abc");
            // Every frame in order, then the error, then the end.
            assert_eq!(&data[..23], &want[..]);
            assert_eq!(got.len(), 24);
            assert!(got[23].text().contains("cut off"), "{:?}", got[23]);
        });
    }

    #[test]
    fn an_end_read_ahead_comes_after_the_frames() {
        let mut cut = frames(12).to_vec();
        cut.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 5, b'x']);
        let cut: &'static [u8] = Box::leak(cut.into_boxed_slice());
        let whole: &'static [u8] = Box::leak(frames(12).to_vec().into_boxed_slice());
        let got = run(vec![whole, whole], Framing::Multiplexed);
        assert_eq!(got.len(), 24);
        assert!(got.iter().all(Result::is_ok));
        let got = run(vec![whole, cut], Framing::Multiplexed);
        assert_eq!(got.len(), 25);
        assert!(got[..24].iter().all(Result::is_ok));
        assert!(got[24]
            .as_ref()
            .unwrap_err()
            .contains("ended inside a frame"));
    }

    #[test]
    fn framing_from_content_type() {
        let v41 = Some(ApiVersion::new(1, 41));
        let v44 = Some(ApiVersion::new(1, 44));
        assert_eq!(
            Framing::from_content_type(Some(MULTIPLEXED_STREAM), v44),
            Framing::Multiplexed
        );
        assert_eq!(
            Framing::from_content_type(Some(RAW_STREAM), v44),
            Framing::Raw
        );
        assert_eq!(
            Framing::from_content_type(Some(RAW_STREAM), v41),
            Framing::Sniff
        );
        assert_eq!(Framing::from_content_type(None, v44), Framing::Sniff);
    }
}
