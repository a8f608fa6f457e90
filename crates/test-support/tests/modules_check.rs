//! `cargo xtask modules` on two fixture crates (`fixtures/modules/`): one
//! with two known cycles, one without; with and without allowlists, through
//! the library (the report) and the command line (the exit status).

use std::path::PathBuf;

use xtask::modules::{cli::run_cli, run, Options};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/modules")
}

fn options(krate: &str, allow: Option<&str>) -> Options {
    Options {
        manifest: fixtures().join(krate).join("Cargo.toml"),
        allowlist: allow.map(|a| fixtures().join(a)),
    }
}

fn cli(krate: &str, allow: Option<&str>) -> u8 {
    let o = options(krate, allow);
    let mut args = vec![
        "--manifest-path".to_string(),
        o.manifest.display().to_string(),
    ];
    match o.allowlist {
        Some(a) => args.extend(["--allow".to_string(), a.display().to_string()]),
        None => args.push("--no-allow".to_string()),
    }
    run_cli(&args)
}

#[test]
fn the_known_cycles_fail_with_one_reference_per_edge() {
    let outcome = run(&options("cyclic", None)).unwrap();
    assert!(outcome.failed());
    let report = outcome.report();
    let cycles: Vec<String> = outcome.new.iter().map(|c| c.render()).collect();
    assert_eq!(
        cycles,
        ["cyclic: {a -> b -> a}", "cyclic: outer::{p -> q -> p}"],
        "{report}"
    );
    for evidence in [
        "a -> b  src/a.rs:3 (crate::b::B)",
        "b -> a  src/b.rs:6 (crate::a::A)",
        // Inside `format!`'s arguments.
        "p -> q  src/outer/p.rs:6 (crate::outer::q::q)",
        // From the inline module in lib.rs.
        "q -> p  src/lib.rs:13 (crate::outer::p::P)",
    ] {
        assert!(
            report.contains(evidence),
            "{evidence} missing in:\n{report}"
        );
    }
    // lib, a, b, c (by #[path]), c::deep (beside it), outer, outer::p, outer::q.
    assert_eq!(outcome.modules, 8, "{report}");
    assert_eq!(cli("cyclic", None), 1);
}

#[test]
fn allowlisted_cycles_pass_whatever_the_walk_order() {
    let outcome = run(&options("cyclic", Some("cyclic.allow"))).unwrap();
    assert!(!outcome.failed(), "{}", outcome.report());
    assert_eq!(outcome.allowed.len(), 2);
    assert_eq!(cli("cyclic", Some("cyclic.allow")), 0);
}

#[test]
fn a_crate_without_cycles_passes_and_test_code_does_not_count() {
    let outcome = run(&options("acyclic", None)).unwrap();
    assert!(!outcome.failed(), "{}", outcome.report());
    assert!(outcome.new.is_empty() && outcome.allowed.is_empty());
    assert_eq!(outcome.modules, 4, "{}", outcome.report());
    assert_eq!(cli("acyclic", None), 0);
}

#[test]
fn an_allowlisted_cycle_that_is_gone_fails() {
    let outcome = run(&options("acyclic", Some("stale.allow"))).unwrap();
    assert!(outcome.failed());
    let report = outcome.report();
    assert!(
        report.contains("stale.allow:2: `acyclic: {a -> b -> a}` no longer exists: remove it from the allowlist"),
        "{report}"
    );
    assert_eq!(cli("acyclic", Some("stale.allow")), 1);
}

#[test]
fn what_cannot_be_read_is_exit_status_2() {
    assert_eq!(cli("acyclic", Some("no-such.allow")), 2);
    assert_eq!(cli("no-such-crate", None), 2);
    assert!(run(&options("acyclic", Some("no-such.allow"))).is_err());
}

#[test]
fn this_repository_has_no_cycle_outside_its_allowlist() {
    let root = xtask::project_root();
    let outcome = run(&Options {
        manifest: root.join("Cargo.toml"),
        allowlist: Some(root.join("hack/module-cycles.allow")),
    })
    .unwrap();
    assert!(!outcome.failed(), "{}", outcome.report());
}
