//! `docker volume ls` / `docker volume prune` filters: `name` (the name
//! itself, or a regular expression found in it, as Docker's `Match`),
//! `label` (`key` or `key=value`; `label!` negates), `dangling`
//! (not used by any container), `driver`. Values of one key are
//! alternatives; different keys must all match.

use std::collections::BTreeMap;

use super::store::VolumeRecord;
use crate::pattern::MatchValue;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("Invalid filter '{0}'")]
    Key(String),
    #[error("Invalid filter '{0}={1}'")]
    Bool(String, String),
}

#[derive(Debug, Clone, Default)]
pub struct VolumeFilter {
    names: Vec<MatchValue>,
    drivers: Vec<String>,
    labels: Vec<String>,
    not_labels: Vec<String>,
    /// Some(true): only unused volumes; Some(false): only used ones.
    pub dangling: Option<bool>,
    /// `all` (prune): anonymous and named volumes alike.
    pub all: bool,
}

fn parse_bool(key: &str, v: &str) -> Result<bool, FilterError> {
    match v {
        "1" | "true" | "True" | "TRUE" => Ok(true),
        "0" | "false" | "False" | "FALSE" => Ok(false),
        _ => Err(FilterError::Bool(key.to_string(), v.to_string())),
    }
}

impl VolumeFilter {
    /// `keys` are the filter keys this operation accepts.
    pub fn parse(
        filters: &BTreeMap<String, Vec<String>>,
        keys: &[&str],
    ) -> Result<VolumeFilter, FilterError> {
        let mut f = VolumeFilter::default();
        for (key, values) in filters {
            if !keys.contains(&key.as_str()) {
                return Err(FilterError::Key(key.clone()));
            }
            for v in values {
                match key.as_str() {
                    "name" => f.names.push(MatchValue::new(v)),
                    "driver" => f.drivers.push(v.clone()),
                    "label" => f.labels.push(v.clone()),
                    "label!" => f.not_labels.push(v.clone()),
                    "dangling" => f.dangling = Some(parse_bool(key, v)?),
                    "all" => f.all = parse_bool(key, v)?,
                    _ => return Err(FilterError::Key(key.clone())),
                }
            }
        }
        Ok(f)
    }

    /// `used`: whether a container uses the volume.
    pub fn matches(&self, v: &VolumeRecord, used: bool) -> bool {
        let label_hit = |want: &String| match want.split_once('=') {
            Some((k, val)) => v.labels.get(k).is_some_and(|x| x == val),
            None => v.labels.contains_key(want.as_str()),
        };
        (self.names.is_empty() || self.names.iter().any(|n| n.matches(&v.name)))
            && (self.drivers.is_empty() || self.drivers.contains(&v.driver))
            && self.labels.iter().all(label_hit)
            && !self.not_labels.iter().any(label_hit)
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
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            map.entry(k.to_string()).or_default().push(v.to_string());
        }
        VolumeFilter::parse(&map, &["name", "label", "label!", "dangling", "driver"]).unwrap()
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
            "Invalid filter 'colour'"
        );
    }
}
