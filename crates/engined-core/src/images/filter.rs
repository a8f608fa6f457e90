//! `docker images` / `docker image prune` filters: `reference` (a glob on
//! `repo` or `repo:tag`), `dangling`, `label` (`key` or `key=value`,
//! `label!` negates), `before` / `since` (another image), `until` (a time).
//! Values of one key are alternatives; different keys must all match.

use std::collections::BTreeMap;

use regex::Regex;

use super::reference::Reference;
use super::store::Image;
use crate::pattern;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("Invalid filter '{0}'")]
    Key(String),
    #[error("Invalid filter '{0}={1}'")]
    Value(String, String),
}

/// A parsed image filter. `before`/`since`/`until` are creation times
/// (Unix nanoseconds) the caller resolved.
#[derive(Debug, Clone, Default)]
pub struct ImageFilter {
    /// The `reference` globs, compiled.
    references: Vec<Regex>,
    labels: Vec<String>,
    not_labels: Vec<String>,
    pub dangling: Option<bool>,
    pub before: Option<i64>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl ImageFilter {
    /// `resolve_time(key, value)` turns a `before`/`since` image or an
    /// `until` time into Unix nanoseconds.
    pub fn parse(
        filters: &BTreeMap<String, Vec<String>>,
        keys: &[&str],
        resolve_time: &dyn Fn(&str, &str) -> Result<i64, String>,
    ) -> Result<ImageFilter, String> {
        let mut f = ImageFilter::default();
        for (key, values) in filters {
            if !keys.contains(&key.as_str()) {
                return Err(FilterError::Key(key.clone()).to_string());
            }
            for v in values {
                match key.as_str() {
                    "reference" => f.references.push(
                        pattern::glob(v)
                            .map_err(|_| FilterError::Value(key.clone(), v.clone()).to_string())?,
                    ),
                    "label" => f.labels.push(v.clone()),
                    "label!" => f.not_labels.push(v.clone()),
                    "dangling" => {
                        f.dangling = Some(match v.as_str() {
                            "1" | "true" | "True" | "TRUE" => true,
                            "0" | "false" | "False" | "FALSE" => false,
                            _ => return Err(FilterError::Value(key.clone(), v.clone()).to_string()),
                        })
                    }
                    "before" => f.before = Some(resolve_time(key, v)?),
                    "since" => f.since = Some(resolve_time(key, v)?),
                    "until" => f.until = Some(resolve_time(key, v)?),
                    _ => return Err(FilterError::Key(key.clone()).to_string()),
                }
            }
        }
        Ok(f)
    }

    /// The names a `reference` filter lets through (all without one):
    /// `docker images mini:v*` shows only the matching tags.
    pub fn shown_names(&self, names: &[Reference]) -> Vec<Reference> {
        names
            .iter()
            .filter(|n| {
                self.references.is_empty()
                    || self.references.iter().any(|p| reference_matches(p, n))
            })
            .cloned()
            .collect()
    }

    pub fn matches(&self, image: &Image, names: &[Reference]) -> bool {
        let created = image.config.created_nanos();
        let labels = image
            .config
            .config
            .as_ref()
            .and_then(|c| c.labels.clone())
            .unwrap_or_default();
        let label_hit = |want: &String| match want.split_once('=') {
            Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
            None => labels.contains_key(want.as_str()),
        };
        let reference_hit = |p: &Regex| names.iter().any(|n| reference_matches(p, n));
        (self.references.is_empty() || self.references.iter().any(reference_hit))
            && self.labels.iter().all(label_hit)
            && !self.not_labels.iter().any(label_hit)
            && self.dangling.is_none_or(|d| d == names.is_empty())
            && self.before.is_none_or(|t| created < t)
            && self.since.is_none_or(|t| created > t)
            && self.until.is_none_or(|t| created < t)
    }
}

/// A `reference` glob against `repo:tag` or the bare `repo`.
fn reference_matches(pattern: &Regex, name: &Reference) -> bool {
    pattern.is_match(&name.to_string()) || pattern.is_match(&name.repo)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    fn filter(references: &[&str]) -> Result<ImageFilter, String> {
        let mut map = BTreeMap::new();
        map.insert(
            "reference".to_string(),
            references.iter().map(|r| r.to_string()).collect(),
        );
        ImageFilter::parse(&map, &["reference"], &|_, _| Ok(0))
    }

    #[test]
    fn references_show_matching_names_in_linear_time() {
        let long = format!("mini:{}", "a".repeat(120));
        let names: Vec<Reference> = ["mini:latest", "mini:v2", "team/app:1", long.as_str()]
            .iter()
            .map(|n| Reference::parse(n).unwrap())
            .collect();
        let shown = |refs: &[&str]| -> Vec<String> {
            filter(refs)
                .unwrap()
                .shown_names(&names)
                .iter()
                .map(|n| n.to_string())
                .collect()
        };
        assert_eq!(shown(&["mini:v?"]), ["mini:v2"]);
        assert_eq!(shown(&["team/*"]), ["team/app:1"]);
        assert_eq!(shown(&["mini"]).len(), 3);
        let start = Instant::now();
        assert!(shown(&["*a*a*a*a*a*a*a*a*a*a*a*b"]).is_empty());
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(
            filter(&["mini:["]).unwrap_err(),
            "Invalid filter 'reference=mini:['"
        );
    }
}
