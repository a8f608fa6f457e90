//! The IR: one resolved model of a spec's types and operations, independent
//! of Rust syntax, built from the converted (OpenAPI 3.0) document.
//!
//! Every definition and every inline object or enum becomes a named type
//! (`schema`), operations keep their parameters, bodies and responses
//! (`operations`) with each parameter's wire encoding decided once
//! (`encoding`), and whole-model passes box recursive fields and decide
//! `Default` (`recursion`). Names come from `names`.

mod encoding;
mod error;
mod model;
pub mod names;
mod operations;
pub mod payload;
mod recursion;
mod schema;

pub use encoding::{text_of, TypeLookup};
pub use error::IrError;
pub use model::*;
pub use schema::FALLBACK_VARIANT;

use crate::convert::Converted;
use crate::load::Node;

/// Builds the IR of a converted document. `root` is the source tree, for
/// the positions in errors.
pub fn build(converted: &Converted, root: &Node) -> Result<Api, IrError> {
    let mut lower = schema::Lower::new(&converted.api, root, &converted.source_map);
    lower.definitions()?;
    let operations = lower.operations()?;
    let mut types = std::mem::take(&mut lower.types);
    if let Some(def) = recursion::alias_cycle(&types) {
        let pointer = def.source.clone();
        return Err(IrError::Unsupported {
            at: crate::convert::Location {
                pos: crate::convert::position(root, &pointer),
                pointer,
            },
            message: format!("`{}` is an alias of itself", def.name),
        });
    }
    recursion::box_cycles(&mut types);
    if let Some(def) = recursion::union_cycle(&types) {
        let pointer = def.source.clone();
        return Err(IrError::Unsupported {
            at: crate::convert::Location {
                pos: crate::convert::position(root, &pointer),
                pointer,
            },
            message: format!(
                "`{}` holds itself through `oneOf`/`anyOf` branches alone (no object or array in between)",
                def.name
            ),
        });
    }
    recursion::mark_defaults(&mut types);
    let info = &converted.api.info;
    Ok(Api {
        title: info.title.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        types: types.into_values().collect(),
        operations,
    })
}

#[cfg(test)]
mod tests;
