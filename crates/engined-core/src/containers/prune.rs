//! `docker container prune`: removes the containers that are not running
//! and that the filters (`until`, `label`, `label!`) keep, adds up the
//! bytes their directories held, and publishes the `prune` event.

use std::collections::BTreeMap;
use std::sync::Arc;

use engine_api::types::EventMessageType;

use super::{lifecycle, ContainerError, Record};
use crate::containers::Services;
use crate::filters::Filters;
use crate::time::unix_nanos_of as unix_nanos;

/// The keys `docker container prune --filter` accepts.
const KEYS: &[&str] = &["until", "label", "label!"];

/// What a prune removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// The IDs of the removed containers.
    pub deleted: Vec<String>,
    /// The bytes their directories held.
    pub reclaimed: u64,
}

/// Which containers a prune takes.
#[derive(Debug, Clone)]
struct Selection {
    filters: Filters,
    /// Created at or before this time (Unix nanoseconds).
    until: Option<i64>,
}

impl Selection {
    fn parse(filters: &BTreeMap<String, Vec<String>>, now: i64) -> Result<Self, ContainerError> {
        let invalid =
            |e: crate::filters::FilterError| ContainerError::InvalidArgument(e.to_string());
        let filters = Filters::parse(filters, KEYS).map_err(invalid)?;
        let until = filters.time_of("until", now).map_err(invalid)?;
        Ok(Selection { filters, until })
    }

    fn takes(&self, r: &Record) -> bool {
        !r.state.status.is_running()
            && self.until.is_none_or(|u| unix_nanos(&r.created) <= u)
            && self
                .filters
                .labels_match(&r.config.labels.clone().unwrap_or_default())
    }
}

/// Prunes the engine's containers. A container that cannot be removed
/// (it started meanwhile) is left out of the report.
pub async fn prune(
    engine: &Arc<Services>,
    filters: &BTreeMap<String, Vec<String>>,
) -> Result<PruneReport, ContainerError> {
    let selection = Selection::parse(filters, crate::time::now_nanos())?;
    let mut report = PruneReport::default();
    for c in engine.containers.all() {
        let r = c.record();
        if !selection.takes(&r) {
            continue;
        }
        let dir = c.layout.dir.clone();
        let size = tokio::task::spawn_blocking(move || crate::volumes::dir_size(&dir))
            .await
            .unwrap_or(0);
        if lifecycle::remove(engine, &c, false, false).await.is_ok() {
            report.deleted.push(r.id.clone());
            report.reclaimed += size;
        }
    }
    engine
        .events
        .publish_prune(EventMessageType::Container, report.reclaimed);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::containers::list::tests::record as sample;
    use crate::containers::Status;

    fn record(status: Status, created: &str, labels: &[(&str, &str)]) -> Record {
        let mut r = sample("c", status, 0);
        r.created = created.into();
        r.config.labels = Some(
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        r
    }

    fn selection(pairs: &[(&str, &str)]) -> Result<Selection, ContainerError> {
        let raw = crate::filters::raw(pairs);
        // 2024-01-02T00:00:00Z
        Selection::parse(&raw, 1_704_153_600_000_000_000)
    }

    #[test]
    fn takes_stopped_containers_the_filters_keep() {
        let day1 = "2024-01-01T00:00:00.000000000Z";
        let old = record(Status::Exited, day1, &[("tier", "tmp")]);
        let running = record(Status::Running, day1, &[]);
        let all = selection(&[]).unwrap();
        assert!(all.takes(&old));
        assert!(!all.takes(&running));
        assert!(selection(&[("until", "12h")]).unwrap().takes(&old));
        assert!(!selection(&[("until", "36h")]).unwrap().takes(&old));
        assert!(selection(&[("label", "tier=tmp")]).unwrap().takes(&old));
        assert!(!selection(&[("label", "tier=db")]).unwrap().takes(&old));
        assert!(!selection(&[("label!", "tier")]).unwrap().takes(&old));
        assert!(selection(&[("label!", "tier=db")]).unwrap().takes(&old));
        let e = selection(&[("status", "exited")]).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'status'");
        assert_eq!(e.kind(), crate::ErrorKind::InvalidParameter);
        let e = selection(&[("until", "later")]).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidParameter);
    }
}
