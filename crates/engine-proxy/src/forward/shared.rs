//! Shared reads (`--share-reads`): identical reads that arrive while one
//! is upstream are answered together by one upstream call, the way a
//! dashboard's or several monitors' polling of `/containers/json` would
//! otherwise send the daemon the same list request many times at once.
//!
//! Freshness is kept: a request never takes an answer the upstream
//! started before the request arrived. The first request for a key goes
//! upstream at once; requests for the same key that arrive while it is
//! there gather in a waiting group, and as soon as that call ends, the
//! group's call starts (one call for all of them), so each answer they
//! get was computed after each of them came in. So a client that writes
//! and then reads still sees its write.
//!
//! Each call runs in a task of its own: a client that goes away does not
//! take the others' answer with it. An answer whose body passes the limit
//! is not shared: each member of the group then sends its own request.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hyper::{HeaderMap, StatusCode};
use tokio::sync::watch;

use engine_api_rt::error::ApiError;

/// The largest body shared; a bigger answer goes to each client on its own.
pub const SHARE_LIMIT: usize = 16 << 20;

/// A whole answer, as the upstream gave it.
#[derive(Debug)]
pub struct Whole {
    pub status: StatusCode,
    /// Its end-to-end headers, ready for the client.
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// How a shared call ended, for every request it served.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The answer, for each client to send on.
    Answer(Arc<Whole>),
    /// The upstream's error (its status and message), or why it could not
    /// be reached.
    Error(ApiError),
    /// Not shareable (the body passed [`SHARE_LIMIT`]): each request goes
    /// upstream on its own.
    Unshared,
}

/// One upstream call, made when its group's turn comes.
pub type Call = Pin<Box<dyn Future<Output = Outcome> + Send>>;
/// What makes the call: the first request of a group provides it.
pub type MakeCall = Box<dyn FnOnce() -> Call + Send>;

/// The requests one upstream call answers.
struct Group {
    done: watch::Sender<Option<Outcome>>,
    make: Mutex<Option<MakeCall>>,
}

impl Group {
    fn new(make: MakeCall) -> Arc<Group> {
        Arc::new(Group {
            done: watch::channel(None).0,
            make: Mutex::new(Some(make)),
        })
    }
}

/// One key's calls: the one upstream, and the group waiting for it to end.
struct Entry {
    running: Arc<Group>,
    waiting: Option<Arc<Group>>,
}

type Entries = Arc<Mutex<HashMap<String, Entry>>>;

/// The reads in flight, by key (the upstream target: path and query).
#[derive(Default)]
pub struct SharedReads {
    entries: Entries,
}

impl SharedReads {
    pub fn new() -> SharedReads {
        SharedReads::default()
    }

    /// The answer for `key`: from the call `make` makes when nothing for
    /// `key` is upstream, else from the next call for `key`, made once
    /// the one upstream now has ended.
    pub async fn answer(&self, key: &str, make: MakeCall) -> Outcome {
        let done = {
            let Ok(mut entries) = self.entries.lock() else {
                return Outcome::Unshared;
            };
            match entries.get_mut(key) {
                Some(entry) => entry
                    .waiting
                    .get_or_insert_with(|| Group::new(make))
                    .done
                    .subscribe(),
                None => {
                    let group = Group::new(make);
                    let done = group.done.subscribe();
                    entries.insert(
                        key.to_string(),
                        Entry {
                            running: group.clone(),
                            waiting: None,
                        },
                    );
                    start(self.entries.clone(), key.to_string(), group);
                    done
                }
            }
        };
        wait(done).await
    }

