//! What the page shows, built from the loaded spec tree: the introduction
//! and its sections, the tags with their operations (built in `operation`),
//! and every definition.
//!
//! The model is plain data (serialised into the templates); HTML appears in
//! it only as rendered Markdown (`*_html` fields). Order is the spec's
//! order throughout, so the same spec always gives the same page.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::load::Node;

use super::anchors::{self, Anchors};
use super::builder::Builder;
use super::example::Json;
use super::markdown;
use super::operation::{example_of, Operation};
use super::schema::SchemaView;
use super::spec::{ref_of, strings, text, Spec};

pub use super::operation::Example;

/// HTTP methods a path item may hold, in the order ReDoc lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Section names of Docker's published introduction (ReDoc anchors
/// `#section/<name>`) that links in the wild use; each becomes an alias of
/// our section with the same word stem, if there is one.
const PUBLISHED_SECTIONS: [&str; 3] = ["Errors", "Versioning", "Authentication"];

#[derive(Debug, Serialize)]
pub struct Page {
    pub title: String,
    pub version: String,
    pub base_path: String,
    pub lead_html: String,
    pub sections: Vec<Section>,
    pub tags: Vec<Tag>,
    pub definitions: Vec<Definition>,
}

#[derive(Debug, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub html: String,
    /// Extra ids on the section, so older links keep landing here.
    pub aliases: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Tag {
    pub id: String,
    pub name: String,
    pub title: String,
    pub description_html: String,
    pub operations: Vec<Operation>,
    /// Operations that carry this tag but are shown under an earlier one.
    pub also: Vec<NavLink>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NavLink {
    pub id: String,
    pub method: String,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct Definition {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub description_html: String,
    pub schema: SchemaView,
    pub example: Option<Example>,
}

/// The page model and the problems noticed while building it.
pub struct Built {
    pub page: Page,
    pub warnings: Vec<String>,
    /// Ids that descriptions link to but the page does not have.
    pub dangling: Vec<String>,
}

/// Builds the page model from a loaded spec.
pub fn build(root: &Node) -> Built {
    let mut anchors = Anchors::new();
    let spec = Spec::new(root, &mut anchors);
    let mut b = Builder {
        spec: &spec,
        anchors: &mut anchors,
    };
    let info = root.get("info");
    let info_text = |key: &str| info.and_then(|i| text(i, key)).unwrap_or("").to_string();
    let (lead, raw_sections) = markdown::split_sections(&info_text("description"));
    let lead_html = b.md(&lead, "section/", 3);
    let mut sections = Vec::new();
    for (title, body) in raw_sections {
        let id = b.anchors.claim(&anchors::section_id(&title));
        let html = b.md(&body, "section/", 3);
        sections.push(Section {
            id,
            title,
            html,
            aliases: Vec::new(),
        });
    }
    let tags = b.tags();
    let definitions = b.definitions();
    let mut warnings = Vec::new();
    add_section_aliases(&mut sections, &mut anchors);
    let mut dangling = Vec::new();
    for (target, place) in anchors.dangling() {
        if !dangling.contains(&target) {
            dangling.push(target.clone());
        }
        let place = place.trim_end_matches("section/").trim_end_matches('/');
        let place = if place.is_empty() {
            "the introduction"
        } else {
            place
        };
        warnings.push(format!(
            "{place}: links to #{target}, which is not on the page (shown as plain text)"
        ));
    }
    let page = Page {
        title: info_text("title"),
        version: info_text("version"),
        base_path: text(root, "basePath").unwrap_or("").to_string(),
        lead_html,
        sections,
        tags,
        definitions,
    };
    Built {
        page,
        warnings,
        dangling,
    }
}

/// Gives intro sections the ids that links expect but no heading produced:
/// `#section/X` links found dangling in descriptions, and Docker's published
/// section names. A name goes to the first section with a title word of
/// the same stem (its first seven letters, case ignored).
fn add_section_aliases(sections: &mut [Section], anchors: &mut Anchors) {
    let mut wanted: Vec<String> = PUBLISHED_SECTIONS
        .iter()
        .map(|name| anchors::section_id(name))
        .collect();
    for (target, _) in anchors.dangling() {
        if target.starts_with("section/") && !wanted.contains(&target) {
            wanted.push(target);
        }
    }
    for id in wanted {
        if anchors.contains(&id) {
            continue;
        }
        let Some(name) = id.strip_prefix("section/") else {
            continue;
        };
        let stem = stem(name);
        let found = sections.iter_mut().find(|s| {
            s.title
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| !word.is_empty() && self::stem(word) == stem)
        });
        if let Some(section) = found {
            if anchors.claim_exact(&id) {
                section.aliases.push(id);
            }
        }
    }
}

fn stem(word: &str) -> String {
    word.chars().take(7).flat_map(char::to_lowercase).collect()
}

impl<'a> Builder<'_, 'a> {
    /// Tags in the order the spec declares them, then tags only operations
    /// name, in the order they first appear; untagged operations last.
    fn tags(&mut self) -> Vec<Tag> {
        struct Pending<'n> {
            name: String,
            node: Option<&'n Node>,
            ops: Vec<(&'n str, &'n str, &'n Node, &'n Node)>,
            also: Vec<(&'n str, &'n str, &'n Node)>,
        }
        let root = self.spec.root;
        let mut pending: Vec<Pending<'a>> = Vec::new();
        for tag in root.get("tags").and_then(Node::items).unwrap_or_default() {
            let Some(name) = text(tag, "name") else {
                continue;
            };
            if pending.iter().any(|p| p.name == name) {
                continue;
            }
            pending.push(Pending {
                name: name.to_string(),
                node: Some(tag),
                ops: Vec::new(),
                also: Vec::new(),
            });
        }
        for path_entry in root
            .get("paths")
            .and_then(Node::entries)
            .unwrap_or_default()
        {
            let item = &path_entry.value;
            let mut seen_methods = BTreeSet::new();
            for entry in item.entries().unwrap_or_default() {
                let method = entry.key.as_str();
                if !METHODS.contains(&method) || !seen_methods.insert(method) {
                    continue;
                }
                let op = &entry.value;
                let tags = strings(op, "tags");
                let mut tags: Vec<&str> = tags.into_iter().collect();
                tags.dedup();
                if tags.is_empty() {
                    tags.push("");
                }
                for (i, tag) in tags.iter().enumerate() {
                    let index = match pending.iter().position(|p| p.name == *tag) {
                        Some(index) => index,
                        None => {
                            pending.push(Pending {
                                name: tag.to_string(),
                                node: None,
                                ops: Vec::new(),
                                also: Vec::new(),
                            });
                            pending.len() - 1
                        }
                    };
                    if i == 0 {
                        pending[index]
                            .ops
                            .push((path_entry.key.as_str(), method, item, op));
                    } else {
                        pending[index]
                            .also
                            .push((path_entry.key.as_str(), method, op));
                    }
                }
            }
        }
        // Untagged operations go last, like a tag of their own.
        pending.sort_by_key(|p| p.name.is_empty());

        let mut out: Vec<Tag> = Vec::new();
        let mut also_of: Vec<Vec<(&str, &str)>> = Vec::new();
        // Where each (path, method) is shown: (tag index, operation index).
        let mut shown: Vec<(&str, &str, usize, usize)> = Vec::new();
        for p in pending {
            let title = p
                .node
                .and_then(|n| text(n, "x-displayName"))
                .map(str::to_string)
                .unwrap_or_else(|| {
                    if p.name.is_empty() {
                        "Other operations".to_string()
                    } else {
                        p.name.clone()
                    }
                });
            let slug_name = if p.name.is_empty() { "Other" } else { &p.name };
            let id = self.anchors.claim(&anchors::tag_id(slug_name));
            let description = p.node.and_then(|n| text(n, "description")).unwrap_or("");
            let description_html = self.md(description, &format!("{id}/section/"), 3);
            let mut operations = Vec::new();
            for (path, method, item, op) in p.ops {
                let mut operation = self.operation(&id, path, method, item, op);
                self.tag_alias(&mut operation, &id);
                shown.push((path, method, out.len(), operations.len()));
                operations.push(operation);
            }
            also_of.push(
                p.also
                    .iter()
                    .map(|(path, method, _)| (*path, *method))
                    .collect(),
            );
            out.push(Tag {
                id,
                name: p.name,
                title,
                description_html,
                operations,
                also: Vec::new(),
            });
        }
        for (tag_index, also) in also_of.into_iter().enumerate() {
            for (path, method) in also {
                let Some(&(_, _, ti, oi)) =
                    shown.iter().find(|(p, m, _, _)| *p == path && *m == method)
                else {
                    continue;
                };
                let tag_id = out[tag_index].id.clone();
                let operation = &mut out[ti].operations[oi];
                self.tag_alias(operation, &tag_id);
                let link = NavLink {
                    id: operation.id.clone(),
                    method: operation.method.clone(),
                    title: operation.nav_title.clone(),
                };
                out[tag_index].also.push(link);
            }
        }
        out
    }

    /// Newer ReDoc names an operation after its tag too
    /// (`#tag/Container/operation/ContainerCreate`); those ids become
    /// aliases of the operation's section.
    fn tag_alias(&mut self, operation: &mut Operation, tag_id: &str) {
        if let Some(op_id) = &operation.operation_id {
            let alias = format!("{tag_id}/operation/{op_id}");
            if self.anchors.claim_exact(&alias) {
                operation.aliases.push(alias);
            }
        }
    }

    fn definitions(&mut self) -> Vec<Definition> {
        let mut out = Vec::with_capacity(self.spec.definitions.len());
        for &(name, node) in &self.spec.definitions {
            let id = self
                .spec
                .definition_ids
                .get(name)
                .cloned()
                .unwrap_or_default();
            let title = text(node, "title")
                .filter(|t| *t != name && !t.trim().is_empty())
                .map(str::to_string);
            let description = text(node, "description")
                .or_else(|| ref_of(node).and(text(self.spec.deref(node), "description")))
                .unwrap_or("");
            let description_html = self.md(description, &format!("{id}/section/"), 4);
            let schema = self.schema_view(node, &id, false);
            let example = node
                .get("example")
                .map(|e| example_of("spec", "application/json", &Json::from_node(e)));
            out.push(Definition {
                id,
                name: name.to_string(),
                title,
                description_html,
                schema,
                example,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    const SPEC: &str = r##"
swagger: "2.0"
basePath: /v1
info:
  title: T
  version: "1"
  description: |
    Lead **text**.

    # Versions and such

    See [auth](#section/Authentication).

    # Registry authentication

    Body.
tags:
  - name: Container
    x-displayName: Containers
    description: All about `containers`.
definitions:
  ErrorResponse:
    type: object
    properties:
      message: {type: string}
  Thing:
    type: object
    properties:
      Name: {type: string, example: "n"}
paths:
  /things/{id}:
    parameters:
      - {name: id, in: path, type: string, required: true}
    post:
      operationId: ThingUpdate
      summary: Update a `thing`
      tags: [Container, Extra]
      parameters:
        - {name: force, in: query, type: boolean, default: false}
        - {name: mode, in: query, type: string, enum: [a, b]}
        - name: body
          in: body
          schema: {$ref: "#/definitions/Thing"}
      responses:
        200:
          description: OK
          schema: {$ref: "#/definitions/Thing"}
          headers:
            X-Count: {type: integer, description: how many}
        404:
          description: missing
          schema: {$ref: "#/definitions/ErrorResponse"}
          examples:
            application/json: {message: "no such thing"}
  /untagged:
    get:
      responses:
        200: {description: fine}
"##;

    #[test]
    fn builds_sections_tags_operations_and_definitions() {
        let doc = load_str("t.yaml", SPEC).unwrap();
        let built = build(&doc.root);
        let page = &built.page;
        assert_eq!(page.lead_html, "<p>Lead <strong>text</strong>.</p>\n");
        assert_eq!(page.sections[0].id, "section/Versions-and-such");
        // The dangling link found its section by word stem.
        assert_eq!(page.sections[1].aliases, ["section/Authentication"]);
        assert!(built.warnings.is_empty(), "{:?}", built.warnings);

        let names: Vec<&str> = page.tags.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(names, ["tag/Container", "tag/Extra", "tag/Other"]);
        assert_eq!(page.tags[0].title, "Containers");
        let op = &page.tags[0].operations[0];
        assert_eq!(op.id, "operation/ThingUpdate");
        assert_eq!(
            op.aliases,
            [
                "tag/Container/operation/ThingUpdate",
                "tag/Extra/operation/ThingUpdate"
            ]
        );
        assert_eq!(op.summary_html, "Update a <code>thing</code>");
        assert_eq!(op.param_groups[0].title, "Path parameters");
        assert!(op.param_groups[0].params[0].required);
        let query = &op.param_groups[1].params;
        assert_eq!(query[0].default.as_deref(), Some("false"));
        assert_eq!(query[1].enum_values, ["\"a\"", "\"b\""]);
        let body = op.body.as_ref().unwrap();
        assert_eq!(body.schema.as_ref().unwrap().rows[0].name, "Name");
        let example = body.example.as_ref().unwrap();
        assert_eq!(
            (example.source.as_str(), example.text.as_str()),
            ("derived", "{\n  \"Name\": \"n\"\n}")
        );
        assert_eq!(op.responses[0].headers[0].name, "X-Count");
        assert_eq!(op.responses[1].kind, "client");
        assert_eq!(op.responses[1].example.as_ref().unwrap().source, "spec");
        // Error responses link their schema without repeating its fields.
        assert!(op.responses[1].schema.as_ref().unwrap().rows.is_empty());
        // The second tag lists the operation without repeating it.
        assert_eq!(page.tags[1].also[0].id, "operation/ThingUpdate");
        assert!(page.tags[1].operations.is_empty());
        assert_eq!(
            page.tags[2].operations[0].id,
            "tag/Other/paths/~1untagged/get"
        );
        assert_eq!(page.definitions[1].id, "schema/Thing");
    }

    #[test]
    fn odd_specs_render_with_gaps() {
        for text in [
            "swagger: '2.0'\n",
            "paths: 3\n",
            "paths:\n  /a:\n    get: 1\n    post:\n      parameters: [1, {in: body}]\n      responses: {200: 5}\n",
            "definitions: [1]\ntags: {a: 1}\ninfo: 7\n",
            "definitions:\n  A: {allOf: [{$ref: '#/definitions/A'}], properties: {x: {$ref: '#/definitions/A'}}}\n",
            "openapi: 3.0.0\npaths:\n  /a:\n    post:\n      requestBody: {content: {application/json: {schema: {type: object}}}}\n      responses: {default: {content: {text/plain: {}}}}\n",
        ] {
            let doc = load_str("t.yaml", text).unwrap();
            let _ = build(&doc.root);
        }
    }

    #[test]
    fn dangling_links_are_reported() {
        let doc = load_str(
            "t.yaml",
            "info:\n  description: 'See [x](#operation/Nope).'\n",
        )
        .unwrap();
        let built = build(&doc.root);
        assert_eq!(
            built.warnings,
            ["the introduction: links to #operation/Nope, which is not on the page (shown as plain text)"]
        );
    }
}
