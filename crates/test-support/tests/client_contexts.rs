//! Endpoints chosen as the docker CLI chooses them, from files the test
//! writes the way `docker context create` does: a CLI config directory
//! (DOCKER_CONFIG) whose `config.json` names the current context, a unix
//! context and a TLS context (its `ca.pem`/`cert.pem`/`key.pem` in the
//! context's TLS store), DOCKER_CONTEXT over `currentContext`, DOCKER_HOST
//! over both, a context that skips verification refused, and unverified
//! TLS only through the builder method that names the danger. The daemons
//! are the test backend of the generated server, on a unix socket and on
//! TCP with TLS. The real docker CLI reads the same directory, as a check
//! that the files are the ones it writes.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use engine_api::rt::client::TlsFiles;
use engine_api::rt::host::{context_dir_name, EndpointSource, EnvConfig, Host};
use engine_api::rt::server::{serve, Listener, ServerTls};
use engine_api::server::Router;
use engine_api::{Client, ClientBuilder};
use test_support::backend::{server_info, Backend, Log, Served};
use test_support::certs;
use test_support::scratch::{fresh_dir, remove_dir};

fn write_context(config: &Path, name: &str, host: &str, tls: Option<&certs::Party>) {
    let id = context_dir_name(name);
    let meta = config.join("contexts/meta").join(&id);
    std::fs::create_dir_all(&meta).unwrap();
    let doc = serde_json::json!({
        "Name": name,
        "Metadata": {"Description": "made by client_contexts"},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}},
    });
    std::fs::write(meta.join("meta.json"), doc.to_string()).unwrap();
    if let Some(p) = tls {
        let dir = config.join("contexts/tls").join(&id).join("docker");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&p.ca, dir.join("ca.pem")).unwrap();
        std::fs::copy(&p.cert, dir.join("cert.pem")).unwrap();
        std::fs::copy(&p.key, dir.join("key.pem")).unwrap();
    }
}

fn lookup(vars: &[(&str, String)]) -> EnvConfig {
    let env: HashMap<&str, String> = vars.iter().cloned().collect();
    EnvConfig::from_lookup(|k| env.get(k).cloned()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contexts_choose_the_daemon_like_the_docker_cli() {
    let dir = fresh_dir("client-contexts");
    let config = dir.join("docker-config");
    std::fs::create_dir_all(&config).unwrap();

    // Daemon one: the backend on a unix socket.
    let socket = dir.join("local.sock");
    let local = Served::start(socket.clone()).await.unwrap();
    // Daemon two: another backend on TCP with TLS and client certificates.
    let pki = certs::generate(&dir.join("pki"), "contexts");
    let tls = ServerTls {
        ca: pki.server.ca.clone(),
        cert: pki.server.cert.clone(),
        key: pki.server.key.clone(),
    };
    let listener = Listener::bind(&Host::Tcp("127.0.0.1:0".into()), Some(&tls))
        .await
        .unwrap();
    let addr = listener.local_addr();
    let remote_log = Arc::new(Log::default());
    let router = Arc::new(Router::new(Backend::new(remote_log.clone()), server_info()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, router, async {
        let _ = stopped.await;
    }));

    write_context(
        &config,
        "local",
        &format!("unix://{}", socket.display()),
        None,
    );
    write_context(&config, "secure", &addr, Some(&pki.client));
    std::fs::write(config.join("config.json"), r#"{"currentContext":"secure"}"#).unwrap();
    let base = vec![
        ("DOCKER_CONFIG", config.display().to_string()),
        ("HOME", dir.display().to_string()),
    ];

    // config.json's current context: TLS with the context's own files.
    let cfg = lookup(&base);
    assert_eq!(cfg.source, EndpointSource::Context("secure".into()));
    assert!(cfg.tls_verify);
    let c: Client = ClientBuilder::from_config(cfg).build().unwrap();
    c.system_version().await.unwrap();
    assert!(remote_log.hit().contains("SystemVersion"));
    assert!(!local.log.hit().contains("SystemVersion"));

    // DOCKER_CONTEXT wins over config.json.
    let mut vars = base.clone();
    vars.push(("DOCKER_CONTEXT", "local".into()));
    let cfg = lookup(&vars);
    assert_eq!(cfg.source, EndpointSource::Context("local".into()));
    let c: Client = ClientBuilder::from_config(cfg).build().unwrap();
    c.system_version().await.unwrap();
    assert!(local.log.hit().contains("SystemVersion"));

    // DOCKER_HOST wins over both.
    let mut vars = base.clone();
    vars.push(("DOCKER_CONTEXT", "secure".into()));
    vars.push(("DOCKER_HOST", format!("unix://{}", socket.display())));
    let cfg = lookup(&vars);
    assert_eq!(cfg.source, EndpointSource::DockerHost);
    assert!(!cfg.tls_verify);

    // A context that would not verify its daemon is refused.
    let sloppy = config
        .join("contexts/meta")
        .join(context_dir_name("sloppy"));
    std::fs::create_dir_all(&sloppy).unwrap();
    let doc = serde_json::json!({
        "Name": "sloppy",
        "Metadata": {},
        "Endpoints": {"docker": {"Host": addr, "SkipTLSVerify": true}},
    });
    std::fs::write(sloppy.join("meta.json"), doc.to_string()).unwrap();
    let mut vars = base.clone();
    vars.push(("DOCKER_CONTEXT", "sloppy".into()));
    let env: HashMap<&str, String> = vars.into_iter().collect();
    let err = EnvConfig::from_lookup(|k| env.get(k).cloned()).unwrap_err();
    assert!(err.to_string().contains("without verifying"), "{err}");

    // Unverified TLS only when asked for by name: a CA that did not sign
    // the daemon's certificate fails verification, and is ignored when the
    // caller opts out of it (the client certificate is still presented).
    let stranger = certs::generate(&dir.join("stranger"), "stranger");
    let files = TlsFiles {
        ca: stranger.client.ca.clone(),
        cert: pki.client.cert.clone(),
        key: pki.client.key.clone(),
    };
    let tcp = Host::Tcp(addr.trim_start_matches("tcp://").to_string());
    let verified: Client = ClientBuilder::new(tcp.clone())
        .tls(files.clone())
        .build()
        .unwrap();
    let err = verified.system_ping().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    let unverified: Client = ClientBuilder::new(tcp)
        .tls(files)
        .danger_tls_without_verification()
        .build()
        .unwrap();
    unverified.system_ping().await.unwrap();

    // The docker CLI reads the same files: its `context ls` lists ours.
    let docker = Path::new("/usr/local/bin/docker");
    if docker.exists() {
        let out = std::process::Command::new(docker)
            .args(["context", "ls", "--format", "{{.Name}} {{.DockerEndpoint}}"])
            .env("DOCKER_CONFIG", &config)
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("local unix://{}", socket.display())),
            "{text}"
        );
        assert!(text.contains(&format!("secure {addr}")), "{text}");
    } else {
        eprintln!("note: no docker CLI, the files are not cross-checked with it");
    }

    let _ = stop.send(());
    let _ = server.await;
    drop(local);
    remove_dir(&dir);
}
