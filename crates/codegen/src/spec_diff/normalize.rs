//! What counts as wire contract: the role of every node in a spec, which keys
//! are prose (dropped), how sequences compare, and `$ref` following.
//!
//! A key is only a keyword where the object model says so: `description`
//! under a schema is prose, but `description` under `properties` is the name
//! of a property and is kept. Each node therefore gets a [`Role`] from its
//! parent, and the role decides what its keys and items mean.

use crate::load::{Node, Value};
use crate::pointer;

/// Keys that only document and never change what goes over the wire.
const PROSE: &[&str] = &[
    "description",
    "summary",
    "example",
    "examples",
    "externalDocs",
    "x-displayName",
    "x-logo",
    "x-tagGroups",
];

/// Parts of `info` that only document (its `version` is kept).
const INFO_PROSE: &[&str] = &["title", "termsOfService", "contact", "license"];

/// The kinds of objects whose keys are keywords of the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    PathItem,
    Operation,
    /// Schemas, and everything shaped like one: Swagger 2.0 parameters,
    /// headers and `items`, whose `type`, `enum`, `required` ... mean the same.
    Schema,
    Response,
    MediaType,
    RequestBody,
    /// An object we know nothing specific about: prose dropped, rest kept.
    Generic,
}

/// How a node is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    Root,
    Info,
    Components,
    Object(Kind),
    /// A mapping from names (paths, definitions, properties, status codes)
    /// to objects of one kind; every key is kept.
    Names(Kind),
    /// An ordered sequence of objects of one kind (`allOf`, tuple `items`).
    List(Kind),
    /// A sequence whose order carries no meaning (`required`, `tags`,
    /// `produces`, `consumes`, `schemes`): compared as a multiset.
    Set,
    /// A parameter list: items are matched by (`name`, `in`), not position.
    Params,
    /// Data (`enum`, `default`, extensions): compared exactly, nothing dropped.
    Literal,
}

impl Role {
    /// Whether a node in this role may be a `$ref` that stands for its target.
    pub(crate) fn follows_refs(self) -> bool {
        matches!(
            self,
            Role::Object(
                Kind::PathItem | Kind::Schema | Kind::Response | Kind::RequestBody | Kind::Generic
            )
        )
    }
}

/// The role of the value under `key` in a mapping of role `parent`, or
/// `None` when the key is prose and takes no part in the comparison.
pub(crate) fn child_role(parent: Role, key: &str, value: &Node) -> Option<Role> {
    let is_map = matches!(value.value, Value::Map(_));
    let is_seq = matches!(value.value, Value::Seq(_));
    let role = match parent {
        Role::Literal => Role::Literal,
        Role::Names(kind) => Role::Object(kind),
        Role::List(_) | Role::Set | Role::Params => Role::Literal,
        _ if PROSE.contains(&key) => return None,
        _ if key.starts_with("x-") => Role::Literal,
        Role::Root => match key {
            "info" => Role::Info,
            "paths" => Role::Names(Kind::PathItem),
            "definitions" => Role::Names(Kind::Schema),
            "parameters" => Role::Names(Kind::Schema),
            "responses" => Role::Names(Kind::Response),
            "securityDefinitions" => Role::Names(Kind::Generic),
            "components" => Role::Components,
            "tags" | "schemes" | "produces" | "consumes" => Role::Set,
            "servers" => Role::List(Kind::Generic),
            _ => Role::Literal,
        },
        Role::Info if INFO_PROSE.contains(&key) => return None,
        Role::Info => Role::Literal,
        Role::Components => match key {
            "schemas" | "parameters" | "headers" => Role::Names(Kind::Schema),
            "responses" => Role::Names(Kind::Response),
            "requestBodies" => Role::Names(Kind::RequestBody),
            "pathItems" => Role::Names(Kind::PathItem),
            _ => Role::Names(Kind::Generic),
        },
        Role::Object(kind) => object_child(kind, key, is_map, is_seq),
    };
    Some(role)
}

fn object_child(kind: Kind, key: &str, is_map: bool, is_seq: bool) -> Role {
    match (kind, key) {
        (Kind::PathItem, "parameters") if is_seq => Role::Params,
        (
            Kind::PathItem,
            "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace",
        ) => Role::Object(Kind::Operation),
        (Kind::PathItem, "servers") => Role::List(Kind::Generic),

        (Kind::Operation, "parameters") if is_seq => Role::Params,
        (Kind::Operation, "tags" | "produces" | "consumes" | "schemes") => Role::Set,
        (Kind::Operation, "responses") => Role::Names(Kind::Response),
        (Kind::Operation, "requestBody") => Role::Object(Kind::RequestBody),
        (Kind::Operation, "callbacks") => Role::Names(Kind::Generic),
        (Kind::Operation, "servers") => Role::List(Kind::Generic),

        (Kind::Schema, "properties" | "patternProperties" | "definitions") => {
            Role::Names(Kind::Schema)
        }
        (Kind::Schema, "items" | "additionalProperties" | "not" | "schema") if is_map => {
            Role::Object(Kind::Schema)
        }
        (Kind::Schema, "items" | "allOf" | "anyOf" | "oneOf") if is_seq => Role::List(Kind::Schema),
        (Kind::Schema, "required") if is_seq => Role::Set,
        (Kind::Schema, "content") => Role::Names(Kind::MediaType),

        (Kind::Response, "schema") => Role::Object(Kind::Schema),
        (Kind::Response, "headers") => Role::Names(Kind::Schema),
        (Kind::Response, "content") => Role::Names(Kind::MediaType),
        (Kind::Response, "links") => Role::Names(Kind::Generic),

        (Kind::MediaType, "schema") => Role::Object(Kind::Schema),
        (Kind::MediaType, "encoding") => Role::Names(Kind::Generic),

        (Kind::RequestBody, "content") => Role::Names(Kind::MediaType),

        (Kind::Generic, _) if is_map => Role::Object(Kind::Generic),
        (Kind::Generic, _) if is_seq => Role::List(Kind::Generic),
        _ => Role::Literal,
    }
}

