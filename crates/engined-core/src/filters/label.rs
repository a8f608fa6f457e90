//! One `label` filter value: `key` (the label is set, whatever its
//! value) or `key=value` (set to exactly that value), split at the first
//! `=` as dockerd does.

/// A parsed `label` (or `label!`) value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub key: String,
    pub value: Option<String>,
}

impl Label {
    pub fn parse(text: &str) -> Label {
        match text.split_once('=') {
            Some((key, value)) => Label {
                key: key.to_string(),
                value: Some(value.to_string()),
            },
            None => Label {
                key: text.to_string(),
                value: None,
            },
        }
    }

    /// Whether the object whose label `key` is `get(key)` has this label.
    pub fn matches<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        match (get(&self.key), &self.value) {
            (Some(have), Some(want)) => have == want,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}
