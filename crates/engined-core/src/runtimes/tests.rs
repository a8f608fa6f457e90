//! End-to-end tests of the runtimes module on real files in a tempdir:
//! script naming and content, quoting through a real `/bin/sh`, the store's
//! start, reload, cleanup and preflight, feature probing, and concurrency.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sha2::{Digest, Sha256};

use super::*;
use crate::config::{DaemonConfig, RuntimeConfig};

/// A test area: a data root, and a `bin` directory used as the search path.
struct Area {
    tmp: tempfile::TempDir,
}

impl Area {
    fn new() -> Self {
        let area = Self {
            tmp: tempfile::tempdir().unwrap(),
        };
        fs::create_dir_all(area.bin()).unwrap();
        area
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    fn bin(&self) -> PathBuf {
        self.tmp.path().join("bin")
    }

    fn runtimes_dir(&self) -> PathBuf {
        self.root().join(RUNTIMES_DIR)
    }

    /// Writes an executable shell script.
    fn exe(&self, path: &Path, body: &str) -> String {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn config(&self, runtimes: &[(&str, RuntimeConfig)]) -> DaemonConfig {
        DaemonConfig {
            runtimes: runtimes
                .iter()
                .map(|(name, rt)| ((*name).to_owned(), rt.clone()))
                .collect(),
            default_runtime: None,
            data_root: Some(self.root()),
            ..DaemonConfig::default()
        }
    }

    fn options(&self, features: FeatureProbe) -> StoreOptions {
        StoreOptions {
            runc: STOCK_RUNTIME.to_owned(),
            search_path: Some(self.bin().into_os_string()),
            features,
        }
    }

    fn start(&self, config: DaemonConfig) -> RuntimeStore {
        RuntimeStore::start(
            config,
            self.options(FeatureProbe::Disabled),
            &HashSet::new(),
        )
        .unwrap()
    }

    /// (file name, inode, mtime in ns) of every entry of the script store.
    fn listing(&self) -> Vec<(String, u64, i128)> {
        let mut out: Vec<_> = fs::read_dir(self.runtimes_dir())
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let meta = e.metadata().unwrap();
                let mtime =
                    i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
                (
                    e.file_name().to_str().unwrap().to_owned(),
                    meta.ino(),
                    mtime,
                )
            })
            .collect();
        out.sort();
        out
    }

