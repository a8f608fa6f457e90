//! The pluggable transport as a user would test with it: the generated
//! client over an in-memory pipe (`tokio::io::duplex`) to the generated
//! server and the test backend: no socket, no daemon. Calls, negotiation,
//! typed errors and a JSON stream all cross the pipe as real HTTP/1.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use engine_api::rt::client::dial_fn;
use engine_api::rt::server::HttpService;
use engine_api::rt::version::ApiVersion;
use engine_api::server::Router;
use engine_api::Client;
use futures_util::TryStreamExt;
use hyper_util::rt::TokioIo;
use test_support::backend::{server_info, Backend, Log};

/// A client whose every connection is a fresh pipe served by the router;
/// the counter says how many connections were dialled.
fn in_memory() -> (Client, Arc<Log>, Arc<AtomicUsize>) {
    let log = Arc::new(Log::default());
    let router = Arc::new(Router::new(Backend::new(log.clone()), server_info()));
    let dialled = Arc::new(AtomicUsize::new(0));
    let count = dialled.clone();
    let client = Client::dial(dial_fn(move || {
        count.fetch_add(1, Ordering::SeqCst);
        let router = router.clone();
        async move {
            let (ours, theirs) = tokio::io::duplex(64 * 1024);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let router = router.clone();
                    async move { Ok::<_, Infallible>(router.call(req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(theirs), service)
                    .with_upgrades()
                    .await;
            });
            Ok(ours)
        }
    }))
    .unwrap();
    (client, log, dialled)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_client_talks_to_an_in_memory_server() {
    let (c, log, dialled) = in_memory();
    // Negotiated through /_ping over the pipe.
    assert_eq!(c.api_version().await.unwrap(), ApiVersion::CURRENT);
    let ping = c.system_ping().await.unwrap();
    assert!(ping.api_version.is_some(), "{ping:?}");
    let version = c.system_version().await.unwrap();
    assert!(version.api_version.is_some(), "{version:?}");
    // Sequential calls reuse the pooled pipe (hyper hands a connection
    // back to the pool a moment after its answer is read, hence the pauses).
    for _ in 0..10 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        c.system_ping().await.unwrap();
    }
    let dials = dialled.load(Ordering::SeqCst);
    assert!(dials <= 3, "{dials} pipes dialled for 13 sequential calls");

    log.fail("ContainerInspect", 404, "No such container: ghost");
    let err = c
        .container_inspect("ghost", &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.message(), Some("No such container: ghost"));

    let events: Vec<_> = c
        .system_events(&Default::default())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(!events.is_empty());
    let hit = log.hit();
    for op in [
        "SystemPing",
        "SystemVersion",
        "ContainerInspect",
        "SystemEvents",
    ] {
        assert!(hit.contains(op), "{op} not served: {hit:?}");
    }
}
