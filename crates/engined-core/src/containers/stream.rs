//! Moving bytes between an API client's hijacked connection and a
//! container: attach (the supervisor's socket, already framed; unframed
//! for attach over WebSocket), the logs replay of `attach?logs=1`, and a
//! process's pipes (exec) framed here.

use std::path::Path;

use bytes::BytesMut;
use engine_api::rt::mux;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use futures_util::StreamExt;

use super::detach::Scanner;
use super::log_stream;
use super::store::Progress;
use super::supervisor::client::Connection;
use super::supervisor::protocol::frame_header;
use engined_shim::logs::LogQuery;

/// Relays a supervisor attach connection and a client connection until
/// the container's output ends (or the client goes). The client's bytes
/// go to the container's stdin when `stdin`; their end half-closes it.
/// With `unframe`, the supervisor's frames (a container without a TTY)
/// reach the client as their bare payloads, stdout and stderr interleaved.
/// The client's input is watched for the detach keys: on them the
/// session ends, the container left running; returns whether it did.
pub async fn relay<C>(
    client: C,
    shim: Connection,
    stdin: bool,
    unframe: bool,
    mut detach: Scanner,
) -> bool
where
    C: AsyncRead + AsyncWrite + Send + 'static,
{
    let (mut client_read, mut client_write) = tokio::io::split(client);
    let (mut shim_read, mut shim_write) = tokio::io::split(shim.stream);
    let output = async move {
        if unframe {
            copy_unframed(&mut shim_read, &mut client_write).await;
        } else {
            let _ = tokio::io::copy(&mut shim_read, &mut client_write).await;
        }
        let _ = client_write.shutdown().await;
    };
    if stdin {
        let input = async move {
            if copy_input(&mut client_read, &mut shim_write, &mut detach).await {
                return;
            }
            let _ = shim_write.shutdown().await;
            // Keep the write half (and so the connection) open until
            // the output ends.
            std::future::pending::<()>().await;
        };
        tokio::select! {
            _ = output => false,
            _ = input => true,
        }
    } else {
        // Nothing is read from the client: a detach shows as a failed write.
        let _hold = (client_read, shim_write);
        output.await;
        false
    }
}

/// Copies the client's input to `to` until it ends (`false`) or brings
/// the detach keys (`true`, those keys not forwarded).
async fn copy_input<R, W>(from: &mut R, to: &mut W, detach: &mut Scanner) -> bool
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; 32 * 1024];
    let mut out = Vec::with_capacity(buf.len());
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        out.clear();
        let detached = detach.feed(&buf[..n], &mut out);
        if !out.is_empty() && (to.write_all(&out).await.is_err() || to.flush().await.is_err()) {
            return false;
        }
        if detached {
            return true;
        }
    }
}

/// Copies Docker frames from `from` to `out` as their payloads, one write
/// per frame, until either side ends or a frame is malformed.
async fn copy_unframed<R, W>(from: &mut R, out: &mut W)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf = BytesMut::with_capacity(32 * 1024);
    loop {
        match mux::decode(&mut buf) {
            Ok(Some(frame)) => {
                if out.write_all(&frame.data).await.is_err() {
                    return;
                }
                continue;
            }
            Ok(None) => {}
            Err(_) => return,
        }
        match from.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Writes the logged output to `out`: as frames when `framed`, else raw
/// (a TTY's output, or attach over WebSocket).
pub async fn replay_logs<W: AsyncWrite + Unpin>(
    out: &mut W,
    path: &Path,
    framed: bool,
    stdout: bool,
    stderr: bool,
) {
    let query = LogQuery {
        stdout,
        stderr,
        ..Default::default()
    };
    // Without follow, the stream never looks at the container's progress.
    let (_, progress) = tokio::sync::watch::channel(Progress::default());
    let entries = log_stream::stream(path.to_path_buf(), query, false, false, progress);
    let mut entries = std::pin::pin!(entries);
    while let Some(item) = entries.next().await {
        let mut message = Vec::with_capacity(item.data.len() + 8);
        if framed {
            let id = if item.stderr { 2 } else { 1 };
            message.extend_from_slice(&frame_header(id, item.data.len()));
        }
        message.extend_from_slice(&item.data);
        if out.write_all(&message).await.is_err() {
            return;
        }
    }
}

/// Relays a process's stdout/stderr to `client` (framed unless `tty`)
/// and, when given, the client's bytes to its stdin, until its output
/// ends, or the client's input brings the detach keys (the process goes
/// on, unattached). Returns the client's write half, still open, so the
/// caller can record the process's exit before the client sees the end,
/// and whether the client detached.
pub async fn relay_process<C, O, E, I>(
    client: C,
    stdout: Option<O>,
    stderr: Option<E>,
    stdin: Option<(I, Scanner)>,
    tty: bool,
) -> (tokio::io::WriteHalf<C>, bool)
where
    C: AsyncRead + AsyncWrite + Send + 'static,
    O: AsyncRead + Unpin + Send + 'static,
    E: AsyncRead + Unpin + Send + 'static,
    I: AsyncWrite + Unpin + Send + 'static,
{
    let (mut client_read, mut client_write) = tokio::io::split(client);
    let (tx, mut rx) = mpsc::channel::<(u8, Vec<u8>)>(64);
    fn pump<R: AsyncRead + Unpin + Send + 'static>(
        mut r: R,
        id: u8,
        tx: mpsc::Sender<(u8, Vec<u8>)>,
    ) {
        tokio::spawn(async move {
            let mut buf = vec![0u8; 32 * 1024];
            loop {
                match r.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send((id, buf[..n].to_vec())).await.is_err() {
                            break;
                        }
                    }
                }
            }
        });
    }
    if let Some(o) = stdout {
        pump(o, 1, tx.clone());
    }
    if let Some(e) = stderr {
        pump(e, 2, tx.clone());
    }
    drop(tx);
    let (detached_tx, mut detached) = tokio::sync::oneshot::channel::<()>();
    if let Some((mut stdin, mut scanner)) = stdin {
        tokio::spawn(async move {
            if copy_input(&mut client_read, &mut stdin, &mut scanner).await {
                let _ = detached_tx.send(());
            } else {
                let _ = stdin.shutdown().await;
            }
        });
    } else {
        drop(detached_tx);
    }
    let mut was_detached = false;
    let mut detach_settled = false;
    loop {
        let next = tokio::select! {
            next = rx.recv() => next,
            settled = &mut detached, if !detach_settled => {
                detach_settled = true;
                // An error: the input ended without a detach.
                if settled.is_err() {
                    continue;
                }
                was_detached = true;
                None
            }
        };
        let Some((id, data)) = next else { break };
        let mut message = Vec::with_capacity(data.len() + 8);
        if !tty {
            message.extend_from_slice(&frame_header(id, data.len()));
        }
        message.extend_from_slice(&data);
        if client_write.write_all(&message).await.is_err() {
            // The client left; keep draining so the process is not blocked.
            while rx.recv().await.is_some() {}
            break;
        }
    }
    if was_detached {
        // The process runs on; its output goes nowhere now.
        tokio::spawn(async move { while rx.recv().await.is_some() {} });
    }
    (client_write, was_detached)
}