    fn names(&self) -> Vec<String> {
        self.listing().into_iter().map(|(name, ..)| name).collect()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn wrapped(path: &str, args: &[&str]) -> RuntimeConfig {
    RuntimeConfig::from_path(path).with_args(args.iter().copied())
}

// ---- naming and digest ----

#[test]
fn script_is_named_by_the_sha256_of_its_bytes() {
    let area = Area::new();
    let store = area.start(area.config(&[("dbg", wrapped("/bin/true", &["--debug"]))]));
    let resolved = store.load().resolve("dbg").unwrap();
    assert!(resolved.is_wrapped());
    let bytes = fs::read(resolved.binary()).unwrap();
    let expected = area
        .runtimes_dir()
        .join(format!("dbg.{}", sha256_hex(&bytes)));
    assert_eq!(resolved.binary(), expected);
    assert!(bytes.starts_with(b"#!/bin/sh\n"));
    assert_eq!(resolved.configured_path(), "/bin/true");
    assert_eq!(resolved.args(), ["--debug".to_owned()]);
}

#[test]
fn same_content_same_name_other_args_other_name() {
    let area = Area::new();
    let store = area.start(area.config(&[
        ("a", wrapped("/bin/true", &["--x"])),
        ("b", wrapped("/bin/true", &["--y"])),
    ]));
    let first = store.load().resolve("a").unwrap().binary().to_path_buf();
    let other = store.load().resolve("b").unwrap().binary().to_path_buf();
    assert_ne!(
        first
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .split_once('.')
            .unwrap()
            .1,
        other
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .split_once('.')
            .unwrap()
            .1,
    );

    // The same content under a reload, and across a restart, gets the same name.
    let reloaded = store
        .reload(area.config(&[("a", wrapped("/bin/true", &["--x"]))]))
        .unwrap();
    assert_eq!(reloaded.resolve("a").unwrap().binary(), first);
    drop(store);
    let restarted = area.start(area.config(&[("a", wrapped("/bin/true", &["--x"]))]));
    assert_eq!(restarted.load().resolve("a").unwrap().binary(), first);

    // Changed args: a new name; the old script stays while running.
    let changed = restarted
        .reload(area.config(&[("a", wrapped("/bin/true", &["--x", "--z"]))]))
        .unwrap();
    let new = changed.resolve("a").unwrap().binary().to_path_buf();
    assert_ne!(new, first);
    assert!(first.exists() && new.exists());
}

// ---- quoting ----

/// Words that a shell would otherwise split, expand or reinterpret.
const TRICKY: &[&str] = &[
    "with space",
    "  leading and trailing  ",
    "it's",
    "'",
    "''",
    "\"double\"",
    "$HOME",
    "${HOME}",
    "$(echo injected)",
    "`echo injected`",
    "\\",
    "back\\slash\\n",
    "line1\nline2",
    "trailing newline\n",
    "",
    "*",
    "?",
    "[a]",
    "~",
    "a;b|c&d",
    "-e",
    "--",
    "tab\there",
    "é ü 日本",
    "%s %d",
];

#[test]
fn arguments_pass_through_the_wrapper_byte_for_byte() {
    let area = Area::new();
    // The target itself lives at a path that needs quoting.
    let target = area
        .tmp
        .path()
        .join("dir with 'quote' and $x")
        .join("print args");
    let target = area.exe(&target, "for a in \"$@\"; do printf '%s\\0' \"$a\"; done\n");
    let config_args: Vec<String> = TRICKY
        .iter()
        .map(|s| format!("cfg:{s}"))
        .chain(TRICKY.iter().map(|s| (*s).to_owned()))
        .collect();
    let store = area.start(area.config(&[(
        "printer",
        RuntimeConfig::from_path(&target).with_args(config_args.clone()),
    )]));
    let resolved = store.load().resolve("printer").unwrap();
    resolved.preflight().unwrap();

    let mut caller: Vec<Vec<u8>> = TRICKY.iter().map(|s| s.as_bytes().to_vec()).collect();
    caller.push(b"not utf-8: \xff\xfe".to_vec());
    caller.push(Vec::new());

    let output = Command::new(resolved.binary())
        .args(caller.iter().map(|a| OsStr::from_bytes(a)))
        .env("HOME", "/should/not/expand")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let mut got: Vec<Vec<u8>> = output
        .stdout
        .split(|b| *b == 0)
        .map(<[u8]>::to_vec)
        .collect();
    assert_eq!(got.pop(), Some(Vec::new()), "output ends with a NUL");
    let expected: Vec<Vec<u8>> = config_args
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .chain(caller)
        .collect();
    assert_eq!(got.len(), expected.len());
    for (i, (got, want)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(
            String::from_utf8_lossy(got),
            String::from_utf8_lossy(want),
            "argument {i}"
        );
        assert_eq!(got, want, "argument {i}");
    }
}

// ---- idempotence, cleanup, files ----

#[test]
fn reload_with_the_same_config_writes_nothing() {
    let area = Area::new();
    let config = area.config(&[
        ("a", wrapped("/bin/true", &["--x"])),
        ("b", wrapped("/bin/false", &["it's", ""])),
        ("c", RuntimeConfig::from_path("/bin/true")),
    ]);
    let store = area.start(config.clone());
    let before = area.listing();
    assert_eq!(before.len(), 2);
    std::thread::sleep(Duration::from_millis(20)); // a rewrite would show in mtime
    for generation in 2..5 {
        let snapshot = store.reload(config.clone()).unwrap();
        assert_eq!(snapshot.generation(), generation);
        assert_eq!(area.listing(), before, "inode and mtime unchanged");
    }
}

#[test]
fn an_existing_script_is_never_rewritten() {
    let area = Area::new();
    let dir = ScriptDir::new(&area.root());
    dir.ensure().unwrap();
    let script = WrapperScript::new("/bin/true", &["--x".to_owned()]);
    let first = dir.install("rt", &script).unwrap();
    assert!(first.written);
    let second = dir.install("rt", &script).unwrap();
    assert!(!second.written);
    assert_eq!(first.path, second.path);
    // Even a file with other bytes under that name is left alone: a name
    // stands for its content, so it is never rewritten.
    fs::write(&first.path, "tampered").unwrap();
    let inode = fs::metadata(&first.path).unwrap().ino();
    assert!(!dir.install("rt", &script).unwrap().written);
    assert_eq!(fs::read(&first.path).unwrap(), b"tampered");
    assert_eq!(fs::metadata(&first.path).unwrap().ino(), inode);
    // A directory in the way is an error naming the runtime.
    fs::create_dir(dir.path().join(script.file_name("other"))).unwrap();
    let err = dir.install("other", &script).unwrap_err();
    assert!(matches!(err, RuntimeError::ScriptNotAFile { .. }), "{err}");
}

#[test]
fn scripts_are_private_and_no_temp_file_is_left() {
    let area = Area::new();
    let store = area.start(area.config(&[
        ("a", wrapped("/bin/true", &["--x"])),
        ("b", wrapped("/bin/true", &["--y"])),
    ]));
    store
        .reload(area.config(&[("c", wrapped("/bin/true", &["--z"]))]))
        .unwrap();
    let dir_mode = fs::metadata(area.runtimes_dir())
        .unwrap()
        .permissions()
        .mode()
        & 0o7777;
    assert_eq!(dir_mode, 0o700);
    let names = area.names();
    assert_eq!(names.len(), 3, "{names:?}");
    for name in names {
        assert!(!name.starts_with('.'), "temp file left: {name}");
        let meta = fs::metadata(area.runtimes_dir().join(&name)).unwrap();
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o7777, 0o700, "{name}");
    }
}

#[test]
fn start_removes_stale_scripts_but_the_kept_ones() {
    let area = Area::new();
    let dir = area.runtimes_dir();
    fs::create_dir_all(dir.join("leftover-dir")).unwrap();
    fs::write(dir.join("leftover-dir/x"), "x").unwrap();
    for name in [
        "old.aaaa",
        "still-used.bbbb",
        ".tmp-old.aaaa.1.2",
        "other.cccc",
    ] {
        fs::write(dir.join(name), "#!/bin/sh\n").unwrap();
    }
    let keep: HashSet<PathBuf> =
        [dir.join("still-used.bbbb"), area.root().join("elsewhere")].into();
    let config = area.config(&[("a", wrapped("/bin/true", &["--x"]))]);
    let store = RuntimeStore::start(config, area.options(FeatureProbe::Disabled), &keep).unwrap();
    let current = store.load().resolve("a").unwrap();
    let current_name = current
        .binary()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let mut expected = vec!["still-used.bbbb".to_owned(), current_name];
    expected.sort();
    assert_eq!(area.names(), expected);

    // The cleanup itself reports what it did.
    fs::write(dir.join("stale.dddd"), "").unwrap();
    let keep: HashSet<PathBuf> = [current.binary().to_path_buf()].into();
    let report = ScriptDir::new(&area.root()).cleanup_stale(&keep).unwrap();
    assert_eq!(report.kept, vec![current.binary().to_path_buf()]);
    assert_eq!(
        report.removed,
        vec![dir.join("stale.dddd"), dir.join("still-used.bbbb")]
    );
}

// ---- snapshots, reloads, resolution ----

#[test]
fn invalid_reload_keeps_the_old_snapshot() {
    let area = Area::new();
    let store = area.start(area.config(&[("a", wrapped("/bin/true", &["--x"]))]));
    let before = store.load();
    let mut bad = area.config(&[("b", RuntimeConfig::from_path("/bin/true"))]);
    bad.default_runtime = Some("nope".into());
    let err = store.reload(bad).unwrap_err();
    assert!(err.to_string().contains("'nope'"), "{err}");
    assert!(Arc::ptr_eq(&before, &store.load()));
    let bad = area.config(&[("runc", RuntimeConfig::from_path("/bin/true"))]);
    assert!(matches!(
        store.reload(bad),
        Err(RuntimeError::Reserved { .. })
    ));
    assert!(Arc::ptr_eq(&before, &store.load()));
    assert_eq!(store.load().generation(), 1);
}

#[test]
fn data_root_cannot_change_on_reload() {
    let area = Area::new();
    let store = area.start(area.config(&[]));
    let mut moved = area.config(&[]);
    moved.data_root = Some(area.tmp.path().join("elsewhere"));
    let err = store.reload(moved).unwrap_err();
    assert!(matches!(err, RuntimeError::DataRootChanged { .. }), "{err}");
    assert!(err.to_string().starts_with("data-root:"), "{err}");
}

#[test]
fn a_snapshot_is_kept_by_its_holder_across_reloads() {
    let area = Area::new();
    let store = area.start(area.config(&[("a", wrapped("/bin/true", &["--1"]))]));
    let held = store.load();
    store
        .reload(area.config(&[("b", RuntimeConfig::from_path("/bin/true"))]))
        .unwrap();
    assert!(held.resolve("a").is_ok());
    assert!(held.resolve("b").is_err());
    let now = store.load();
    assert!(now.resolve("a").is_err());
    assert_eq!(now.resolve("b").unwrap().binary(), Path::new("/bin/true"));
    // The script the held snapshot points at is still there.
    assert!(held.resolve("a").unwrap().binary().exists());
}

#[test]
fn builtin_runc_is_found_on_the_search_path_and_is_the_default() {
    let area = Area::new();
    let runc = area.exe(&area.bin().join("runc"), "exit 0\n");
    let store = area.start(area.config(&[]));
    let snapshot = store.load();
    assert_eq!(snapshot.default_runtime(), "runc");
    for name in ["", "runc", "io.containerd.runc.v2"] {
        let resolved = snapshot.resolve(name).unwrap();
        assert_eq!(resolved.binary(), Path::new(&runc), "{name:?}");
        assert_eq!(resolved.configured_path(), "runc");
        assert!(!resolved.is_wrapped());
        resolved.preflight().unwrap();
    }
    let names: Vec<_> = snapshot.runtimes().map(RuntimeEntry::name).collect();
    assert_eq!(names, ["io.containerd.runc.v2", "runc"]);
}

#[test]
fn builtin_runc_may_be_given_as_an_absolute_path() {
    let area = Area::new();
    let runc = area.exe(&area.tmp.path().join("opt/runc-1.1"), "exit 0\n");
    let options = StoreOptions {
        runc: runc.clone(),
        ..area.options(FeatureProbe::Disabled)
    };
    let store = RuntimeStore::start(area.config(&[]), options, &HashSet::new()).unwrap();
    let resolved = store.load().resolve("runc").unwrap();
    assert_eq!(resolved.binary(), Path::new(&runc));
    resolved.preflight().unwrap();
}

#[test]
fn missing_runc_fails_preflight_not_start() {
    let area = Area::new();
    let store = area.start(area.config(&[]));
    let resolved = store.load().resolve("").unwrap();
    assert_eq!(resolved.binary(), Path::new("runc"));
    let text = resolved.preflight().unwrap_err().to_string();
    assert!(
        text.contains("runtime runc:") && text.contains("\"runc\""),
        "{text}"
    );
}

#[test]
fn configured_default_runtime_is_resolved_for_an_empty_name() {
    let area = Area::new();
    let crun = area.exe(&area.bin().join("crun"), "exit 0\n");
    let mut config = area.config(&[("crun", RuntimeConfig::from_path("crun"))]);
    config.default_runtime = Some("crun".into());
    let store = area.start(config);
    let resolved = store.load().resolve("").unwrap();
    assert_eq!(resolved.name(), "crun");
    assert_eq!(
        resolved.binary(),
        Path::new(&crun),
        "bare names are found on PATH"
    );
    assert_eq!(resolved.configured_path(), "crun");
}

#[test]
fn unknown_and_shim_runtimes_do_not_resolve() {
    let area = Area::new();
    let store =
        area.start(area.config(&[("kata", RuntimeConfig::from_type("io.containerd.kata.v2"))]));
    let snapshot = store.load();
    let err = snapshot.resolve("nope").unwrap_err();
    assert_eq!(err.to_string(), "unknown or invalid runtime name: nope");
    let err = snapshot.resolve("kata").unwrap_err();
    assert!(matches!(err, RuntimeError::ShimUnsupported { .. }), "{err}");
    assert!(err.to_string().contains("io.containerd.kata.v2"), "{err}");
    assert!(matches!(
        snapshot.get("kata").unwrap().kind(),
        RuntimeKind::Shim { .. }
    ));
}

#[test]
fn preflight_of_a_wrapped_runtime_names_the_configured_path() {
    let area = Area::new();
    let missing = area.tmp.path().join("not installed/my-runc");
    let missing = missing.to_str().unwrap();
    let store = area.start(area.config(&[("mine", wrapped(missing, &["--debug"]))]));
    let resolved = store.load().resolve("mine").unwrap();
    assert!(resolved.binary().exists(), "the wrapper itself is there");
    let err = resolved.preflight().unwrap_err();
    assert!(
        matches!(err, RuntimeError::TargetUnavailable { .. }),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains(missing), "{text}");
    assert!(text.contains("runtime mine:"), "{text}");
    assert!(
        !text.contains(resolved.binary().to_str().unwrap()),
        "{text}"
    );
    assert!(!text.contains(RUNTIMES_DIR), "{text}");
}

#[test]
fn preflight_of_a_plain_runtime_checks_it_is_executable() {
    let area = Area::new();
    let plain = area.tmp.path().join("plain");
    fs::write(&plain, "#!/bin/sh\n").unwrap();
    let plain = plain.to_str().unwrap();
    let store = area.start(area.config(&[
        ("plain", RuntimeConfig::from_path(plain)),
        ("missing", RuntimeConfig::from_path("no-such-runtime")),
    ]));
    let text = store
        .load()
        .resolve("plain")
        .unwrap()
        .preflight()
        .unwrap_err()
        .to_string();
    assert!(
        text.contains(plain) && text.contains("not executable"),
        "{text}"
    );
    let text = store
        .load()
        .resolve("missing")
        .unwrap()
        .preflight()
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("\"no-such-runtime\"") && text.contains("$PATH"),
        "{text}"
    );
}

