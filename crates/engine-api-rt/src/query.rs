//! Docker's query-string conventions, both ways: booleans (`1`/`0`,
//! `true`/`false`), `filters` as a JSON object of string lists, repeated
//! keys, and percent-encoding.

use std::collections::BTreeMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// A query parameter the server could not accept; the message names it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A required parameter (named here) is absent.
    #[error("missing required query parameter `{0}`")]
    Missing(&'static str),
    /// A parameter is present but its value does not parse.
    #[error("invalid value for query parameter `{name}`: {why}")]
    Invalid {
        /// The parameter's name on the wire.
        name: &'static str,
        /// What is wrong with its value.
        why: String,
    },
}

/// A parsed query string: every key with all its values, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses `a=1&b=x%20y&a=2` (no leading `?`). `+` means a space.
    pub fn parse(raw: &str) -> Query {
        let pairs = raw
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (decode(k), decode(v)),
                None => (decode(p), String::new()),
            })
            .collect();
        Query { pairs }
    }

    /// The first value of `name`.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name` (repeated keys), in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of `name` as an owned string (`None` when absent).
    pub fn string(&self, name: &'static str) -> Option<String> {
        self.first(name).map(str::to_string)
    }

    /// The first value of `name`, or [`QueryError::Missing`] naming it.
    pub fn required_string(&self, name: &'static str) -> Result<String, QueryError> {
        self.string(name).ok_or(QueryError::Missing(name))
    }

    /// A boolean the way dockerd reads one: `1`, `true`, `yes` (any case)
    /// are true; `0`, `false`, `no`, `none` and the empty string are false.
    pub fn bool(&self, name: &'static str) -> Result<Option<bool>, QueryError> {
        let Some(raw) = self.first(name) else {
            return Ok(None);
        };
        match raw.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(Some(true)),
            "0" | "false" | "no" | "none" | "off" | "" => Ok(Some(false)),
            _ => Err(QueryError::Invalid {
                name,
                why: format!("`{raw}` is not a boolean (use 1/0 or true/false)"),
            }),
        }
    }

    /// An integer of any width that `FromStr` parses.
    pub fn int<T: std::str::FromStr>(&self, name: &'static str) -> Result<Option<T>, QueryError> {
        match self.first(name) {
            None | Some("") => Ok(None),
            Some(raw) => raw
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| QueryError::Invalid {
                    name,
                    why: format!("`{raw}` is not an integer in range"),
                }),
        }
    }

    /// `filters`: `{"status":["running"],"label":["a=b"]}`. The older map
    /// form `{"label":{"a=b":true}}` is accepted too, as dockerd does.
    pub fn filters(&self, name: &'static str) -> Result<Option<Filters>, QueryError> {
        match self.first(name) {
            None | Some("") => Ok(None),
            Some(raw) => Filters::from_json(raw)
                .map(Some)
                .map_err(|why| QueryError::Invalid { name, why }),
        }
    }
}

/// A `filters` value: each key with its accepted values (sorted, unique).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters(pub BTreeMap<String, Vec<String>>);

impl Filters {
    /// Parses a `filters` value: a JSON object whose values are lists of
    /// strings, or (the older form) objects of `"value": true`. The error
    /// says what is wrong, for a 400 message.
    pub fn from_json(raw: &str) -> Result<Filters, String> {
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| format!("not JSON: {e}"))?;
        let serde_json::Value::Object(map) = value else {
            return Err("expected a JSON object of lists".into());
        };
        let mut out = BTreeMap::new();
        for (key, values) in map {
            let mut list: Vec<String> = match values {
                serde_json::Value::Array(items) => items
                    .into_iter()
                    .map(|v| match v {
                        serde_json::Value::String(s) => Ok(s),
                        other => Err(format!("filter `{key}`: `{other}` is not a string")),
                    })
                    .collect::<Result<_, _>>()?,
                serde_json::Value::Object(set) => set
                    .into_iter()
                    .filter(|(_, on)| on.as_bool() == Some(true))
                    .map(|(k, _)| k)
                    .collect(),
                other => return Err(format!("filter `{key}`: `{other}` is not a list")),
            };
            list.sort();
            list.dedup();
            out.insert(key, list);
        }
        Ok(Filters(out))
    }

    /// Adds `value` under `key` (a builder for clients:
    /// `Filters::default().with("status", "running")`).
    pub fn with(mut self, key: &str, value: &str) -> Filters {
        let list = self.0.entry(key.to_string()).or_default();
        if !list.iter().any(|v| v == value) {
            list.push(value.to_string());
            list.sort();
        }
        self
    }

    /// The JSON object of lists the client sends as `filters`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".into())
    }

    /// The values given for `key` (empty when the key is absent).
    pub fn get(&self, key: &str) -> &[String] {
        self.0.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether no filter has any value, i.e. nothing is filtered out.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(Vec::is_empty)
    }
}

