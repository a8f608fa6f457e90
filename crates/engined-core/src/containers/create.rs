//! `create`: checks the request (image, name, runtime, network, mounts,
//! restart policy, and the sandbox and resource settings as dockerd does),
//! merges the image's defaults, makes the container's directory (writable
//! layer, volumes), writes its record and announces it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use engine_api::types::{ContainerCreateBody, EventMessageType};

use super::archive::copy_up::copy_up;
use super::config;
use super::error::{ContainerError, Result};
use super::events::publish;
use super::ids;
use super::network::Network;
use super::record::{MountRecord, Record, RecordedRuntime, State};
use super::restart;
use super::rootfs;
use super::spec;
use crate::containers::Services;
use crate::volumes::CreateOptions;
use engined_shim::logs::format_time;

/// Copy-up: a new (empty) volume mounted over a directory of the image
/// gets that directory's contents first, as with dockerd; done off the
/// async threads, through the root-scoped archive code.
async fn copy_image_content(
    engine: &Services,
    image_layers: &[std::path::PathBuf],
    destination: &str,
    volume: &std::path::Path,
) -> Result<()> {
    let lowers: Vec<_> = image_layers.iter().rev().cloned().collect();
    let (driver, scratch) = (engine.containers.driver, engine.images.spool_dir());
    let (dest, volume) = (destination.to_string(), volume.to_path_buf());
    let context = format!("copying the image's {dest} into its volume");
    let copied = tokio::task::spawn_blocking(move || {
        let view = rootfs::ImageView::open(driver, &lowers, &scratch)
            .map_err(|e| super::archive::ArchiveError::io("opening the image", e))?;
        copy_up(view.path(), &dest, &volume)
    })
    .await
    .map_err(|e| ContainerError::io(context.clone(), std::io::Error::other(e.to_string())))?;
    copied.map_err(|e| ContainerError::io(context, std::io::Error::other(e.to_string())))?;
    Ok(())
}

