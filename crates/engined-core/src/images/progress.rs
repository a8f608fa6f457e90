//! The progress streams of `docker pull` and `docker push`: the work runs
//! as a task of its own that sends dockerd's JSON messages down a channel,
//! and the stream the API answers with reads that channel. Dropping the
//! stream (the client hung up) aborts the task at its next await point;
//! the work keeps its temporary files in guards that remove them when
//! dropped, and its store writes are synchronous sections that finish
//! whole, so a cancelled transfer leaves nothing half-written.

use std::future::Future;
use std::pin::Pin;

use futures_util::Stream;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use super::store::ImageStore;

/// How often a transfer reports its progress at most.
pub const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// Decides which byte counts of one transfer are worth a message: at most
/// one per [`PROGRESS_EVERY`], and always the last one.
pub struct Throttle {
    total: u64,
    last: Option<std::time::Instant>,
}

impl Throttle {
    /// For a transfer of `total` bytes.
    pub fn new(total: u64) -> Throttle {
        Throttle { total, last: None }
    }

    /// Whether `done` bytes should be reported now.
    pub fn due(&mut self, done: u64) -> bool {
        let due = done == self.total || self.last.is_none_or(|l| l.elapsed() >= PROGRESS_EVERY);
        if due {
            self.last = Some(std::time::Instant::now());
        }
        due
    }
}

/// Where the work sends its messages.
pub type Sender<M> = UnboundedSender<M>;

/// A stream of progress messages that cancels its work when dropped.
pub type MessageStream<M> = Pin<Box<dyn Stream<Item = M> + Send>>;

/// What a pull or a push runs against: the image store, and where the
/// event that announces a finished transfer goes. The daemon implements
/// it on its shared state.
pub trait Host: Send + Sync + 'static {
    fn images(&self) -> &ImageStore;
    /// Publishes the image event `action` (`pull`, `push`) for `name`.
    fn announce(&self, action: &str, name: &str);
}

/// Sends `message`, ignoring a receiver that is gone: the task is being
/// aborted then, and stops at its next await point.
pub fn send<M>(sender: &Sender<M>, message: M) {
    let _ = sender.send(message);
}

/// Runs `work` as a task with a channel to report on, and returns the
/// stream of what it reports; the stream ends when the work is done, and
/// dropping it aborts the work.
pub fn drive<M, F, W>(work: W) -> MessageStream<M>
where
    M: Send + 'static,
    W: FnOnce(Sender<M>) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let (tx, mut rx) = unbounded_channel();
    let task = tokio::spawn(work(tx));
    let guard = AbortOnDrop(task);
    Box::pin(futures_util::stream::poll_fn(move |cx| {
        let _keep = &guard;
        rx.poll_recv(cx)
    }))
}

/// Aborts a task when dropped.
pub struct AbortOnDrop<T>(pub tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    #[tokio::test]
    async fn the_stream_ends_with_the_work() {
        let stream = drive(|tx| async move {
            for i in 0..3 {
                send(&tx, i);
            }
        });
        assert_eq!(stream.collect::<Vec<i32>>().await, vec![0, 1, 2]);
    }

    #[tokio::test]
    async fn dropping_the_stream_aborts_the_work() {
        let finished = Arc::new(AtomicBool::new(false));
        let flag = finished.clone();
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let mut stream = drive(move |tx| async move {
            send(&tx, 1);
            let _ = started_tx.send(());
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            flag.store(true, Ordering::SeqCst);
        });
        assert_eq!(stream.next().await, Some(1));
        started_rx.await.unwrap();
        drop(stream);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(!finished.load(Ordering::SeqCst));
    }

    #[test]
    fn throttle_lets_through_the_first_and_the_last_count() {
        let mut t = Throttle::new(10);
        assert!(t.due(1));
        assert!(!t.due(5), "a second count within the interval is held back");
        assert!(t.due(10), "the end is always reported");
    }
}
