//! `docker volume ls` / `docker volume prune` filters: `name` (the name
//! itself, or a regular expression found in it, as Docker's `Match`),
//! `label` (`key` or `key=value`; `label!` negates), `dangling`
//! (not used by any container), `driver`. Values of one key are
//! alternatives; different keys must all match.

use std::collections::BTreeMap;

use super::store::VolumeRecord;
use crate::filters::{FilterError, Filters};
use crate::pattern::MatchValue;

/// The keys `docker volume ls --filter` accepts.
pub const LIST_KEYS: &[&str] = &["name", "label", "label!", "dangling", "driver"];

/// The keys `docker volume prune --filter` accepts.
pub const PRUNE_KEYS: &[&str] = &["label", "label!", "all"];

#[derive(Debug, Clone, Default)]
pub struct VolumeFilter {
    names: Vec<MatchValue>,
    drivers: Vec<String>,
    /// The whole parameter, for its `label` / `label!` selectors.
    filters: Filters,
    /// Some(true): only unused volumes; Some(false): only used ones.
    pub dangling: Option<bool>,
    /// `all` (prune): anonymous and named volumes alike.
    pub all: bool,
}

impl VolumeFilter {
    /// `keys` are the filter keys this operation accepts.
    pub fn parse(
        filters: &BTreeMap<String, Vec<String>>,
        keys: &[&str],
    ) -> Result<VolumeFilter, FilterError> {
        let filters = Filters::parse(filters, keys)?;
        Ok(VolumeFilter {
            names: filters
                .values("name")
                .iter()
                .map(|v| MatchValue::new(v))
                .collect(),
            drivers: filters.values("driver").to_vec(),
            dangling: filters.bool_of("dangling")?,
            all: filters.bool_of("all")?.unwrap_or(false),
            filters,
        })
    }

    /// `used`: whether a container uses the volume.
    pub fn matches(&self, v: &VolumeRecord, used: bool) -> bool {
        (self.names.is_empty() || self.names.iter().any(|n| n.matches(&v.name)))
            && (self.drivers.is_empty() || self.drivers.contains(&v.driver))
            && self.filters.labels_match(&v.labels)
            && self.dangling.is_none_or(|d| d != used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn volume(name: &str, labels: &[(&str, &str)]) -> VolumeRecord {
        VolumeRecord {
            name: name.into(),
            mountpoint: "/x".into(),
            driver: "local".into(),
            created_at: String::new(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            options: BTreeMap::new(),
            anonymous: false,
        }
    }

    fn filter(pairs: &[(&str, &str)]) -> VolumeFilter {
        let map = crate::filters::raw(pairs);
        VolumeFilter::parse(&map, LIST_KEYS).unwrap()
    }

    #[test]
    fn keys_combine() {
        let a = volume("data-a", &[("team", "core")]);
        let b = volume("cache", &[("team", "web"), ("tmp", "")]);
        assert!(filter(&[("name", "data")]).matches(&a, false));
        assert!(!filter(&[("name", "data")]).matches(&b, false));
        assert!(filter(&[("name", "^data-.$")]).matches(&a, false));
        assert!(!filter(&[("name", "^ata")]).matches(&a, false));
        assert!(filter(&[("label", "team=web")]).matches(&b, false));
        assert!(filter(&[("label", "tmp")]).matches(&b, false));
        assert!(
            !filter(&[("label", "tmp"), ("name", "cache"), ("dangling", "true")]).matches(&b, true)
        );
        assert!(filter(&[("dangling", "false")]).matches(&a, true));
        assert!(filter(&[("label!", "tmp")]).matches(&a, false));
        assert!(filter(&[("driver", "local")]).matches(&a, false));
        let mut bad = BTreeMap::new();
        bad.insert("colour".to_string(), vec!["red".to_string()]);
        assert_eq!(
            VolumeFilter::parse(&bad, &["name"])
                .unwrap_err()
                .to_string(),
            "invalid filter 'colour'"
        );
        let mut bad = BTreeMap::new();
        bad.insert("all".to_string(), vec!["maybe".to_string()]);
        assert_eq!(
            VolumeFilter::parse(&bad, PRUNE_KEYS)
                .unwrap_err()
                .to_string(),
            "invalid filter 'all=maybe'"
        );
    }
}