/// The role of each item of a sequence of role `role`.
pub(crate) fn item_role(role: Role) -> Role {
    match role {
        Role::List(kind) => Role::Object(kind),
        Role::Params => Role::Object(Kind::Schema),
        Role::Set => Role::Object(Kind::Generic),
        _ => Role::Literal,
    }
}

/// The target of `node` when it is a mapping that only holds a local `$ref`
/// (prose beside a `$ref` is ignored, as Swagger 2.0 ignores all siblings).
pub(crate) fn ref_of(node: &Node) -> Option<&str> {
    let entries = node.entries()?;
    let mut target = None;
    for e in entries {
        if e.key == "$ref" {
            target = Some(e.value.as_str()?);
        } else if !PROSE.contains(&e.key.as_str()) {
            return None;
        }
    }
    target
}

/// Most `$ref` hops followed in a chain before giving up (a loop of refs).
const MAX_HOPS: usize = 64;

/// Follows a chain of local `$ref`s from `node`. Returns the node that is
/// not a reference, or `None` when a reference is external, dangling or
/// loops.
pub(crate) fn follow<'a>(root: &'a Node, mut node: &'a Node) -> Option<&'a Node> {
    for _ in 0..MAX_HOPS {
        let Some(target) = ref_of(node) else {
            return Some(node);
        };
        let fragment = target.strip_prefix('#')?;
        node = pointer::resolve(root, &pointer::percent_decode(fragment))?;
    }
    None
}

/// The node as JSON with prose removed according to its role, for display
/// and for comparing the items of a set. `$ref`s are kept as written.
pub(crate) fn wire_json(node: &Node, role: Role) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Map(entries) => {
            let mut map = serde_json::Map::new();
            for e in entries {
                if map.contains_key(&e.key) {
                    continue;
                }
                if let Some(child) = child_role(role, &e.key, &e.value) {
                    map.insert(e.key.clone(), wire_json(&e.value, child));
                }
            }
            J::Object(map)
        }
        Value::Seq(items) => {
            let item = item_role(role);
            J::Array(items.iter().map(|n| wire_json(n, item)).collect())
        }
        _ => node.to_json(),
    }
}

/// A text form of a JSON value with mapping keys sorted, so that equal
/// values (whatever their key order) give equal text: set items' identity.
pub(crate) fn canonical(value: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match value {
        J::Object(map) => {
            let mut entries: Vec<(&String, &J)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", J::String(k.clone()), canonical(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        J::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

/// Whether two scalars are the same value of the same type after YAML
/// resolution (`200` and `"200"` differ; `yes` and `true` do not).
pub(crate) fn same_scalar(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::UInt(x), Value::UInt(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    #[test]
    fn prose_depends_on_role() {
        let doc = load_str(
            "t.yaml",
            "type: object\ndescription: words\nproperties:\n  description: {type: string, description: more}\n",
        )
        .unwrap();
        let json = wire_json(&doc.root, Role::Object(Kind::Schema));
        assert_eq!(
            json,
            serde_json::json!({"type": "object", "properties": {"description": {"type": "string"}}})
        );
    }

    #[test]
    fn data_keeps_everything() {
        let doc = load_str("t.yaml", "default: {description: kept}\n").unwrap();
        let json = wire_json(&doc.root, Role::Object(Kind::Schema));
        assert_eq!(
            json,
            serde_json::json!({"default": {"description": "kept"}})
        );
    }

    #[test]
    fn follows_ref_chains_and_stops_on_loops() {
        let doc = load_str(
            "t.yaml",
            "definitions:\n  A: {$ref: '#/definitions/B', description: x}\n  B: {type: string}\n  L: {$ref: '#/definitions/L'}\n",
        )
        .unwrap();
        let a = doc.root.get("definitions").unwrap().get("A").unwrap();
        let got = follow(&doc.root, a).unwrap();
        assert_eq!(got.get("type").unwrap().as_str(), Some("string"));
        let l = doc.root.get("definitions").unwrap().get("L").unwrap();
        assert!(follow(&doc.root, l).is_none());
    }

    #[test]
    fn canonical_text_ignores_key_order() {
        let a = serde_json::json!({"name": "x", "in": [{"b": 1, "a": 2}]});
        let b = serde_json::json!({"in": [{"a": 2, "b": 1}], "name": "x"});
        assert_eq!(canonical(&a), canonical(&b));
        assert_eq!(canonical(&a), r#"{"in":[{"a":2,"b":1}],"name":"x"}"#);
    }

    #[test]
    fn scalars_compare_by_type() {
        assert!(!same_scalar(
            &Value::Str("1.44".into()),
            &Value::Float(1.44)
        ));
        assert!(!same_scalar(&Value::Int(1), &Value::Float(1.0)));
        assert!(same_scalar(
            &Value::Float(f64::NAN),
            &Value::Float(f64::NAN)
        ));
    }
}
