//! The json-file log driver's format: one JSON object per line,
//! `{"log":"hi\n","stream":"stdout","time":"<RFC 3339, nanoseconds>"}`,
//! in `<data-root>/containers/<id>/<id>-json.log`. The supervisor writes
//! it ([`LogWriter`], [`LineSplitter`]); the daemon reads it back for
//! `docker logs` ([`parse_lines`], [`LogQuery`]).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Docker's json-file driver cuts lines longer than this into entries.
pub const MAX_ENTRY: usize = 16 * 1024;

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub log: String,
    pub stream: String,
    pub time: String,
}

impl LogEntry {
    /// The entry's time in nanoseconds since the epoch (0 if unreadable).
    pub fn unix_nanos(&self) -> i64 {
        humantime::parse_rfc3339_weak(&self.time)
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64)
    }
}

/// RFC 3339 with nanoseconds, in UTC.
pub fn format_time(t: SystemTime) -> String {
    humantime::format_rfc3339_nanos(t).to_string()
}

/// Cuts a byte stream into log entries: complete lines (with their `\n`),
/// or [`MAX_ENTRY`]-byte pieces of a longer line.
#[derive(Debug, Default)]
pub struct LineSplitter {
    pending: Vec<u8>,
}

impl LineSplitter {
    /// Adds `data`; returns the entries it completes.
    pub fn push(&mut self, data: &[u8]) -> Vec<Vec<u8>> {
        self.pending.extend_from_slice(data);
        let mut out = Vec::new();
        loop {
            match self.pending.iter().position(|b| *b == b'\n') {
                Some(i) if i < MAX_ENTRY => {
                    let rest = self.pending.split_off(i + 1);
                    out.push(std::mem::replace(&mut self.pending, rest));
                }
                _ if self.pending.len() >= MAX_ENTRY => {
                    let rest = self.pending.split_off(MAX_ENTRY);
                    out.push(std::mem::replace(&mut self.pending, rest));
                }
                _ => break,
            }
        }
        out
    }

    /// What is left at the end of the stream (a last line without `\n`).
    pub fn finish(&mut self) -> Option<Vec<u8>> {
        if self.pending.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.pending))
        }
    }
}

/// Appends entries to a json-file log.
pub struct LogWriter {
    file: File,
}

impl LogWriter {
    pub fn open(path: &Path) -> io::Result<LogWriter> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(LogWriter { file })
    }

    /// Writes one entry as one line (one `write`, so lines never mix).
    pub fn write_entry(&mut self, stream: &str, data: &[u8], time: SystemTime) -> io::Result<()> {
        let entry = LogEntry {
            log: String::from_utf8_lossy(data).into_owned(),
            stream: stream.to_string(),
            time: format_time(time),
        };
        let mut line = serde_json::to_vec(&entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)
    }
}

/// Which entries `docker logs` asked for.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub stdout: bool,
    pub stderr: bool,
    /// Nanoseconds since the epoch; entries before are skipped.
    pub since: Option<i64>,
    /// Nanoseconds since the epoch; entries after are skipped.
    pub until: Option<i64>,
    /// Only the last N entries (after the other filters).
    pub tail: Option<usize>,
}

impl LogQuery {
    /// Whether `entry` passes the stream and time filters.
    pub fn accepts(&self, entry: &LogEntry) -> bool {
        let stream_ok = match entry.stream.as_str() {
            "stdout" => self.stdout,
            "stderr" => self.stderr,
            _ => false,
        };
        if !stream_ok {
            return false;
        }
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        let t = entry.unix_nanos();
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
    }

    /// Parses the `tail` parameter: `all` (or empty) or a count.
    pub fn parse_tail(text: &str) -> Result<Option<usize>, String> {
        match text.trim() {
            "" | "all" => Ok(None),
            n => n
                .parse::<i64>()
                .map(|n| if n < 0 { None } else { Some(n as usize) })
                .map_err(|_| format!("invalid value for \"tail\": {text:?}")),
        }
    }
}

/// Parses complete lines of `bytes`; returns the entries, each with the
/// offset in `bytes` where its line starts, and how many bytes were
/// consumed (a trailing partial line is left for later).
pub fn parse_lines(bytes: &[u8]) -> (Vec<(usize, LogEntry)>, usize) {
    let mut entries = Vec::new();
    let mut consumed = 0;
    while let Some(i) = bytes[consumed..].iter().position(|b| *b == b'\n') {
        let line = &bytes[consumed..consumed + i];
        if let Ok(entry) = serde_json::from_slice::<LogEntry>(line) {
            entries.push((consumed, entry));
        }
        consumed += i + 1;
    }
    (entries, consumed)
}

/// What `docker logs` prints for an entry: its text, after its time when
/// `timestamps` was asked for.
pub fn render(entry: &LogEntry, timestamps: bool) -> Vec<u8> {
    if timestamps {
        format!("{} {}", entry.time, entry.log).into_bytes()
    } else {
        entry.log.clone().into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn writer_produces_docker_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x-json.log");
        let mut w = LogWriter::open(&path).unwrap();
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        w.write_entry("stdout", b"hi\n", t).unwrap();
        w.write_entry("stderr", b"\"err\"\n", t).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"time\":\"2023-11-14T22:13:20.123456789Z\"}\n\
             {\"log\":\"\\\"err\\\"\\n\",\"stream\":\"stderr\",\"time\":\"2023-11-14T22:13:20.123456789Z\"}\n"
        );
        let (entries, consumed) = parse_lines(text.as_bytes());
        assert_eq!(consumed, text.len());
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].0, 0);
        assert_eq!(entries[1].0, text.find('\n').unwrap() + 1);
        let entries: Vec<LogEntry> = entries.into_iter().map(|(_, e)| e).collect();
        assert_eq!(entries[0].unix_nanos(), 1_700_000_000_123_456_789);
        assert_eq!(
            String::from_utf8(render(&entries[0], true)).unwrap(),
            "2023-11-14T22:13:20.123456789Z hi\n"
        );
        assert_eq!(LogQuery::parse_tail("all"), Ok(None));
        assert_eq!(LogQuery::parse_tail("3"), Ok(Some(3)));
        assert!(LogQuery::parse_tail("x").is_err());
    }

    #[test]
    fn splitter_cuts_lines_and_long_runs() {
        let mut s = LineSplitter::default();
        assert_eq!(s.push(b"a\nb"), vec![b"a\n".to_vec()]);
        assert_eq!(s.push(b"c\nd\n"), vec![b"bc\n".to_vec(), b"d\n".to_vec()]);
        assert!(s.push(b"tail").is_empty());
        assert_eq!(s.finish(), Some(b"tail".to_vec()));
        assert_eq!(s.finish(), None);
        let long = vec![b'x'; MAX_ENTRY + 10];
        let out = s.push(&long);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].len(), MAX_ENTRY);
        assert_eq!(s.finish().unwrap().len(), 10);
    }
}
