//! The container verbs on their services alone, without the daemon or
//! HTTP: a data root and an exec root in a temporary directory, an image
//! imported into its store, and runc resolved from `PATH` as the daemon
//! would. Each test drives verbs and checks the store, the files and the
//! events they leave.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use engine_api::types::{ContainerCreateBody, EventMessage, HostConfig};
use futures_util::StreamExt;

use super::lifecycle;
use super::{create, ContainerError, Services, Status};
use crate::config::DaemonConfig;
use crate::events::EventFilter;
use crate::images::tests::rootfs_tar;
use crate::images::{ImportOptions, Reference};
use crate::runtimes::{FeatureProbe, RuntimeStore, StoreOptions};

/// Services over a fresh data root, with the image `mini` imported.
fn services(dir: &std::path::Path) -> Arc<Services> {
    let config = DaemonConfig {
        data_root: Some(dir.join("data")),
        ..DaemonConfig::default()
    };
    let options = StoreOptions {
        features: FeatureProbe::Disabled,
        ..StoreOptions::default()
    };
    let store = RuntimeStore::start(config, options, &HashSet::new()).unwrap();
    let services = Services::open(store, &dir.join("exec")).unwrap();
    let tar = rootfs_tar(dir, "mini", false);
    let import = ImportOptions {
        reference: Some(Reference::parse("mini").unwrap()),
        source: "-".into(),
        ..Default::default()
    };
    services.images.import(&tar, &import).unwrap();
    Arc::new(services)
}

fn body(image: &str) -> ContainerCreateBody {
    ContainerCreateBody {
        image: Some(image.into()),
        cmd: Some(vec!["/bin/sh".into()]),
        host_config: Some(HostConfig {
            network_mode: Some("none".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The container events published so far, as (action, name) pairs.
async fn container_events(services: &Services) -> Vec<(String, String)> {
    let now = crate::time::now_nanos();
    let events: Vec<Arc<EventMessage>> = services
        .events
        .subscribe(Some(0), Some(now), EventFilter::default())
        .collect()
        .await;
    events
        .iter()
        .filter(|e| e.r#type == Some(engine_api::types::EventMessageType::Container))
        .map(|e| {
            let attributes = e.actor.as_ref().and_then(|a| a.attributes.as_ref());
            let name = attributes
                .and_then(|a: &BTreeMap<String, String>| a.get("name").cloned())
                .unwrap_or_default();
            (e.action.clone().unwrap_or_default(), name)
        })
        .collect()
}

/// runc is found as the runtimes store would find it; else the test skips.
fn runc_missing() -> bool {
    let missing = crate::runtimes::lookup::find_executable("runc", None).is_err();
    if missing {
        eprintln!("skipped: runc is not on PATH");
    }
    missing
}

#[tokio::test]
async fn create_rename_remove_through_the_services() {
    if runc_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let services = services(dir.path());

    let (id, warnings) = create::create(&services, Some("first"), body("mini"))
        .await
        .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let c = services.containers.get("first").unwrap();
    assert_eq!(c.id, id);
    assert_eq!(c.record().state.status, Status::Created);

    // A second container may not take the name.
    match create::create(&services, Some("first"), body("mini")).await {
        Err(ContainerError::NameConflict { name, id: holder }) => {
            assert_eq!((name.as_str(), holder.as_str()), ("first", id.as_str()));
        }
        other => panic!("expected a name conflict, got {other:?}"),
    }

    lifecycle::rename(&services, &c, "second").await.unwrap();
    assert!(services.containers.get("first").is_err());
    assert_eq!(services.containers.get("second").unwrap().id, id);

    lifecycle::remove(&services, &c, false, false)
        .await
        .unwrap();
    assert!(services.containers.get(&id).is_err());
    assert!(services.containers.all().is_empty());

    let events = container_events(&services).await;
    let actions: Vec<&str> = events.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["create", "rename", "destroy"], "{events:?}");
    assert_eq!(events[1].1, "second");
}

#[tokio::test]
async fn create_refuses_an_unknown_image_and_leaves_nothing() {
    if runc_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let services = services(dir.path());
    match create::create(&services, Some("x"), body("nosuch")).await {
        Err(ContainerError::ImageNotFound(name)) => assert_eq!(name, "nosuch"),
        other => panic!("expected image not found, got {other:?}"),
    }
    assert!(services.containers.all().is_empty());
    assert!(container_events(&services).await.is_empty());
}

/// While the end of a run is under way (its network still going down), a
/// start waits instead of making a namespace where the old one is being
/// removed; stop's wait for the exit waits too. Both go on once it ends.
#[tokio::test]
async fn a_start_waits_for_the_end_of_the_last_run() {
    if runc_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let services = services(dir.path());
    let (id, _) = create::create(&services, None, body("mini")).await.unwrap();
    let c = services.containers.get(&id).unwrap();

    let ending = c.begin_ending();
    let held = std::time::Duration::from_millis(300);
    let start = tokio::time::timeout(held, lifecycle::start(&services, &c)).await;
    assert!(start.is_err(), "the start went on: {start:?}");
    assert_eq!(c.record().state.status, Status::Created);
    let settled = tokio::time::timeout(held, c.settled()).await;
    assert!(settled.is_err(), "settled while a run was ending");

    drop(ending);
    tokio::time::timeout(held, c.settled())
        .await
        .expect("settled once the end was over");
    assert!(!c.watch().borrow().ending);
}
