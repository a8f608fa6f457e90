//! TLS on both sides: a proxy listening on TCP with `--tlsverify` (client
//! certificates required) in front of engined, and a second proxy whose
//! upstream is the first over TLS with its own client certificate; the
//! docker CLI with its certificates gets through, without them it does not.

use test_support::certs;
use test_support::docker_cli;
use test_support::engined::Engined;

use crate::harness::{Proxy, ALLOW_ALL};

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn tls_listener_and_tls_upstream() {
    let Some(engined) = Engined::start_named("proxy-tls") else {
        return;
    };
    let pki = certs::generate(&engined.dir.join("pki"), "engine-proxy");
    let port = free_port();
    let addr = format!("tcp://127.0.0.1:{port}");
    let path = |p: &std::path::Path| p.display().to_string();
    let front = Proxy::start_args(
        "tls-front",
        &[
            "--upstream".into(),
            engined.host(),
            "-H".into(),
            addr.clone(),
            "--tlsverify".into(),
            "--tlscacert".into(),
            path(&pki.server.ca),
            "--tlscert".into(),
            path(&pki.server.cert),
            "--tlskey".into(),
            path(&pki.server.key),
        ],
        ALLOW_ALL,
        &[],
    );
    let tls_args = |host: &str| {
        vec![
            "--tlsverify".to_string(),
            "--tlscacert".into(),
            path(&pki.client.ca),
            "--tlscert".into(),
            path(&pki.client.cert),
            "--tlskey".into(),
            path(&pki.client.key),
            "-H".into(),
            host.to_string(),
            "version".into(),
            "--format".into(),
            "{{.Server.APIVersion}}".into(),
        ]
    };
    let run = |args: &[String]| {
        std::process::Command::new(docker_cli::DOCKER)
            .args(args)
            .output()
            .unwrap()
    };
    let direct = docker_cli::succeeds(
        &engined.host(),
        &["version", "--format", "{{.Server.APIVersion}}"],
        String::new,
    );
    let out = run(&tls_args(&addr));
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        front.log()
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), direct);
    // Without a client certificate the handshake is refused.
    let bare = run(&[
        "-H".into(),
        addr.clone(),
        "--tls".into(),
        "--tlscacert".into(),
        path(&pki.client.ca),
        "version".into(),
    ]);
    assert!(!bare.status.success());
    // A second proxy reaching the first over TLS with a client certificate.
    let back = Proxy::start_args(
        "tls-back",
        &[
            "--upstream".into(),
            addr.clone(),
            "--upstream-tlscacert".into(),
            path(&pki.client.ca),
            "--upstream-tlscert".into(),
            path(&pki.client.cert),
            "--upstream-tlskey".into(),
            path(&pki.client.key),
        ],
        ALLOW_ALL,
        &[],
    );
    let chained = back.docker(&["version", "--format", "{{.Server.APIVersion}}"]);
    assert!(
        chained.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&chained.stderr),
        back.log()
    );
    assert_eq!(String::from_utf8_lossy(&chained.stdout), direct);
}