/// Builds a query string on the client side.
#[derive(Clone, Debug, Default)]
pub struct QueryBuilder {
    out: String,
}

impl QueryBuilder {
    /// Appends `name=value`, both percent-encoded.
    pub fn push(&mut self, name: &str, value: &str) -> &mut Self {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        self.out.push_str(&encode(name));
        self.out.push('=');
        self.out.push_str(&encode(value));
        self
    }

    /// Booleans go out as `1` / `0`, as the docker CLI sends them.
    pub fn push_bool(&mut self, name: &str, value: bool) -> &mut Self {
        self.push(name, if value { "1" } else { "0" })
    }

    /// The query string built so far, without a leading `?` (empty when
    /// nothing was pushed).
    pub fn finish(self) -> String {
        self.out
    }
}

/// What [`encode`] escapes: everything but RFC 3986's unreserved characters.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

/// Decodes a query component: `%XX` escapes, and `+` as a space; invalid
/// escapes are kept as written.
pub fn decode(text: &str) -> String {
    if text.contains('+') {
        // A literal `+` is a space; `%2B` still decodes to a plus sign.
        percent_decode(&text.replace('+', " "))
    } else {
        percent_decode(text)
    }
}

/// Decodes `%XX` escapes of a path segment (`+` stays a plus sign);
/// invalid escapes are kept as written, and bytes that are not UTF-8
/// become U+FFFD. The one percent-decoder of this crate.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_docker_queries() {
        let q = Query::parse("all=1&size=false&filters=%7B%22status%22%3A%5B%22running%22%5D%7D&repo=mini%3Alatest&x=a&x=b");
        assert_eq!(q.bool("all"), Ok(Some(true)));
        assert_eq!(q.bool("size"), Ok(Some(false)));
        assert_eq!(q.bool("missing"), Ok(None));
        assert_eq!(q.first("repo"), Some("mini:latest"));
        assert_eq!(q.all("x"), vec!["a", "b"]);
        let f = q.filters("filters").unwrap().unwrap();
        assert_eq!(f.get("status"), ["running".to_string()]);
    }

    #[test]
    fn bad_values_name_the_parameter() {
        let q = Query::parse("all=maybe&limit=ten&filters=%5B1%5D");
        let e = q.bool("all").unwrap_err();
        assert!(e.to_string().contains("`all`"), "{e}");
        assert!(q
            .int::<i64>("limit")
            .unwrap_err()
            .to_string()
            .contains("`limit`"));
        assert!(q.filters("filters").is_err());
        assert_eq!(q.required_string("id"), Err(QueryError::Missing("id")));
    }

    #[test]
    fn legacy_filter_maps_and_encoding_round_trip() {
        let f = Filters::from_json(r#"{"label":{"a=b":true,"c":false}}"#).unwrap();
        assert_eq!(f.get("label"), ["a=b".to_string()]);
        let mut b = QueryBuilder::default();
        b.push("filters", &f.to_json()).push_bool("all", true);
        let q = Query::parse(&b.finish());
        assert_eq!(q.filters("filters").unwrap().unwrap(), f);
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("a+b%2B%20c"), "a b+ c");
        assert_eq!(decode("%e9%"), "\u{fffd}%");
        assert_eq!(encode("a b/é~"), "a%20b%2F%C3%A9~");
    }
}
