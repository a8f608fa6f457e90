//! Docker's `filters` parameter, read once for every endpoint that takes
//! one (`docker ps`, `images`, `volume ls`, `events` and the prunes).
//!
//! The HTTP layer has already decoded the JSON (both the list form
//! `{"key":["v"]}` and the older `{"key":{"v":true}}`) into keys with
//! their values; [`Filters::parse`] checks the keys against those the
//! endpoint accepts and reads the shared value forms: `label` /
//! `label!` selectors, booleans (`dangling=true|false|1|0`), times
//! (`until`, through [`crate::time`]). Each domain then matches its own
//! keys against its own objects. As in dockerd, the values of one key
//! are alternatives and different keys must all match, except the labels:
//! every `label` must match and no `label!` may.

mod error;
mod label;

use std::collections::BTreeMap;

pub use error::FilterError;
pub use label::Label;

/// A checked `filters` parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Every key with at least one value.
    keys: BTreeMap<String, Vec<String>>,
    labels: Vec<Label>,
    not_labels: Vec<Label>,
}

impl Filters {
    /// Checks `raw` against the keys the endpoint `accepts`: any other
    /// key is `invalid filter 'key'`.
    pub fn parse(
        raw: &BTreeMap<String, Vec<String>>,
        accepts: &[&str],
    ) -> Result<Filters, FilterError> {
        if let Some(bad) = raw.keys().find(|k| !accepts.contains(&k.as_str())) {
            return Err(FilterError::Key(bad.clone()));
        }
        let keys: BTreeMap<String, Vec<String>> = raw
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let labels_of = |key: &str| -> Vec<Label> {
            keys.get(key)
                .map(|values| values.iter().map(|v| Label::parse(v)).collect())
                .unwrap_or_default()
        };
        Ok(Filters {
            labels: labels_of("label"),
            not_labels: labels_of("label!"),
            keys,
        })
    }

    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The values given for `key` (none when it is absent).
    pub fn values(&self, key: &str) -> &[String] {
        self.keys.get(key).map_or(&[], Vec::as_slice)
    }

    /// Every key given, with its values.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.keys.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The `label` selectors.
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// Whether an object with `labels` passes `label` (all of them) and
    /// `label!` (none of them).
    pub fn labels_match(&self, labels: &BTreeMap<String, String>) -> bool {
        let get = |k: &str| labels.get(k).map(String::as_str);
        self.labels.iter().all(|l| l.matches(get))
            && !self.not_labels.iter().any(|l| l.matches(get))
    }

    /// `key` as a boolean: `1`, `true` (also `True`, `TRUE`) or `0`,
    /// `false` (`False`, `FALSE`); with several values the last one
    /// counts, and each must be one of those.
    pub fn bool_of(&self, key: &str) -> Result<Option<bool>, FilterError> {
        let mut result = None;
        for v in self.values(key) {
            result = Some(match v.as_str() {
                "1" | "true" | "True" | "TRUE" => true,
                "0" | "false" | "False" | "FALSE" => false,
                _ => return Err(FilterError::Value(key.to_string(), v.clone())),
            });
        }
        Ok(result)
    }

    /// `key` (`until`) as Unix nanoseconds, read by [`crate::time::parse`]
    /// with durations counted back from `now`; the last value counts.
    pub fn time_of(&self, key: &str, now: i64) -> Result<Option<i64>, FilterError> {
        let mut result = None;
        for v in self.values(key) {
            result = Some(crate::time::parse(v, now)?);
        }
        Ok(result)
    }
}

/// The decoded `filters` query of `key=value` pairs, as unit tests of
/// every filter write them.
#[cfg(test)]
pub(crate) fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in pairs {
        map.entry(k.to_string()).or_default().push(v.to_string());
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Filters, FilterError> {
        Filters::parse(
            &raw(pairs),
            &["label", "label!", "dangling", "until", "name"],
        )
    }

    #[test]
    fn both_json_forms_give_the_same_filters() {
        let list = engine_api::rt::query::Filters::from_json(r#"{"label":["a=1","b"]}"#).unwrap();
        let map = engine_api::rt::query::Filters::from_json(r#"{"label":{"a=1":true,"b":true}}"#)
            .unwrap();
        let list = Filters::parse(&list.0, &["label"]).unwrap();
        assert_eq!(list, Filters::parse(&map.0, &["label"]).unwrap());
        assert_eq!(list.values("label"), ["a=1", "b"]);
        assert_eq!(
            list.labels(),
            [
                Label {
                    key: "a".into(),
                    value: Some("1".into())
                },
                Label {
                    key: "b".into(),
                    value: None
                }
            ]
        );
    }

    #[test]
    fn unknown_keys_are_refused_in_dockerds_words() {
        let e = parse(&[("colour", "red")]).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'colour'");
        assert_eq!(e.kind(), crate::ErrorKind::InvalidParameter);
        // A known key without values filters nothing.
        let mut empty = raw(&[]);
        empty.insert("name".into(), Vec::new());
        let f = Filters::parse(&empty, &["name"]).unwrap();
        assert!(f.is_empty());
        assert!(f.values("name").is_empty());
    }

    #[test]
    fn label_forms() {
        let labels: BTreeMap<String, String> = [
            ("team".to_string(), "core".to_string()),
            ("tmp".to_string(), String::new()),
            ("a=b".to_string(), "c".to_string()),
        ]
        .into();
        let ok = |pairs: &[(&str, &str)]| parse(pairs).unwrap().labels_match(&labels);
        assert!(ok(&[]));
        assert!(ok(&[("label", "team")]));
        assert!(ok(&[("label", "team=core")]));
        assert!(!ok(&[("label", "team=web")]));
        assert!(ok(&[("label", "tmp=")]));
        assert!(!ok(&[("label", "team=")]));
        // Every `label` must match.
        assert!(!ok(&[("label", "team"), ("label", "gone")]));
        // No `label!` may.
        assert!(!ok(&[("label!", "tmp")]));
        assert!(ok(&[("label!", "team=web")]));
        assert!(!ok(&[("label", "team"), ("label!", "team=core")]));
        // The first `=` splits: a key cannot hold one.
        assert!(!ok(&[("label", "a=b=c")]));
    }

    #[test]
    fn bool_forms() {
        let b = |v: &str| parse(&[("dangling", v)]).unwrap().bool_of("dangling");
        for t in ["1", "true", "True", "TRUE"] {
            assert_eq!(b(t), Ok(Some(true)), "{t}");
        }
        for f in ["0", "false", "False", "FALSE"] {
            assert_eq!(b(f), Ok(Some(false)), "{f}");
        }
        assert_eq!(
            b("maybe").unwrap_err().to_string(),
            "invalid filter 'dangling=maybe'"
        );
        assert_eq!(parse(&[]).unwrap().bool_of("dangling"), Ok(None));
    }

    #[test]
    fn times_go_through_the_one_time_reader() {
        let now = 1_700_000_000_000_000_000;
        let t = |v: &str| parse(&[("until", v)]).unwrap().time_of("until", now);
        assert_eq!(t("10s"), Ok(Some(now - 10_000_000_000)));
        assert_eq!(t("1700000000"), Ok(Some(1_700_000_000_000_000_000)));
        assert_eq!(parse(&[]).unwrap().time_of("until", now), Ok(None));
        assert_eq!(
            t("soon").unwrap_err().to_string(),
            "failed to parse value as time or duration: \"soon\""
        );
    }
}
