//! A container's stdin inside its supervisor: one bounded buffer between
//! the attach clients that send bytes and a writer thread that feeds the
//! container's end (a pipe, or the pty master).
//!
//! Clients attach before the container is created, so their bytes may
//! arrive before there is anything to write them to; they wait in the
//! buffer. The buffer holds at most [`LIMIT`] bytes (plus one chunk): a
//! client that sends more waits on a condition variable, not holding the
//! lock, and so stops reading its socket, which pushes back through the
//! daemon to the docker CLI. The writer thread alone blocks on the
//! container's end, with the lock released, so a container that reads
//! slowly (or not yet) stalls nobody but its own senders.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// How many bytes may wait for the container before senders block.
pub const LIMIT: usize = 256 * 1024;

#[derive(Default)]
struct State {
    chunks: VecDeque<Vec<u8>>,
    /// Bytes in `chunks`.
    len: usize,
    /// No more input will come (a `StdinOnce` client ended): the container
    /// gets an end of file once the buffered bytes are written.
    closed: bool,
    /// The container cannot take input any more (it exited, its start
    /// failed, or it closed its stdin): bytes are dropped, nobody waits.
    gone: bool,
}

/// The shared buffer; see the module documentation.
#[derive(Default)]
pub struct Stdin {
    state: Mutex<State>,
    changed: Condvar,
}

impl Stdin {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(guard).unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `data` for the container, blocking while the buffer is full.
    /// Dropped once the stdin is closed or gone.
    pub fn write(&self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let mut s = self.state();
        loop {
            if s.closed || s.gone {
                return;
            }
            if s.len < LIMIT {
                s.len += data.len();
                s.chunks.push_back(data.to_vec());
                self.changed.notify_all();
                return;
            }
            s = self.wait(s);
        }
    }

    /// No more input: the container sees the end after what is queued.
    pub fn close(&self) {
        self.state().closed = true;
        self.changed.notify_all();
    }

    /// The container is gone: queued bytes are dropped, waiting senders
    /// return, the writer thread (if any) ends.
    pub fn end(&self) {
        let mut s = self.state();
        s.gone = true;
        s.chunks.clear();
        s.len = 0;
        self.changed.notify_all();
    }

    /// Starts the thread that writes queued bytes to `writer` (the
    /// container's stdin) in order; `writer` is dropped (an end of file
    /// for a pipe) after a close, or when a write fails.
    pub fn connect<W: Write + Send + 'static>(self: &Arc<Self>, writer: W) {
        let me = self.clone();
        std::thread::spawn(move || me.pump(writer));
    }

    fn pump<W: Write>(&self, mut writer: W) {
        loop {
            let batch: Vec<Vec<u8>> = {
                let mut s = self.state();
                while s.chunks.is_empty() && !s.closed && !s.gone {
                    s = self.wait(s);
                }
                if s.gone || s.chunks.is_empty() {
                    // Gone, or closed with everything written.
                    return;
                }
                s.len = 0;
                let batch = s.chunks.drain(..).collect();
                // Room again for the senders while this batch is written.
                self.changed.notify_all();
                batch
            };
            for chunk in batch {
                if writer.write_all(&chunk).is_err() {
                    // The container closed its stdin (EPIPE) or its
                    // terminal went away: nothing more can be delivered.
                    self.end();
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[test]
    fn early_bytes_wait_and_arrive_in_order_then_eof() {
        let stdin = Arc::new(Stdin::default());
        stdin.write(b"one ");
        stdin.write(b"two");
        stdin.close();
        stdin.write(b"dropped after close");
        let (mut r, w) = std::io::pipe().unwrap();
        stdin.connect(w);
        let mut got = String::new();
        r.read_to_string(&mut got).unwrap();
        assert_eq!(got, "one two");
    }

    #[test]
    fn a_full_buffer_blocks_the_sender_not_the_lock() {
        let stdin = Arc::new(Stdin::default());
        let sent = Arc::new(AtomicUsize::new(0));
        let sender = {
            let (stdin, sent) = (stdin.clone(), sent.clone());
            std::thread::spawn(move || {
                let chunk = vec![7u8; 32 * 1024];
                for _ in 0..64 {
                    stdin.write(&chunk);
                    sent.fetch_add(chunk.len(), Ordering::SeqCst);
                }
                stdin.close();
            })
        };
        std::thread::sleep(Duration::from_millis(200));
        // Nothing reads yet: the sender stopped at the bound.
        let queued = sent.load(Ordering::SeqCst);
        assert!(queued <= LIMIT + 32 * 1024, "{queued} bytes queued");
        assert!(queued >= LIMIT, "{queued} bytes queued");
        // The lock is free meanwhile: another client's close goes through.
        let other = Arc::new(Stdin::default());
        other.close();
        // A reader drains it all, through a 64 KiB pipe.
        let (mut r, w) = std::io::pipe().unwrap();
        stdin.connect(w);
        let mut all = Vec::new();
        r.read_to_end(&mut all).unwrap();
        sender.join().unwrap();
        assert_eq!(all.len(), 64 * 32 * 1024);
        assert!(all.iter().all(|&b| b == 7));
    }

    #[test]
    fn end_releases_blocked_senders_and_a_broken_pipe_ends_it() {
        let stdin = Arc::new(Stdin::default());
        stdin.write(&vec![1u8; LIMIT]);
        let sender = {
            let stdin = stdin.clone();
            std::thread::spawn(move || stdin.write(b"blocked until the end"))
        };
        std::thread::sleep(Duration::from_millis(50));
        stdin.end();
        sender.join().unwrap();

        // A reader that goes away: the writer stops, senders never block.
        let stdin = Arc::new(Stdin::default());
        let (r, w) = std::io::pipe().unwrap();
        drop(r);
        stdin.connect(w);
        for _ in 0..32 {
            stdin.write(&vec![2u8; 64 * 1024]);
        }
        assert!(stdin.state().gone);
    }
}
