//! A hijacked connection (attach, exec start) split in two: the container's
//! output as a stream of [`LogOutput`](super::LogOutput) items, and its
//! input as an `AsyncWrite`.

use std::pin::Pin;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

use super::logs::{decode_output, Framing, LogStream};
use super::ClientError;

/// The two halves of an attached container.
pub struct Attached {
    /// What the container writes (demultiplexed without a TTY, console
    /// chunks with one). Ends when the container's streams close.
    pub output: LogStream,
    /// The container's stdin. Shut it down (`AsyncWriteExt::shutdown`) to
    /// close stdin when the container was created with `StdinOnce`.
    pub input: Pin<Box<dyn AsyncWrite + Send>>,
}

impl std::fmt::Debug for Attached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attached").finish_non_exhaustive()
    }
}

impl Attached {
    /// Splits a connection the daemon took over.
    pub fn from_io<T>(io: T, framing: Framing) -> Attached
    where
        T: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (read, write) = tokio::io::split(io);
        Attached {
            output: decode_output(read_chunks(read), framing),
            input: Box::pin(write),
        }
    }

    /// Output that came as an ordinary body (the daemon did not upgrade),
    /// with nowhere to write input.
    pub fn output_only(output: LogStream) -> Attached {
        Attached {
            output,
            input: Box::pin(tokio::io::sink()),
        }
    }
}

/// An `AsyncRead` as a stream of chunks.
fn read_chunks<R>(
    read: R,
) -> Pin<Box<dyn futures_util::Stream<Item = Result<bytes::Bytes, ClientError>> + Send>>
where
    R: AsyncRead + Send + Unpin + 'static,
{
    Box::pin(futures_util::stream::unfold(
        (read, false),
        |(mut read, done)| async move {
            if done {
                return None;
            }
            let mut buf = BytesMut::with_capacity(8192);
            match read.read_buf(&mut buf).await {
                Ok(0) => None,
                Ok(_) => Some((Ok(buf.freeze()), (read, false))),
                Err(e) => Some((Err(ClientError::Stream(e.to_string())), (read, true))),
            }
        },
    ))
}
