//! The hostile-input corpus against engined through the real docker CLI:
//! `docker import`, `docker load`, `docker cp` (both ways) and
//! `docker run --user` fed tars and images made to escape (symlinks,
//! `..`, hard links, whiteouts and opaque markers through links), to hang
//! (symlink loops, FIFOs as passwd/group) or to exhaust (a 10 GB sparse
//! file, 200,000 files, a 100 MB passwd), plus non-UTF-8 and 4 KB names
//! and broken archives, and images whose content is copied up into a new
//! volume. After every input: a canary directory on the host
//! is unchanged byte for byte and engined still answers. At the end its
//! peak memory (VmHWM) is bounded. The number of inputs tried is printed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use test_support::docker_cli::DOCKER;
use test_support::engined::Engined;
use test_support::hostile::{saved_image, saved_with_paths, tar, Canary, TarWriter};
use test_support::rootfs::busybox_rootfs_tar;
use test_support::skip::can_run_containers;
use test_support::teardown::unmount_below;

/// Peak resident memory engined may reach over the whole corpus.
const MAX_HWM_KB: u64 = 256 * 1024;

/// Removes the test directory (and its big generated inputs) at the end,
/// after the daemon (declared later) has been dropped.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        unmount_below(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How a case must end.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    Success,
    Failure,
    /// Either: a clear error or a safe result (the canary decides).
    Either,
}

struct Corpus<'a> {
    d: &'a Engined,
    canary: Canary,
    inputs: PathBuf,
    tried: usize,
}

