//! The client side: the generated client (`engine_api::Client`) and bollard
//! calling `GET /version` and `GET /containers/json` against the same
//! fixed-data server, one caller at a time (sequential) or many sharing
//! one client (its connection pool), for a fixed time each.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use bollard::{ClientVersion, Docker};
use engine_api::client::ContainerListParams;
use engine_api::rt::host::Host;
use engine_api::rt::version::ApiVersion;
use engine_api::Client;

use crate::fixtures::CONTAINERS;
use crate::load::Rate;

/// What the benchmark calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    Version,
    ContainerList,
}

/// Ours, with the version pinned to 1.44 (no `/_ping` on the way).
pub fn ours(socket: &Path) -> Result<Client, String> {
    Client::builder(Host::Unix(socket.to_path_buf()))
        .version(ApiVersion::new(1, 44))
        .build()
        .map_err(|e| e.to_string())
}

/// bollard, speaking API 1.44 as well.
pub fn bollard(socket: &Path) -> Result<Docker, String> {
    let version = ClientVersion {
        major_version: 1,
        minor_version: 44,
    };
    Docker::connect_with_unix(&socket.display().to_string(), 120, &version)
        .map_err(|e| e.to_string())
}

/// One call with the generated client; checks what came back.
pub async fn call_ours(client: &Client, call: Call) -> Result<(), String> {
    match call {
        Call::Version => {
            let v = client.system_version().await.map_err(|e| e.to_string())?;
            check(v.api_version.as_deref() == Some("1.44"), "version")
        }
        Call::ContainerList => {
            let list = client
                .container_list(&ContainerListParams::default())
                .await
                .map_err(|e| e.to_string())?;
            check(list.len() == CONTAINERS, "container list")
        }
    }
}

/// One call with bollard; checks what came back.
pub async fn call_bollard(docker: &Docker, call: Call) -> Result<(), String> {
    match call {
        Call::Version => {
            let v = docker.version().await.map_err(|e| e.to_string())?;
            check(v.api_version.as_deref() == Some("1.44"), "version")
        }
        Call::ContainerList => {
            let list = docker
                .list_containers(None)
                .await
                .map_err(|e| e.to_string())?;
            check(list.len() == CONTAINERS, "container list")
        }
    }
}

fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("unexpected {what} answer"))
    }
}

/// `callers` tasks call `one` back to back for `duration`; the rate of
/// calls that succeeded (any failure fails the run).
pub async fn drive<F, Fut>(callers: usize, duration: Duration, one: F) -> Result<Rate, String>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let allocs = crate::allocs::client_allocs();
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..callers {
        let one = one.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                one().await?;
                n += 1;
            }
            Ok::<u64, String>(n)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.map_err(|e| e.to_string())??;
    }
    Ok(Rate {
        requests: total,
        seconds: start.elapsed().as_secs_f64(),
        allocs: crate::allocs::client_allocs() - allocs,
    })
}

/// Decodes `body` as a `T` with `decoder` back to back for `duration`,
/// on this thread: the JSON decoding part of a call alone, without any
/// I/O.
pub fn decode<T: serde::de::DeserializeOwned>(
    body: &[u8],
    decoder: fn(&[u8]) -> serde_json::Result<T>,
    duration: Duration,
) -> Result<Rate, String> {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < duration {
        let v: T = decoder(body).map_err(|e| e.to_string())?;
        std::hint::black_box(v);
        n += 1;
    }
    Ok(Rate {
        requests: n,
        seconds: start.elapsed().as_secs_f64(),
        allocs: 0,
    })
}
