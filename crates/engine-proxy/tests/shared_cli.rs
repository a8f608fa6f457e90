//! `--share-reads`. In front of a fake upstream that takes its time over
//! each list: reads that arrive while a list is upstream share the next
//! call, never the one already there (so they see a write made after
//! it started). In front of engined: many clients polling the same list
//! while one of them creates containers and lists again after each;
//! every list holds what was created before it, every read is decided
//! and audited one by one, and the answers decode as the daemon's own.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use engine_api::client::{ContainerCreateParams, ContainerDeleteParams, ContainerListParams};
use engine_api::types::ContainerCreateBody;
use test_support::engined::Engined;

use crate::harness::{raw, Proxy, ALLOW_ALL};

/// How long the fake upstream takes over a list.
const LIST_TIME: Duration = Duration::from_millis(400);

/// What the fake upstream has seen.
#[derive(Default)]
struct Seen {
    /// Containers created so far.
    created: AtomicUsize,
    /// List requests that reached it.
    lists: AtomicUsize,
}

/// A fake daemon on `socket`: a create adds a container; a list answers,
/// after [`LIST_TIME`], the containers there were when it arrived.
fn fake_upstream(socket: &Path) -> Arc<Seen> {
    let seen = Arc::new(Seen::default());
    let listener = UnixListener::bind(socket).unwrap();
    let state = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let state = state.clone();
            std::thread::spawn(move || serve(conn, &state));
        }
    });
    seen
}

/// Answers one keep-alive connection's requests until it closes.
fn serve(conn: UnixStream, seen: &Seen) {
    let mut out = conn.try_clone().unwrap();
    let mut reader = BufReader::new(conn);
    loop {
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            head.push(line);
        }
        let length = head
            .iter()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let (status, answer) = if head[0].starts_with("POST ") && head[0].contains("/create") {
            let n = seen.created.fetch_add(1, Ordering::SeqCst) + 1;
            ("201 Created", format!(r#"{{"Id":"c{n}","Warnings":[]}}"#))
        } else if head[0].starts_with("GET ") && head[0].contains("/containers/json") {
            seen.lists.fetch_add(1, Ordering::SeqCst);
            let there = seen.created.load(Ordering::SeqCst);
            std::thread::sleep(LIST_TIME);
            let list: Vec<String> = (1..=there).map(|n| format!(r#"{{"Id":"c{n}"}}"#)).collect();
            ("200 OK", format!("[{}]", list.join(",")))
        } else {
            (
                "404 Not Found",
                r#"{"message":"page not found"}"#.to_string(),
            )
        };
        let reply = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if out.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// `GET /containers/json` through the proxy: the ids listed.
fn list(proxy: &Path) -> String {
    let (status, body) = raw(proxy, "GET /v1.44/containers/json HTTP/1.0\r\n\r\n");
    assert!(status.contains(" 200 "), "{status}: {body}");
    body
}

#[test]
fn reads_during_a_call_share_the_next_call_and_see_writes_before_it() {
    let dir = test_support::scratch::fresh_dir("engine-proxy-shared-upstream");
    let upstream = dir.join("upstream.sock");
    let seen = fake_upstream(&upstream);
    let args = [
        "--upstream".to_string(),
        format!("unix://{}", upstream.display()),
        "--share-reads".to_string(),
    ];
    let proxy = Proxy::start_args("shared-fake", &args, ALLOW_ALL, &[]);
    let socket = proxy.socket();
    // A: a list that reaches the upstream while nothing is created.
    let first = {
        let socket = socket.clone();
        std::thread::spawn(move || list(&socket))
    };
    for _ in 0..200 {
        if seen.lists.load(Ordering::SeqCst) == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(seen.lists.load(Ordering::SeqCst), 1);
    // A write while A is upstream, then two reads while A is still there.
    let create = "POST /v1.44/containers/create HTTP/1.0\r\n\
                  Content-Type: application/json\r\nContent-Length: 16\r\n\r\n\
                  {\"Image\":\"mini\"}";
    let (status, body) = raw(&socket, create);
    assert!(status.contains(" 201 "), "{status}: {body}");
    let later: Vec<_> = (0..2)
        .map(|_| {
            let socket = socket.clone();
            std::thread::spawn(move || list(&socket))
        })
        .collect();
    assert_eq!(first.join().unwrap(), "[]");
    for read in later {
        assert_eq!(read.join().unwrap(), r#"[{"Id":"c1"}]"#);
    }
    // A's call, then one call for both later reads.
    assert_eq!(seen.lists.load(Ordering::SeqCst), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

const CREATED: usize = 8;
const POLLERS: usize = 6;

#[test]
fn shared_reads_are_never_older_than_the_request() {
    let Some(engined) = Engined::start_named("proxy-shared") else {
        return;
    };
    engined.import_mini();
    let args = [
        "--upstream".to_string(),
        engined.host(),
        "--share-reads".to_string(),
    ];
    let proxy = Proxy::start_args("shared", &args, ALLOW_ALL, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let lists = runtime.block_on(async {
        let client = engine_api::Client::unix(proxy.socket()).unwrap();
        let all = ContainerListParams {
            all: Some(true),
            ..Default::default()
        };
        let stop = Arc::new(AtomicBool::new(false));
        let polled = Arc::new(AtomicUsize::new(0));
        let pollers: Vec<_> = (0..POLLERS)
            .map(|_| {
                let (client, all, stop, polled) =
                    (client.clone(), all.clone(), stop.clone(), polled.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::SeqCst) {
                        client.container_list(&all).await.expect("a polled list");
                        polled.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for i in 0..CREATED {
            let name = format!("px-share-{i}");
            let body = ContainerCreateBody {
                image: Some("mini".into()),
                cmd: Some(vec!["true".into()]),
                ..Default::default()
            };
            let params = ContainerCreateParams {
                name: Some(name.clone()),
                ..Default::default()
            };
            client.container_create(&body, &params).await.unwrap();
            let list = client.container_list(&all).await.unwrap();
            let names: Vec<String> = list
                .iter()
                .flat_map(|c| c.names.clone().unwrap_or_default())
                .collect();
            assert!(
                names.contains(&format!("/{name}")),
                "{name} created, then missing from the list read after it: {names:?}"
            );
            assert_eq!(list.len(), i + 1, "{names:?}");
        }
        stop.store(true, Ordering::SeqCst);
        for poller in pollers {
            poller.await.unwrap();
        }
        for i in 0..CREATED {
            let params = ContainerDeleteParams::default();
            client
                .container_delete(&format!("px-share-{i}"), &params)
                .await
                .unwrap();
        }
        polled.load(Ordering::SeqCst) + CREATED
    });
    // Each read was decided and audited on its own, shared or not.
    let audit = std::fs::read_to_string(proxy.dir.join("audit.log")).unwrap();
    let audited = audit
        .lines()
        .filter(|l| l.contains("\"operation\":\"ContainerList\""))
        .count();
    assert!(audited >= lists, "{lists} lists read, {audited} audited");
}
