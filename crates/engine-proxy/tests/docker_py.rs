//! docker-py (the Python SDK) through the proxy to engined: run, exec,
//! list, logs as direct; a denial is its `APIError` 403 with the rule and
//! the field. Skipped with a notice where no docker-py is found.

use std::process::Command;

use test_support::docker_py::docker_py;
use test_support::engined::Engined;

use crate::harness::Proxy;

const POLICY: &str = "default: allow\nrules:\n  - name: no-privileged\n    operations: [ContainerCreate]\n    require:\n      privileged: false\n";

#[test]
fn docker_py_through_the_proxy() {
    let python = match docker_py() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let Some(engined) = Engined::start_named("proxy-docker-py") else {
        return;
    };
    engined.import_mini();
    let proxy = Proxy::start("docker-py", &engined.host(), POLICY);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/py/through_proxy.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(proxy.host())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.ends_with("all ok\n"),
        "{stdout}\n{}\nproxy log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        proxy.log()
    );
    assert_eq!(
        engined.docker(&["ps", "-aq"]),
        "",
        "the script removed what it made"
    );
}
