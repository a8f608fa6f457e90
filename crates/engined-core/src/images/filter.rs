//! `docker images` / `docker image prune` filters: `reference` (a glob on
//! `repo` or `repo:tag`), `dangling`, `label` (`key` or `key=value`,
//! `label!` negates), `before` / `since` (another image), `until` (a time).
//! Values of one key are alternatives; different keys must all match.
//! [`Intermediates`]: the untagged images others were built on, which
//! `docker images` shows only with `-a` and a prune keeps.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use regex::Regex;

use super::reference::Reference;
use super::store::{Image, ImageStore};
use super::ImageError;
use crate::filters::{FilterError, Filters};
use crate::{pattern, ErrorKind};

/// The keys `docker images --filter` accepts.
const LIST_KEYS: &[&str] = &[
    "reference",
    "dangling",
    "label",
    "label!",
    "before",
    "since",
    "until",
];

/// The keys `docker image prune --filter` accepts.
const PRUNE_KEYS: &[&str] = &["dangling", "label", "label!", "until"];

/// Why an image filter was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImageFilterError {
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// A `reference` that is no valid glob.
    #[error("Invalid filter 'reference={0}'")]
    Reference(String),
    /// The image a `before` / `since` names.
    #[error(transparent)]
    Image(#[from] ImageError),
}

impl ImageFilterError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Filter(e) => e.kind(),
            Self::Reference(_) => ErrorKind::InvalidParameter,
            Self::Image(e) => e.kind(),
        }
    }
}

/// A parsed image filter. `before`/`since`/`until` are creation times
/// (Unix nanoseconds).
#[derive(Debug, Clone, Default)]
pub struct ImageFilter {
    /// The `reference` globs, compiled.
    references: Vec<Regex>,
    /// The whole parameter, for its `label` / `label!` selectors.
    filters: Filters,
    pub dangling: Option<bool>,
    pub before: Option<i64>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl ImageFilter {
    /// The filter of `docker images`: `before` / `since` name images of
    /// `store`.
    pub fn list(
        store: &ImageStore,
        filters: &BTreeMap<String, Vec<String>>,
    ) -> Result<ImageFilter, ImageFilterError> {
        Self::parse(filters, LIST_KEYS, crate::time::now_nanos(), &|r| {
            store.get(r).map(|i| i.config.created_nanos())
        })
    }

    /// The filter of `docker image prune`: untagged images only, unless
    /// told `dangling=false`.
    pub fn prune(filters: &BTreeMap<String, Vec<String>>) -> Result<ImageFilter, ImageFilterError> {
        let mut f = Self::parse(filters, PRUNE_KEYS, crate::time::now_nanos(), &|r| {
            Err(ImageError::NotFound(r.to_string()))
        })?;
        f.dangling = match f.dangling {
            None | Some(true) => Some(true),
            Some(false) => None,
        };
        Ok(f)
    }

    /// Parses `filters` with the `keys` an endpoint accepts; `until` is
    /// counted back from `now`, `created_of` gives the creation time of
    /// a `before` / `since` image.
    fn parse(
        filters: &BTreeMap<String, Vec<String>>,
        keys: &[&str],
        now: i64,
        created_of: &dyn Fn(&str) -> Result<i64, ImageError>,
    ) -> Result<ImageFilter, ImageFilterError> {
        let filters = Filters::parse(filters, keys)?;
        let mut f = ImageFilter {
            dangling: filters.bool_of("dangling")?,
            until: filters.time_of("until", now)?,
            ..ImageFilter::default()
        };
        for v in filters.values("reference") {
            f.references
                .push(pattern::glob(v).map_err(|_| ImageFilterError::Reference(v.clone()))?);
        }
        for v in filters.values("before") {
            f.before = Some(created_of(v)?);
        }
        for v in filters.values("since") {
            f.since = Some(created_of(v)?);
        }
        f.filters = filters;
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
        let reference_hit = |p: &Regex| names.iter().any(|n| reference_matches(p, n));
        (self.references.is_empty() || self.references.iter().any(reference_hit))
            && self.filters.labels_match(&labels)
            && self.dangling.is_none_or(|d| d == names.is_empty())
            && self.before.is_none_or(|t| created < t)
            && self.since.is_none_or(|t| created > t)
            && self.until.is_none_or(|t| created < t)
    }
}

/// The untagged images some other image names as its parent: a build's
/// steps below its result, a commit's base. As in dockerd, `docker images`
/// lists them only with `-a`, and a prune leaves them while a child stands.
#[derive(Debug, Clone, Default)]
pub struct Intermediates(HashSet<String>);

impl Intermediates {
    /// The parents named among `images` (what [`ImageStore::list`] gives).
    pub fn of(images: &[(Arc<Image>, Vec<Reference>)]) -> Intermediates {
        Intermediates(
            images
                .iter()
                .filter_map(|(image, _)| image.config.parent.clone())
                .collect(),
        )
    }

    /// Whether `image` (with `names`) is an untagged parent.
    pub fn contains(&self, image: &Image, names: &[Reference]) -> bool {
        names.is_empty() && self.0.contains(&image.id)
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

    fn filter(references: &[&str]) -> Result<ImageFilter, ImageFilterError> {
        let mut map = BTreeMap::new();
        map.insert(
            "reference".to_string(),
            references.iter().map(|r| r.to_string()).collect(),
        );
        ImageFilter::parse(&map, &["reference"], 0, &|_| Ok(0))
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
            filter(&["mini:["]).unwrap_err().to_string(),
            "Invalid filter 'reference=mini:['"
        );
    }

    #[test]
    fn prune_takes_untagged_images_unless_told_otherwise() {
        let raw = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<String>> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                .collect()
        };
        assert_eq!(ImageFilter::prune(&raw(&[])).unwrap().dangling, Some(true));
        assert_eq!(
            ImageFilter::prune(&raw(&[("dangling", "1")]))
                .unwrap()
                .dangling,
            Some(true)
        );
        assert_eq!(
            ImageFilter::prune(&raw(&[("dangling", "false")]))
                .unwrap()
                .dangling,
            None
        );
        let e = ImageFilter::prune(&raw(&[("dangling", "maybe")])).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'dangling=maybe'");
        assert_eq!(e.kind(), ErrorKind::InvalidParameter);
        let e = ImageFilter::prune(&raw(&[("before", "x")])).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'before'");
        let e = ImageFilter::prune(&raw(&[("until", "later")])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidParameter);
    }
}
