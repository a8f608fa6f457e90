//! `docker search` against engined, never leaving this machine: the term
//! names a loopback registry. (a) A small v1 search index this test
//! serves on 127.0.0.1 answers with four repositories: the CLI shows
//! them, `--limit` reaches the index as `n`, `--filter stars=N` and
//! `is-official` keep what dockerd keeps, descriptions are cut at 45
//! characters unless `--no-trunc`, and a limit over 100 is refused with
//! dockerd's words. (b) The distribution registry has no v1 search: its
//! 404 is dockerd's "Unexpected status code 404".

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::registry::{self, Registry};
use test_support::engined::Engined;
use test_support::skip::{skip_reason, Need};

/// The description longer than the CLI's 45 characters.
const LONG: &str = "A tool with a description far longer than forty-five characters";

/// The repositories the fake index knows: name, description, stars,
/// official.
const REPOS: &[(&str, &str, i64, bool)] = &[
    ("busybox", "Busybox base image.", 12, true),
    ("busy/tool", LONG, 3, false),
    ("busy/other", "Another one", 1, false),
    ("ops/busyish", "", 0, false),
];

/// A v1 search index on 127.0.0.1: answers `GET /v1/search?q=&n=` with
/// the [`REPOS`] whose name holds `q`, at most `n`; remembers each
/// request line. Stopped and joined on drop.
struct FakeIndex {
    addr: String,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeIndex {
    fn start() -> FakeIndex {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    if let Ok(conn) = conn {
                        answer(conn, &requests);
                    }
                }
            })
        };
        FakeIndex {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for FakeIndex {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The value of `key` in the query of `target` (no escapes in ours).
fn param<'a>(target: &'a str, key: &str) -> Option<&'a str> {
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
}

fn answer(mut conn: TcpStream, requests: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    // A TLS ClientHello (engined probes a loopback registry for TLS first)
    // gets the plain 400 a Go server sends, and no TLS.
    if reader.fill_buf().map_or(true, |b| b.first() == Some(&0x16)) {
        let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        return;
    }
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // The rest of the head.
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let target = line.split(' ').nth(1).unwrap_or("").to_string();
    requests.lock().unwrap().push(target.clone());
    let (status, body) = if target.starts_with("/v1/search?") {
        let q = param(&target, "q").unwrap_or("");
        let n: usize = param(&target, "n")
            .and_then(|n| n.parse().ok())
            .unwrap_or(25);
        let results: Vec<serde_json::Value> = REPOS
            .iter()
            .filter(|(name, ..)| name.contains(q))
            .take(n)
            .map(|(name, description, stars, official)| {
                serde_json::json!({"name": name, "description": description,
                    "star_count": stars, "is_official": official, "is_automated": true})
            })
            .collect();
        let body =
            serde_json::json!({"num_results": results.len(), "query": q, "results": results});
        ("200 OK", body.to_string())
    } else {
        ("404 Not Found", "{}".to_string())
    };
    let mut conn = conn;
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// `docker search ARGS --format` rows: name|stars|official (the CLI's
/// `[OK]` or nothing)|description.
fn rows(d: &Engined, args: &[&str]) -> Vec<String> {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--format",
        "{{.Name}}|{{.StarCount}}|{{.IsOfficial}}|{{.Description}}",
    ]);
    d.docker(&all).lines().map(str::to_string).collect()
}

/// The JSON body of `GET path` on engined's socket (HTTP/1.0: the
/// answer ends with the connection).
fn api_get(d: &Engined, path: &str) -> serde_json::Value {
    let mut conn = UnixStream::connect(d.socket()).unwrap();
    write!(conn, "GET {path} HTTP/1.0\r\nHost: engined\r\n\r\n").unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{head}"
    );
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{body:?}: {e}"))
}

#[test]
fn docker_search_asks_the_registry_the_term_names() {
    if let Some(why) = skip_reason(Need::DockerCli) {
        eprintln!("skipped: {why}");
        return;
    }
    let index = FakeIndex::start();
    let dir = Engined::test_dir("search_fake_index");
    std::fs::write(
        dir.join("daemon.json"),
        format!(r#"{{"insecure-registries": ["{}"]}}"#, index.addr),
    )
    .unwrap();
    let d = Engined::start(&dir);
    let term = format!("{}/busy", index.addr);

    let all = rows(&d, &["--no-trunc", &term]);
    assert_eq!(
        all,
        [
            "busybox|12|[OK]|Busybox base image.".to_string(),
            format!("busy/tool|3||{LONG}"),
            "busy/other|1||Another one".to_string(),
            "ops/busyish|0||".to_string(),
        ]
    );
    assert_eq!(index.requests(), ["/v1/search?q=busy&n=25"]);
    // The API's fields; is_automated is always false, as dockerd has it.
    let hits = api_get(&d, &format!("/v1.44/images/search?term={term}&limit=1"));
    assert_eq!(
        hits,
        serde_json::json!([{"name": "busybox", "description": "Busybox base image.",
            "star_count": 12, "is_official": true, "is_automated": false}])
    );

    // Without --no-trunc the CLI cuts the description at 45 characters.
    let cut = rows(&d, &[&term]);
    let tool = cut[1].rsplit('|').next().unwrap();
    assert!(tool.chars().count() <= 45 && tool.ends_with('…'), "{tool}");

    let limited = rows(&d, &["--limit", "2", &term]);
    assert_eq!(limited.len(), 2, "{limited:?}");
    assert_eq!(
        index.requests().last().map(String::as_str),
        Some("/v1/search?q=busy&n=2")
    );

    let starred: Vec<String> = rows(&d, &["--filter", "stars=3", &term])
        .iter()
        .map(|r| r.split('|').next().unwrap().to_string())
        .collect();
    assert_eq!(starred, ["busybox", "busy/tool"]);
    let official = rows(&d, &["--filter", "is-official=true", &term]);
    assert_eq!(official.len(), 1, "{official:?}");
    assert!(official[0].starts_with("busybox|"), "{official:?}");
    // Automated repositories are no more: that filter finds nothing, and
    // the index is not even asked.
    let before = index.requests().len();
    assert!(rows(&d, &["--filter", "is-automated=true", &term]).is_empty());
    assert_eq!(index.requests().len(), before);

    let out = d.docker_fails(&["search", "--limit", "101", &term]);
    assert!(
        out.contains("limit 101 is outside the range of [1, 100]"),
        "{out}"
    );
    let out = d.docker_fails(&["search", "--filter", "stars=many", &term]);
    assert!(out.contains("invalid filter 'stars=many'"), "{out}");
    let out = d.docker_fails(&["search", "--filter", "color=red", &term]);
    assert!(out.contains("invalid filter 'color'"), "{out}");
}

#[test]
fn a_registry_without_v1_search_is_dockerds_error() {
    if let Some(why) = skip_reason(Need::DockerCli).or_else(registry::missing) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("search_distribution");
    let registry = Registry::start(&dir);
    let d = Engined::start(&dir);
    let out = d.docker_fails(&["search", &format!("{}/busybox", registry.addr)]);
    assert!(
        out.contains("Error response from daemon: Unexpected status code 404"),
        "{out}"
    );
}
