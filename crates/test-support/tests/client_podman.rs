//! The generated client against Debian's podman 4.3 serving its
//! Docker-compatible API (a private rootful service: own root, runroot and
//! tmpdir, vfs storage). The first increment of the compatibility matrix:
//! negotiation down to podman's 1.41, system calls, empty lists, a volume's
//! life, networks, an image loaded from a docker-archive the test writes,
//! inspected and deleted, a typed 404; each call is printed as a matrix row.
//! Skipped (with a notice) without podman or root.

use std::time::Duration;

use engine_api::rt::client::body;
use engine_api::rt::version::ApiVersion;
use engine_api::types::VolumeCreateOptions;
use engine_api::{Client, ClientBuilder};
use futures_util::StreamExt;
use test_support::podman::Podman;

fn row(op: &str, outcome: &str) {
    eprintln!("matrix: podman-4.3 | {op:<22} | {outcome}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_drives_podmans_compat_api() {
    let Some(podman) = Podman::start("client") else {
        return;
    };
    let c: Client = ClientBuilder::new(engine_api::rt::host::Host::Unix(
        podman.socket().to_path_buf(),
    ))
    .timeout(Duration::from_secs(60))
    .build()
    .unwrap();

    // podman's compat API says 1.41: negotiation goes down to it.
    assert_eq!(c.api_version().await.unwrap(), ApiVersion::new(1, 41));
    let ping = c.system_ping().await.unwrap();
    assert_eq!(ping.api_version.as_deref(), Some("1.41"));
    row("SystemPing", "ok");

    let version = c.system_version().await.unwrap();
    assert_eq!(version.api_version.as_deref(), Some("1.41"));
    row("SystemVersion", "ok");
    let info = c.system_info().await.unwrap();
    assert!(info.driver.as_deref() == Some("vfs"), "{:?}", info.driver);
    row("SystemInfo", "ok");

    assert!(c.image_list(&Default::default()).await.unwrap().is_empty());
    row("ImageList", "ok (empty)");
    assert!(c
        .container_list(&Default::default())
        .await
        .unwrap()
        .is_empty());
    row("ContainerList", "ok (empty)");

    let err = c
        .container_inspect("no-such-container", &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    row("ContainerInspect", "ok (404 as is_not_found)");

    let created = c
        .volume_create(&VolumeCreateOptions {
            name: Some("matrix-vol".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(created.name, "matrix-vol");
    row("VolumeCreate", "ok");
    assert_eq!(
        c.volume_inspect("matrix-vol").await.unwrap().name,
        "matrix-vol"
    );
    row("VolumeInspect", "ok");
    let listed = c.volume_list(&Default::default()).await.unwrap();
    let names: Vec<String> = listed
        .volumes
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names, ["matrix-vol"]);
    row("VolumeList", "ok");
    c.volume_delete("matrix-vol", &Default::default())
        .await
        .unwrap();
    assert!(c
        .volume_inspect("matrix-vol")
        .await
        .unwrap_err()
        .is_not_found());
    row("VolumeDelete", "ok");

    let networks = c.network_list(&Default::default()).await.unwrap();
    assert!(
        networks
            .iter()
            .any(|n| n.name.as_deref() == Some("podman") || n.name.as_deref() == Some("bridge")),
        "{networks:?}"
    );
    row("NetworkList", "ok");

    // An image from a docker-archive the test writes, loaded through the
    // client's ImageLoad (podman answers it as a JSON stream too).
    let layer = test_support::hostile::tar(|w| w.file("hello.txt", b"hello from the matrix\n"));
    let archive = test_support::hostile::saved_image("matrix:1", &[layer]);
    let loaded: Vec<_> = c
        .image_load(Some(body::bytes(archive)), &Default::default())
        .await
        .unwrap()
        .collect()
        .await;
    assert!(
        !loaded.is_empty() && loaded.iter().all(Result::is_ok),
        "{loaded:?}"
    );
    row("ImageLoad", "ok (JSON stream)");
    let images = c.image_list(&Default::default()).await.unwrap();
    let tags: Vec<String> = images
        .iter()
        .flat_map(|i| i.repo_tags.clone().unwrap_or_default())
        .collect();
    assert!(tags.iter().any(|t| t.ends_with("matrix:1")), "{tags:?}");
    row("ImageList", "ok (the loaded image)");
    let inspected = c.image_inspect("matrix:1").await.unwrap();
    assert_eq!(inspected.os.as_deref(), Some("linux"));
    row("ImageInspect", "ok");
    let deleted = c
        .image_delete("matrix:1", &Default::default())
        .await
        .unwrap();
    assert!(!deleted.is_empty());
    assert!(c
        .image_inspect("matrix:1")
        .await
        .unwrap_err()
        .is_not_found());
    row("ImageDelete", "ok");

    match c.system_data_usage(&Default::default()).await {
        Ok(_) => row("SystemDataUsage", "ok"),
        Err(e) => panic!("SystemDataUsage against podman: {e}"),
    }
    drop(c);
    drop(podman);
}
