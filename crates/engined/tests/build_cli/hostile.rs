//! Hostile build requests sent as raw HTTP (what no CLI would send): a
//! context tar whose entries leave its root or link to the host, a 10 MB
//! Dockerfile, one of 10,000 instructions, an ARG that doubles itself
//! every line, a COPY through a link to the host, and a 1 GiB context
//! streamed from a generator. Each gets a clear error (naming the
//! Dockerfile line where there is one), the host canary is untouched, no
//! tag appears, the daemon's peak memory stays bounded and its tmp
//! directories end empty.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use test_support::engined::Engined;
use test_support::hostile::{tar, Canary, TarWriter};

use super::setup;

/// The request head of `POST /build?query` with a tar body of `len` bytes.
fn head(query: &str, len: u64) -> String {
    format!(
        "POST /v1.44/build?{query} HTTP/1.1\r\nHost: engined\r\n\
         Content-Type: application/x-tar\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )
}

/// Sends `body` as a build context; the whole answer (head and stream).
fn post(d: &Engined, query: &str, body: &[u8]) -> String {
    let mut conn = UnixStream::connect(d.socket()).unwrap();
    conn.write_all(head(query, body.len() as u64).as_bytes())
        .unwrap();
    // The daemon may answer (and stop reading) before the body is in.
    let _ = conn.write_all(body);
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The files left in every `tmp` directory of the daemon's data root.
fn tmp_files(d: &Engined) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![(d.dir.join("data"), 0)];
    while let Some((dir, depth)) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if !path.is_dir() || path.is_symlink() {
                continue;
            }
            if e.file_name() == "tmp" {
                found.extend(
                    std::fs::read_dir(&path)
                        .unwrap()
                        .flatten()
                        .map(|e| e.path()),
                );
            } else if depth < 3 {
                todo.push((path, depth + 1));
            }
        }
    }
    found
}

/// A context of `Dockerfile` with `text` (and `more` entries after it).
fn with_dockerfile(
    text: &str,
    more: impl FnOnce(&mut TarWriter<Vec<u8>>) -> std::io::Result<()>,
) -> Vec<u8> {
    tar(|t| {
        t.file("Dockerfile", text.as_bytes())?;
        more(t)
    })
}

/// The answer says `want` and the build tagged nothing.
fn refused(d: &Engined, case: &str, answer: &str, want: &str) {
    assert!(answer.contains(want), "{case}: {answer}\n{}", d.log());
    assert!(!answer.contains("Successfully built"), "{case}: {answer}");
    // (Steps that succeeded before the refusal stay as cache, untagged,
    // as with dockerd.)
    let tags = d.docker(&[
        "images",
        "--filter",
        "dangling=false",
        "--format",
        "{{.Repository}}",
    ]);
    assert_eq!(tags.trim(), "mini", "{case}: {tags}");
}