    /// How many keys have a call upstream, for tests.
    #[cfg(test)]
    fn in_flight(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}

/// Runs `group`'s call in a task; at its end, tells the group and starts
/// the waiting group's call, or forgets `key` when nobody waits.
fn start(entries: Entries, key: String, group: Arc<Group>) {
    let make = group.make.lock().ok().and_then(|mut m| m.take());
    tokio::spawn(async move {
        let outcome = match make {
            // In a task of its own too, so that a panic still ends the group.
            Some(make) => tokio::spawn(make()).await.unwrap_or_else(|e| {
                Outcome::Error(ApiError {
                    status: 500,
                    message: format!("the shared upstream call failed: {e}"),
                })
            }),
            None => Outcome::Unshared,
        };
        group.done.send_replace(Some(outcome));
        let next = match entries.lock() {
            Ok(mut entries) => match entries.get_mut(&key) {
                Some(entry) if Arc::ptr_eq(&entry.running, &group) => match entry.waiting.take() {
                    Some(next) => {
                        entry.running = next.clone();
                        Some(next)
                    }
                    None => {
                        entries.remove(&key);
                        None
                    }
                },
                _ => None,
            },
            Err(_) => None,
        };
        if let Some(next) = next {
            start(entries, key, next);
        }
    });
}

/// The outcome `done` gets.
async fn wait(mut done: watch::Receiver<Option<Outcome>>) -> Outcome {
    match done.wait_for(Option::is_some).await {
        Ok(outcome) => outcome.clone().unwrap_or(Outcome::Unshared),
        // The group went away without an answer: ask on one's own.
        Err(_) => Outcome::Unshared,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    use tokio::sync::Semaphore;

    /// A fake upstream: each call takes a number (the calls started so
    /// far) when it starts, then waits for a permit before answering it.
    struct Upstream {
        started: AtomicUsize,
        gate: Semaphore,
    }

    fn upstream() -> Arc<Upstream> {
        Arc::new(Upstream {
            started: AtomicUsize::new(0),
            gate: Semaphore::new(0),
        })
    }

    fn call(up: &Arc<Upstream>) -> MakeCall {
        let up = up.clone();
        Box::new(move || {
            Box::pin(async move {
                let n = up.started.fetch_add(1, Ordering::SeqCst) + 1;
                if let Ok(permit) = up.gate.acquire().await {
                    permit.forget();
                }
                Outcome::Answer(Arc::new(Whole {
                    status: StatusCode::OK,
                    headers: HeaderMap::new(),
                    body: Bytes::from(n.to_string()),
                }))
            })
        })
    }

    /// A read of `key` in a task of its own; its answer's body.
    fn ask(
        shared: &Arc<SharedReads>,
        up: &Arc<Upstream>,
        key: &'static str,
    ) -> tokio::task::JoinHandle<String> {
        let (shared, make) = (shared.clone(), call(up));
        tokio::spawn(async move { body(shared.answer(key, make).await) })
    }

    fn body(outcome: Outcome) -> String {
        match outcome {
            Outcome::Answer(whole) => String::from_utf8_lossy(&whole.body).into_owned(),
            other => format!("{other:?}"),
        }
    }

    async fn until(what: impl Fn() -> bool) {
        for _ in 0..200 {
            if what() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("never happened");
    }

    #[tokio::test]
    async fn reads_that_arrive_during_a_call_share_the_next_one() {
        let shared = Arc::new(SharedReads::new());
        let up = upstream();
        let first = ask(&shared, &up, "/containers/json");
        until(|| up.started.load(Ordering::SeqCst) == 1).await;
        // Three more while call 1 is upstream: none may take call 1's
        // answer, which was started before they came.
        let later: Vec<_> = (0..3)
            .map(|_| ask(&shared, &up, "/containers/json"))
            .collect();
        // Another key is not held up by this one.
        let other = ask(&shared, &up, "/info");
        until(|| up.started.load(Ordering::SeqCst) == 2).await;
        up.gate.add_permits(2);
        assert_eq!(first.await.unwrap(), "1");
        assert_eq!(other.await.unwrap(), "2");
        until(|| up.started.load(Ordering::SeqCst) == 3).await;
        up.gate.add_permits(1);
        for waiter in later {
            assert_eq!(waiter.await.unwrap(), "3");
        }
        assert_eq!(up.started.load(Ordering::SeqCst), 3);
        until(|| shared.in_flight() == 0).await;
    }

    #[tokio::test]
    async fn a_reader_that_goes_away_does_not_end_the_call_for_the_others() {
        let shared = Arc::new(SharedReads::new());
        let up = upstream();
        let leader = ask(&shared, &up, "/k");
        until(|| up.started.load(Ordering::SeqCst) == 1).await;
        let waiter = ask(&shared, &up, "/k");
        let quitter = ask(&shared, &up, "/k");
        tokio::time::sleep(Duration::from_millis(20)).await;
        leader.abort();
        quitter.abort();
        up.gate.add_permits(2);
        assert_eq!(waiter.await.unwrap(), "2");
        assert_eq!(up.started.load(Ordering::SeqCst), 2);
        until(|| shared.in_flight() == 0).await;
    }

    #[tokio::test]
    async fn a_call_that_panics_ends_its_group_with_an_error() {
        let shared = SharedReads::new();
        let make: MakeCall = Box::new(|| Box::pin(async { panic!("upstream gone mad") }));
        match shared.answer("/k", make).await {
            Outcome::Error(e) => assert_eq!(e.status, 500, "{e}"),
            other => panic!("{other:?}"),
        }
        until(|| shared.in_flight() == 0).await;
    }
}
