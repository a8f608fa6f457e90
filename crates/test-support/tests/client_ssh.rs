//! `ssh://` hosts end to end: a private sshd on 127.0.0.1 (key, host key
//! and config made here) whose ForceCommand is the real docker CLI's
//! `docker -H unix://SOCKET system dial-stdio`, forwarding to the test
//! backend of the generated server on a unix socket. The client runs
//! `ssh ... docker system dial-stdio` as the docker CLI does, from an
//! explicit endpoint and from DOCKER_HOST. Skipped (with a notice) without
//! sshd, ssh, the docker CLI or root.

use std::collections::HashMap;
use std::time::Duration;

use engine_api::rt::host::{Endpoint, EnvConfig};
use engine_api::{Client, ClientBuilder};
use futures_util::TryStreamExt;
use test_support::backend::Served;
use test_support::scratch::{fresh_dir, remove_dir};
use test_support::sshd::Sshd;

const DOCKER: &str = "/usr/local/bin/docker";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_reaches_a_daemon_over_ssh() {
    if !std::path::Path::new(DOCKER).exists() {
        eprintln!("skipped: no docker CLI at {DOCKER} (it forwards on the remote side)");
        return;
    }
    let dir = fresh_dir("client-ssh");
    let socket = dir.join("api.sock");
    let served = Served::start(socket.clone()).await.unwrap();
    let force = format!("{DOCKER} -H unix://{} system dial-stdio", socket.display());
    let Some(sshd) = Sshd::start("client", &force) else {
        remove_dir(&dir);
        return;
    };

    let endpoint = Endpoint::parse(&sshd.url(), false).unwrap();
    let c: Client = ClientBuilder::endpoint(endpoint)
        .ssh_options(sshd.client_options())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    assert!(c.transport().host().starts_with("ssh://root@127.0.0.1:"));
    let version = c.system_version().await.unwrap_or_else(|e| {
        panic!("{e} (sshd log: {})", sshd.log());
    });
    assert!(version.api_version.is_some());
    served
        .log
        .fail("ContainerInspect", 404, "No such container: far");
    let err = c
        .container_inspect("far", &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    // A stream over the ssh pipe.
    let events: Vec<_> = c
        .system_events(&Default::default())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(!events.is_empty());
    let hit = served.log.hit();
    assert!(
        hit.contains("SystemVersion") && hit.contains("SystemEvents"),
        "{hit:?}"
    );

    // DOCKER_HOST=ssh://... as the docker CLI reads it.
    let env: HashMap<&str, String> = [
        ("DOCKER_HOST", sshd.url()),
        ("HOME", dir.display().to_string()),
    ]
    .into();
    let cfg = EnvConfig::from_lookup(|k| env.get(k).cloned()).unwrap();
    let from_env: Client = ClientBuilder::from_config(cfg)
        .ssh_options(sshd.client_options())
        .build()
        .unwrap();
    from_env.system_ping().await.unwrap();

    // A key the server does not know: ssh's own words come back.
    let stranger = dir.join("stranger");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&stranger)
        .status()
        .unwrap();
    assert!(status.success());
    let refused: Client = ClientBuilder::endpoint(Endpoint::parse(&sshd.url(), false).unwrap())
        .ssh_options(sshd.options_with_key(&stranger))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let err = refused.system_ping().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(
        err.to_string().contains("Permission denied"),
        "ssh's reason is not in the error: {err}"
    );

    drop((c, from_env, refused));
    drop(sshd);
    drop(served);
    remove_dir(&dir);
}
