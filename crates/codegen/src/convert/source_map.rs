//! Where a node of the converted document came from: each converted schema,
//! parameter, request body and response remembers the JSON pointer of its
//! source in the original spec, so that later stages can name the original
//! file's line in their errors.

use std::collections::HashMap;

use crate::load::{Node, Pos};
use crate::pointer;

/// A place in the original spec: its JSON pointer and its line:column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub pointer: String,
    pub pos: Pos,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{} ({pointer})", self.pos)
    }
}

/// Maps pointers into the converted (OpenAPI 3.0) document back to pointers
/// into the source document. An OpenAPI 3.0 source maps onto itself.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    identity: bool,
    entries: HashMap<String, String>,
}

impl SourceMap {
    /// The map of a document that was used as is.
    pub fn identity() -> Self {
        SourceMap {
            identity: true,
            entries: HashMap::new(),
        }
    }

    /// An empty map, filled by the converter.
    pub(crate) fn new() -> Self {
        SourceMap::default()
    }

    /// Records that the converted node at `converted` came from `source`.
    pub(crate) fn record(&mut self, converted: &str, source: &str) {
        if !self.identity {
            self.entries
                .insert(converted.to_string(), source.to_string());
        }
    }

    /// The source pointer of a converted pointer: the longest recorded
    /// prefix, extended by the rest of the converted pointer.
    pub fn source_pointer(&self, converted: &str) -> String {
        if self.identity {
            return converted.to_string();
        }
        let mut prefix = converted;
        loop {
            if let Some(source) = self.entries.get(prefix) {
                return format!("{source}{}", &converted[prefix.len()..]);
            }
            match prefix.rfind('/') {
                Some(at) => prefix = &prefix[..at],
                None => return converted.to_string(),
            }
        }
    }

    /// The source location of a converted pointer, with the position of the
    /// deepest source node that exists on the way.
    pub fn locate(&self, root: &Node, converted: &str) -> Location {
        let pointer = self.source_pointer(converted);
        Location {
            pos: position(root, &pointer),
            pointer,
        }
    }
}

/// The position of the node at `pointer`, or of its nearest existing parent.
pub fn position(root: &Node, pointer: &str) -> Pos {
    let mut at = pointer;
    loop {
        if let Some(node) = pointer::resolve(root, at) {
            return node.pos;
        }
        match at.rfind('/') {
            Some(i) => at = &at[..i],
            None => return root.pos,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins_and_the_rest_is_kept() {
        let mut map = SourceMap::new();
        map.record("/components/schemas/A", "/definitions/A");
        map.record("/paths/~1x/get/requestBody", "/paths/~1x/get/parameters/0");
        assert_eq!(
            map.source_pointer("/components/schemas/A/properties/b"),
            "/definitions/A/properties/b"
        );
        assert_eq!(
            map.source_pointer("/paths/~1x/get/requestBody"),
            "/paths/~1x/get/parameters/0"
        );
        assert_eq!(map.source_pointer("/info"), "/info");
        assert_eq!(SourceMap::identity().source_pointer("/a/b"), "/a/b");
    }
}
