//! `docker search` (`GET /images/search`): the term names its registry
//! the way dockerd splits it (a first part with a `.` or `:`, or
//! `localhost`, is a registry; anything else searches Docker Hub, whose
//! index is `index.docker.io`), that registry's v1 search API is asked
//! (`GET /v1/search?q=REST&n=LIMIT`, over HTTPS, or plain HTTP for an
//! insecure registry), and the hits are filtered (`is-official`,
//! `stars`; `is-automated=true` finds nothing, and every hit's
//! `is_automated` is false, as the flag is deprecated) in dockerd's
//! order and words: a bad filter, a term with a scheme, a limit outside
//! 1..=100 (0 is the default 25; below 0 "invalid limit specified") are the client's fault (400), a registry
//! that answers anything but 200 (the distribution registry has no v1
//! search and answers 404) "Unexpected status code N" (500).
//!
//! Mirrors are not used: dockerd sends searches to the index itself.

use std::collections::BTreeMap;
use std::sync::Arc;

use engine_api::rt::query::encode;
use engine_api::types::ImageSearchResponseItem;
use hyper::Uri;
use serde::Deserialize;

use super::body::read_limited;
use super::http;
use super::{Credentials, RegistryError, Settings, DEFAULT_DOMAIN};
use crate::filters::Filters;

/// Hits asked for when the request says nothing (or 0).
pub const DEFAULT_LIMIT: i64 = 25;
/// The most hits one search may ask for.
pub const MAX_LIMIT: i64 = 100;
/// Docker Hub's v1 index, where Hub searches go.
pub const INDEX_HOST: &str = "index.docker.io";
/// The most a search answer may weigh.
const MAX_ANSWER: u64 = 8 * 1024 * 1024;
/// The filters a search accepts.
const KEYS: &[&str] = &["is-automated", "is-official", "stars"];

/// The registry a search term names, and what to search there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTarget {
    /// `host[:port]` of the registry (Docker Hub: [`INDEX_HOST`]).
    pub host: String,
    /// The text sent as `q`.
    pub query: String,
}

/// Splits `term` as dockerd does: `127.0.0.1:5000/busy` searches `busy`
/// on that registry, `nginx` or `library/nginx` searches Docker Hub
/// (whose official images are asked for without `library/`).
pub fn target(term: &str) -> SearchTarget {
    match term.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            let hub = matches!(first, DEFAULT_DOMAIN | INDEX_HOST);
            SearchTarget {
                host: if hub { INDEX_HOST.into() } else { first.into() },
                query: if hub {
                    rest.strip_prefix("library/").unwrap_or(rest).into()
                } else {
                    rest.into()
                },
            }
        }
        _ => SearchTarget {
            host: INDEX_HOST.into(),
            query: term.strip_prefix("library/").unwrap_or(term).into(),
        },
    }
}

/// What the filters keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct HitFilter {
    /// `is-automated=true`: nothing (the flag is always false now).
    none: bool,
    official: Option<bool>,
    /// The highest `stars` value.
    stars: Option<i64>,
}

impl HitFilter {
    fn parse(raw: &BTreeMap<String, Vec<String>>) -> Result<HitFilter, RegistryError> {
        let invalid = |e: crate::filters::FilterError| RegistryError::invalid(e.to_string());
        let filters = Filters::parse(raw, KEYS).map_err(invalid)?;
        let automated = filters.bool_of("is-automated").map_err(invalid)?;
        let official = filters.bool_of("is-official").map_err(invalid)?;
        let mut stars = None;
        for value in filters.values("stars") {
            let n: i64 = value.parse().map_err(|_| {
                RegistryError::invalid(format!(
                    "invalid filter 'stars={value}': strconv.Atoi: parsing {value:?}: invalid syntax"
                ))
            })?;
            stars = Some(stars.map_or(n, |s: i64| s.max(n)));
        }
        Ok(HitFilter {
            none: automated == Some(true),
            official,
            stars,
        })
    }

    fn keeps(&self, hit: &Hit) -> bool {
        self.official.is_none_or(|o| o == hit.is_official)
            && self.stars.is_none_or(|s| hit.star_count >= s)
    }
}

/// One hit as the v1 search API sends it.
#[derive(Debug, Clone, Default, Deserialize)]
struct Hit {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    star_count: i64,
    #[serde(default)]
    is_official: bool,
}

/// The v1 search API's answer.
#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    results: Vec<Hit>,
}

/// The limit a request's `limit` stands for.
pub fn limit_of(limit: Option<i64>) -> Result<i64, RegistryError> {
    match limit.unwrap_or(0) {
        0 => Ok(DEFAULT_LIMIT),
        n if n < 0 => Err(RegistryError::invalid("invalid limit specified")),
        n if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        n => Err(RegistryError::invalid(format!(
            "limit {n} is outside the range of [1, {MAX_LIMIT}]"
        ))),
    }
}

