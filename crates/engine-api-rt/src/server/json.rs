//! JSON request data (bodies, the `X-Registry-Auth` header's payload)
//! decoded with the failing field named (`HostConfig.Memory`) and serde's
//! Rust type names replaced by JSON words, so a client reads what it sent
//! wrong.

use std::fmt;

use serde::de::DeserializeOwned;

/// Why a JSON value did not decode: where in the document (a path such as
/// `HostConfig.Memory`) and what was wrong, without Rust type names.
#[derive(Debug)]
pub struct JsonError {
    path: String,
    message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() || self.path == "." {
            f.write_str(&self.message)
        } else {
            write!(f, "field `{}`: {}", self.path, self.message)
        }
    }
}

/// Decodes JSON, naming the field that failed.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| JsonError {
        path: e.path().to_string(),
        message: scrub(&e.into_inner().to_string()),
    })
}

/// serde's messages say `expected struct HostConfig`; clients should read
/// JSON words, not our type names.
fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("expected ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "expected ".len()..];
        let (word, replacement) = if let Some(tail) = after.strip_prefix("struct ") {
            (tail, "expected a JSON object")
        } else if let Some(tail) = after.strip_prefix("enum ") {
            (tail, "expected one of the documented values")
        } else {
            out.push_str("expected ");
            rest = after;
            continue;
        };
        out.push_str(replacement);
        let name_len = word
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(word.len());
        rest = &word[name_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        #[serde(rename = "Memory")]
        memory: i64,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        #[serde(rename = "HostConfig")]
        host_config: Inner,
    }

    #[test]
    fn json_errors_name_the_field_not_the_type() {
        let e = decode_json::<Outer>(br#"{"HostConfig":{"Memory":"lots"}}"#).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("field `HostConfig.Memory`: invalid type"),
            "{text}"
        );
        let e = decode_json::<Outer>(br#"{"HostConfig":5}"#).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("expected a JSON object"), "{text}");
        assert!(!text.contains("Inner"), "{text}");
        let e = decode_json::<Outer>(b"{").unwrap_err();
        assert!(e.to_string().contains("EOF"), "{e}");
    }

    #[test]
    fn scrub_keeps_other_expectations() {
        assert_eq!(scrub("expected i64 at line 1"), "expected i64 at line 1");
        assert_eq!(
            scrub("invalid type: map, expected struct Foo_2 at line 1 column 3"),
            "invalid type: map, expected a JSON object at line 1 column 3"
        );
    }
}
