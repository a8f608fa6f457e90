//! `docker logs` as a stream: the selected entries of the json-file log,
//! then, with `follow`, new entries as the supervisor appends them, until
//! the container stops (or `until` passes).

use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::watch;

use super::store::Progress;
use engined_shim::logs::{parse_lines, read_entries, render, LogEntry, LogQuery};

/// How often a followed log is polled for growth.
const POLL: Duration = Duration::from_millis(100);

/// One piece of output for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogItem {
    pub stderr: bool,
    pub data: Vec<u8>,
}

struct State {
    path: PathBuf,
    query: LogQuery,
    timestamps: bool,
    follow: bool,
    watch: watch::Receiver<Progress>,
    queue: VecDeque<LogEntry>,
    offset: Option<u64>,
    partial: Vec<u8>,
    done: bool,
}

fn read_from(path: &PathBuf, offset: u64) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

impl State {
    /// Fills the queue with what was appended since the last read.
    async fn read_more(&mut self) -> bool {
        let Some(offset) = self.offset else {
            return false;
        };
        let path = self.path.clone();
        let Ok(Ok(bytes)) = tokio::task::spawn_blocking(move || read_from(&path, offset)).await
        else {
            return false;
        };
        if bytes.is_empty() {
            return false;
        }
        self.offset = Some(offset + bytes.len() as u64);
        self.partial.extend_from_slice(&bytes);
        let (entries, consumed) = parse_lines(&self.partial);
        self.partial.drain(..consumed);
        let mut any = false;
        for e in entries {
            if self.query.accepts(&e) {
                self.queue.push_back(e);
                any = true;
            }
        }
        any
    }

    fn past_until(&self) -> bool {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i64);
        self.query.until.is_some_and(|u| now > u)
    }

    async fn next(&mut self) -> Option<LogItem> {
        loop {
            if let Some(e) = self.queue.pop_front() {
                return Some(LogItem {
                    stderr: e.stream == "stderr",
                    data: render(&e, self.timestamps),
                });
            }
            if self.done {
                return None;
            }
            if self.offset.is_none() {
                let path = self.path.clone();
                let query = self.query.clone();
                let read = tokio::task::spawn_blocking(move || read_entries(&path, &query)).await;
                let (entries, offset) = match read {
                    Ok(Ok(r)) => r,
                    _ => (Vec::new(), 0),
                };
                self.queue.extend(entries);
                self.offset = Some(offset);
                if !self.follow {
                    self.done = true;
                }
                // Only new entries from here on: the tail was applied.
                self.query.tail = None;
                continue;
            }
            if self.read_more().await {
                continue;
            }
            let running = {
                let p = self.watch.borrow();
                p.status.is_running() && !p.removed
            };
            if !running || self.past_until() {
                // One last look for what was written before the end.
                self.read_more().await;
                self.done = true;
                continue;
            }
            let _ = tokio::time::timeout(POLL, self.watch.changed()).await;
        }
    }
}

/// The log of a container as a stream of output pieces.
pub fn stream(
    path: PathBuf,
    query: LogQuery,
    timestamps: bool,
    follow: bool,
    watch: watch::Receiver<Progress>,
) -> impl Stream<Item = LogItem> + Send + 'static {
    let state = State {
        path,
        query,
        timestamps,
        follow,
        watch,
        queue: VecDeque::new(),
        offset: None,
        partial: Vec::new(),
        done: false,
    };
    futures_util::stream::unfold(state, |mut s| async move {
        let item = s.next().await?;
        Some((item, s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::containers::record::Status;
    use engined_shim::logs::LogWriter;
    use futures_util::StreamExt;
    use std::time::SystemTime;

    #[tokio::test]
    async fn follows_until_the_container_stops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c-json.log");
        let mut w = LogWriter::open(&path).unwrap();
        w.write_entry("stdout", b"one\n", SystemTime::now())
            .unwrap();
        let (tx, rx) = watch::channel(Progress {
            status: Status::Running,
            ..Default::default()
        });
        let query = LogQuery {
            stdout: true,
            stderr: true,
            ..Default::default()
        };
        let mut s = Box::pin(stream(path.clone(), query, false, true, rx));
        assert_eq!(s.next().await.unwrap().data, b"one\n");
        w.write_entry("stderr", b"two\n", SystemTime::now())
            .unwrap();
        let item = s.next().await.unwrap();
        assert_eq!(
            (item.stderr, item.data.as_slice()),
            (true, b"two\n".as_slice())
        );
        w.write_entry("stdout", b"three\n", SystemTime::now())
            .unwrap();
        tx.send_modify(|p| p.status = Status::Exited);
        assert_eq!(s.next().await.unwrap().data, b"three\n");
        assert!(s.next().await.is_none());
    }
}
