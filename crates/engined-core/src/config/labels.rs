//! `labels`: the daemon's `key=value` labels, with dockerd's rules.
//!
//! Each label needs an `=` and a non-empty key; keys in the namespaces Docker
//! reserves for itself (`com.docker.*`, `io.docker.*`, `org.dockerproject.*`)
//! are refused. A key given twice with the same value counts once; with
//! different values it is an error (dockerd's "conflict labels").

use std::collections::BTreeMap;

use super::ConfigError;

/// Key prefixes reserved for Docker's own use (compared case-insensitively).
pub const RESERVED_NAMESPACES: [&str; 3] = ["com.docker.", "io.docker.", "org.dockerproject."];

/// Splits one label into its key and value, checking it on its own.
pub fn parse(label: &str) -> Result<(&str, &str), ConfigError> {
    let invalid = |reason| ConfigError::InvalidValue {
        key: "labels".to_owned(),
        value: label.to_owned(),
        reason,
    };
    let (key, value) = label
        .split_once('=')
        .ok_or_else(|| invalid("must be key=value"))?;
    if key.trim().is_empty() {
        return Err(invalid("the key before '=' is empty"));
    }
    let lowered = key.to_ascii_lowercase();
    if RESERVED_NAMESPACES.iter().any(|ns| lowered.starts_with(ns)) {
        return Err(invalid(
            "the namespaces com.docker.*, io.docker.* and org.dockerproject.* are reserved for internal use",
        ));
    }
    Ok((key, value))
}

/// The labels as a map, refusing a key given twice with different values.
pub fn conflict_free(labels: &[String]) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for label in labels {
        let (key, value) = parse(label)?;
        match out.get(key) {
            Some(existing) if existing != value => {
                return Err(ConfigError::LabelConflict {
                    key: key.to_owned(),
                    value: value.to_owned(),
                    existing: existing.clone(),
                })
            }
            Some(_) => {}
            None => {
                out.insert(key.to_owned(), value.to_owned());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn key_value_pairs() {
        assert_eq!(parse("a=b").unwrap(), ("a", "b"));
        assert_eq!(parse("a=").unwrap(), ("a", ""));
        assert_eq!(parse("a=b=c").unwrap(), ("a", "b=c"));
        for bad in ["novalue", "=x", " =x", "com.docker.x=1", "IO.Docker.y=2"] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.starts_with("labels: "), "{bad}: {err}");
            assert!(err.contains(&format!("{bad:?}")), "{bad}: {err}");
        }
    }

    #[test]
    fn same_value_twice_counts_once() {
        let map = conflict_free(&strings(&["zone=a", "tier=db", "zone=a"])).unwrap();
        assert_eq!(map.len(), 2);
        assert_eq!(map["zone"], "a");
    }

    #[test]
    fn different_values_conflict() {
        let err = conflict_free(&strings(&["zone=a", "zone=b"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "labels: conflict labels for zone=b and zone=a"
        );
    }
}
