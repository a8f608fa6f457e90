//! Fixed test data derived from the spec: for any type of the IR, one
//! deterministic JSON value that sets every field (strings carry their
//! wire name, numbers are small, enums take their first value, lists and
//! maps hold one entry), decoded into the generated Rust type. The backend
//! answers with these values and the test expects them back, so every
//! field of every answer type crosses the wire.

use std::path::Path;
use std::sync::OnceLock;

use codegen::ir::payload::{self, Payload};
use codegen::ir::{Api, Operation, Presence, Scalar, TypeKind, TypeRef};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

/// Optional fields below this nesting depth are left out (recursive types).
const MAX_DEPTH: usize = 8;

/// The project's spec as IR, loaded once.
pub fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../swagger.yaml");
        codegen::emit::load_api(&spec).expect("swagger.yaml loads into the IR")
    })
}

/// The operation with this operationId.
pub fn operation(id: &str) -> &'static Operation {
    api()
        .operations
        .iter()
        .find(|op| op.operation_id == id)
        .unwrap_or_else(|| panic!("no operation {id} in swagger.yaml"))
}

/// The sample JSON of a type expression.
pub fn value(ty: &TypeRef) -> Value {
    value_at(api(), ty, "value", 0)
}

/// The sample of the named type, as the generated type `T`.
pub fn named<T: DeserializeOwned>(name: &str) -> T {
    decode(value(&TypeRef::Named(name.to_string())), name)
}

/// The typed success answer of operation `id` (its JSON or text body).
pub fn answer<T: DeserializeOwned>(id: &str) -> T {
    match payload::success(operation(id)) {
        Payload::Json(ty) => decode(value(&ty), id),
        Payload::Text => decode(json!(format!("{id} text answer")), id),
        other => panic!("{id} does not answer one JSON value or text but {other:?}"),
    }
}

/// The sample of operation `id`'s JSON request body, as `T`.
pub fn request_body<T: DeserializeOwned>(id: &str) -> T {
    let op = operation(id);
    match op.body.as_ref().and_then(|b| b.ty.as_ref()) {
        Some(ty) => decode(value(ty), id),
        None => panic!("{id} has no typed request body"),
    }
}

/// The items of operation `id`'s JSON stream answer (three of them).
pub fn stream_items<T: DeserializeOwned>(id: &str) -> Vec<T> {
    let item = match payload::success(operation(id)) {
        Payload::JsonStream(ty) => value(&ty),
        other => panic!("{id} does not answer a JSON stream but {other:?}"),
    };
    (0..3)
        .map(|i| {
            let mut v = item.clone();
            if let Value::Object(map) = &mut v {
                // Items differ, so order and count are checked too.
                map.insert("SampleIndex".into(), json!(i));
                // A progress line with these is an error line, which the
                // client yields as an error rather than an item.
                map.remove("error");
                map.remove("errorDetail");
            }
            decode(v, id)
        })
        .collect()
}

/// The chunks of a byte-stream answer (tar archives, exports): three
/// chunks, the middle one larger than a typical socket buffer.
pub fn chunks(id: &str) -> Vec<Vec<u8>> {
    let head = format!("{id}: archive head|").into_bytes();
    let middle: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let tail = format!("|{id}: archive tail").into_bytes();
    vec![head, middle, tail]
}

fn decode<T: DeserializeOwned>(v: Value, what: &str) -> T {
    serde_json::from_value(v)
        .unwrap_or_else(|e| panic!("the sample of {what} does not decode into its type: {e}"))
}

fn value_at(api: &Api, ty: &TypeRef, wire: &str, depth: usize) -> Value {
    match ty {
        TypeRef::Scalar(s) => scalar(*s, wire),
        TypeRef::Nullable(inner) => value_at(api, inner, wire, depth),
        TypeRef::List(item) => json!([value_at(api, item, wire, depth + 1)]),
        TypeRef::Map(v) => {
            let mut map = Map::new();
            map.insert(format!("{wire}-key"), value_at(api, v, wire, depth + 1));
            Value::Object(map)
        }
        TypeRef::Named(name) => {
            let def = api
                .type_named(name)
                .unwrap_or_else(|| panic!("the IR has no type {name}"));
            match &def.kind {
                TypeKind::Alias(inner) => value_at(api, inner, wire, depth),
                TypeKind::StringEnum(e) => e
                    .variants
                    .first()
                    .map_or_else(|| json!(wire), |v| json!(v.value)),
                TypeKind::IntEnum(e) => e.variants.first().map_or(json!(1), |v| json!(v.value)),
                TypeKind::Union(u) => u
                    .variants
                    .first()
                    .map_or(Value::Null, |v| value_at(api, &v.ty, wire, depth)),
                TypeKind::Struct(s) => {
                    let mut map = Map::new();
                    for f in &s.fields {
                        if f.presence == Presence::Optional && depth >= MAX_DEPTH {
                            continue;
                        }
                        map.insert(f.wire.clone(), value_at(api, &f.ty, &f.wire, depth + 1));
                    }
                    if let Some(extra) = &s.extra {
                        map.insert(
                            format!("{name}Extra"),
                            value_at(api, &extra.value, &extra.name, depth + 1),
                        );
                    }
                    Value::Object(map)
                }
            }
        }
    }
}

fn scalar(s: Scalar, wire: &str) -> Value {
    match s {
        Scalar::Bool => json!(true),
        Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64 => json!(-7 + wire.len() as i64),
        Scalar::U8 | Scalar::U16 | Scalar::U32 | Scalar::U64 => json!(wire.len() as u64),
        Scalar::F32 | Scalar::F64 => json!(1.5),
        Scalar::String => json!(format!("{wire} sample")),
        Scalar::Bytes => json!([1, 2, 3]),
        Scalar::Any => json!({"untyped": [wire, 1, true]}),
    }
}
