//! The userland proxy's TCP copy: both directions of a relayed
//! connection moved with splice(2) through a pipe of their own, so the
//! bytes go socket to pipe to socket inside the kernel and never through
//! a buffer of engined's (dockerd's docker-proxy copies the same way).
//! The sockets stay tokio's: their readiness drives each splice.
//!
//! When no pipe can be had, [`relay`] copies through large buffers
//! instead.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use tokio::io::Interest;
use tokio::net::TcpStream;

/// The most one splice moves, and the pipe size asked for.
const CHUNK: usize = 1 << 20;

/// The buffers of the fallback copy.
const BUFFER: usize = 256 * 1024;

/// A pipe, (read end, write end), non-blocking, sized up to [`CHUNK`]
/// when the kernel allows.
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 writes two descriptors into the array it is given.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just made and are owned by no one else.
    let ends = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // Best effort: a larger pipe means fewer splices; the default works.
    // SAFETY: fcntl on a descriptor this function owns.
    unsafe { libc::fcntl(ends.1.as_raw_fd(), libc::F_SETPIPE_SZ, CHUNK as libc::c_int) };
    Ok(ends)
}

/// One splice(2) of at most `len` bytes from `from` to `to`.
fn splice(from: RawFd, to: RawFd, len: usize) -> io::Result<usize> {
    // SAFETY: splice between two open descriptors, no offsets.
    let n = unsafe {
        libc::splice(
            from,
            std::ptr::null_mut(),
            to,
            std::ptr::null_mut(),
            len,
            libc::SPLICE_F_MOVE | libc::SPLICE_F_NONBLOCK,
        )
    };
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}

/// Copies `from` to `to` until `from` ends, then shuts `to`'s writing
/// half (the half-close travels on).
async fn one_way(
    from: &TcpStream,
    to: &TcpStream,
    (pipe_out, pipe_in): (OwnedFd, OwnedFd),
) -> io::Result<u64> {
    let mut total = 0u64;
    loop {
        // The pipe is empty here, so only the socket can make it wait.
        let n = loop {
            from.readable().await?;
            match from.try_io(Interest::READABLE, || {
                splice(from.as_raw_fd(), pipe_in.as_raw_fd(), CHUNK)
            }) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            // SAFETY: shutdown on a socket tokio keeps open.
            unsafe { libc::shutdown(to.as_raw_fd(), libc::SHUT_WR) };
            return Ok(total);
        }
        let mut left = n;
        while left > 0 {
            to.writable().await?;
            match to.try_io(Interest::WRITABLE, || {
                splice(pipe_out.as_raw_fd(), to.as_raw_fd(), left)
            }) {
                Ok(m) => left -= m,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        }
        total += n as u64;
    }
}

/// Relays `a` and `b` both ways until both directions end or one fails.
pub async fn relay(mut a: TcpStream, mut b: TcpStream) -> io::Result<()> {
    match (pipe(), pipe()) {
        (Ok(there), Ok(back)) => {
            futures_util::future::try_join(one_way(&a, &b, there), one_way(&b, &a, back)).await?;
        }
        // Out of descriptors for pipes: copy through buffers.
        _ => {
            tokio::io::copy_bidirectional_with_sizes(&mut a, &mut b, BUFFER, BUFFER).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A connected pair of TCP streams on loopback.
    async fn pair() -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let (c, s) = tokio::join!(TcpStream::connect(addr), l.accept());
        (c.unwrap(), s.unwrap().0)
    }

    #[tokio::test]
    async fn bytes_and_half_closes_cross_both_ways() {
        let (mut client, proxy_in) = pair().await;
        let (proxy_out, mut server) = pair().await;
        let relayed = tokio::spawn(relay(proxy_in, proxy_out));
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let sent = data.clone();
        let writer = tokio::spawn(async move {
            client.write_all(&sent).await.unwrap();
            client.shutdown().await.unwrap();
            let mut back = Vec::new();
            client.read_to_end(&mut back).await.unwrap();
            back
        });
        let mut got = Vec::new();
        server.read_to_end(&mut got).await.unwrap();
        assert!(got == data, "{} bytes of {}", got.len(), data.len());
        server.write_all(b"done").await.unwrap();
        drop(server);
        assert_eq!(writer.await.unwrap(), b"done");
        relayed.await.unwrap().unwrap();
    }
}
