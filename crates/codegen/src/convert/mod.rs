//! Conversion of a loaded spec into the OpenAPI 3.0 model (`openapiv3`), so
//! that everything after this stage speaks one dialect. Swagger 2.0 is
//! rewritten faithfully (see `swagger2`); OpenAPI 3.0 is used as is.

mod source_map;
mod swagger2;

pub use source_map::{position, Location, SourceMap};

use openapiv3::{Components, OpenAPI};
use serde::Deserialize;

use crate::load::Document;
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
/// `json` as it was). The components, most of a spec with the paths, are
/// read on a thread of their own while the rest is read: a field of the
/// model is read from its value alone, so the two halves make the same
/// model as the whole.
fn read_model(json: &mut serde_json::Value) -> Option<OpenAPI> {
    let Some(slot) = json.get_mut("components").filter(|c| !c.is_null()) else {
        return OpenAPI::deserialize(&*json).ok();
    };
    // `components: null` reads as no components; they are put back after.
    let components = std::mem::take(slot);
    let (api, parts) = std::thread::scope(|s| {
        let parts = s.spawn(|| Components::deserialize(&components));
        let api = OpenAPI::deserialize(&*json);
        let parts = parts
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (api, parts)
    });
    match (api, parts) {
        (Ok(mut api), Ok(parts)) => {
            api.components = Some(parts);
            Some(api)
        }
        _ => {
            if let Some(slot) = json.get_mut("components") {
                *slot = components;
            }
            None
        }
    }
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
