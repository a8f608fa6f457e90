//! `ssh://` connections, as the docker CLI makes them: each connection runs
//! `ssh [options] [-l user] [-p port] -- host docker system dial-stdio` and
//! speaks HTTP over the child's stdin and stdout; the remote docker CLI
//! forwards them to its daemon's socket. ssh's own configuration, keys and
//! agent apply; extra options (`-i key`, `-o UserKnownHostsFile=...`) come
//! from [`ClientBuilder::ssh_options`](super::ClientBuilder::ssh_options).
//! When ssh exits before answering, its stderr is the error.

use std::io;
use std::pin::Pin;
use std::process::Stdio;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};

use super::dial::{Dial, DialFuture, Io};
use crate::host::SshHost;

/// The most stderr kept for the error message.
const STDERR_LIMIT: usize = 4096;

/// Dials by running the ssh client.
#[derive(Clone, Debug)]
pub(crate) struct SshDial {
    pub(crate) program: String,
    pub(crate) args: Vec<String>,
}

impl SshDial {
    /// The command line for `host`, with `options` before the destination.
    pub(crate) fn new(host: &SshHost, options: &[String]) -> SshDial {
        let mut args: Vec<String> = vec!["-o".into(), "ConnectTimeout=30".into(), "-T".into()];
        args.extend(options.iter().cloned());
        if let Some(user) = &host.user {
            args.extend(["-l".into(), user.clone()]);
        }
        if let Some(port) = host.port {
            args.extend(["-p".into(), port.to_string()]);
        }
        args.extend([
            "--".into(),
            host.host.clone(),
            "docker".into(),
            "system".into(),
            "dial-stdio".into(),
        ]);
        SshDial {
            program: "ssh".into(),
            args,
        }
    }
}

impl Dial for SshDial {
    fn dial(&self) -> DialFuture {
        let spawned = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        Box::pin(async move {
            let mut child =
                spawned.map_err(|e| io::Error::new(e.kind(), format!("cannot run ssh: {e}")))?;
            let (Some(stdin), Some(stdout), Some(stderr)) =
                (child.stdin.take(), child.stdout.take(), child.stderr.take())
            else {
                return Err(io::Error::other("ssh started without its pipes"));
            };
            Ok(Box::new(SshIo {
                _child: child,
                stdin,
                stdout,
                stderr: Some(stderr),
                errors: Vec::new(),
                answered: false,
            }) as Box<dyn Io>)
        })
    }
}

/// One ssh child as a byte stream; killed when dropped.
struct SshIo {
    _child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    stderr: Option<ChildStderr>,
    errors: Vec<u8>,
    answered: bool,
}

impl SshIo {
    /// Reads ssh's stderr to its end; then the error it explains.
    fn poll_failure(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        while let Some(stderr) = self.stderr.as_mut() {
            let mut chunk = [0u8; 512];
            let mut buf = ReadBuf::new(&mut chunk);
            match Pin::new(stderr).poll_read(cx, &mut buf) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                    let room = STDERR_LIMIT.saturating_sub(self.errors.len());
                    let take = buf.filled().len().min(room);
                    self.errors.extend_from_slice(&buf.filled()[..take]);
                }
                Poll::Ready(_) => self.stderr = None,
            }
        }
        let text = String::from_utf8_lossy(&self.errors).trim().to_string();
        let why = if text.is_empty() {
            "ssh closed the connection before the daemon answered".to_string()
        } else {
            format!("ssh: {text}")
        };
        Poll::Ready(io::Error::new(io::ErrorKind::ConnectionRefused, why))
    }
}

impl AsyncRead for SshIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.stdout).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() == before && !this.answered => {
                // The end before any answer: ssh failed; say why.
                this.poll_failure(cx).map(Err)
            }
            Poll::Ready(Ok(())) => {
                this.answered |= buf.filled().len() > before;
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl AsyncWrite for SshIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stdin).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdin).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdin).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_the_clis() {
        let host = SshHost::parse("ssh://me@box:2222").unwrap();
        let d = SshDial::new(&host, &["-i".into(), "/k".into()]);
        assert_eq!(
            d.args.join(" "),
            "-o ConnectTimeout=30 -T -i /k -l me -p 2222 -- box docker system dial-stdio"
        );
    }
}
