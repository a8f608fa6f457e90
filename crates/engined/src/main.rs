//! The `engined` binary: reads flags and daemon.json, cleans up and
//! writes the runtime wrapper scripts, listens on every configured host
//! with the generated router over [`engined::api::DaemonApi`], reloads the
//! configuration on SIGHUP and shuts down gracefully on SIGINT/SIGTERM.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use engine_api::rt::server::{serve, ServerInfo, ServerTls};
use engine_api::server::Router;
use engined::api::DaemonApi;
use engined::cli::{self, Flags};
use engined::config;
use engined::listen::activation::Passed;
use engined_core::engine::Engine;
use engined_core::runtimes::{RuntimeStore, StoreOptions};
use tokio::signal::unix::{signal, SignalKind};

fn main() -> ExitCode {
    // First of all, before any thread or child could inherit them: the
    // sockets of systemd's socket activation (for `-H fd://`).
    let activated = match engined::listen::activation::take() {
        Ok(passed) => passed,
        Err(e) => {
            eprintln!("engined: {e}");
            return ExitCode::FAILURE;
        }
    };
    let flags = Flags::parse();
    if flags.version {
        println!("{}", cli::version_text());
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("engined: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(flags, activated)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("engined: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(flags: Flags, activated: Vec<Passed>) -> Result<(), String> {
    let flag_config = flags.to_config().map_err(|e| e.to_string())?;
    let file = flags.config_file();
    let effective =
        config::load(&flag_config, &file).map_err(|e| format!("{}: {e}", file.path().display()))?;
    let log = engined::logging::init(effective.log_level()).map_err(|e| e.to_string())?;
    for warning in effective.warnings() {
        tracing::warn!("{warning}");
    }

    // Before anything else: stale wrapper scripts of a previous run go
    // (but those of containers still running), the current config's are
    // written.
    let keep: HashSet<_> = engined_core::containers::living_runtime_binaries(
        effective.config().data_root(),
        effective.exec_root(),
    );
    let store = RuntimeStore::start(effective.config().clone(), StoreOptions::default(), &keep)
        .map_err(|e| e.to_string())?;
    std::fs::create_dir_all(effective.exec_root())
        .map_err(|e| format!("exec-root {}: {e}", effective.exec_root().display()))?;
    let pidfile = effective.pidfile().to_path_buf();
    write_pidfile(&pidfile)?;

    let engine =
        Arc::new(Engine::new(store, effective.exec_root()).map_err(|e| format!("data-root: {e}"))?);
    let reloader = Arc::new(engined::sighup::Reloader::new(
        engine.clone(),
        flag_config,
        file,
        Some(log),
    ));
    // Containers that ran (or ended) while we were away.
    engined_core::containers::lifecycle::restore(&engine).await;
    // Then those their restart policy brings back (`always`, ...).
    engined_core::containers::lifecycle::start_at_daemon_start(&engine).await;

    let info = ServerInfo {
        server: format!("engined/{} (linux)", engined_core::system::ENGINE_VERSION),
        os_type: "linux".into(),
        experimental: false,
    };
    let router = Arc::new(Router::from_arc(
        Arc::new(DaemonApi {
            engine: engine.clone(),
        }),
        info,
    ));

    let tls = effective.tls().map(|t| ServerTls {
        ca: t.verify_clients_with.clone().unwrap_or_default(),
        cert: t.cert.clone(),
        key: t.key.clone(),
    });
    let opened = engined::listen::open_all(
        effective.hosts(),
        tls.as_ref(),
        effective.config().group.as_deref(),
        activated,
    )
    .await
    .map_err(|e| e.to_string())?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut servers = Vec::new();
    for engined::listen::Opened { addr, listener } in opened {
        tracing::info!(address = %listener.local_addr(), configured = %addr, "API listening");
        let mut stop = stop_rx.clone();
        servers.push(tokio::spawn(serve(listener, router.clone(), async move {
            let _ = stop.wait_for(|s| *s).await;
        })));
    }
    tracing::info!(
        version = engined_core::system::ENGINE_VERSION,
        "daemon ready"
    );

    let mut hup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    loop {
        tokio::select! {
            _ = hup.recv() => {
                let reloader = reloader.clone();
                match tokio::task::spawn_blocking(move || reloader.reload()).await {
                    Ok(Ok(reloaded)) => {
                        for w in &reloaded.warnings {
                            tracing::warn!("{w}");
                        }
                        tracing::info!("configuration reloaded (SIGHUP)");
                    }
                    Ok(Err(e)) => tracing::error!("{e}"),
                    Err(e) => tracing::error!("configuration reload failed: {e}"),
                }
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    tracing::info!("shutting down");
    engine.begin_shutdown();
    if engine.live_restore() {
        tracing::info!("live-restore: the containers keep running");
    } else {
        engined_core::containers::lifecycle::stop_for_shutdown(&engine).await;
        // Nothing runs any more: engined's NAT table goes.
        engine.networks.shutdown();
    }
    let _ = stop_tx.send(true);
    for server in servers {
        let _ = server.await;
    }
    let _ = std::fs::remove_file(&pidfile);
    Ok(())
}

/// Writes our pid, refusing to start when another live engined holds it.
fn write_pidfile(path: &std::path::Path) -> Result<(), String> {
    if let Ok(old) = std::fs::read_to_string(path) {
        if let Ok(pid) = old.trim().parse::<u32>() {
            if pid != std::process::id() && std::path::Path::new(&format!("/proc/{pid}")).exists() {
                return Err(format!(
                    "pidfile {} names a running process ({pid}); is another engined running?",
                    path.display()
                ));
            }
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("pidfile {}: {e}", path.display()))?;
    }
    std::fs::write(path, format!("{}\n", std::process::id()))
        .map_err(|e| format!("pidfile {}: {e}", path.display()))
}