#[test]
fn preflight_of_a_wrapped_runtime_checks_the_wrapper_too() {
    let area = Area::new();
    let store = area.start(area.config(&[("w", wrapped("/bin/true", &["-x"]))]));
    let resolved = store.load().resolve("w").unwrap();
    resolved.preflight().unwrap();
    fs::remove_file(resolved.binary()).unwrap(); // someone else's doing
    let err = resolved.preflight().unwrap_err();
    assert!(
        matches!(err, RuntimeError::WrapperUnavailable { .. }),
        "{err}"
    );
}

// ---- features ----

/// A fake runtime that answers `features` (its last argument) by running
/// `answer`, and logs each call and its arguments to `<path>.calls`.
fn fake_runtime(area: &Area, path: &Path, answer: &str) -> String {
    let calls = format!("{}.calls", path.display());
    area.exe(
        path,
        &format!(
            "echo \"$*\" >> '{calls}'\nfor last; do :; done\nif [ \"$last\" = features ]; then\n{answer}\nfi\nexit 3\n"
        ),
    )
}

fn calls(path: &str) -> Vec<String> {
    fs::read_to_string(format!("{path}.calls"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn probing(timeout: Duration) -> FeatureProbe {
    FeatureProbe::Run { timeout }
}

#[test]
fn features_json_is_kept_in_the_snapshot_and_probed_once() {
    let area = Area::new();
    let runc = fake_runtime(
        &area,
        &area.bin().join("runc"),
        "echo '{\"ociVersionMin\": \"1.0.0\", \"hooks\": [\"prestart\"]}'; exit 0",
    );
    let crun = fake_runtime(
        &area,
        &area.tmp.path().join("crun"),
        "echo '{\"crun\": true}'; exit 0",
    );
    let config = area.config(&[
        ("crun", RuntimeConfig::from_path(&crun)),
        (
            "crun-debug",
            RuntimeConfig::from_path(&crun).with_args(["--debug"]),
        ),
    ]);
    let store = RuntimeStore::start(
        config.clone(),
        area.options(probing(DEFAULT_FEATURES_TIMEOUT)),
        &HashSet::new(),
    )
    .unwrap();
    let snapshot = store.load();
    let runc_features = json!({"ociVersionMin": "1.0.0", "hooks": ["prestart"]});
    assert_eq!(snapshot.features("runc"), Some(&runc_features));
    assert_eq!(
        snapshot.features("io.containerd.runc.v2"),
        Some(&runc_features)
    );
    assert_eq!(snapshot.features(""), Some(&runc_features));
    assert_eq!(snapshot.features("crun"), Some(&json!({"crun": true})));
    assert_eq!(
        snapshot.features("crun-debug"),
        Some(&json!({"crun": true}))
    );
    // The two built-ins share one binary: one probe. The wrapper passes its args.
    assert_eq!(calls(&runc), ["features"]);
    let mut crun_calls = calls(&crun);
    crun_calls.sort();
    assert_eq!(crun_calls, ["--debug features", "features"]);

    // Resolving never runs anything; a reload probes again.
    for _ in 0..50 {
        snapshot.resolve("crun-debug").unwrap();
        snapshot.resolve("runc").unwrap();
    }
    assert_eq!(calls(&runc).len(), 1);
    store.reload(config).unwrap();
    assert_eq!(calls(&runc).len(), 2);
    assert_eq!(calls(&crun).len(), 4);
}

#[test]
fn features_are_none_when_the_runtime_fails() {
    let area = Area::new();
    let cases = [
        ("exits-1", "echo '{\"a\": 1}'; exit 1"),
        ("not-json", "echo 'features: none'; exit 0"),
        ("not-object", "echo '[1, 2]'; exit 0"),
        ("silent", "exit 0"),
    ];
    let runtimes: Vec<(&str, RuntimeConfig)> = cases
        .iter()
        .map(|(name, answer)| {
            (
                *name,
                RuntimeConfig::from_path(fake_runtime(&area, &area.tmp.path().join(name), answer)),
            )
        })
        .collect();
    let mut runtimes = runtimes;
    runtimes.push(("absent", RuntimeConfig::from_path("/nonexistent/runtime")));
    runtimes.push(("absent-wrapped", wrapped("/nonexistent/runtime", &["--x"])));
    let store = RuntimeStore::start(
        area.config(&runtimes),
        area.options(probing(DEFAULT_FEATURES_TIMEOUT)),
        &HashSet::new(),
    )
    .unwrap();
    let snapshot = store.load();
    for (name, _) in &runtimes {
        assert_eq!(snapshot.features(name), None, "{name}");
    }
    assert_eq!(
        snapshot.features("runc"),
        None,
        "runc is not installed in the test area"
    );
}

#[test]
fn features_probe_times_out() {
    let area = Area::new();
    let slow = fake_runtime(&area, &area.tmp.path().join("slow"), "exec sleep 30");
    let started = Instant::now();
    let value = probe_features(Path::new(&slow), Duration::from_millis(200));
    assert_eq!(value, None);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let store = RuntimeStore::start(
        area.config(&[("slow", RuntimeConfig::from_path(&slow))]),
        area.options(probing(Duration::from_millis(200))),
        &HashSet::new(),
    )
    .unwrap();
    assert_eq!(store.load().features("slow"), None);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

// ---- concurrency ----

/// The config of reload number `i`: runtimes come and go, and their
/// arguments change, over a bounded set of contents (so most reloads find
/// their scripts already written, as a real daemon's would).
fn churn_config(area: &Area, i: usize) -> DaemonConfig {
    let mut runtimes = vec![(
        "always",
        wrapped("/nonexistent/a", &[&format!("--v={}", i % 7)]),
    )];
    if i.is_multiple_of(3) {
        runtimes.push((
            "sometimes",
            wrapped("/nonexistent/b", &["it's", &format!("{}", i % 5)]),
        ));
    }
    if i.is_multiple_of(2) {
        runtimes.push(("plain", RuntimeConfig::from_path("/nonexistent/c")));
    }
    if i % 4 == 1 {
        runtimes.push((
            "flip",
            wrapped(
                if i % 8 == 1 {
                    "/nonexistent/d"
                } else {
                    "/nonexistent/e"
                },
                &["x y"],
            ),
        ));
    }
    let mut config = area.config(&runtimes);
    if i.is_multiple_of(5) {
        config.default_runtime = Some("always".into());
    }
    config
}

#[test]
fn concurrent_reloads_never_break_a_resolved_path() {
    const RELOADS: usize = 2000;
    const READERS: usize = 3;
    let started = Instant::now();
    let area = Area::new();
    let store = Arc::new(area.start(churn_config(&area, 0)));
    let runtimes_dir = area.runtimes_dir();
    let done = Arc::new(AtomicBool::new(false));
    let resolves = Arc::new(AtomicUsize::new(0));

    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (store, done, resolves, dir) = (
                store.clone(),
                done.clone(),
                resolves.clone(),
                runtimes_dir.clone(),
            );
            std::thread::spawn(move || {
                let mut seen: HashMap<PathBuf, Vec<u8>> = HashMap::new();
                let names = ["always", "sometimes", "plain", "flip", "runc", ""];
                let mut round = 0usize;
                while !done.load(Ordering::Relaxed) || round < 200 {
                    round += 1;
                    // One snapshot per "request".
                    let snapshot = store.load();
                    for name in names {
                        let Ok(resolved) = snapshot.resolve(name) else {
                            assert!(
                                snapshot.get(name).is_none(),
                                "{name} is in the snapshot but did not resolve"
                            );
                            continue;
                        };
                        resolves.fetch_add(1, Ordering::Relaxed);
                        let binary = resolved.binary().to_path_buf();
                        if !binary.starts_with(&dir) {
                            continue;
                        }
                        let bytes = fs::read(&binary)
                            .unwrap_or_else(|e| panic!("{} unreadable: {e}", binary.display()));
                        match seen.get(&binary) {
                            Some(before) => {
                                assert_eq!(before, &bytes, "{} changed", binary.display())
                            }
                            None => {
                                seen.insert(binary, bytes);
                            }
                        }
                    }
                }
                seen
            })
        })
        .collect();

    for i in 1..=RELOADS {
        let snapshot = store.reload(churn_config(&area, i)).unwrap();
        assert_eq!(snapshot.generation(), i as u64 + 1);
    }
    done.store(true, Ordering::Relaxed);

    let mut all: HashMap<PathBuf, Vec<u8>> = HashMap::new();
    for reader in readers {
        for (path, bytes) in reader.join().unwrap() {
            if let Some(other) = all.insert(path.clone(), bytes.clone()) {
                assert_eq!(other, bytes, "{}", path.display());
            }
        }
    }
    assert!(
        resolves.load(Ordering::Relaxed) >= 1000,
        "only {} resolves",
        resolves.load(Ordering::Relaxed)
    );
    assert!(all.len() >= 5, "saw only {} scripts", all.len());
    for (path, bytes) in &all {
        assert_eq!(&fs::read(path).unwrap(), bytes, "{}", path.display());
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            name.rsplit_once('.').unwrap().1,
            sha256_hex(bytes),
            "{name}"
        );
    }
    assert!(
        area.names().iter().all(|n| !n.starts_with('.')),
        "temp files left"
    );
    eprintln!(
        "{RELOADS} reloads, {} resolves, {} scripts in {:?}",
        resolves.load(Ordering::Relaxed),
        all.len(),
        started.elapsed()
    );
}