#[test]
fn hostile_contexts_and_dockerfiles_are_refused_in_bounds() {
    let Some(d) = setup("build_cli_hostile") else {
        return;
    };
    let canary = Canary::plant(&d.dir.join("canary"));
    let query = "t=hostile:1&networkmode=none";

    // Entries that leave the root, absolute ones and links to the host.
    let escape = tar(|t| {
        t.file("Dockerfile", b"FROM mini\nCOPY . /ctx/\n")?;
        t.symlink("host", canary.path_bytes(""))?;
        t.file(b"host/secret".as_slice(), b"overwritten\n")?;
        t.file(b"../../escaped".as_slice(), b"out\n")?;
        Ok(())
    });
    let answer = post(&d, query, &escape);
    refused(&d, "escaping tar", &answer, "invalid build context");
    canary.assert_intact("an escaping context tar");
    assert!(!d.dir.join("escaped").exists() && !d.dir.parent().unwrap().join("escaped").exists());

    // A COPY through a link to a host path reads inside the context only.
    let link = with_dockerfile("FROM mini\nCOPY secret-link/secret /s\n", |t| {
        t.symlink("secret-link", canary.path_bytes(""))
    });
    let answer = post(&d, query, &link);
    refused(&d, "COPY through a host link", &answer, "Dockerfile line 2");
    canary.assert_intact("a COPY through a host link");

    // 10 MB of Dockerfile.
    let huge = format!("FROM mini\n{}", "# padding\n".repeat(1_048_576));
    let answer = post(&d, query, &with_dockerfile(&huge, |_| Ok(())));
    refused(
        &d,
        "10 MB Dockerfile",
        &answer,
        &format!(
            "the Dockerfile is {} bytes, more than the 1048576 allowed",
            huge.len()
        ),
    );

    // 10,000 instructions: refused at the first one too many.
    let many = format!("FROM mini\n{}", "ENV A=1\n".repeat(9_999));
    let answer = post(&d, query, &with_dockerfile(&many, |_| Ok(())));
    refused(
        &d,
        "10,000 instructions",
        &answer,
        "dockerfile parse error on line 2001: more than 2000 instructions",
    );

    // An unknown instruction, by its line.
    let answer = post(
        &d,
        query,
        &with_dockerfile("FROM mini\nENV A=1\n\nSPIN x\n", |_| Ok(())),
    );
    refused(
        &d,
        "unknown instruction",
        &answer,
        "dockerfile parse error on line 4: unknown instruction: SPIN",
    );

    // An ARG doubling itself every line stops at the substitution limit:
    // 1 KiB doubled on lines 3.. is 1 MiB on line 12, where `A=` before
    // it passes the limit.
    let doubling = format!(
        "FROM mini\nARG A={}\n{}",
        "x".repeat(1024),
        "ARG A=$A$A\n".repeat(40)
    );
    let answer = post(&d, query, &with_dockerfile(&doubling, |_| Ok(())));
    refused(
        &d,
        "ARG loop",
        &answer,
        "Dockerfile line 12: substituting variables makes the text longer than 1048576 bytes",
    );

    // A COPY source outside the context.
    let outside = with_dockerfile("FROM mini\nCOPY ../../etc/passwd /p\n", |_| Ok(()));
    let answer = post(&d, query, &outside);
    refused(
        &d,
        "COPY outside",
        &answer,
        "line 2: forbidden path outside the build context",
    );

    canary.assert_intact("every hostile build");
    assert_eq!(d.docker(&["ps", "-aq"]), "", "a build container was left");
    assert_eq!(tmp_files(&d), Vec::<PathBuf>::new(), "tmp files were left");
}

/// Writes a tar of one `size`-byte file of zeros, generated as it goes.
fn stream_big_tar(conn: &mut UnixStream, size: u64) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_path("big.bin")?;
    header.set_size(size);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    conn.write_all(header.as_bytes())?;
    let chunk = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        conn.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    let pad = ((512 - size % 512) % 512) as usize;
    conn.write_all(&vec![0u8; pad + 1024])
}

/// The length of [`stream_big_tar`]'s output.
fn big_tar_len(size: u64) -> u64 {
    512 + size.div_ceil(512) * 512 + 1024
}

#[test]
fn a_one_gib_context_is_refused_with_bounded_memory() {
    let Some(d) = setup("build_cli_huge_context") else {
        return;
    };
    let before = d.peak_rss_kib();
    let size: u64 = 1 << 30;
    let mut conn = UnixStream::connect(d.socket()).unwrap();
    conn.write_all(head("t=huge:1", big_tar_len(size)).as_bytes())
        .unwrap();
    let mut reader = conn.try_clone().unwrap();
    let answer = std::thread::spawn(move || {
        let mut answer = Vec::new();
        let _ = reader.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    });
    // The daemon stops reading once it has seen too much: a broken pipe
    // here is the expected end of the upload.
    let _ = stream_big_tar(&mut conn, size);
    let _ = conn.shutdown(std::net::Shutdown::Write);
    let answer = answer.join().unwrap();
    assert!(
        answer.contains("the build context is larger than 512 MiB"),
        "{answer}\n{}",
        d.log()
    );
    let grown = d.peak_rss_kib().saturating_sub(before);
    assert!(
        grown < 128 * 1024,
        "engined's peak memory grew by {grown} KiB"
    );
    assert!(!d
        .docker_output(&["image", "inspect", "huge:1"])
        .status
        .success());
    // The spooled body goes with the request.
    let mut left = tmp_files(&d);
    for _ in 0..50 {
        if left.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        left = tmp_files(&d);
    }
    assert_eq!(left, Vec::<PathBuf>::new(), "tmp files were left");
}
