//! A second test registry with TLS (a CA of the test's own, client
//! certificates required) and htpasswd basic auth. engined trusts it
//! through `<certs.d>/127.0.0.1:PORT/ca.crt` in a private
//! `registry-certs-dir` and shows its `client.cert`/`client.key` there; the docker CLI keeps its login in a
//! private `--config` directory. Without a login pull and push are refused in
//! dockerd's words, a wrong password is the registry's 401, a login lets
//! push and pull through, engined's log never holds the password, and a
//! CA that did not sign the registry's certificate is an x509 error
//! naming the registry. A third, TLS only, is trusted by no one: as an
//! insecure registry (loopback) engined speaks TLS to it unverified, as
//! dockerd does, instead of plain HTTP that the port would not answer.

use std::path::{Path, PathBuf};
use std::process::Output;

use super::registry::{self, Registry};
use test_support::certs;
use test_support::docker_cli;
use test_support::engined::Engined;
use test_support::skip::{skip_reason, Need};

const USER: &str = "tester";
const PASSWORD: &str = "pw-5d1c9e7a-never-logged";

/// `docker args...` against `d` with the CLI's own config directory
/// `config` (where `docker login` keeps the credentials), `input` on stdin.
fn cli(d: &Engined, config: &Path, args: &[&str], input: &[u8]) -> Output {
    let config = config.to_str().unwrap();
    let mut all = vec!["--config", config];
    all.extend_from_slice(args);
    docker_cli::with_input(&d.host(), &all, input)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn trust(certs_dir: &Path, addr: &str, ca: &Path) -> PathBuf {
    let dir = certs_dir.join(addr);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ca.crt");
    std::fs::copy(ca, &path).unwrap();
    path
}

#[test]
fn login_push_and_pull_over_tls_with_basic_auth() {
    if let Some(why) = skip_reason(Need::Containers).or_else(registry::missing) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("registry_tls");
    let pki = certs::generate(&dir.join("pki"), "registry");
    let wrong = certs::generate(&dir.join("wrong-pki"), "other");
    let hash = bcrypt::hash_with_result(PASSWORD, 4)
        .unwrap()
        .format_for_version(bcrypt::Version::TwoY);
    let htpasswd = dir.join("htpasswd");
    std::fs::write(&htpasswd, format!("{USER}:{hash}\n")).unwrap();
    let registry = Registry::start_secure(
        &dir,
        &pki.server.cert,
        &pki.server.key,
        &pki.client.ca,
        &htpasswd,
    );
    let certs_dir = dir.join("certs.d");
    let ca = trust(&certs_dir, &registry.addr, &pki.server.ca);

    std::fs::write(
        dir.join("daemon.json"),
        format!(r#"{{"registry-certs-dir": "{}"}}"#, certs_dir.display()),
    )
    .unwrap();
    let config = dir.join("docker-config");
    std::fs::create_dir_all(&config).unwrap();

    let d = Engined::start(&dir);
    d.import_mini();
    let name = format!("{}:v1", registry.name("test/secure"));
    d.docker(&["tag", "mini", &name]);
    let id = d.docker(&["image", "inspect", "mini", "--format", "{{.Id}}"]);

    // The registry wants a client certificate: without one, even the
    // right password gets nowhere.
    let out = cli(
        &d,
        &config,
        &["login", &registry.addr, "-u", USER, "--password-stdin"],
        PASSWORD.as_bytes(),
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&registry.addr), "{}", text(&out));
    // dockerd's names for the pair.
    let host_dir = certs_dir.join(&registry.addr);
    std::fs::copy(&pki.client.cert, host_dir.join("client.cert")).unwrap();
    std::fs::copy(&pki.client.key, host_dir.join("client.key")).unwrap();

    // No login: refused.
    let out = cli(&d, &config, &["push", &name], b"");
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("no basic auth credentials"),
        "{}",
        text(&out)
    );
    let out = cli(&d, &config, &["pull", &name], b"");
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("no basic auth credentials"),
        "{}",
        text(&out)
    );

    // A wrong password: the registry's 401.
    let login = |password: &str| {
        cli(
            &d,
            &config,
            &["login", &registry.addr, "-u", USER, "--password-stdin"],
            password.as_bytes(),
        )
    };
    let out = login("not-the-password");
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "login attempt to https://{}/v2/ failed with status: 401 Unauthorized",
            registry.addr
        )),
        "{}",
        text(&out)
    );
    let out = login(PASSWORD);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Login Succeeded"), "{}", text(&out));

    // Logged in: push, forget, pull back.
    let out = cli(&d, &config, &["push", &name], b"");
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("v1: digest: sha256:"), "{}", text(&out));
    d.docker(&["rmi", &name]);
    let out = cli(&d, &config, &["pull", &name], b"");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        d.docker(&["image", "inspect", &name, "--format", "{{.Id}}"]),
        id
    );

    // A CA that did not sign the registry's certificate (read again for
    // each request: no restart needed).
    std::fs::copy(&wrong.server.ca, &ca).unwrap();
    d.docker(&["rmi", &name]);
    let out = cli(&d, &config, &["pull", &name], b"");
    assert!(!out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("x509: certificate signed by unknown authority")
            && said.contains(&registry.addr),
        "{said}"
    );

    assert!(!d.log().contains(PASSWORD), "engined logged the password");
    drop(d);
    drop(registry);
}

#[test]
fn an_insecure_registry_serving_tls_is_spoken_to_over_tls_unverified() {
    if let Some(why) = skip_reason(Need::Containers).or_else(registry::missing) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("registry_tls_insecure");
    let pki = certs::generate(&dir.join("pki"), "registry");
    let registry = Registry::start_tls(&dir, &pki.server.cert, &pki.server.key);
    // No certs.d entry for it anywhere engined looks.
    let certs_dir = dir.join("certs.d");
    std::fs::create_dir_all(&certs_dir).unwrap();
    std::fs::write(
        dir.join("daemon.json"),
        format!(r#"{{"registry-certs-dir": "{}"}}"#, certs_dir.display()),
    )
    .unwrap();
    let d = Engined::start(&dir);
    d.import_mini();
    let name = format!("{}:v1", registry.name("test/unverified"));
    d.docker(&["tag", "mini", &name]);
    let id = d.docker(&["image", "inspect", "mini", "--format", "{{.Id}}"]);
    let pushed = d.docker(&["push", &name]);
    assert!(pushed.contains("v1: digest: sha256:"), "{pushed}");
    // Gone from engined, so the pull downloads it.
    d.docker(&["rmi", &name, "mini"]);
    let pulled = d.docker(&["pull", &name]);
    assert!(pulled.contains("Downloaded newer image"), "{pulled}");
    assert_eq!(
        d.docker(&["image", "inspect", &name, "--format", "{{.Id}}"]),
        id
    );
    // Trusting a CA that did not sign it makes it a secure registry again:
    // verified, and refused.
    let wrong = certs::generate(&dir.join("wrong-pki"), "other");
    trust(&certs_dir, &registry.addr, &wrong.server.ca);
    d.docker(&["rmi", &name]);
    let said = d.docker_fails(&["pull", &name]);
    assert!(
        said.contains("x509: certificate signed by unknown authority"),
        "{said}"
    );
    drop(d);
    drop(registry);
}
