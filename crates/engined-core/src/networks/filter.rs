//! `docker network ls` / `docker network prune` filters: `driver`, `id`
//! and `name` (contained in the network's, `name` also as a regular
//! expression, as Docker's `Match`), `label` (`key` or `key=value`;
//! `label!` negates), `scope`, `type` (`custom` or `builtin`), `dangling`
//! (no running container on it), `until` (created before). Values of one
//! key are alternatives; different keys must all match.

use std::collections::BTreeMap;

use super::model::NetworkRecord;
use crate::filters::{FilterError, Filters};
use crate::pattern::MatchValue;

/// Why a network filter cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkFilterError {
    /// What every endpoint's filters can get wrong.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// A `type` that is neither `custom` nor `builtin` (dockerd words this
    /// one differently).
    #[error("invalid filter: 'type'='{0}'")]
    Type(String),
}

impl NetworkFilterError {
    /// Always the client's fault (400).
    pub fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::InvalidParameter
    }
}

#[derive(Debug, Clone, Default)]
pub struct NetworkFilter {
    /// The parameter as checked, for the plain value lists and the labels.
    filters: Filters,
    names: Vec<MatchValue>,
    /// Some(true): custom only; Some(false): builtin only.
    custom: Vec<bool>,
    dangling: Option<bool>,
    /// Unix nanoseconds.
    until: Option<i64>,
}

impl NetworkFilter {
    /// `keys`: what the operation accepts; `now`: Unix nanoseconds for
    /// `until` durations.
    pub fn parse(
        raw: &BTreeMap<String, Vec<String>>,
        keys: &[&str],
        now: i64,
    ) -> Result<NetworkFilter, NetworkFilterError> {
        let filters = Filters::parse(raw, keys)?;
        let custom = filters
            .values("type")
            .iter()
            .map(|v| match v.as_str() {
                "custom" => Ok(true),
                "builtin" => Ok(false),
                _ => Err(NetworkFilterError::Type(v.clone())),
            })
            .collect::<Result<_, _>>()?;
        Ok(NetworkFilter {
            names: filters
                .values("name")
                .iter()
                .map(|v| MatchValue::new(v))
                .collect(),
            custom,
            dangling: filters.bool_of("dangling")?,
            until: filters.time_of("until", now)?,
            filters,
        })
    }

    /// `used`: whether a running container is on the network.
    pub fn matches(&self, n: &NetworkRecord, used: bool) -> bool {
        let any = |key: &str, hit: &dyn Fn(&String) -> bool| {
            let values = self.filters.values(key);
            values.is_empty() || values.iter().any(hit)
        };
        any("driver", &|d| *d == n.driver)
            && any("id", &|i| n.id.contains(i.as_str()))
            && (self.names.is_empty() || self.names.iter().any(|m| m.matches(&n.name)))
            && self.filters.labels_match(&n.labels)
            && any("scope", &|s| s == "local")
            && (self.custom.is_empty() || self.custom.contains(&!n.predefined))
            && self.dangling.is_none_or(|d| d != used)
            && self
                .until
                .is_none_or(|t| crate::time::unix_nanos_of(&n.created) < t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(name: &str, id: &str, predefined: bool, labels: &[(&str, &str)]) -> NetworkRecord {
        NetworkRecord {
            id: id.into(),
            name: name.into(),
            driver: if name == "host" { "host" } else { "bridge" }.into(),
            created: "2026-12-01T10:00:00.5Z".into(),
            enable_ipv6: false,
            internal: false,
            attachable: false,
            ipam_options: None,
            pools: Vec::new(),
            options: BTreeMap::new(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            predefined,
        }
    }

    fn filter(pairs: &[(&str, &str)]) -> Result<NetworkFilter, NetworkFilterError> {
        let map = crate::filters::raw(pairs);
        let keys = [
            "driver", "id", "name", "label", "label!", "scope", "type", "dangling", "until",
        ];
        NetworkFilter::parse(&map, &keys, 1_900_000_000_000_000_000)
    }

    #[test]
    fn each_key_and_their_combination() {
        let bridge = network("bridge", "aaa111", true, &[]);
        let host = network("host", "bbb222", true, &[]);
        let web = network(
            "web_default",
            "ccc333",
            false,
            &[("com.docker.compose.project", "web")],
        );
        let hit = |pairs: &[(&str, &str)], n: &NetworkRecord, used: bool| {
            filter(pairs).unwrap().matches(n, used)
        };
        assert!(hit(&[("type", "builtin")], &bridge, false));
        assert!(!hit(&[("type", "custom")], &bridge, false));
        assert!(hit(&[("type", "custom")], &web, false));
        assert!(hit(&[("driver", "host")], &host, false));
        assert!(!hit(&[("driver", "host")], &web, false));
        assert!(hit(&[("id", "c33")], &web, false));
        assert!(hit(&[("name", "web")], &web, false));
        assert!(hit(&[("name", "^web_d")], &web, false));
        assert!(!hit(&[("name", "^eb")], &web, false));
        assert!(hit(
            &[("label", "com.docker.compose.project=web")],
            &web,
            false
        ));
        assert!(hit(&[("label", "com.docker.compose.project")], &web, false));
        assert!(!hit(
            &[("label!", "com.docker.compose.project")],
            &web,
            false
        ));
        assert!(hit(&[("scope", "local")], &web, false));
        assert!(!hit(&[("scope", "swarm")], &web, false));
        assert!(hit(&[("dangling", "true")], &web, false));
        assert!(!hit(&[("dangling", "true")], &web, true));
        assert!(hit(&[("until", "2026-12-01T11:00:00Z")], &web, false));
        assert!(!hit(&[("until", "2026-12-01T09:00:00Z")], &web, false));
        assert!(!hit(
            &[("type", "custom"), ("name", "bridge")],
            &bridge,
            false
        ));
        assert_eq!(
            filter(&[("type", "other")]).unwrap_err().to_string(),
            "invalid filter: 'type'='other'"
        );
        assert_eq!(
            filter(&[("colour", "red")]).unwrap_err().to_string(),
            "invalid filter 'colour'"
        );
        assert!(filter(&[("dangling", "maybe")]).is_err());
    }
}
