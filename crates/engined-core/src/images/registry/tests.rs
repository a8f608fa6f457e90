//! The client against a small registry double on 127.0.0.1 that answers
//! from a table: bearer and basic challenges, dockerd's wording for a
//! refused repository, and blobs that end early or carry other bytes
//! (the file is removed either way).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::auth::Credentials;
use super::client::Session;
use super::manifest::{Descriptor, Manifest, OCI_MANIFEST};
use super::name::RemoteName;
use super::Kind;
use crate::images::blobs::digest_of;

struct Request {
    path: String,
    authorization: Option<String>,
}

struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// A Content-Length to announce instead of the body's (a cut answer).
    claimed: Option<usize>,
}

fn answer(status: u16, body: &[u8]) -> Answer {
    Answer {
        status,
        headers: Vec::new(),
        body: body.to_vec(),
        claimed: None,
    }
}

type Handler = Arc<dyn Fn(&Request, &str) -> Answer + Send + Sync>;

/// Serves `handler` (given each request and the server's address) on a
/// fresh port, one request per connection; returns the address.
async fn serve(handler: Handler) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let own = addr.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let handler = handler.clone();
            let addr = own.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if stream.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    // The client's TLS probe: a Go server's plain 400.
                    if head.is_empty() && byte[0] == 0x16 {
                        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                let authorization = head
                    .lines()
                    .find_map(|l| l.strip_prefix("authorization: "))
                    .map(String::from);
                let a = handler(
                    &Request {
                        path,
                        authorization,
                    },
                    &addr,
                );
                let mut out = format!(
                    "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    a.status,
                    a.claimed.unwrap_or(a.body.len())
                );
                for (k, v) in &a.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                let _ = stream.write_all(out.as_bytes()).await;
                let _ = stream.write_all(&a.body).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    addr
}

fn manifest_bytes(layer: &[u8]) -> Vec<u8> {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":2}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}]}}"#,
        digest_of(b"{}"),
        digest_of(layer),
        layer.len()
    )
    .into_bytes()
}

fn name(addr: &str) -> RemoteName {
    RemoteName::parse(&format!("{addr}/test/app"), Some("v1")).unwrap()
}

