//! TLS on both sides: a proxy listening on TCP with `--tlsverify` (client
//! certificates required) in front of engined, and a second proxy whose
//! upstream is the first over TLS with its own client certificate; the
//! docker CLI with its certificates gets through, without them it does not.
//! And identities from certificates: alice's and bob's CNs each see only
//! their own containers; a certificate whose CN the policy does not know
//! is refused with 403.

use test_support::certs;
use test_support::docker_cli;
use test_support::engined::Engined;

use crate::harness::{Proxy, ALLOW_ALL};
use test_support::ports::free_port;

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

#[test]
fn the_certificate_cn_is_the_identity() {
    let Some(engined) = Engined::start_named("proxy-tls-cn") else {
        return;
    };
    engined.import_mini();
    let (pki, clients) =
        certs::generate_with_clients(&engined.dir.join("pki"), "engine-proxy", &["alice", "bob"]);
    let addr = format!("tcp://127.0.0.1:{}", free_port());
    let path = |p: &std::path::Path| p.display().to_string();
    let proxy = Proxy::start_args(
        "tls-cn",
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
        "default: allow\nowner_label: engine-proxy.owner\nidentities: [alice, bob]\n",
        &[],
    );
    let docker = |party: &certs::Party, args: &[&str]| {
        std::process::Command::new(docker_cli::DOCKER)
            .args(["--tlsverify", "--tlscacert"])
            .arg(&party.ca)
            .arg("--tlscert")
            .arg(&party.cert)
            .arg("--tlskey")
            .arg(&party.key)
            .args(["-H", &addr])
            .args(args)
            .output()
            .unwrap()
    };
    let ok = |party: &certs::Party, args: &[&str]| -> String {
        let out = docker(party, args);
        assert!(
            out.status.success(),
            "docker {args:?}: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            proxy.log()
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let (alice, bob) = (&clients[0], &clients[1]);
    let run = |party, name| {
        ok(
            party,
            &[
                "run",
                "-d",
                "--name",
                name,
                "--network",
                "none",
                "mini",
                "sleep",
                "60",
            ],
        )
    };
    run(alice, "cn-a");
    run(bob, "cn-b");
    assert_eq!(ok(alice, &["ps", "-a", "--format", "{{.Names}}"]), "cn-a");
    assert_eq!(ok(bob, &["ps", "-a", "--format", "{{.Names}}"]), "cn-b");
    let stop = docker(alice, &["stop", "cn-b"]);
    assert!(!stop.status.success());
    assert!(
        String::from_utf8_lossy(&stop.stderr).contains("No such container: cn-b"),
        "{}",
        String::from_utf8_lossy(&stop.stderr)
    );
    let label = docker_cli::succeeds(
        &engined.host(),
        &[
            "inspect",
            "--format",
            "{{index .Config.Labels \"engine-proxy.owner\"}}",
            "cn-b",
        ],
        String::new,
    );
    assert_eq!(label.trim(), "bob");
    // The CA's third client, CN `test client`, is no identity of the policy.
    let stranger = docker(&pki.client, &["ps", "-a"]);
    assert!(!stranger.status.success());
    let err = String::from_utf8_lossy(&stranger.stderr);
    assert!(
        err.contains(
            "denied by the policy's identities: test client is not an identity the policy knows"
        ),
        "{err}"
    );
    let audit = proxy.audit();
    assert!(
        audit
            .iter()
            .any(|e| e["identity"] == "test client" && e["decision"] == "refused"),
        "{audit:?}"
    );
    assert!(audit
        .iter()
        .any(|e| e["identity"] == "alice" && e["decision"] == "allow"));
    ok(alice, &["rm", "-f", "cn-a"]);
    ok(bob, &["rm", "-f", "cn-b"]);
}
