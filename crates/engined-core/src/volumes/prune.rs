//! `docker volume prune`: removes the volumes no container uses that the
//! filters (`label`, `label!`, `all`) keep, each with its `destroy`
//! event, then publishes the `prune` event with the bytes reclaimed.

use std::collections::BTreeMap;

use engine_api::types::EventMessageType;

use super::error::VolumeError;
use super::events::publish;
use super::filter::{VolumeFilter, PRUNE_KEYS};
use super::store::VolumeStore;
use crate::events::EventBus;

/// What a prune removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// The names of the removed volumes, in the store's order.
    pub deleted: Vec<String>,
    /// The bytes their data held.
    pub reclaimed: u64,
}

/// Prunes `store`. `anonymous_only` is the default of the client's API
/// version (from 1.42 on only anonymous volumes go unless `all=true`);
/// `in_use` says whether a container uses a volume.
pub fn prune(
    store: &VolumeStore,
    events: &EventBus,
    filters: &BTreeMap<String, Vec<String>>,
    anonymous_only: bool,
    in_use: &dyn Fn(&str) -> bool,
) -> Result<PruneReport, VolumeError> {
    let filter = VolumeFilter::parse(filters, PRUNE_KEYS)?;
    let anonymous_only = anonymous_only && !filter.all;
    let mut report = PruneReport::default();
    for v in store.list() {
        if (anonymous_only && !v.anonymous) || !filter.matches(&v, false) || in_use(&v.name) {
            continue;
        }
        let size = store.size(&v);
        match store.remove(&v.name, None) {
            Ok(v) => {
                publish(events, "destroy", &v);
                report.reclaimed += size;
                report.deleted.push(v.name);
            }
            Err(VolumeError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    events.publish_prune(EventMessageType::Volume, report.reclaimed);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::volumes::CreateOptions;

    fn create(store: &VolumeStore, name: &str, labels: &[(&str, &str)]) {
        store
            .create(CreateOptions {
                name: name.into(),
                driver: String::new(),
                driver_opts: BTreeMap::new(),
                labels: labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            })
            .unwrap();
    }

    #[test]
    fn prunes_unused_volumes_the_filters_keep() {
        let dir = tempfile::tempdir().unwrap();
        let store = VolumeStore::open(dir.path()).unwrap();
        let events = EventBus::new();
        create(&store, "keep", &[("tier", "db")]);
        create(&store, "drop", &[("tier", "tmp")]);
        create(&store, "used", &[("tier", "tmp")]);
        std::fs::write(store.get("drop").unwrap().mountpoint.join("f"), b"12345").unwrap();
        let raw = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<String>> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                .collect()
        };
        let in_use = |name: &str| name == "used";
        // Named volumes stay by default from API 1.42 on.
        let none = prune(&store, &events, &raw(&[]), true, &in_use).unwrap();
        assert!(none.deleted.is_empty());
        let e = prune(&store, &events, &raw(&[("name", "x")]), true, &in_use).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'name'");
        assert_eq!(e.kind(), crate::ErrorKind::InvalidParameter);
        let report = prune(
            &store,
            &events,
            &raw(&[("all", "true"), ("label!", "tier=db")]),
            true,
            &in_use,
        )
        .unwrap();
        assert_eq!(report.deleted, ["drop"]);
        assert_eq!(report.reclaimed, 5);
        let mut left: Vec<String> = store.list().into_iter().map(|v| v.name).collect();
        left.sort();
        assert_eq!(left, ["keep", "used"]);
    }
}
