//! Reading the loaded spec tree for the docs: definitions, `$ref`s and the
//! few places where Swagger 2.0 and OpenAPI 3.0 differ.
//!
//! Everything here is forgiving: a missing or mistyped piece gives `None`
//! or an empty list, never a panic, so odd specs render with gaps.

use std::collections::BTreeMap;

use crate::load::Node;
use crate::pointer;

use super::anchors::{definition_id, Anchors};

/// The spec with its definitions indexed by name and their page ids.
pub struct Spec<'a> {
    pub root: &'a Node,
    /// Definitions in spec order (first of duplicate names wins).
    pub definitions: Vec<(&'a str, &'a Node)>,
    /// Definition name to its anchor id.
    pub definition_ids: BTreeMap<&'a str, String>,
}

impl<'a> Spec<'a> {
    pub fn new(root: &'a Node, anchors: &mut Anchors) -> Self {
        let holder = root
            .get("definitions")
            .or_else(|| root.get("components").and_then(|c| c.get("schemas")));
        let mut definitions = Vec::new();
        let mut definition_ids = BTreeMap::new();
        for entry in holder.and_then(Node::entries).unwrap_or_default() {
            let name = entry.key.as_str();
            if definition_ids.contains_key(name) {
                continue;
            }
            definition_ids.insert(name, anchors.claim(&definition_id(name)));
            definitions.push((name, &entry.value));
        }
        Spec {
            root,
            definitions,
            definition_ids,
        }
    }

    /// Follows a local `$ref` (`#/...`); other references give `None`.
    pub fn follow(&self, reference: &str) -> Option<&'a Node> {
        let fragment = reference.strip_prefix('#')?;
        pointer::resolve(self.root, &pointer::percent_decode(fragment))
    }

    /// The definition a `$ref` names, when it names one that exists.
    pub fn definition_of(&self, reference: &str) -> Option<&'a str> {
        let name = reference
            .strip_prefix("#/definitions/")
            .or_else(|| reference.strip_prefix("#/components/schemas/"))?;
        let name = pointer::percent_decode(name)
            .replace("~1", "/")
            .replace("~0", "~");
        self.definition_ids
            .get_key_value(name.as_str())
            .map(|(k, _)| *k)
    }

    /// `node`, or what its `$ref` points to (followed a few times at most,
    /// so reference loops end).
    pub fn deref(&self, node: &'a Node) -> &'a Node {
        let mut current = node;
        for _ in 0..8 {
            match ref_of(current).and_then(|r| self.follow(r)) {
                Some(next) => current = next,
                None => break,
            }
        }
        current
    }
}

/// The `$ref` string of a node, if it has one.
pub fn ref_of(node: &Node) -> Option<&str> {
    node.get("$ref").and_then(Node::as_str)
}

/// A string field.
pub fn text<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(Node::as_str)
}

/// A boolean field, false when absent or not a boolean.
pub fn flag(node: &Node, key: &str) -> bool {
    node.get(key).and_then(Node::as_bool).unwrap_or(false)
}

/// A list of strings (`required`, `tags`, `produces`...); other items skipped.
pub fn strings<'n>(node: &'n Node, key: &str) -> Vec<&'n str> {
    node.get(key)
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    #[test]
    fn indexes_definitions_and_follows_refs() {
        let doc = load_str(
            "t.yaml",
            "definitions:\n  A:\n    $ref: '#/definitions/B'\n  B:\n    type: string\n  A:\n    type: integer\n",
        )
        .unwrap();
        let mut anchors = Anchors::new();
        let spec = Spec::new(&doc.root, &mut anchors);
        assert_eq!(spec.definitions.len(), 2);
        assert_eq!(spec.definition_of("#/definitions/B"), Some("B"));
        assert_eq!(spec.definition_of("#/definitions/C"), None);
        let a = spec.definitions[0].1;
        assert_eq!(text(spec.deref(a), "type"), Some("string"));
        assert_eq!(spec.definition_ids["A"], "schema/A");
    }

    #[test]
    fn reference_loops_end() {
        let doc = load_str(
            "t.yaml",
            "definitions:\n  A:\n    $ref: '#/definitions/B'\n  B:\n    $ref: '#/definitions/A'\n",
        )
        .unwrap();
        let mut anchors = Anchors::new();
        let spec = Spec::new(&doc.root, &mut anchors);
        let _ = spec.deref(spec.definitions[0].1);
    }
}
