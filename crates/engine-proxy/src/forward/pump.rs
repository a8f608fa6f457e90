//! A streamed request body sent upstream through a small channel by a
//! task of its own. When the upstream answers before it has read the
//! whole body (an error for a build, say) the task goes on reading the
//! client's body, up to a bound, and drops it: the client, still
//! sending, then gets the answer instead of a broken pipe, as it would
//! direct.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};

use engine_api_rt::body::{self, Body};

/// How much of a body nobody reads any more is still taken from the
/// client before the connection is given up.
const DRAIN_LIMIT: usize = 64 << 20;

/// The upstream's side of the channel.
struct Chunks(tokio::sync::mpsc::Receiver<io::Result<Bytes>>);

impl Stream for Chunks {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// `incoming` as a body for the upstream request.
pub fn pumped(incoming: Incoming) -> Body {
    if incoming.is_end_stream() {
        return body::empty();
    }
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        let mut incoming = incoming;
        let mut gone = false;
        let mut drained = 0usize;
        while let Some(frame) = incoming.frame().await {
            let data = match frame {
                Ok(frame) => match frame.into_data() {
                    Ok(data) => data,
                    // Trailers carry no data.
                    Err(_) => continue,
                },
                Err(e) => {
                    let _ = tx.send(Err(io::Error::other(e))).await;
                    return;
                }
            };
            if gone {
                drained += data.len();
                if drained > DRAIN_LIMIT {
                    return;
                }
            } else if tx.send(Ok(data)).await.is_err() {
                gone = true;
            }
        }
    });
    body::stream(Chunks(rx))
}
