//! Answers read on the caller's task. A pooled connection runs in a task
//! of its own, and hyper passes the body from that task to the reader one
//! HTTP chunk at a time, waiting until the reader has taken each: for a
//! long stream (a container's logs) each chunk then wakes one thread from
//! the other, which on an otherwise idle machine is where the time goes.
//! Here the connection of a streamed answer is polled by the task that
//! reads the body, so the socket is read where the frames are cut out of
//! it. Once the body has ended (or is dropped), the connection goes on in
//! a task of its own and back to the pool, like any other.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::client::conn::http1::SendRequest;
use hyper::Response;

use super::Body;

/// A connection's own future, which reads and writes its socket.
pub(crate) type Driver = Pin<Box<dyn Future<Output = hyper::Result<()>> + Send>>;

/// Where the connection's sender goes once the answer is read (the
/// pool's list).
pub(crate) type GiveBack = Box<dyn FnOnce(SendRequest<Body>) + Send + Sync>;

/// A connection whose future the reader of its answer polls. Dropped, it
/// hands the connection to a task of its own (when a runtime is there)
/// and its sender back to the pool.
pub(crate) struct Driven {
    /// In a mutex only to make the body `Sync` (boxed bodies must be);
    /// it is reached through `&mut`, never locked.
    driver: Option<Mutex<Driver>>,
    sender: Option<SendRequest<Body>>,
    give_back: Option<GiveBack>,
}

impl Driven {
    pub(crate) fn new(driver: Driver, sender: SendRequest<Body>, give_back: GiveBack) -> Driven {
        Driven {
            driver: Some(Mutex::new(driver)),
            sender: Some(sender),
            give_back: Some(give_back),
        }
    }

    /// Polls the connection until it waits; once it has ended, never again.
    pub(crate) fn poll_driver(&mut self, cx: &mut Context<'_>) {
        let Some(driver) = self.driver.as_mut() else {
            return;
        };
        let ended = match driver.get_mut() {
            Ok(driver) => driver.as_mut().poll(cx).is_ready(),
            Err(_) => true,
        };
        if ended {
            self.driver = None;
        }
    }
}

impl Drop for Driven {
    fn drop(&mut self) {
        if let Some(Ok(driver)) = self.driver.take().map(Mutex::into_inner) {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = driver.await;
                });
            }
        }
        if let (Some(sender), Some(give_back)) = (self.sender.take(), self.give_back.take()) {
            give_back(sender);
        }
    }
}

/// The slot a [`Driven`] connection travels in, in the answer's
/// extensions (which must be `Clone + Sync`). Whoever does not take it
/// out drops it with the answer's head, and the connection then runs on
/// its own: an answer read any other way still works.
#[derive(Clone)]
pub(crate) struct Slot(Arc<Mutex<Option<Driven>>>);

impl Slot {
    pub(crate) fn new(driven: Driven) -> Slot {
        Slot(Arc::new(Mutex::new(Some(driven))))
    }
}

/// Takes the driven connection out of `resp`, if it came on one.
pub(crate) fn take(resp: &mut Response<Incoming>) -> Option<Driven> {
    let slot = resp.extensions_mut().remove::<Slot>()?;
    let mut slot = slot.0.lock().ok()?;
    slot.take()
}

/// An answer's body whose connection, when it came on a driven one, is
/// polled by whoever polls the body (and goes back to the pool at the
/// end); else hyper's body as it is.
pub struct AnswerBody {
    body: Incoming,
    driven: Option<Driven>,
}

impl AnswerBody {
    /// The body of `resp`, with its driven connection if it has one.
    pub fn new(mut resp: Response<Incoming>) -> AnswerBody {
        let driven = take(&mut resp);
        AnswerBody {
            body: resp.into_body(),
            driven,
        }
    }
}

impl std::fmt::Debug for AnswerBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnswerBody")
            .field("driven", &self.driven.is_some())
            .finish()
    }
}

impl hyper::body::Body for AnswerBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        // The body first: asking it for more is what lets the connection
        // decode the next chunk, in the same turn.
        let mut polled = Pin::new(&mut this.body).poll_frame(cx);
        if polled.is_pending() {
            if let Some(driven) = this.driven.as_mut() {
                driven.poll_driver(cx);
                polled = Pin::new(&mut this.body).poll_frame(cx);
            }
        }
        if let Poll::Ready(None) = polled {
            // The answer is read: the connection goes back to the pool.
            this.driven = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
