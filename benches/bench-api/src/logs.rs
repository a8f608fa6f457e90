//! The log stream benchmark: a fixed-data hyper server answers any `GET
//! .../logs` with a `docker logs`-style multiplexed stream of 1 GiB of
//! payload (frames of one log line's size, stdout and stderr in turn,
//! each behind Docker's 8-byte header), and each client reads it to its
//! end through its demultiplexer: ours `container_logs` (a `LogStream`),
//! bollard's `logs`. The rate is payload bytes per second.

use std::convert::Infallible;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bollard::query_parameters::LogsOptionsBuilder;
use bollard::Docker;
use bytes::{BufMut, Bytes, BytesMut};
use engine_api::client::ContainerLogsParams;
use engine_api::Client;
use futures_util::StreamExt;
use hyper::body::{Body, Frame, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::UnixListener;
use tokio::sync::oneshot;

use crate::servers::Running;

/// Payload the stream carries in all.
pub const TOTAL: u64 = 1 << 30;

/// One frame's payload: a log line's worth (Docker writes a frame per
/// write, most of them a line); 256 frames of it make 64 KiB, so 1 GiB is
/// a whole number of chunks.
const LINE: usize = 256;

/// Frames sent in one body chunk.
const FRAMES_PER_CHUNK: usize = 256;

/// One chunk of frames, stdout and stderr in turn, and its payload size.
fn chunk() -> (Bytes, u64) {
    let mut out = BytesMut::with_capacity(FRAMES_PER_CHUNK * (8 + LINE));
    let mut payload = 0;
    for i in 0..FRAMES_PER_CHUNK {
        let stream = if i % 2 == 0 { 1u8 } else { 2u8 };
        out.put_u8(stream);
        out.put_bytes(0, 3);
        out.put_u32(LINE as u32);
        let text = format!("{i:05} a log line of the benchmark, stream {stream} ");
        let mut line = text.into_bytes();
        line.resize(LINE - 1, b'.');
        line.push(b'\n');
        out.put_slice(&line);
        payload += LINE as u64;
    }
    (out.freeze(), payload)
}

/// The body: the same chunk again and again, `TOTAL` bytes of payload.
struct Frames {
    chunk: Bytes,
    left: u64,
    per_chunk: u64,
}

impl Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        self.left = self.left.saturating_sub(self.per_chunk);
        Poll::Ready(Some(Ok(Frame::data(self.chunk.clone()))))
    }
}

/// The server: every request gets the whole stream.
pub async fn server(socket: &Path) -> Result<Running, String> {
    let _ = std::fs::remove_file(socket);
    let listener =
        UnixListener::bind(socket).map_err(|e| format!("bind {}: {e}", socket.display()))?;
    let (data, per_chunk) = chunk();
    let data = Arc::new(data);
    let (stop, mut stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            let conn = tokio::select! {
                _ = &mut stopped => return,
                conn = listener.accept() => conn,
            };
            let Ok((conn, _)) = conn else { continue };
            let data = data.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req: Request<Incoming>| {
                    let body = Frames {
                        chunk: (*data).clone(),
                        left: TOTAL,
                        per_chunk,
                    };
                    async move {
                        let resp = Response::builder()
                            .header("content-type", "application/vnd.docker.multiplexed-stream")
                            .header("api-version", "1.44")
                            .body(body)
                            .unwrap_or_else(|_| {
                                Response::new(Frames {
                                    chunk: Bytes::new(),
                                    left: 0,
                                    per_chunk: 1,
                                })
                            });
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(conn), service)
                    .await;
            });
        }
    });
    Ok(Running {
        socket: socket.to_path_buf(),
        _stop: stop,
    })
}

/// Payload bytes per second of one whole read.
pub struct Throughput {
    pub bytes: u64,
    pub seconds: f64,
}

impl Throughput {
    pub fn mib_per_second(&self) -> f64 {
        self.bytes as f64 / self.seconds / (1024.0 * 1024.0)
    }
}

fn done(bytes: u64, start: Instant) -> Result<Throughput, String> {
    if bytes != TOTAL {
        return Err(format!("the log stream carried {bytes} bytes, not {TOTAL}"));
    }
    Ok(Throughput {
        bytes,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Ours: `container_logs`, every item's bytes counted.
pub async fn read_ours(client: &Client) -> Result<Throughput, String> {
    let start = Instant::now();
    let params = ContainerLogsParams {
        stdout: Some(true),
        stderr: Some(true),
        ..Default::default()
    };
    let mut stream = client
        .container_logs("bench", &params)
        .await
        .map_err(|e| e.to_string())?;
    let mut bytes = 0u64;
    while let Some(item) = stream.next().await {
        bytes += item.map_err(|e| e.to_string())?.data().len() as u64;
    }
    done(bytes, start)
}

/// bollard: `logs`, every item's bytes counted.
pub async fn read_bollard(docker: &Docker) -> Result<Throughput, String> {
    let start = Instant::now();
    let options = LogsOptionsBuilder::new().stdout(true).stderr(true).build();
    let mut stream = std::pin::pin!(docker.logs("bench", Some(options)));
    let mut bytes = 0u64;
    while let Some(item) = stream.next().await {
        bytes += item.map_err(|e| e.to_string())?.into_bytes().len() as u64;
    }
    done(bytes, start)
}
