//! What the semantic rules look at, gathered in one pass over the document:
//! every `$ref`, every operation with its effective parameters, and every
//! object that may carry schema keywords (with the `allOf` it sits in).

use std::path::Path;

use crate::load::{Entry, Node, Value};
use crate::pointer::join;
use crate::validate::refs::Resolver;
use crate::validate::SpecVersion;

/// The HTTP methods a Path Item may hold.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The document as the rules see it.
pub struct Context<'a> {
    pub version: SpecVersion,
    pub root: &'a Node,
    pub refs: Resolver<'a>,
    /// Every `$ref` outside literal values, in document order.
    pub ref_sites: Vec<RefSite<'a>>,
    /// Every path of `paths` that starts with `/`.
    pub paths: Vec<PathItem<'a>>,
    /// Every mapping that may carry schema keywords, in document order.
    pub objects: Vec<Keywords<'a>>,
}

/// One `$ref: target`.
pub struct RefSite<'a> {
    /// The reference's value node (where a finding points).
    pub node: &'a Node,
    pub target: &'a str,
    pub ptr: String,
}

/// A parameter after following its `$ref`, with where it was written.
#[derive(Clone)]
pub struct Param<'a> {
    pub node: &'a Node,
    pub ptr: String,
    pub name: &'a str,
    pub location: &'a str,
}

/// One entry of `paths`.
pub struct PathItem<'a> {
    pub entry: &'a Entry,
    pub ptr: String,
    /// The names of the path template's `{placeholders}`, in order.
    pub placeholders: Vec<String>,
    /// The Path Item's own `parameters`.
    pub shared: Vec<Param<'a>>,
    pub operations: Vec<Operation<'a>>,
}

/// One operation of a Path Item.
pub struct Operation<'a> {
    pub entry: &'a Entry,
    pub ptr: String,
    /// The operation's own `parameters`.
    pub own: Vec<Param<'a>>,
    /// Its own parameters plus the path-level ones it does not override.
    pub effective: Vec<Param<'a>>,
}

impl Operation<'_> {
    /// `GET /things/{id}`, for messages.
    pub fn title(&self, path: &PathItem) -> String {
        format!("{} {}", self.entry.key.to_uppercase(), path.entry.key)
    }
}

/// A mapping that may carry `default`, `enum`, `example`, `required`...
pub struct Keywords<'a> {
    pub node: &'a Node,
    pub ptr: String,
    /// When this object is a branch of an `allOf`: the index (in
    /// [`Context::objects`]) of the object that holds that `allOf`.
    pub all_of_owner: Option<usize>,
}

impl<'a> Context<'a> {
    pub fn new(version: SpecVersion, root: &'a Node, base: &Path) -> Self {
        let refs = Resolver::new(root, base);
        let mut ctx = Context {
            version,
            root,
            ref_sites: Vec::new(),
            paths: Vec::new(),
            objects: Vec::new(),
            refs,
        };
        ctx.walk(root, String::new(), false, None);
        ctx.paths = path_items(root, &ctx.refs);
        ctx
    }

    /// Every operation with the path it belongs to.
    pub fn operations(&self) -> impl Iterator<Item = (&PathItem<'a>, &Operation<'a>)> {
        self.paths
            .iter()
            .flat_map(|p| p.operations.iter().map(move |op| (p, op)))
    }

    /// Records `$ref`s and keyword objects under `node`. `named` is set for
    /// mappings whose keys are names (properties, definitions, paths...).
    fn walk(&mut self, node: &'a Node, ptr: String, named: bool, owner: Option<usize>) {
        match &node.value {
            Value::Map(entries) if named => {
                for e in entries.iter().filter(|e| !e.key.starts_with("x-")) {
                    self.walk(&e.value, join(&ptr, &e.key), false, None);
                }
            }
            Value::Map(entries) => {
                let index = self.objects.len();
                self.objects.push(Keywords {
                    node,
                    ptr: ptr.clone(),
                    all_of_owner: owner,
                });
                for e in entries {
                    let p = join(&ptr, &e.key);
                    if e.key == "$ref" {
                        if let Some(target) = e.value.as_str() {
                            self.ref_sites.push(RefSite {
                                node: &e.value,
                                target,
                                ptr: p,
                            });
                        }
                        continue;
                    }
                    if is_literal_key(&e.key) {
                        continue;
                    }
                    if e.key == "allOf" {
                        if let Some(items) = e.value.items() {
                            for (i, item) in items.iter().enumerate() {
                                self.walk(item, join(&p, &i.to_string()), false, Some(index));
                            }
                            continue;
                        }
                    }
                    let named_child = e.value.entries().is_some()
                        && (is_named_map(&e.key) || e.key == "parameters");
                    self.walk(&e.value, p, named_child, None);
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, join(&ptr, &i.to_string()), false, None);
                }
            }
            _ => {}
        }
    }
}

/// Keys whose values are literal data, not spec objects.
fn is_literal_key(key: &str) -> bool {
    matches!(
        key,
        "example" | "examples" | "default" | "enum" | "x-example"
    ) || key.starts_with("x-")
}

/// Keys whose mapping values are named children, not keyword objects.
fn is_named_map(key: &str) -> bool {
    matches!(
        key,
        "properties"
            | "definitions"
            | "paths"
            | "responses"
            | "headers"
            | "securityDefinitions"
            | "schemas"
            | "requestBodies"
            | "securitySchemes"
            | "links"
            | "callbacks"
            | "content"
            | "encoding"
            | "variables"
            | "scopes"
            | "patternProperties"
    )
}

fn path_items<'a>(root: &'a Node, refs: &Resolver<'a>) -> Vec<PathItem<'a>> {
    let Some(paths) = root.get("paths").and_then(Node::entries) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in paths.iter().filter(|p| p.key.starts_with('/')) {
        let ptr = join("/paths", &entry.key);
        let shared = params(
            entry.value.get("parameters"),
            &join(&ptr, "parameters"),
            refs,
        );
        let operations = entry
            .value
            .entries()
            .unwrap_or_default()
            .iter()
            .filter(|e| METHODS.contains(&e.key.as_str()))
            .map(|op| {
                let op_ptr = join(&ptr, &op.key);
                let own = params(
                    op.value.get("parameters"),
                    &join(&op_ptr, "parameters"),
                    refs,
                );
                // Operation parameters override path-level ones of the same name and place.
                let mut effective = own.clone();
                effective.extend(
                    shared
                        .iter()
                        .filter(|p| {
                            !own.iter()
                                .any(|o| o.name == p.name && o.location == p.location)
                        })
                        .cloned(),
                );
                Operation {
                    entry: op,
                    ptr: op_ptr,
                    own,
                    effective,
                }
            })
            .collect();
        out.push(PathItem {
            placeholders: template_params(&entry.key),
            entry,
            ptr,
            shared,
            operations,
        });
    }
    out
}

fn params<'a>(list: Option<&'a Node>, ptr: &str, refs: &Resolver<'a>) -> Vec<Param<'a>> {
    let Some(items) = list.and_then(Node::items) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let node = match item.get("$ref").and_then(Node::as_str) {
            Some(r) => match refs.local(r) {
                Some(target) => target,
                None => continue,
            },
            None => item,
        };
        out.push(Param {
            node,
            ptr: join(ptr, &i.to_string()),
            name: node.get("name").and_then(Node::as_str).unwrap_or(""),
            location: node.get("in").and_then(Node::as_str).unwrap_or(""),
        });
    }
    out
}

fn template_params(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        names.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    names
}