/// Searches the registry `term` names; `filters` is the request's.
pub async fn search(
    term: &str,
    limit: Option<i64>,
    filters: &BTreeMap<String, Vec<String>>,
    credentials: Option<Credentials>,
    settings: Arc<Settings>,
) -> Result<Vec<ImageSearchResponseItem>, RegistryError> {
    let filter = HitFilter::parse(filters)?;
    if filter.none {
        return Ok(Vec::new());
    }
    if term.starts_with("http://") || term.starts_with("https://") {
        return Err(RegistryError::invalid(format!(
            "invalid repository name: repository name ({term}) should not have a scheme"
        )));
    }
    let target = target(term);
    let limit = limit_of(limit)?;
    let base = if target.host == INDEX_HOST {
        format!("https://{INDEX_HOST}")
    } else {
        super::http::base_url(&settings, &target.host).await
    };
    let url = format!("{base}/v1/search?q={}&n={limit}", encode(&target.query));
    let uri: Uri = url
        .parse()
        .map_err(|e| RegistryError::invalid(format!("invalid registry endpoint {base}: {e}")))?;
    // Logged in: the credentials go along, as dockerd's v1 session sends them.
    let mut headers = vec![("X-Docker-Token", "true".to_string())];
    if let Some(c) = &credentials {
        headers.push(("Authorization", c.basic()));
    }
    // An unreachable registry is the server's failure (500), as the
    // spec has it.
    let answer = http::get(&settings, &uri, &headers).await.map_err(|e| {
        RegistryError::unavailable(format!("invalid registry endpoint \"{base}/v1/\": {e}"))
    })?;
    let status = answer.status();
    if status != hyper::StatusCode::OK {
        return Err(RegistryError::protocol(format!(
            "Unexpected status code {}",
            status.as_u16()
        )));
    }
    let body = read_limited(answer.into_body(), MAX_ANSWER).await?;
    let answer: Answer = serde_json::from_slice(&body).map_err(|e| {
        RegistryError::protocol(format!("error decoding registry search results: {e}"))
    })?;
    Ok(answer
        .results
        .into_iter()
        .filter(|hit| filter.keeps(hit))
        .map(|hit| ImageSearchResponseItem {
            name: Some(hit.name),
            description: Some(hit.description),
            star_count: Some(hit.star_count),
            is_official: Some(hit.is_official),
            is_automated: Some(false),
            ..Default::default()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::filters::raw;

    #[test]
    fn terms_name_their_registry_as_dockerd_splits_them() {
        let t = |host: &str, query: &str| SearchTarget {
            host: host.into(),
            query: query.into(),
        };
        assert_eq!(target("busybox"), t(INDEX_HOST, "busybox"));
        assert_eq!(target("library/nginx"), t(INDEX_HOST, "nginx"));
        assert_eq!(target("samalba/hipache"), t(INDEX_HOST, "samalba/hipache"));
        assert_eq!(target("docker.io/library/x"), t(INDEX_HOST, "x"));
        assert_eq!(target("127.0.0.1:5000/busy"), t("127.0.0.1:5000", "busy"));
        assert_eq!(target("localhost/a/b"), t("localhost", "a/b"));
        assert_eq!(target("reg.example/app"), t("reg.example", "app"));
    }

    #[test]
    fn limits_and_filters_are_checked_like_dockerd() {
        assert_eq!(limit_of(None).unwrap(), 25);
        assert_eq!(limit_of(Some(0)).unwrap(), 25);
        assert_eq!(limit_of(Some(100)).unwrap(), 100);
        let e = limit_of(Some(101)).unwrap_err();
        assert_eq!(e.to_string(), "limit 101 is outside the range of [1, 100]");
        assert_eq!(e.error_kind(), crate::ErrorKind::InvalidParameter);
        let e = limit_of(Some(-1)).unwrap_err();
        assert_eq!(e.to_string(), "invalid limit specified");
        let e = HitFilter::parse(&raw(&[("color", "red")])).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'color'");
        let e = HitFilter::parse(&raw(&[("stars", "many")])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid filter 'stars=many': strconv.Atoi: parsing \"many\": invalid syntax"
        );
        let e = HitFilter::parse(&raw(&[("is-official", "perhaps")])).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'is-official=perhaps'");
        let f = HitFilter::parse(&raw(&[
            ("stars", "3"),
            ("stars", "10"),
            ("is-official", "true"),
        ]))
        .unwrap();
        assert_eq!(f.stars, Some(10));
        let hit = |stars, official| Hit {
            star_count: stars,
            is_official: official,
            ..Default::default()
        };
        assert!(f.keeps(&hit(10, true)));
        assert!(!f.keeps(&hit(9, true)));
        assert!(!f.keeps(&hit(50, false)));
        assert!(
            HitFilter::parse(&raw(&[("is-automated", "true")]))
                .unwrap()
                .none
        );
    }
}
