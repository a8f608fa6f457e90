//! Conversion of a loaded spec into the OpenAPI 3.0 model (`openapiv3`), so
//! that everything after this stage speaks one dialect. Swagger 2.0 is
//! rewritten faithfully (see `swagger2`); OpenAPI 3.0 is used as is.

mod source_map;
mod swagger2;

pub use source_map::{position, Location, SourceMap};

use openapiv3::{Components, OpenAPI, Paths};
use serde::Deserialize;

use crate::load::Document;
use crate::threads::join;
use crate::validate::SpecVersion;

/// A spec in the OpenAPI 3.0 model, with the way back to its source.
#[derive(Debug)]
pub struct Converted {
    pub api: OpenAPI,
    pub source_map: SourceMap,
}

/// Why a document could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("neither `swagger: \"2.0\"` nor `openapi: 3.0.x` at the top level")]
    NotASpec,
    #[error("{at}: the document does not fit the OpenAPI 3.0 model: {message}")]
    Model { at: Location, message: String },
}

/// Converts a loaded document (Swagger 2.0 or OpenAPI 3.0).
pub fn convert(doc: &Document) -> Result<Converted, ConvertError> {
    // The JSON of a Swagger 2.0 document is dropped once converted.
    let (mut json, source_map) = {
        let json = doc.root.to_json();
        match SpecVersion::of(&doc.root) {
            Some(SpecVersion::Swagger2) => swagger2::convert(&json),
            Some(SpecVersion::OpenApi3) => (json, SourceMap::identity()),
            None => return Err(ConvertError::NotASpec),
        }
    };
    // Most specs fit: they are read without tracking the path, which only
    // a failure needs (to say where); a failure is read again with it.
    if let Some(api) = read_model(&mut json) {
        return Ok(Converted { api, source_map });
    }
    match serde_path_to_error::deserialize::<_, OpenAPI>(json) {
        Ok(api) => Ok(Converted { api, source_map }),
        Err(err) => {
            let pointer = path_to_pointer(err.path());
            let at = source_map.locate(&doc.root, &pointer);
            Err(ConvertError::Model {
                at,
                message: err.into_inner().to_string(),
            })
        }
    }
}

/// `json` in the OpenAPI 3.0 model, or `None` when it does not fit (and
/// `json` as it was). The components and the paths, most of a spec, are
/// each read on a thread of their own while the rest is read: a field of
/// the model is read from its value alone, so the parts make the same
/// model as the whole.
fn read_model(json: &mut serde_json::Value) -> Option<OpenAPI> {
    // Each part read apart leaves a stand-in the rest reads as empty:
    // `components: null` as none, `paths: {}` as no paths.
    let components = take_part(
        json,
        "components",
        |v| !v.is_null(),
        serde_json::Value::Null,
    );
    let paths = take_part(
        json,
        "paths",
        serde_json::Value::is_object,
        serde_json::Value::Object(serde_json::Map::new()),
    );
    let (api, components_read, paths_read) = std::thread::scope(|s| {
        let components_read = components
            .as_ref()
            .map(|c| s.spawn(move || Components::deserialize(c)));
        let paths_read = paths
            .as_ref()
            .map(|p| s.spawn(move || Paths::deserialize(p)));
        let api = OpenAPI::deserialize(&*json);
        (api, components_read.map(join), paths_read.map(join))
    });
    let whole = (|| {
        let mut api = api.ok()?;
        if let Some(read) = components_read {
            api.components = Some(read.ok()?);
        }
        if let Some(read) = paths_read {
            api.paths = read.ok()?;
        }
        Some(api)
    })();
    if whole.is_none() {
        for (key, part) in [("components", components), ("paths", paths)] {
            if let (Some(part), Some(slot)) = (part, json.get_mut(key)) {
                *slot = part;
            }
        }
    }
    whole
}

/// The value of the top-level field `key`, when it is there and `apart`
/// says it is worth reading apart, with `stand_in` left in its place.
fn take_part(
    json: &mut serde_json::Value,
    key: &str,
    apart: impl Fn(&serde_json::Value) -> bool,
    stand_in: serde_json::Value,
) -> Option<serde_json::Value> {
    let slot = json.get_mut(key).filter(|v| apart(v))?;
    Some(std::mem::replace(slot, stand_in))
}

/// Converts the JSON of a Swagger 2.0 document into OpenAPI 3.0 JSON
/// (exposed for tests and tools that want the converted text).
pub fn swagger2_to_openapi3(json: &serde_json::Value) -> serde_json::Value {
    swagger2::convert(json).0
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out = crate::pointer::join(&out, &index.to_string()),
            Segment::Map { key } => out = crate::pointer::join(&out, key),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