#[tokio::test]
async fn bearer_token_then_manifest_and_blob() {
    let layer = b"layer bytes".to_vec();
    let tokens = Arc::new(AtomicUsize::new(0));
    let counted = tokens.clone();
    let served = layer.clone();
    let addr = serve(Arc::new(move |r: &Request, addr: &str| {
        if r.path.starts_with("/token?") {
            counted.fetch_add(1, Ordering::SeqCst);
            assert_eq!(
                r.path,
                "/token?service=double&scope=repository%3Atest%2Fapp%3Apull"
            );
            // The credentials go to the token endpoint as basic auth.
            assert_eq!(r.authorization.as_deref(), Some("Basic dTpw"));
            return answer(200, br#"{"token":"t0k"}"#);
        }
        if r.authorization.as_deref() != Some("Bearer t0k") {
            let mut a = answer(401, br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#);
            a.headers.push((
                "www-authenticate",
                format!(r#"Bearer realm="http://{addr}/token",service="double",scope="repository:test/app:pull""#),
            ));
            return a;
        }
        if r.path == "/v2/test/app/manifests/v1" {
            let mut a = answer(200, &manifest_bytes(&served));
            a.headers.push(("content-type", OCI_MANIFEST.into()));
            return a;
        }
        if r.path == format!("/v2/test/app/blobs/{}", digest_of(&served)) {
            return answer(200, &served);
        }
        answer(404, b"")
    }))
    .await;
    let credentials = Credentials {
        username: "u".into(),
        password: "p".into(),
    };
    let session = Session::new(&name(&addr), Some(credentials)).await;
    let fetched = session.manifest("v1").await.unwrap();
    assert_eq!(fetched.digest, digest_of(&manifest_bytes(&layer)));
    let Manifest::Image(image) = fetched.manifest else {
        panic!("not an image manifest");
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob");
    let mut seen = 0;
    session
        .blob_to_file(&image.layers[0], &file, "filesystem layer", &mut |n| {
            seen = n
        })
        .await
        .unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), layer);
    assert_eq!(seen, layer.len() as u64);
    // One token served both requests.
    assert_eq!(tokens.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn basic_challenge_and_refusals() {
    let addr = serve(Arc::new(|r: &Request, _: &str| {
        if r.authorization.as_deref() == Some("Basic dTpw") {
            let mut a = answer(200, &manifest_bytes(b"x"));
            a.headers.push(("content-type", OCI_MANIFEST.into()));
            return a;
        }
        let mut a = answer(401, b"");
        a.headers
            .push(("www-authenticate", r#"Basic realm="double""#.into()));
        a
    }))
    .await;
    let credentials = Credentials {
        username: "u".into(),
        password: "p".into(),
    };
    Session::new(&name(&addr), Some(credentials))
        .await
        .manifest("v1")
        .await
        .unwrap();
    let anonymous = Session::new(&name(&addr), None)
        .await
        .manifest("v1")
        .await
        .unwrap_err();
    assert_eq!(anonymous.kind, Kind::Denied);
    assert_eq!(anonymous.message, "no basic auth credentials");

    // A 401 with no challenge: dockerd's wording.
    let addr = serve(Arc::new(|_: &Request, _: &str| {
        answer(
            401,
            br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
        )
    }))
    .await;
    let e = Session::new(&name(&addr), None)
        .await
        .manifest("v1")
        .await
        .unwrap_err();
    assert_eq!(e.kind, Kind::NotFound);
    assert_eq!(
        e.message,
        format!("pull access denied for {addr}/test/app, repository does not exist or may require 'docker login': unauthorized: authentication required")
    );
}

#[tokio::test]
async fn cut_or_wrong_blobs_leave_no_file() {
    let good = vec![7u8; 1000];
    let descriptor = Descriptor {
        media_type: "application/vnd.oci.image.layer.v1.tar".into(),
        digest: digest_of(&good),
        size: good.len() as u64,
        platform: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob");

    // The registry goes away after 10 of 1000 bytes.
    let addr = serve(Arc::new(|_: &Request, _: &str| {
        let mut a = answer(200, &[7u8; 10]);
        a.claimed = Some(1000);
        a
    }))
    .await;
    let e = Session::new(&name(&addr), None)
        .await
        .blob_to_file(&descriptor, &file, "filesystem layer", &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind, Kind::Unavailable, "{e}");
    assert!(!file.exists());

    // Other bytes of the right length.
    let addr = serve(Arc::new(|_: &Request, _: &str| answer(200, &[8u8; 1000]))).await;
    let e = Session::new(&name(&addr), None)
        .await
        .blob_to_file(&descriptor, &file, "filesystem layer", &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind, Kind::Integrity);
    assert_eq!(
        e.message,
        format!(
            "filesystem layer verification failed for digest {}",
            descriptor.digest
        )
    );
    assert!(!file.exists());

    // More bytes than announced stop at the announced size.
    let addr = serve(Arc::new(|_: &Request, _: &str| answer(200, &[7u8; 5000]))).await;
    let e = Session::new(&name(&addr), None)
        .await
        .blob_to_file(&descriptor, &file, "filesystem layer", &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind, Kind::Integrity);
    assert!(!file.exists());
}

#[tokio::test]
async fn a_manifest_by_digest_must_match_it() {
    let addr = serve(Arc::new(|_: &Request, _: &str| {
        let mut a = answer(200, &manifest_bytes(b"x"));
        a.headers.push(("content-type", OCI_MANIFEST.into()));
        a
    }))
    .await;
    let other = digest_of(b"something else");
    let e = Session::new(&name(&addr), None)
        .await
        .manifest(&other)
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        format!("manifest verification failed for digest {other}")
    );
    let right = digest_of(&manifest_bytes(b"x"));
    Session::new(&name(&addr), None)
        .await
        .manifest(&right)
        .await
        .unwrap();
}

/// A tar holding one file.
fn one_file_tar(name: &str, data: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_mode(0o644);
    header.set_size(data.len() as u64);
    builder.append_data(&mut header, name, data).unwrap();
    builder.into_inner().unwrap()
}

/// A pull's test image: five one-file layers (plain tars), its config
/// and its OCI manifest.
struct Five {
    layers: Vec<Vec<u8>>,
    config: Vec<u8>,
    manifest: Vec<u8>,
}

/// How the double answers a request for layer `index` (given its bytes).
type LayerHandler = Arc<dyn Fn(usize, &[u8]) -> Answer + Send + Sync>;

fn five_layers() -> Five {
    let layers: Vec<Vec<u8>> = (0..5)
        .map(|i| one_file_tar(&format!("f{i}"), format!("layer {i}").as_bytes()))
        .collect();
    let diff_ids: Vec<String> = layers.iter().map(|l| digest_of(l)).collect();
    let config = format!(
        r#"{{"architecture":"{}","os":"linux","rootfs":{{"type":"layers","diff_ids":{}}}}}"#,
        crate::images::config::host_architecture(),
        serde_json::to_string(&diff_ids).unwrap()
    )
    .into_bytes();
    let descriptors: Vec<String> = layers
        .iter()
        .map(|l| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}"#,
                digest_of(l),
                l.len()
            )
        })
        .collect();
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{}]}}"#,
        digest_of(&config),
        config.len(),
        descriptors.join(",")
    )
    .into_bytes();
    Five {
        layers,
        config,
        manifest,
    }
}

