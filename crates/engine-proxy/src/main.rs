//! The `engine-proxy` binary: loads the policy (refusing to start on an
//! invalid one), opens the listeners, serves each through the proxy to
//! the upstream, reloads the policy on SIGHUP, and stops on SIGTERM or
//! SIGINT.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use engine_api_rt::client::TlsFiles;
use engine_api_rt::host::{Endpoint, Host};
use engine_api_rt::server::{serve, Listener, ServerTls};

use engine_proxy::audit::Audit;
use engine_proxy::cli::{group_id, Cli};
use engine_proxy::forward::shared::SharedReads;
use engine_proxy::forward::Proxy;
use engine_proxy::policy::Policy;
use engine_proxy::reload::{on_sighup, SharedPolicy};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(if cli.debug {
            tracing::Level::DEBUG
        } else {
            tracing::Level::INFO
        })
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::from(cli.threads))
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("engine-proxy: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("engine-proxy: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let policy = Policy::load(&cli.policy).map_err(|e| e.to_string())?;
    let shared = SharedPolicy::new(policy);
    let audit = Arc::new(match &cli.audit_log {
        Some(path) => Audit::open(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => Audit::none(),
    });
    let upstream = upstream(&cli)?;
    let tls = cli.tlsverify.then(|| ServerTls {
        ca: cli.tlscacert.clone().unwrap_or_default(),
        cert: cli.tlscert.clone().unwrap_or_default(),
        key: cli.tlskey.clone().unwrap_or_default(),
    });
    let gid = cli.group.as_deref().map(group_id).transpose()?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut servers = tokio::task::JoinSet::new();
    // One table for all listeners: their clients' reads are shared too.
    let reads = cli.share_reads.then(|| Arc::new(SharedReads::new()));
    for given in &cli.hosts {
        // `URL#identity`: the listener's clients are that identity.
        let (addr, owner) = match given.split_once('#') {
            Some((addr, id)) if !id.is_empty() => (addr.to_string(), Some(id.to_string())),
            _ => (given.clone(), None),
        };
        let addr = &addr;
        let host = Host::parse(addr, tls.is_some()).map_err(|e| format!("-H {addr}: {e}"))?;
        let listener = match &host {
            Host::Unix(path) => {
                Listener::bind_unix(path, gid).map_err(|e| format!("listen on {addr}: {e}"))?
            }
            Host::Tcp(_) => Listener::bind(&host, tls.as_ref())
                .await
                .map_err(|e| format!("listen on {addr}: {e}"))?,
        };
        let mut proxy = Proxy::new(
            shared.clone(),
            upstream.clone(),
            audit.clone(),
            addr.clone(),
            owner,
        );
        if let Some(reads) = &reads {
            proxy = proxy.share_reads(reads.clone());
        }
        let proxy = Arc::new(proxy);
        let mut stop = stop_rx.clone();
        servers.spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            serve(listener, proxy, stopped).await
        });
        tracing::info!("listening on {addr}, forwarding to {}", cli.upstream);
    }
    tokio::spawn(on_sighup(cli.policy.clone(), shared));
    stop_signal().await;
    let _ = stop_tx.send(true);
    while let Some(done) = servers.join_next().await {
        if let Ok(Err(e)) = done {
            tracing::warn!("listener: {e}");
        }
    }
    Ok(())
}

/// The client of the upstream daemon.
fn upstream(cli: &Cli) -> Result<engine_api::Client, String> {
    let tls = cli.upstream_tlscacert.is_some();
    let endpoint = Endpoint::parse(&cli.upstream, tls)
        .map_err(|e| format!("--upstream {}: {e}", cli.upstream))?;
    let mut builder = engine_api::ClientBuilder::endpoint(endpoint);
    if let (Some(ca), Some(cert), Some(key)) = (
        &cli.upstream_tlscacert,
        &cli.upstream_tlscert,
        &cli.upstream_tlskey,
    ) {
        builder = builder.tls(TlsFiles {
            ca: ca.clone(),
            cert: cert.clone(),
            key: key.clone(),
        });
    }
    builder
        .build()
        .map_err(|e| format!("--upstream {}: {e}", cli.upstream))
}

/// SIGTERM or SIGINT.
async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
