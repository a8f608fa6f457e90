//! SIGHUP reloads the policy; a file with an error is refused with its
//! `file:line:col` in the log and the policy in use stays. The upstream is
//! a socket nobody listens on: a denied request is a 403, an allowed one
//! reaches for the upstream and is a 502.

use crate::harness::{raw, Proxy};

const NO_PS: &str =
    "default: allow\nrules:\n  - name: no-ps\n    operations: [ContainerList]\n    action: deny\n";

fn ps_status(proxy: &Proxy) -> (String, String) {
    raw(
        &proxy.socket(),
        "GET /v1.41/containers/json HTTP/1.0\r\n\r\n",
    )
}

#[test]
fn a_bad_file_at_reload_keeps_the_old_policy() {
    let proxy = Proxy::start(
        "reload",
        "unix:///nonexistent/engine-proxy-test.sock",
        NO_PS,
    );
    let (status, body) = ps_status(&proxy);
    assert!(status.contains(" 403 "), "{status}");
    assert_eq!(
        body.trim(),
        r#"{"message":"denied by rule no-ps: ContainerList is not allowed"}"#
    );
    // An unknown operationId on line 4: refused, the old policy stays.
    proxy.reload(
        "default: allow\nrules:\n  - name: x\n    operations: [ContainerLits]\n    action: deny\n",
    );
    let log = proxy.log();
    assert!(log.contains("policy reload refused"), "{log}");
    assert!(
        log.contains("policy.yaml:4:18: `ContainerLits` is no operationId"),
        "{log}"
    );
    assert!(ps_status(&proxy).0.contains(" 403 "));
    // Not YAML at all: refused too.
    proxy.reload("rules: [\n");
    assert!(ps_status(&proxy).0.contains(" 403 "));
    // A valid file replaces the policy.
    proxy.reload("default: allow\n");
    assert!(proxy.log().contains("policy reloaded"));
    let (status, _) = ps_status(&proxy);
    assert!(status.contains(" 502 "), "{status}");
}

#[test]
fn a_bad_file_at_start_is_refused_with_its_position() {
    let dir = test_support::scratch::fresh_dir("engine-proxy-badstart");
    let policy = dir.join("p.yaml");
    std::fs::write(&policy, "rules:\n  - name: a\n    action: maybe\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_engine-proxy"))
        .args(["--upstream", "unix:///nonexistent.sock", "-H"])
        .arg(format!("unix://{}", dir.join("s.sock").display()))
        .arg("--policy")
        .arg(&policy)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    test_support::scratch::remove_dir(&dir);
    assert!(!out.status.success());
    assert!(
        err.contains("p.yaml:3:13: unknown variant `maybe`"),
        "{err}"
    );
}
