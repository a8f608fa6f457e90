//! Manifest bombs from a small registry double on 127.0.0.1 (the real
//! registry refuses to store them): a 64 MiB manifest announced by its
//! Content-Length, the same sent without one (read until the connection
//! closes), and an index with a field nested a million arrays deep in a
//! body small enough to be read. `docker pull` of each fails with an error that says
//! why, engined stays up, its peak RSS grows by far less than the bomb,
//! and nothing of the pulls is stored or left in the spool.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::{image_ids, spool_is_empty};
use test_support::docker_cli::code;
use test_support::engined::Engined;
use test_support::skip::{skip_reason, Need};

/// The size of the endless manifests.
const BOMB: usize = 64 << 20;
/// How much engined's peak RSS may grow while it refuses them.
const MOST_GROWTH_KIB: u64 = 24 << 10;
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// Serves the bombs; stopped and joined on drop.
struct BombRegistry {
    addr: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl BombRegistry {
    fn start() -> BombRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(conn) = conn {
                    std::thread::spawn(move || answer(conn));
                }
            }
        });
        BombRegistry {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for BombRegistry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Writes `head` and then `total` bytes made by repeating `unit` after
/// `prefix`, stopping quietly when the client hangs up.
fn stream(conn: &mut TcpStream, head: &str, prefix: &[u8], unit: &[u8], total: usize) {
    if conn.write_all(head.as_bytes()).is_err() || conn.write_all(prefix).is_err() {
        return;
    }
    let chunk: Vec<u8> = unit.iter().copied().cycle().take(64 << 10).collect();
    let mut sent = prefix.len();
    while sent < total {
        let n = chunk.len().min(total - sent);
        if conn.write_all(&chunk[..n]).is_err() {
            return;
        }
        sent += n;
    }
}

fn answer(mut conn: TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if conn.read(&mut byte).unwrap_or(0) == 0 {
            return;
        }
        // engined's TLS probe: answered as a Go plain-HTTP server does.
        if head.is_empty() && byte[0] == 0x16 {
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("");
    let entries = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":["#);
    let entry = br#"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1,"platform":{"os":"linux","architecture":"amd64"}},"#;
    match path {
        "/v2/" => {
            let _ = conn.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
            );
        }
        // Announced: engined can refuse it from the header alone.
        "/v2/test/bomb/manifests/announced" => stream(
            &mut conn,
            &format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {OCI_INDEX}\r\nContent-Length: {BOMB}\r\nConnection: close\r\n\r\n"
            ),
            entries.as_bytes(),
            entry,
            BOMB,
        ),
        // No length: the body ends when the connection does.
        "/v2/test/bomb/manifests/endless" => stream(
            &mut conn,
            &format!("HTTP/1.1 200 OK\r\nContent-Type: {OCI_INDEX}\r\nConnection: close\r\n\r\n"),
            entries.as_bytes(),
            entry,
            BOMB,
        ),
        // Small, but a field a million arrays deep.
        "/v2/test/bomb/manifests/nested" => {
            let prefix = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","extra":"#);
            let total = prefix.len() + (1 << 20);
            stream(
                &mut conn,
                &format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {OCI_INDEX}\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n"
                ),
                prefix.as_bytes(),
                b"[",
                total,
            )
        }
        _ => {
            let body = r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#;
            let _ = conn.write_all(
                format!(
                    "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    }
}

#[test]
fn manifest_bombs_are_refused_in_bounded_memory() {
    if let Some(why) = skip_reason(Need::Containers) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("pull_cli-bomb");
    let bombs = BombRegistry::start();
    let d = Engined::start(&dir);
    d.docker(&["version"]);
    // From here on, the peak is what the pulls add (writing 5 resets it).
    std::fs::write(format!("/proc/{}/clear_refs", d.pid()), "5").unwrap();
    let before = d.peak_rss_kib();

    let cases = [
        ("announced", "is larger than 4194304 bytes"),
        ("endless", "larger than 4194304 bytes"),
        ("nested", "invalid manifest for"),
    ];
    for (tag, why) in cases {
        let name = format!("{}/test/bomb:{tag}", bombs.addr);
        let out = d.docker_output(&["pull", &name]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 1, "{tag}: {stderr}");
        assert!(stderr.contains(why), "{tag}: {stderr}");
    }
    let grown = d.peak_rss_kib().saturating_sub(before);
    assert!(
        grown < MOST_GROWTH_KIB,
        "engined's peak RSS grew by {grown} KiB while refusing {} MiB manifests",
        BOMB >> 20
    );
    // Still up, nothing stored, nothing spooled.
    assert!(image_ids(&d).is_empty());
    assert!(spool_is_empty(&d));
    drop(d);
    drop(bombs);
    test_support::scratch::remove_dir(&dir);
}
