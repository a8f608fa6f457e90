//! The fields Docker's v1.44 spec adds over v1.41, and a check that a body
//! engined sends at API 1.44 has them.
//!
//! Both reference specs are walked side by side along the body: a
//! property of a v1.44 schema that the v1.41 schema at the same place does
//! not have is a field the newer API added, and must be in the body
//! unless [`OMITTED`] says why dockerd leaves it out too. A key that
//! neither spec declares must not be there, unless [`UNDECLARED`] says
//! why dockerd sends it anyway.

use std::path::Path;

use serde_json::Value;

use super::compare::matches;

/// Fields added after v1.41 that a dockerd of API 1.44 (moby 25) omits
/// in this scenario: (pointer in the body, `*` for any index or key, why).
pub const OMITTED: &[(&str, &str)] = &[
    (
        "/HostConfig/Annotations",
        "omitempty in moby 25: none were given",
    ),
    (
        "/Variant",
        "omitempty in moby 25: amd64 images have no variant",
    ),
    (
        "/ClusterVolume",
        "omitempty: only swarm cluster volumes have one",
    ),
    (
        "/Volumes/*/ClusterVolume",
        "omitempty: only swarm cluster volumes have one",
    ),
    (
        "/Containers/*/SizeRw",
        "omitempty: the scenario's containers wrote nothing on their image",
    ),
];

/// Keys dockerd sends that neither reference spec declares: (pointer, why
/// engined sends them too).
pub const UNDECLARED: &[(&str, &str)] = &[
    (
        "/*/status",
        "Docker's first event format (action, id, image), which dockerd still sends \
         beside Action and Actor for containers and images at every API version up \
         to 1.44; the specs left it out when they documented Actor",
    ),
    ("/*/id", "as status"),
    ("/*/from", "as status"),
];

/// The operation (path in the spec) each body answers.
fn operation(body: &str) -> &'static str {
    match body {
        "version" => "/version",
        "info" => "/info",
        "containers-list" => "/containers/json",
        "images-list" => "/images/json",
        "image-inspect" => "/images/{name}/json",
        "volumes-list" => "/volumes",
        "volume-inspect" => "/volumes/{name}",
        "system-df" => "/system/df",
        "events" => "/events",
        b if b.starts_with("container-inspect-") => "/containers/{id}/json",
        other => panic!("no operation known for body {other}"),
    }
}

/// The v1.41 and v1.44 reference specs, as JSON.
pub struct Added {
    old: Value,
    new: Value,
}

fn load(path: &Path) -> Value {
    let doc = codegen::load::load_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc.root.to_json()
}

impl Added {
    pub fn load(reference: &Path) -> Added {
        Added {
            old: load(&reference.join("engine-api-v1.41.yaml")),
            new: load(&reference.join("engine-api-v1.44.yaml")),
        }
    }

    /// The fields of v1.44 that `body` (the body `name` as engined sent it
    /// at API 1.44) lacks, one line each with its pointer.
    pub fn missing(&self, name: &str, body: &Value) -> Vec<String> {
        let op = operation(name);
        let schema = |spec: &Value| spec["paths"][op]["get"]["responses"]["200"]["schema"].clone();
        let (new, old) = (schema(&self.new), schema(&self.old));
        assert!(
            !new.is_null(),
            "no 200 schema for GET {op} in the v1.44 spec"
        );
        let mut out = Vec::new();
        // The event stream is a sequence of EventMessage objects.
        if name == "events" {
            for (i, event) in body.as_array().into_iter().flatten().enumerate() {
                self.walk(&new, Some(&old), event, &format!("/{i}"), "/*", &mut out);
            }
        } else {
            self.walk(&new, Some(&old), body, "", "", &mut out);
        }
        out
    }

    /// `schema` with `$ref`s followed and `allOf` merged into one object
    /// schema, in `spec`.
    fn resolve(spec: &Value, schema: &Value) -> Value {
        let mut s = schema.clone();
        for _ in 0..32 {
            let Some(r) = s.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let name = r.trim_start_matches("#/definitions/");
            s = spec["definitions"][name].clone();
        }
        if let Some(parts) = s.get("allOf").and_then(Value::as_array).cloned() {
            let mut props = serde_json::Map::new();
            for part in &parts {
                let part = Self::resolve(spec, part);
                if let Some(p) = part.get("properties").and_then(Value::as_object) {
                    props.extend(p.clone());
                }
            }
            s = serde_json::json!({"type": "object", "properties": props});
        }
        s
    }

    fn walk(
        &self,
        new: &Value,
        old: Option<&Value>,
        body: &Value,
        ptr: &str,
        pat: &str,
        out: &mut Vec<String>,
    ) {
        let new = Self::resolve(&self.new, new);
        let old = old.map(|o| Self::resolve(&self.old, o));
        match body {
            Value::Object(fields) => {
                if let Some(props) = new.get("properties").and_then(Value::as_object) {
                    for (k, sub) in props {
                        let old_sub = old.as_ref().and_then(|o| o["properties"].get(k));
                        let (p, q) = (format!("{ptr}/{k}"), format!("{pat}/{k}"));
                        match fields.get(k) {
                            Some(v) => self.walk(sub, old_sub, v, &p, &q, out),
                            None if old_sub.is_some() => {}
                            None if OMITTED.iter().any(|(o, _)| matches(o, &q)) => {}
                            None => out.push(format!("{p}: missing (added after API 1.41)")),
                        }
                    }
                    let known = |k: &String| {
                        props.contains_key(k)
                            || old
                                .as_ref()
                                .is_some_and(|o| o["properties"].get(k).is_some())
                    };
                    for k in fields.keys().filter(|k| !known(k)) {
                        let q = format!("{pat}/{k}");
                        if !UNDECLARED.iter().any(|(u, _)| matches(u, &q)) {
                            out.push(format!(
                                "{ptr}/{k}: in neither the v1.41 nor the v1.44 spec"
                            ));
                        }
                    }
                } else if let Some(values) = new.get("additionalProperties") {
                    let old_values = old.as_ref().and_then(|o| o.get("additionalProperties"));
                    for (k, v) in fields {
                        self.walk(
                            values,
                            old_values,
                            v,
                            &format!("{ptr}/{k}"),
                            &format!("{pat}/*"),
                            out,
                        );
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = new.get("items") {
                    let old_item = old.as_ref().and_then(|o| o.get("items"));
                    for (i, v) in items.iter().enumerate() {
                        self.walk(
                            item,
                            old_item,
                            v,
                            &format!("{ptr}/{i}"),
                            &format!("{pat}/*"),
                            out,
                        );
                    }
                }
            }
            _ => {}
        }
    }
}