impl Corpus<'_> {
    /// `docker args...` with `stdin`, killed (and failed) after 240 s.
    fn docker(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut child = Command::new(DOCKER)
            .arg("-H")
            .arg(self.d.host())
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(bytes) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            // The daemon may refuse early: a broken pipe here is an answer.
            let _ = pipe.write_all(bytes);
        }
        let deadline = Instant::now() + Duration::from_secs(240);
        loop {
            if child.try_wait().unwrap().is_some() {
                return child.wait_with_output().unwrap();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!("docker {args:?} hung: {out:?}\n{}", self.d.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs one hostile input and checks what every input must leave:
    /// the expected outcome, the canary intact, engined serving.
    fn case(&mut self, name: &str, expect: Expect, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let out = self.docker(args, stdin);
        let ok = out.status.success();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        match expect {
            Expect::Success => assert!(ok, "{name}: docker {args:?} failed: {err}"),
            Expect::Failure => {
                assert!(!ok, "{name}: docker {args:?} should fail");
                // A message for the user, never a crash of the client.
                assert!(
                    !err.trim().is_empty() && !err.contains("panic"),
                    "{name}: no clear error: {err}"
                );
            }
            Expect::Either => {}
        }
        self.after(name);
        eprintln!(
            "hostile input {name}: {}",
            if ok { "accepted" } else { err.trim() }
        );
        out
    }

    /// A tar input written to a file, for `import` and `load -i`.
    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.inputs.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }

    fn import(&mut self, name: &str, expect: Expect, bytes: &[u8]) -> Output {
        let file = self.file(name, bytes);
        let out = self.case(
            name,
            expect,
            &["import", &file, &format!("hostile:{name}")],
            None,
        );
        let _ = std::fs::remove_file(file);
        out
    }

    fn load(&mut self, name: &str, expect: Expect, bytes: &[u8]) -> Output {
        let file = self.file(name, bytes);
        let out = self.case(name, expect, &["load", "-i", &file], None);
        let _ = std::fs::remove_file(file);
        out
    }

    fn after(&mut self, name: &str) {
        self.tried += 1;
        self.canary.assert_intact(name);
        let pid = self.d.pid();
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        assert!(
            !state.is_empty() && !state.contains(") Z"),
            "engined died after {name}:\n{}",
            self.d.log()
        );
        let out = self.docker(&["version", "--format", "{{.Server.Version}}"], None);
        assert!(
            out.status.success(),
            "engined stopped serving after {name}: {out:?}"
        );
    }

    /// `canary/rest` as a tar name or link target.
    fn host(&self, rest: &str) -> Vec<u8> {
        self.canary.path_bytes(rest)
    }

    /// `../` enough times to climb from anywhere to `/`, then `rest`.
    fn climb(&self, rest: &str) -> Vec<u8> {
        let mut p = b"../".repeat(40);
        p.extend_from_slice(&self.host(rest)[1..]);
        p
    }
}

/// The busybox rootfs tar with `extra` entries added (later entries win).
fn mini_with(
    d: &Engined,
    extra: impl FnOnce(&mut TarWriter<Vec<u8>>) -> std::io::Result<()>,
) -> Vec<u8> {
    let base = std::fs::read(busybox_rootfs_tar(&d.dir).unwrap()).unwrap();
    tar(|w| {
        w.copy_of(&base)?;
        extra(w)
    })
}

/// The files below `dir` named `name` (on the host, in engined's data).
fn find(dir: &Path, name: &str) -> Vec<PathBuf> {
    let out = Command::new("find")
        .arg(dir)
        .arg("-name")
        .arg(name)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .collect()
}

#[test]
fn the_hostile_corpus() {
    if !can_run_containers() {
        return;
    }
    let dir = Engined::test_dir("hostile_cli");
    let _cleanup = Cleanup(dir.clone());
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "box",
        "--network",
        "none",
        "mini",
        "sleep",
        "1000",
    ]);
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    let mut c = Corpus {
        d: &d,
        canary: Canary::plant(&dir.join("canary")),
        inputs,
        tried: 0,
    };
    let started = Instant::now();

    // --- docker import: one layer -------------------------------------
    use Expect::{Either, Failure, Success};
    let t = tar(|w| {
        w.symlink("v", c.host(""))?;
        w.file("v/pwned", b"x")
    });
    c.import("abs-symlink-write", Either, &t);
    let t = tar(|w| {
        w.symlink("r", c.climb(""))?;
        w.file("r/pwned", b"x")
    });
    c.import("rel-symlink-write", Either, &t);
    let t = tar(|w| {
        w.file(c.climb("pwned"), b"x")?;
        w.file([b"./a/../".as_slice(), &c.climb("pwned2")].concat(), b"x")?;
        w.file(c.host("pwned3"), b"x")?;
        w.file("ok", b"fine")
    });
    c.import("dot-dot-and-absolute-names", Success, &t);
    let t = tar(|w| w.hard_link("h", c.host("secret")));
    c.import("hardlink-absolute-host", Failure, &t);
    let t = tar(|w| w.hard_link("h", c.climb("secret")));
    let out = c.import("hardlink-climbing-out", Failure, &t);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("leaves the root"),
        "{out:?}"
    );
    let t = tar(|w| {
        w.symlink("v", c.host(""))?;
        w.file("v/.wh.secret", b"")?;
        w.file("v/.wh.sub", b"")
    });
    c.import("whiteout-through-symlink", Either, &t);
    let t = tar(|w| {
        w.symlink("e", c.host("etc"))?;
        w.file("e/.wh..wh..opq", b"")
    });
    c.import("opaque-through-symlink", Either, &t);
    let t = tar(|w| {
        w.symlink("v", c.host(""))?;
        w.dir("v/secret/")?;
        w.file("v/sub", b"replaced")
    });
    c.import("type-change-through-symlink", Either, &t);
    let t = tar(|w| {
        w.symlink("a", "b")?;
        w.symlink("b", "a")?;
        w.file("a/x", b"x")
    });
    let out = c.import("symlink-loop", Failure, &t);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("symbolic links"),
        "{out:?}"
    );
    let t = tar(|w| {
        w.file(b"bad\xff\xfename", b"x")?;
        w.dir(b"\x80dir/")?;
        w.file(b"\x80dir/\xc3\x28", b"y")
    });
    c.import("invalid-utf8-names", Success, &t);
    let deep: Vec<u8> = (0..16)
        .flat_map(|_| [b"d".repeat(250), b"/".to_vec()].concat())
        .collect();
    let t = tar(|w| w.file([deep.as_slice(), b"f"].concat(), b"deep"));
    assert!(deep.len() >= 4000);
    c.import("4k-path", Either, &t);
    let good = tar(|w| w.file("big", &vec![7u8; 20_000]));
    c.import("truncated", Failure, &good[..3000]);
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    gz.extend((0..5000u32).map(|i| (i * 7919 % 251) as u8));
    c.import("gzip-corrupt", Failure, &gz);
    c.import("empty", Failure, b"");
    c.import("not-a-tar", Failure, &[b'x'; 4096]);

    // A 10 GB file (GNU sparse): accepted, and on disk as holes.
    let t = tar(|w| w.sparse(b"big10g", 10 << 30, b"the end\n"));
    c.import("sparse-10g", Success, &t);
    let found = find(&dir.join("data"), "big10g");
    assert!(!found.is_empty(), "the sparse file is nowhere");
    for f in &found {
        let m = std::fs::metadata(f).unwrap();
        assert_eq!(std::os::unix::fs::MetadataExt::size(&m), 10 << 30);
        let used = std::os::unix::fs::MetadataExt::blocks(&m) * 512;
        assert!(used < 1 << 20, "{} uses {used} bytes of disk", f.display());
    }

    // 200,000 tiny files as one import.
    let many = c.inputs.join("many.tar");
    {
        let file = std::io::BufWriter::new(std::fs::File::create(&many).unwrap());
        let mut w = TarWriter::new(file);
        for dir_n in 0..200 {
            w.dir(format!("d{dir_n}/")).unwrap();
            for f in 0..1000 {
                w.file(format!("d{dir_n}/f{f}"), b"").unwrap();
            }
        }
        w.finish().unwrap().flush().unwrap();
    }
    let many_path = many.display().to_string();
    c.case(
        "200000-files",
        Success,
        &["import", &many_path, "hostile:many"],
        None,
    );
    let _ = std::fs::remove_file(&many);

    // --- docker load: whiteouts across layers, hostile manifests -----------
    let l1 = tar(|w| w.symlink("v", c.host("")));
    let l2 = tar(|w| w.file("v/.wh.secret", b""));
    c.load(
        "load-whiteout-through-symlink",
        Either,
        &saved_image("hostile:wh", &[l1, l2]),
    );
    let l1 = tar(|w| w.symlink("e", c.host("etc")));
    let l2 = tar(|w| w.file("e/.wh..wh..opq", b""));
    c.load(
        "load-opaque-through-symlink",
        Either,
        &saved_image("hostile:opq", &[l1, l2]),
    );
    let l1 = tar(|w| w.symlink("e", "/etc"));
    let l2 = tar(|w| w.file("e/.wh..wh..opq", b""));
    c.load(
        "load-opaque-through-etc-link",
        Success,
        &saved_image("hostile:etc", &[l1, l2]),
    );
    assert!(
        Path::new("/etc/passwd").exists(),
        "the host's /etc was emptied"
    );
    let climbing = String::from_utf8(c.climb("secret")).unwrap();
    let bytes = saved_with_paths(&climbing, "layer.tar", |_| Ok(()));
    c.load("load-config-climbing-out", Failure, &bytes);
    let secret = String::from_utf8(c.host("secret")).unwrap();
    let bytes = saved_with_paths("config.json", "layer.tar", |w| {
        w.symlink("config.json", &secret)?;
        w.symlink("layer.tar", &secret)
    });
    c.load("load-files-linking-to-host", Failure, &bytes);
    c.load(
        "load-truncated",
        Failure,
        &saved_image("hostile:t", std::slice::from_ref(&good))[..2000],
    );
    c.load("load-gzip-corrupt", Failure, &gz);

    // --- docker cp into and out of a running container -----------------
    let t = tar(|w| {
        w.symlink("v", c.host(""))?;
        w.file("v/pwned", b"x")
    });
    c.case(
        "cp-in-through-abs-symlink",
        Either,
        &["cp", "-", "box:/tmp"],
        Some(&t),
    );
    let t = tar(|w| w.file(c.climb("pwned"), b"x"));
    c.case("cp-in-dot-dot", Failure, &["cp", "-", "box:/tmp"], Some(&t));
    let t = tar(|w| w.hard_link("h", c.climb("secret")));
    c.case(
        "cp-in-hardlink-climbing",
        Failure,
        &["cp", "-", "box:/tmp"],
        Some(&t),
    );
    let t = tar(|w| w.hard_link("h2", c.host("secret")));
    c.case(
        "cp-in-hardlink-absolute",
        Failure,
        &["cp", "-", "box:/tmp"],
        Some(&t),
    );
    let t = tar(|w| {
        w.symlink("la", "lb")?;
        w.symlink("lb", "la")?;
        w.file("la/x", b"x")
    });
    c.case(
        "cp-in-symlink-loop",
        Failure,
        &["cp", "-", "box:/tmp"],
        Some(&t),
    );
    let t = tar(|w| w.fifo("fifo"));
    c.case("cp-in-fifo", Success, &["cp", "-", "box:/tmp"], Some(&t));
    c.case(
        "cp-in-truncated",
        Failure,
        &["cp", "-", "box:/tmp"],
        Some(&good[..3000]),
    );
    let host_dir = String::from_utf8(c.host("")).unwrap();
    d.docker(&["exec", "box", "busybox", "ln", "-s", &host_dir, "/tmp/out"]);
    d.docker(&[
        "exec",
        "box",
        "busybox",
        "ln",
        "-s",
        "/../../../",
        "/tmp/up",
    ]);
    let t = tar(|w| w.file("dropped", b"x"));
    c.case(
        "cp-in-destination-symlink",
        Failure,
        &["cp", "-", "box:/tmp/out/"],
        Some(&t),
    );
    let out = c.case(
        "cp-out-through-symlink",
        Either,
        &["cp", "box:/tmp/out/", "-"],
        None,
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("canary secret"));
    let path = format!("box:/tmp/up{}/secret", host_dir);
    let out = c.case(
        "cp-out-through-root-link",
        Either,
        &["cp", &path, "-"],
        None,
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("canary secret"));
    let path = format!("box:{}", String::from_utf8(c.climb("secret")).unwrap());
    let out = c.case("cp-out-dot-dot", Failure, &["cp", &path, "-"], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Could not find the file"));
    d.docker(&["exec", "box", "busybox", "ln", "-s", "/tmp/l2", "/tmp/l1"]);
    d.docker(&["exec", "box", "busybox", "ln", "-s", "/tmp/l1", "/tmp/l2"]);
    c.case(
        "cp-out-symlink-loop",
        Failure,
        &["cp", "box:/tmp/l1/", "-"],
        None,
    );

    // --- docker run --user against hostile account files -----------------
    let passwd_link = String::from_utf8(c.host("etc/passwd")).unwrap();
    let group_link = String::from_utf8(c.host("etc/group")).unwrap();
    let image = mini_with(&d, |w| {
        w.symlink("etc/passwd", &passwd_link)?;
        w.symlink("etc/group", &group_link)
    });
    c.import("passwd-symlink-image", Success, &image);
    let run = ["run", "--rm", "--network", "none", "--user"];
    let user = |u: &'static str, image: &'static str| -> Vec<&'static str> {
        let mut v = run.to_vec();
        v.extend([u, image, "id"]);
        v
    };
    let out = c.case(
        "run-user-passwd-symlink",
        Failure,
        &user("hostonly", "hostile:passwd-symlink-image"),
        None,
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unable to find user hostonly"),
        "{out:?}"
    );
    let out = c.case(
        "run-group-symlink",
        Failure,
        &user("0:hostgroup", "hostile:passwd-symlink-image"),
        None,
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unable to find group hostgroup"),
        "{out:?}"
    );
    let image = mini_with(&d, |w| w.fifo("etc/passwd"));
    c.import("passwd-fifo-image", Success, &image);
    c.case(
        "run-user-passwd-fifo",
        Failure,
        &user("nobody", "hostile:passwd-fifo-image"),
        None,
    );
    let image = mini_with(&d, |w| w.fifo("etc/group"));
    c.import("group-fifo-image", Success, &image);
    c.case(
        "run-user-group-fifo",
        Failure,
        &user("root:wheel", "hostile:group-fifo-image"),
        None,
    );
    let mut big = String::with_capacity(101 << 20);
    big.push_str("root:x:0:0:root:/root:/bin/sh\n");
    let mut i = 0u32;
    while big.len() < 100 << 20 {
        big.push_str(&format!(
            "user{i}:x:{}:{}:filler filler filler:/home/u:/bin/sh\n",
            10_000 + i,
            10_000 + i
        ));
        i += 1;
    }
    big.push_str("last:x:31337:31338::/:/bin/sh\n");
    let image = mini_with(&d, |w| w.file("etc/passwd", big.as_bytes()));
    drop(big);
    c.import("passwd-100mb-image", Success, &image);
    drop(image);
    let out = c.case(
        "run-user-passwd-100mb",
        Success,
        &user("last", "hostile:passwd-100mb-image"),
        None,
    );
    let id = String::from_utf8_lossy(&out.stdout);
    assert!(id.contains("uid=31337") && id.contains("gid=31338"), "{id}");

    // --- copy-up of image content into a new volume -----------------------
    let canary_dir = String::from_utf8(c.host("")).unwrap();
    let image = mini_with(&d, |w| {
        w.dir("data/")?;
        w.file("data/f", b"from the image\n")?;
        w.hard_link("data/h", "data/f")?;
        w.symlink("data/out", &canary_dir)?;
        w.symlink("linked", &canary_dir)
    });
    c.import("copy-up-image", Success, &image);
    let args = [
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "cu1:/data",
        "hostile:copy-up-image",
    ];
    let out = c.case(
        "copy-up-volume",
        Success,
        &[&args[..], &["cat", "/data/f"]].concat(),
        None,
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "from the image\n");
    let args = [
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "cu2:/linked",
        "hostile:copy-up-image",
    ];
    let out = c.case(
        "copy-up-through-link",
        Success,
        &[&args[..], &["ls", "/linked"]].concat(),
        None,
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).trim().is_empty(),
        "{out:?}"
    );
    let _ = c.docker(&["volume", "rm", "cu1", "cu2"], None);

    // --- the end: bounded memory, still serving --------------------------
    let hwm = d.peak_rss_kib();
    eprintln!(
        "hostile inputs tried: {} in {:?}; engined peak memory (VmHWM) {} KiB",
        c.tried,
        started.elapsed(),
        hwm
    );
    // Straight to the process's stderr: shown even when the test harness
    // captures the output of passing tests.
    let _ = writeln!(std::io::stderr(), "hostile inputs tried: {}", c.tried);
    assert!(
        hwm < MAX_HWM_KB,
        "engined peaked at {hwm} KiB (bound {MAX_HWM_KB} KiB)"
    );
    assert!(c.tried >= 40, "only {} inputs tried", c.tried);
    d.docker(&["ps", "-a"]);
}
