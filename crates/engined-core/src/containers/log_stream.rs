//! `docker logs` as a stream: the selected entries of the json-file log,
//! then, with `follow`, new entries as the supervisor appends them, until
//! the container stops (or `until` passes). The file is read in pieces of
//! [`READ_CHUNK`] bytes as the client takes the entries, so a log of any
//! size is served in bounded memory; without `follow`, the read ends
//! where the file ended when the request came. `tail` is found by a first
//! pass that keeps only the offsets of the last entries it selects.

use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::watch;

use super::store::Progress;
use engined_shim::logs::{parse_lines, render, LogEntry, LogQuery};

/// How often a followed log is polled for growth.
const POLL: Duration = Duration::from_millis(100);

/// The most bytes read from the log at a time.
const READ_CHUNK: u64 = 1 << 20;

/// A line longer than this without its end is dropped (the log writer
/// cuts long output into shorter entries, so only a damaged file has one).
const LINE_LIMIT: usize = 16 << 20;

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
    /// Where the next read starts; `None` before the first.
    offset: Option<u64>,
    /// Without `follow`: the file's length when the read began.
    end: Option<u64>,
    lines: Lines,
    done: bool,
}

/// Up to `max` bytes of `path` from `offset` (nothing for a missing file).
fn read_at(path: &Path, offset: u64, max: u64) -> std::io::Result<Vec<u8>> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The file's length now (0 when it is missing).
fn length(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The whole lines of the pieces read so far, cut into entries, each with
/// the file offset its line starts at.
#[derive(Default)]
struct Lines {
    /// The start of a line whose end has not been read yet.
    partial: Vec<u8>,
    /// Where `partial` begins in the file.
    base: u64,
}

impl Lines {
    /// Lines that start at `base` in the file.
    fn at(base: u64) -> Lines {
        Lines {
            partial: Vec::new(),
            base,
        }
    }

    /// The entries of the lines `bytes` completes; a line longer than
    /// [`LINE_LIMIT`] without its end is dropped.
    fn push(&mut self, bytes: &[u8]) -> Vec<(u64, LogEntry)> {
        self.partial.extend_from_slice(bytes);
        let (entries, consumed) = parse_lines(&self.partial);
        self.partial.drain(..consumed);
        let base = self.base;
        self.base += consumed as u64;
        if self.partial.len() > LINE_LIMIT {
            self.base += self.partial.len() as u64;
            self.partial.clear();
        }
        entries
            .into_iter()
            .map(|(at, e)| (base + at as u64, e))
            .collect()
    }
}

/// Where the last `n` entries that `query` selects start, among the
/// whole lines before `end`; `end` itself when none is selected.
fn tail_start(path: &Path, query: &LogQuery, n: usize, end: u64) -> std::io::Result<u64> {
    let mut starts: VecDeque<u64> = VecDeque::new();
    let (mut offset, mut lines) = (0u64, Lines::default());
    while offset < end {
        let bytes = read_at(path, offset, READ_CHUNK.min(end - offset))?;
        if bytes.is_empty() {
            break;
        }
        offset += bytes.len() as u64;
        for (start, entry) in lines.push(&bytes) {
            if n > 0 && query.accepts(&entry) {
                if starts.len() == n {
                    starts.pop_front();
                }
                starts.push_back(start);
            }
        }
    }
    Ok(starts.front().copied().unwrap_or(end))
}

/// What a read of the log brought.
enum Piece {
    /// Bytes (entries may or may not have been selected from them).
    Read,
    /// Nothing more for now (or, without `follow`, ever).
    AtEnd,
}

impl State {
    /// Fills the queue from the next piece of the file.
    async fn read_more(&mut self) -> Piece {
        let Some(offset) = self.offset else {
            return Piece::AtEnd;
        };
        let max = match self.end {
            Some(end) => READ_CHUNK.min(end.saturating_sub(offset)),
            None => READ_CHUNK,
        };
        if max == 0 {
            return Piece::AtEnd;
        }
        let path = self.path.clone();
        let Ok(Ok(bytes)) = tokio::task::spawn_blocking(move || read_at(&path, offset, max)).await
        else {
            return Piece::AtEnd;
        };
        if bytes.is_empty() {
            return Piece::AtEnd;
        }
        self.offset = Some(offset + bytes.len() as u64);
        let query = &self.query;
        let entries = self.lines.push(&bytes).into_iter().map(|(_, e)| e);
        self.queue.extend(entries.filter(|e| query.accepts(e)));
        Piece::Read
    }

    /// The first read: where it starts (after `tail`) and, without
    /// `follow`, where it ends.
    async fn begin(&mut self) {
        let (path, query) = (self.path.clone(), self.query.clone());
        let begun = tokio::task::spawn_blocking(move || {
            let end = length(&path);
            let start = match query.tail {
                Some(n) => tail_start(&path, &query, n, end)?,
                None => 0,
            };
            Ok::<_, std::io::Error>((start, end))
        })
        .await;
        let (start, end) = match begun {
            Ok(Ok(r)) => r,
            _ => (0, 0),
        };
        self.offset = Some(start);
        self.lines = Lines::at(start);
        if !self.follow {
            self.end = Some(end);
        }
        // Only new entries from here on: the tail was applied.
        self.query.tail = None;
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
                self.begin().await;
                continue;
            }
            if let Piece::Read = self.read_more().await {
                continue;
            }
            if !self.follow {
                self.done = true;
                continue;
            }
            let running = {
                let p = self.watch.borrow();
                p.status.is_running() && !p.removed
            };
            if !running || self.past_until() {
                // What was written before the end, then nothing more.
                self.follow = false;
                self.end = Some(length(&self.path));
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
        end: None,
        lines: Lines::default(),
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

    /// The items of a read without follow, as text.
    async fn read(path: &std::path::Path, query: LogQuery) -> Vec<String> {
        let (_, rx) = watch::channel(Progress::default());
        stream(path.to_path_buf(), query, false, false, rx)
            .map(|i| String::from_utf8_lossy(&i.data).trim().to_string())
            .collect()
            .await
    }

    #[tokio::test]
    async fn queries_select_streams_times_and_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x-json.log");
        let mut w = LogWriter::open(&path).unwrap();
        for i in 0..5u64 {
            let stream = if i % 2 == 0 { "stdout" } else { "stderr" };
            let at = std::time::UNIX_EPOCH + Duration::from_secs(100 + i);
            w.write_entry(stream, format!("{i}\n").as_bytes(), at)
                .unwrap();
        }
        // A partial last line (a writer mid-write) is not read yet.
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"log\":\"par")
            .unwrap();
        let all = LogQuery {
            stdout: true,
            stderr: true,
            ..Default::default()
        };
        assert_eq!(read(&path, all.clone()).await, ["0", "1", "2", "3", "4"]);
        let out = LogQuery {
            stderr: false,
            ..all.clone()
        };
        assert_eq!(read(&path, out).await, ["0", "2", "4"]);
        let last = |n| LogQuery {
            tail: Some(n),
            ..all.clone()
        };
        assert_eq!(read(&path, last(2)).await, ["3", "4"]);
        assert_eq!(read(&path, last(0)).await, Vec::<String>::new());
        assert_eq!(read(&path, last(9)).await.len(), 5);
        let stderr_tail = LogQuery {
            stdout: false,
            tail: Some(1),
            ..all.clone()
        };
        assert_eq!(read(&path, stderr_tail).await, ["3"]);
        let window = LogQuery {
            since: Some(102_000_000_000),
            until: Some(103_000_000_000),
            ..all.clone()
        };
        assert_eq!(read(&path, window).await, ["2", "3"]);
        let missing = dir.path().join("none-json.log");
        assert!(read(&missing, all).await.is_empty());
    }

    /// A log many times the read size comes out whole and in order, with
    /// a tail across the pieces; a damaged line longer than the line
    /// limit is skipped and the entries after it still come.
    #[tokio::test]
    async fn a_log_larger_than_a_read_streams_in_pieces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big-json.log");
        let mut w = LogWriter::open(&path).unwrap();
        let line = "x".repeat(1000);
        let count = 3 * READ_CHUNK as usize / 1000;
        for i in 0..count {
            w.write_entry(
                "stdout",
                format!("{i} {line}\n").as_bytes(),
                SystemTime::now(),
            )
            .unwrap();
        }
        drop(w);
        let all = LogQuery {
            stdout: true,
            stderr: true,
            ..Default::default()
        };
        let got = read(&path, all.clone()).await;
        assert_eq!(got.len(), count);
        assert!(got
            .iter()
            .enumerate()
            .all(|(i, l)| l.starts_with(&format!("{i} "))));
        let tail = LogQuery {
            tail: Some(1500),
            ..all.clone()
        };
        let got = read(&path, tail).await;
        assert_eq!(got.len(), 1500);
        assert!(
            got[0].starts_with(&format!("{} ", count - 1500)),
            "{}",
            &got[0][..10]
        );

        // A line with no end, longer than the limit, then a good entry.
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(&vec![b'{'; LINE_LIMIT + 2 * READ_CHUNK as usize])
            .unwrap();
        f.write_all(b"\n").unwrap();
        drop(f);
        let mut w = LogWriter::open(&path).unwrap();
        w.write_entry("stdout", b"after\n", SystemTime::now())
            .unwrap();
        let got = read(&path, all).await;
        assert_eq!(got.len(), count + 1);
        assert_eq!(got[count], "after");
    }
}