impl Five {
    /// A registry double serving the image as `test/app:v1`, answering a
    /// layer's request with `layer(index, bytes)`.
    async fn serve(&self, layer: LayerHandler) -> String {
        let manifest = self.manifest.clone();
        let config = self.config.clone();
        let layers = self.layers.clone();
        serve(Arc::new(move |r: &Request, _: &str| {
            if r.path == "/v2/test/app/manifests/v1" {
                let mut a = answer(200, &manifest);
                a.headers.push(("content-type", OCI_MANIFEST.into()));
                return a;
            }
            if r.path == format!("/v2/test/app/blobs/{}", digest_of(&config)) {
                return answer(200, &config);
            }
            for (i, bytes) in layers.iter().enumerate() {
                if r.path == format!("/v2/test/app/blobs/{}", digest_of(bytes)) {
                    return layer(i, bytes);
                }
            }
            answer(404, b"")
        }))
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_pull_fetches_three_layers_at_a_time_and_stores_the_image() {
    use crate::images::pull;
    use crate::images::ImageStore;

    let five = five_layers();
    let (config, manifest) = (five.config.clone(), five.manifest.clone());
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (now, top) = (in_flight.clone(), most.clone());
    let addr = five
        .serve(Arc::new(move |_, layer: &[u8]| {
            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
            top.fetch_max(n, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(150));
            now.fetch_sub(1, Ordering::SeqCst);
            answer(200, layer)
        }))
        .await;

    let root = tempfile::tempdir().unwrap();
    let store = ImageStore::open(root.path()).unwrap();
    let plan = pull::resolve(name(&addr), None, None).await.unwrap();
    assert_eq!(plan.digest, digest_of(&manifest));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let pulled = pull::run(&store, plan, &tx).await.unwrap();
    drop(tx);
    assert_eq!(pulled.id, digest_of(&config));
    assert!(pulled.downloaded);
    assert_eq!(
        most.load(Ordering::SeqCst),
        crate::images::registry::Settings::default().max_downloads
    );

    let mut statuses = Vec::new();
    while let Some(m) = rx.recv().await {
        statuses.push(m.status.unwrap_or_default());
    }
    let count = |s: &str| statuses.iter().filter(|x| x.as_str() == s).count();
    assert_eq!(count("Pulling fs layer"), 5);
    assert_eq!(count("Waiting"), 2);
    assert_eq!(count("Pull complete"), 5);
    assert_eq!(
        statuses.last().map(String::as_str),
        Some(format!("Status: Downloaded newer image for {addr}/test/app:v1").as_str())
    );
    let image = store.get(&format!("{addr}/test/app:v1")).unwrap();
    assert_eq!(
        image.meta.repo_digests,
        vec![format!("{addr}/test/app@{}", digest_of(&manifest))]
    );
    let record = store.resolve(&pulled.id).unwrap();
    assert_eq!(
        std::fs::read(record.layers[4].join("f4")).unwrap(),
        b"layer 4"
    );

    // `max-concurrent-downloads: 2`, into a fresh store.
    let root = tempfile::tempdir().unwrap();
    let store = ImageStore::open(root.path()).unwrap();
    most.store(0, Ordering::SeqCst);
    let settings = Arc::new(crate::images::registry::Settings {
        max_downloads: 2,
        ..Default::default()
    });
    let plan = pull::resolve_with(name(&addr), None, None, settings)
        .await
        .unwrap();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    pull::run(&store, plan, &tx).await.unwrap();
    assert_eq!(most.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn layers_are_unpacked_while_later_ones_download() {
    use crate::images::pull;
    use crate::images::ImageStore;

    let five = five_layers();
    let root = tempfile::tempdir().unwrap();
    let bottom = root
        .path()
        .join("images/layers")
        .join(digest_of(&five.layers[0]).trim_start_matches("sha256:"));
    let seen = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = seen.clone();
    // The last layer is held back until the bottom one is unpacked (or
    // for 10 s, when the pull would unpack only after every download).
    let addr = five
        .serve(Arc::new(move |i, layer: &[u8]| {
            if i == 4 {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                while !bottom.is_dir() && std::time::Instant::now() < deadline {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                flag.store(bottom.is_dir(), Ordering::SeqCst);
            }
            answer(200, layer)
        }))
        .await;
    let store = ImageStore::open(root.path()).unwrap();
    let plan = pull::resolve(name(&addr), None, None).await.unwrap();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    pull::run(&store, plan, &tx).await.unwrap();
    assert!(
        seen.load(Ordering::SeqCst),
        "the bottom layer was not unpacked before the last one was served"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_failed_layer_takes_back_what_the_pull_stored() {
    use crate::images::pull;
    use crate::images::ImageStore;

    let five = five_layers();
    // Layer 3 comes with other bytes of its length: layers 0 to 2 are
    // stored by the time the pull finds out.
    let addr = five
        .serve(Arc::new(|i, layer: &[u8]| {
            if i == 3 {
                answer(200, &vec![b'x'; layer.len()])
            } else {
                answer(200, layer)
            }
        }))
        .await;
    let root = tempfile::tempdir().unwrap();
    let store = ImageStore::open(root.path()).unwrap();
    let plan = pull::resolve(name(&addr), None, None).await.unwrap();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let err = pull::run(&store, plan, &tx).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("filesystem layer verification failed for digest"),
        "{err}"
    );
    assert_eq!(store.count(), 0);
    assert_eq!(store.layer_store().list().unwrap(), Vec::<String>::new());
    let left = |dir: &str| std::fs::read_dir(root.path().join(dir)).unwrap().count();
    assert_eq!(left("images/blobs/sha256"), 0, "blobs left");
    assert_eq!(left("images/tmp"), 0, "spool files left");
    assert_eq!(left("images/layers/l"), 0, "layer links left");
}
