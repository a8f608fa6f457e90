//! `docker attach` (plain or over WebSocket) and the resize of a
//! container's TTY: what a session streams, in which order, and when.
//!
//! An attach is checked and announced when it is asked for ([`prepare`]:
//! the detach keys, the `attach` event, and for a container that is not
//! running yet a place among the attaches its next start serves, so no
//! output is lost); the [`Session`] then runs on the connection the HTTP
//! layer hands it: the logged output first when asked (`logs`), then the
//! live streams through the container's supervisor, watched for the
//! detach keys (a TTY's input only, as dockerd does), and a `detach`
//! event when the client leaves that way.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::oneshot;

use super::bundle::log_path;
use super::detach::{self, Scanner};
use super::store::PendingAttach;
use super::supervisor::client::{self, Connection};
use super::supervisor::{Reply, Request};
use super::{events, stream, Container, ContainerError};
use crate::containers::Services;

/// What the client asked an attach for.
#[derive(Debug, Clone, Default)]
pub struct AttachOptions {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    /// Replay the logged output first.
    pub logs: bool,
    /// Stream the live output (and input).
    pub stream: bool,
    /// The detach key spec; empty or absent is the default.
    pub detach_keys: Option<String>,
    /// The output carries no frame headers, whatever the TTY (WebSocket
    /// messages).
    pub raw: bool,
}

/// A checked attach, waiting for its connection.
pub struct Session {
    engine: Arc<Services>,
    id: String,
    tty: bool,
    options: AttachOptions,
    keys: Vec<u8>,
    bundle: PathBuf,
    log: PathBuf,
    /// The connection the next start delivers, for a container that is
    /// not running.
    pending: Option<oneshot::Receiver<Connection>>,
}

/// Checks and announces an attach to `c`.
pub fn prepare(
    engine: &Arc<Services>,
    c: &Arc<Container>,
    options: AttachOptions,
) -> Result<Session, ContainerError> {
    let record = c.record();
    let keys = detach::parse(options.detach_keys.as_deref().unwrap_or_default())
        .map_err(|e| ContainerError::InvalidArgument(e.to_string()))?;
    events::publish(engine, "attach", &record, &[]);
    let pending = (options.stream && !record.state.status.is_running()).then(|| {
        let (deliver, receive) = oneshot::channel();
        c.add_pending(PendingAttach {
            stdin: options.stdin,
            stdout: options.stdout,
            stderr: options.stderr,
            deliver,
        });
        receive
    });
    Ok(Session {
        engine: engine.clone(),
        id: c.id.clone(),
        tty: record.tty(),
        keys,
        bundle: c.layout.bundle.clone(),
        log: log_path(&c.layout, &c.id),
        pending,
        options,
    })
}

impl Session {
    /// Whether the container has a TTY (its output is raw bytes).
    pub fn tty(&self) -> bool {
        self.tty
    }

    /// Runs the session on the client's connection until the output
    /// ends, the client leaves or detaches.
    pub async fn run<C>(self, mut io: C)
    where
        C: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let o = &self.options;
        // The supervisor frames the output of a container without a TTY.
        let framed = !self.tty && !o.raw;
        if o.logs {
            stream::replay_logs(&mut io, &self.log, framed, o.stdout, o.stderr).await;
        }
        if !o.stream {
            let _ = io.shutdown().await;
            return;
        }
        let conn = match self.pending {
            Some(receive) => receive.await.ok(),
            None => {
                let request = Request::Attach {
                    stdin: o.stdin,
                    stdout: o.stdout,
                    stderr: o.stderr,
                };
                match client::request(&self.bundle, &request).await {
                    Ok((Reply::Ok, conn)) => Some(conn),
                    _ => None,
                }
            }
        };
        let Some(conn) = conn else {
            let _ = io.shutdown().await;
            return;
        };
        // As dockerd: only a TTY's input is watched (binary stdin of
        // other containers passes untouched).
        let scanner = Scanner::new(if self.tty { self.keys } else { Vec::new() });
        if stream::relay(io, conn, o.stdin, !self.tty && o.raw, scanner).await {
            if let Ok(c) = self.engine.containers.get(&self.id) {
                events::publish(&self.engine, "detach", &c.record(), &[]);
            }
        }
    }
}

/// `POST /containers/{id}/resize`: the window size of a running
/// container's TTY, each side clamped to what a terminal holds.
pub async fn resize(c: &Container, height: i64, width: i64) -> Result<(), ContainerError> {
    if !c.record().state.status.is_running() {
        return Err(ContainerError::NotRunning(c.id.clone()));
    }
    let clamp = |v: i64| u16::try_from(v.clamp(0, i64::from(u16::MAX))).unwrap_or(u16::MAX);
    let request = Request::Resize {
        height: clamp(height),
        width: clamp(width),
    };
    match client::request(&c.layout.bundle, &request).await {
        Ok((Reply::Error { message }, _)) => Err(ContainerError::InvalidArgument(message)),
        Ok(_) => Ok(()),
        Err(e) => Err(ContainerError::Supervisor(e.to_string())),
    }
}
