//! The filters of `docker builder prune` (`POST /build/prune`) read
//! against the classic builder's cache records. dockerd takes the
//! BuildKit keys `until` (also `unused-for`), `id`, `parent`, `type`,
//! `description`, `inuse`, `shared` and `private`; a classic record has
//! an ID (its cache key), the image it made, the parent it was built on,
//! the step as its description, the type `regular`, and is in use while
//! a container runs its image, and is shared (BuildKit's word for a
//! record whose data an image outside the cache also holds) while its
//! image is tagged, used by a container, or below such an image; `private`
//! is the opposite. Without `all` a prune never reaches a shared record.

use std::collections::BTreeMap;

use crate::filters::{FilterError, Filters};
use crate::images::build_cache::Record;

/// Every key dockerd's build prune accepts.
const KEYS: &[&str] = &[
    "until",
    "unused-for",
    "id",
    "parent",
    "type",
    "description",
    "inuse",
    "shared",
    "private",
];

/// The only record type the classic builder makes.
pub const RECORD_TYPE: &str = "regular";

/// What is wrong with a build prune filter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PruneFilterError {
    #[error(transparent)]
    Filter(#[from] FilterError),
}

impl PruneFilterError {
    /// Always the client's fault.
    pub fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::InvalidParameter
    }
}

/// A checked build prune filter.
#[derive(Debug, Clone, Default)]
pub struct PruneFilter {
    filters: Filters,
    /// Records older than this (Unix nanoseconds) only.
    until: Option<i64>,
    in_use: Option<bool>,
    shared: Option<bool>,
    private: Option<bool>,
}

impl PruneFilter {
    /// Reads `raw`, counting `until` durations back from `now`.
    pub fn parse(
        raw: &BTreeMap<String, Vec<String>>,
        now: i64,
    ) -> Result<PruneFilter, PruneFilterError> {
        let filters = Filters::parse(raw, KEYS)?;
        let until = match filters.time_of("until", now)? {
            Some(t) => Some(t),
            None => filters.time_of("unused-for", now)?,
        };
        Ok(PruneFilter {
            until,
            in_use: filters.bool_of("inuse")?,
            shared: filters.bool_of("shared")?,
            private: filters.bool_of("private")?,
            filters,
        })
    }

    /// Whether the record under `key` is selected; `in_use` tells
    /// whether a container uses an image, `shared` whether the record is.
    pub fn matches(
        &self,
        key: &str,
        record: &Record,
        shared: bool,
        in_use: &dyn Fn(&str) -> bool,
    ) -> bool {
        let any = |name: &str, hit: &dyn Fn(&str) -> bool| {
            let values = self.filters.values(name);
            values.is_empty() || values.iter().any(|v| hit(v))
        };
        let id_hit = |v: &str| {
            !v.is_empty()
                && (key.starts_with(v)
                    || record.image.starts_with(v)
                    || record.image.trim_start_matches("sha256:").starts_with(v))
        };
        let parent_hit = |v: &str| {
            !v.is_empty()
                && (record.parent == v || record.parent.trim_start_matches("sha256:") == v)
        };
        self.until.is_none_or(|u| record.created < u)
            && any("id", &id_hit)
            && any("parent", &parent_hit)
            && any("type", &|v| v == RECORD_TYPE)
            && any("description", &|v| record.description.contains(v))
            && self.in_use.is_none_or(|want| in_use(&record.image) == want)
            && self.shared.is_none_or(|want| shared == want)
            && self.private.is_none_or(|want| shared != want)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            map.entry(k.to_string()).or_default().push(v.to_string());
        }
        map
    }

    fn record() -> Record {
        Record {
            image: "sha256:abc123".into(),
            created: 1_000,
            result: false,
            parent: "sha256:def456".into(),
            description: "/bin/sh -c echo hi".into(),
            last_used: 0,
            uses: 0,
        }
    }

    fn hit(pairs: &[(&str, &str)], used: bool) -> bool {
        let f = PruneFilter::parse(&raw(pairs), 10_000_000_000_000).unwrap();
        f.matches("k0ffee", &record(), false, &|_| used)
    }

    #[test]
    fn each_key_selects_by_its_own_field() {
        assert!(hit(&[], false));
        assert!(hit(&[("id", "k0f")], false));
        assert!(hit(&[("id", "abc")], false));
        assert!(!hit(&[("id", "zzz")], false));
        assert!(hit(&[("parent", "def456")], false));
        assert!(!hit(&[("parent", "def")], false));
        assert!(hit(&[("type", "regular")], false));
        assert!(!hit(&[("type", "exec.cachemount")], false));
        assert!(hit(&[("description", "echo")], false));
        assert!(!hit(&[("description", "COPY")], false));
        assert!(hit(&[("inuse", "true")], true));
        assert!(!hit(&[("inuse", "true")], false));
        assert!(hit(&[("inuse", "false")], false));
        // Values of one key are alternatives, keys all apply.
        assert!(hit(&[("id", "zzz"), ("id", "abc")], false));
        assert!(!hit(&[("id", "abc"), ("type", "internal")], false));
    }

    #[test]
    fn until_keeps_newer_records() {
        let f = PruneFilter::parse(&raw(&[("until", "0")]), 0).unwrap();
        assert!(!f.matches("k", &record(), false, &|_| false));
        let f = PruneFilter::parse(&raw(&[("unused-for", "1s")]), 5_000_000_000).unwrap();
        assert!(f.matches("k", &record(), false, &|_| false));
    }

    #[test]
    fn shared_and_private_select_by_sharing() {
        let f = |pairs: &[(&str, &str)], shared: bool| {
            PruneFilter::parse(&raw(pairs), 0)
                .unwrap()
                .matches("k", &record(), shared, &|_| false)
        };
        assert!(f(&[("shared", "true")], true));
        assert!(!f(&[("shared", "true")], false));
        assert!(f(&[("private", "true")], false));
        assert!(!f(&[("private", "true")], true));
        assert!(f(&[("private", "false")], true));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let e = PruneFilter::parse(&raw(&[("color", "red")]), 0).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'color'");
        let e = PruneFilter::parse(&raw(&[("inuse", "maybe")]), 0).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'inuse=maybe'");
        let e = PruneFilter::parse(&raw(&[("shared", "sometimes")]), 0).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'shared=sometimes'");
    }
}
