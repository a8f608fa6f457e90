//! An answer's body passed on in fewer, larger pieces. hyper hands the
//! upstream's body over one HTTP chunk at a time (a log stream arrives
//! as one chunk per 8 KiB frame), and writing each on to the client is
//! a system call and a chunk header of its own. Here the chunks already
//! read from the upstream are joined, up to [`JOIN_LIMIT`], before they
//! go on. Nothing waits for bytes the upstream has not sent: when a few
//! turns of the scheduler bring no further chunk (no timer is involved),
//! what was joined goes on, so a followed log or an event stream keeps
//! its pace. The
//! bytes and their order are unchanged; only the HTTP chunking, which
//! belongs to the connection, differs.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use hyper::body::{Body as HttpBody, Frame, SizeHint};

/// The most bytes joined into one piece.
pub const JOIN_LIMIT: usize = 256 << 10;

/// How many times in a row the task lets others run before it sends
/// what it holds.
const YIELDS: u8 = 3;

/// The upstream's body (hyper's `Incoming`), joined.
pub struct Joined<B> {
    inner: B,
    /// A chunk taken from `inner` and not yet passed on, kept as it
    /// came while it is the only one (no copy).
    one: Option<Bytes>,
    /// Chunks taken from `inner` and not yet passed on, joined.
    held: BytesMut,
    /// What `inner` gave after `held` filled: passed on next.
    next: Option<Next>,
    /// How many times in a row the task has yielded, since the last
    /// chunk came in, to let the upstream's connection decode the next
    /// chunk of what it has read.
    yielded: u8,
}

/// The end of the body, a trailers frame or an error, kept while the
/// joined bytes before it go first.
enum Next {
    Frame(Frame<Bytes>),
    Error(io::Error),
    End,
}

impl<B> Joined<B> {
    /// `inner`, to be joined.
    pub fn new(inner: B) -> Joined<B> {
        Joined {
            inner,
            one: None,
            held: BytesMut::new(),
            next: None,
            yielded: 0,
        }
    }

    /// How many bytes are held.
    fn held_len(&self) -> usize {
        self.one.as_ref().map_or(self.held.len(), Bytes::len)
    }

    /// Holds `data` after what is held already.
    fn hold(&mut self, data: Bytes) {
        if self.held.is_empty() && self.one.is_none() {
            self.one = Some(data);
            return;
        }
        if let Some(one) = self.one.take() {
            self.held.reserve(JOIN_LIMIT + data.len());
            self.held.extend_from_slice(&one);
        }
        self.held.extend_from_slice(&data);
    }

    /// The bytes held, as one data frame.
    fn take_held(&mut self) -> Frame<Bytes> {
        match self.one.take() {
            Some(one) => Frame::data(one),
            None => Frame::data(self.held.split().freeze()),
        }
    }
}

impl<B> HttpBody for Joined<B>
where
    B: HttpBody<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = &mut *self;
        if this.held_len() == 0 {
            match this.next.take() {
                Some(Next::Frame(frame)) => return Poll::Ready(Some(Ok(frame))),
                Some(Next::Error(e)) => return Poll::Ready(Some(Err(e))),
                Some(Next::End) => return Poll::Ready(None),
                None => {}
            }
        }
        while this.next.is_none() && this.held_len() < JOIN_LIMIT {
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => {
                        this.yielded = 0;
                        this.hold(data);
                    }
                    Err(frame) => this.next = Some(Next::Frame(frame)),
                },
                Poll::Ready(Some(Err(e))) => this.next = Some(Next::Error(io::Error::other(e))),
                Poll::Ready(None) => this.next = Some(Next::End),
                Poll::Pending if this.held_len() == 0 => return Poll::Pending,
                Poll::Pending if this.yielded < YIELDS => {
                    // The upstream's connection task, woken by the chunk
                    // just taken, may decode the next one from what it
                    // has read already: let it run (a few turns of the
                    // scheduler, never a timer) before sending what is
                    // held.
                    this.yielded += 1;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Poll::Pending => break,
            }
        }
        if this.held_len() > 0 {
            return Poll::Ready(Some(Ok(this.take_held())));
        }
        match this.next.take() {
            Some(Next::Frame(frame)) => Poll::Ready(Some(Ok(frame))),
            Some(Next::Error(e)) => Poll::Ready(Some(Err(e))),
            Some(Next::End) | None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.held_len() == 0 && self.next.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let inner = self.inner.size_hint();
        let held = self.held_len() as u64;
        let mut hint = SizeHint::new();
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper.saturating_add(held));
        }
        hint.set_lower(inner.lower().saturating_add(held));
        hint
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::task::Waker;

    use super::*;

    type Step = Poll<Option<Result<Frame<Bytes>, io::Error>>>;

    /// A body that answers each poll with the next scripted step.
    struct Script(VecDeque<Step>);

    impl HttpBody for Script {
        type Data = Bytes;
        type Error = io::Error;

        fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Step {
            self.0.pop_front().unwrap_or(Poll::Ready(None))
        }
    }

    fn data(s: &str) -> Step {
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(s.to_string())))))
    }

    /// Polls `body` until it ends, keeping each answer (data as text,
    /// `Pending` as `-`, an error as `!`, trailers as `t`).
    fn drive(steps: Vec<Step>) -> Vec<String> {
        let mut body = Joined::new(Script(steps.into()));
        let mut cx = Context::from_waker(Waker::noop());
        let mut seen = Vec::new();
        for _ in 0..100 {
            match Pin::new(&mut body).poll_frame(&mut cx) {
                Poll::Pending => seen.push("-".to_string()),
                Poll::Ready(None) => return seen,
                Poll::Ready(Some(Err(_))) => seen.push("!".to_string()),
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(d) => seen.push(String::from_utf8_lossy(&d).into_owned()),
                    Err(_) => seen.push("t".to_string()),
                },
            }
        }
        panic!("the body never ended: {seen:?}");
    }

    #[test]
    fn chunks_ready_together_go_on_as_one() {
        let seen = drive(vec![data("a"), data("b"), data("c"), Poll::Ready(None)]);
        assert_eq!(seen, ["abc"]);
    }

    #[test]
    fn held_bytes_wait_a_few_yields_and_no_more() {
        // After a chunk the task yields; a chunk decoded meanwhile joins
        // it, YIELDS quiet polls in a row send what is held, and with
        // nothing held a quiet poll is passed on.
        let mut steps = vec![data("a"), Poll::Pending, data("b")];
        steps.extend((0..=YIELDS).map(|_| Poll::Pending));
        steps.extend([Poll::Pending, data("c")]);
        let mut want = vec!["-"; 1 + usize::from(YIELDS)];
        want.extend(["ab", "-", "c"]);
        assert_eq!(drive(steps), want);
    }

    #[test]
    fn errors_and_trailers_come_after_the_bytes_before_them() {
        let trailers = Poll::Ready(Some(Ok(Frame::trailers(Default::default()))));
        let error = Poll::Ready(Some(Err(io::Error::other("cut"))));
        let seen = drive(vec![data("a"), data("b"), trailers, data("c"), error]);
        assert_eq!(seen, ["ab", "t", "c", "!"]);
    }

    #[test]
    fn pieces_stop_at_the_limit() {
        let big = "x".repeat(JOIN_LIMIT / 2 + 1);
        let seen = drive(vec![data(&big), data(&big), data("y")]);
        assert_eq!(
            seen.len(),
            2,
            "{:?}",
            seen.iter().map(String::len).collect::<Vec<_>>()
        );
        assert_eq!(seen[0].len(), 2 * big.len());
        assert_eq!(seen[1], "y");
    }
}
