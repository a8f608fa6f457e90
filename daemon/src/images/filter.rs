//! `docker images` / `docker image prune` filters: `reference` (a glob on
//! `repo` or `repo:tag`), `dangling`, `label` (`key` or `key=value`,
//! `label!` negates), `before` / `since` (another image), `until` (a time).
//! Values of one key are alternatives; different keys must all match.

use std::collections::BTreeMap;

use super::reference::Reference;
use super::store::Image;

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
    references: Vec<String>,
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
                    "reference" => f.references.push(v.clone()),
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
                    || self
                        .references
                        .iter()
                        .any(|p| glob(p, &n.to_string()) || glob(p, &n.repo))
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
        let reference_hit = |pattern: &String| {
            names
                .iter()
                .any(|n| glob(pattern, &n.to_string()) || glob(pattern, &n.repo))
        };
        (self.references.is_empty() || self.references.iter().any(reference_hit))
            && self.labels.iter().all(label_hit)
            && !self.not_labels.iter().any(label_hit)
            && self.dangling.is_none_or(|d| d == names.is_empty())
            && self.before.is_none_or(|t| created < t)
            && self.since.is_none_or(|t| created > t)
            && self.until.is_none_or(|t| created < t)
    }
}

/// Shell-style matching as Go's `path.Match`: `*` and `?` do not cross
/// `/`, `[...]` is a class (`[!...]` or `[^...]` negated).
pub fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != '/')
                .any(|i| go(&p[1..], &t[i..])),
            Some('?') => t.first().is_some_and(|&c| c != '/') && go(&p[1..], &t[1..]),
            Some('[') => {
                let Some(&c) = t.first() else { return false };
                let Some(end) = p.iter().skip(1).position(|&x| x == ']').map(|i| i + 1) else {
                    return false;
                };
                let class = &p[1..end];
                let (negate, class) = match class.first() {
                    Some('!') | Some('^') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= class[i] <= c && c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == c;
                        i += 1;
                    }
                }
                hit != negate && go(&p[end + 1..], &t[1..])
            }
            Some('\\') if p.len() > 1 => t.first() == Some(&p[1]) && go(&p[2..], &t[1..]),
            Some(&c) => t.first() == Some(&c) && go(&p[1..], &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_like_go() {
        assert!(glob("mini", "mini"));
        assert!(glob("mi*", "mini:latest"));
        assert!(glob("*:v?", "mini:v2"));
        assert!(!glob("*", "team/app"));
        assert!(glob("*/*", "team/app"));
        assert!(glob("m[a-j]ni", "mini"));
        assert!(!glob("m[!i]ni", "mini"));
        assert!(!glob("mini", "mini2"));
    }
}