/// Creates a container; returns its id and warnings.
pub async fn create(
    engine: &Arc<Services>,
    name: Option<&str>,
    body: ContainerCreateBody,
) -> Result<(String, Vec<String>)> {
    let containers = &engine.containers;
    let image_ref = body
        .image
        .clone()
        .filter(|i| !i.is_empty())
        .ok_or_else(|| {
            ContainerError::InvalidArgument(
                "Config cannot be empty in order to create a container".into(),
            )
        })?;
    let image = engine
        .images
        .resolve(&image_ref)
        .ok_or_else(|| ContainerError::ImageNotFound(image_ref.clone()))?;
    let mut host = body.host_config.clone().unwrap_or_default();
    restart::Policy::from_host(&host).map_err(ContainerError::InvalidArgument)?;
    spec::process::console_size(host.console_size.as_deref())
        .map_err(ContainerError::InvalidArgument)?;
    let mut merged = config::merge(config::from_body(&body), &image.config);
    merged.image = Some(image_ref.clone());
    let (path, args) = config::process_args(&merged).ok_or(ContainerError::NoCommand)?;

    let (network, endpoints) =
        Network::for_create(engine, &mut host, body.networking_config.as_ref())?;
    super::network::check_shared_namespaces(engine, &host)?;
    super::network::check_ports(&host, merged.exposed_ports.as_ref())?;
    spec::validate(&host, !network.own_namespace())
        .map_err(|e| ContainerError::InvalidArgument(e.to_string()))?;
    let warnings = spec::resources::adapt(&mut host, &engine.host.cgroups);

    let snapshot = engine.snapshot();
    let resolved = snapshot
        .resolve(host.runtime.as_deref().unwrap_or(""))
        .map_err(|e| ContainerError::Runtime(e.to_string()))?;
    resolved
        .preflight()
        .map_err(|e| ContainerError::Runtime(e.to_string()))?;
    host.runtime = Some(resolved.name().to_string());

    let id = ids::new_id().map_err(|e| ContainerError::io("generating an id", e))?;
    let name = match name.filter(|n| !n.is_empty()) {
        Some(n) => {
            let n = ids::validate_name(n).map_err(ContainerError::InvalidName)?;
            if let Some(other) = containers.id_of_name(n) {
                return Err(ContainerError::NameConflict {
                    name: n.to_string(),
                    id: other,
                });
            }
            n.to_string()
        }
        None => (0..)
            .map(|attempt| ids::generated_name(&id, attempt))
            .find(|n| containers.id_of_name(n).is_none())
            .unwrap_or_else(|| id.clone()),
    };
    if let Some(links) = host.links.take().filter(|l| !l.is_empty()) {
        host.links = Some(super::links::for_create(engine, &name, &links)?);
    }
    let own_hostname = merged.hostname.as_deref().is_some_and(|h| !h.is_empty());
    if own_hostname && host.uts_mode.as_deref() == Some("host") {
        // dockerd's words: the host's UTS namespace has the host's name.
        return Err(ContainerError::InvalidArgument(
            "conflicting options: hostname and the UTS mode".into(),
        ));
    }
    if !own_hostname {
        merged.hostname = Some(if network == Network::Host {
            engine.host.hostname.clone()
        } else {
            ids::short(&id).to_string()
        });
    }

    let requests =
        config::mount_requests(&merged, &host).map_err(ContainerError::InvalidArgument)?;
    let mut mounts = Vec::new();
    for r in requests {
        let record = match r.kind {
            "bind" => {
                let source = std::path::PathBuf::from(&r.source);
                if !source.exists() {
                    std::fs::create_dir_all(&source)
                        .map_err(|e| ContainerError::io(format!("bind source {}", r.source), e))?;
                }
                MountRecord {
                    kind: "bind".into(),
                    name: String::new(),
                    source,
                    destination: r.destination,
                    rw: r.rw,
                    mode: r.mode,
                    anonymous: false,
                }
            }
            "volume" => {
                let anonymous = r.source.is_empty();
                let volume = if anonymous {
                    engine
                        .volumes
                        .create(CreateOptions::default())
                        .map(|(v, _)| v)
                } else {
                    engine.volumes.get_or_create(&r.source)
                }
                .map_err(|e| ContainerError::InvalidArgument(e.to_string()))?;
                copy_image_content(engine, &image.layers, &r.destination, &volume.mountpoint)
                    .await?;
                if anonymous {
                    let mut attributes = BTreeMap::new();
                    attributes.insert("driver".to_string(), volume.driver.clone());
                    engine.events.publish(
                        EventMessageType::Volume,
                        "create",
                        &volume.name,
                        attributes,
                    );
                }
                MountRecord {
                    kind: "volume".into(),
                    name: volume.name.clone(),
                    source: volume.mountpoint.clone(),
                    destination: r.destination,
                    rw: r.rw,
                    mode: if r.mode.is_empty() {
                        "z".into()
                    } else {
                        r.mode
                    },
                    anonymous,
                }
            }
            _ => MountRecord {
                kind: "tmpfs".into(),
                name: String::new(),
                source: r.source.into(),
                destination: r.destination,
                rw: r.rw,
                mode: String::new(),
                anonymous: false,
            },
        };
        mounts.push(record);
    }

    let layout = containers.layout(&id);
    let record = Record {
        id: id.clone(),
        name,
        created: format_time(SystemTime::now()),
        image: image_ref,
        image_id: image.id.clone(),
        image_rootfs: Default::default(),
        image_layers: image.layers.clone(),
        config: merged,
        host_config: host,
        path,
        args,
        runtime: RecordedRuntime {
            name: resolved.name().to_string(),
            binary: resolved.binary().to_path_buf(),
            root: containers.runtime_root.clone(),
        },
        driver: containers.driver.to_string(),
        mounts,
        state: State::default(),
        restart_count: 0,
    };
    let written = {
        let record = record.clone();
        let layout = layout.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&layout.dir)?;
            rootfs::create(&record.driver, &rootfs::lowers(&record), &layout)?;
            // The record last: a directory without one is a create that
            // did not finish, removed at the next start.
            record.save(&layout.dir)
        })
        .await
        .map_err(|e| ContainerError::Supervisor(format!("create: {e}")))?
    };
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&layout.dir);
        return Err(ContainerError::io(format!("creating container {id}"), e));
    }
    if let Err(e) = containers.insert(record.clone(), layout.clone()) {
        let _ = std::fs::remove_dir_all(&layout.dir);
        return Err(e);
    }
    if let Err(e) = super::network::record_endpoints(engine, &id, &record.name, endpoints) {
        if let Some(c) = containers.all().into_iter().find(|c| c.id == id) {
            containers.forget(&c);
        }
        let _ = std::fs::remove_dir_all(&layout.dir);
        return Err(e);
    }
    publish(engine, "create", &record, &[]);
    Ok((id, warnings))
}
