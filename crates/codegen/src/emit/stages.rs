//! The whole generation of this repository's files, stage by stage, with
//! the time each stage took: what `benches/codegen.sh` reports so that a
//! slow stage is found by measurement rather than guessed.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{client, header, server, types, EmitError, GenerateError, GeneratedFile};
use crate::{convert, ir, load, validate};

/// One stage and how long it took.
#[derive(Clone, Debug)]
pub struct Stage {
    pub name: &'static str,
    pub took: Duration,
}

/// Why the timed run stopped.
#[derive(Debug, thiserror::Error)]
pub enum StagesError {
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error("{path}: {source}")]
    Emit { path: String, source: EmitError },
}

/// The stage names, in order (each emitter prints its items as it goes,
/// so its stage includes their formatting).
pub const STAGES: &[&str] = &[
    "load",
    "validate",
    "convert",
    "IR",
    "emit types (+format)",
    "emit server (+format)",
    "emit client (+format)",
];

/// Generates what [`super::project_files`] does from the spec at `spec`
/// (named `source` in the headers), timing each stage.
pub fn timed_project_files(
    spec: &Path,
    source: &str,
) -> Result<(Vec<GeneratedFile>, Vec<Stage>), StagesError> {
    let mut stages = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, stages: &mut Vec<Stage>| {
        let now = Instant::now();
        stages.push(Stage {
            name,
            took: now - clock,
        });
        clock = now;
    };
    let doc = load::load_file(spec).map_err(|source| GenerateError::Load {
        path: spec.to_path_buf(),
        source,
    })?;
    lap("load", &mut stages);
    let diagnostics = validate::validate_document(&doc);
    if diagnostics
        .iter()
        .any(|d| d.severity == validate::Severity::Error)
    {
        return Err(GenerateError::Invalid {
            path: spec.to_path_buf(),
            diagnostics,
        }
        .into());
    }
    lap("validate", &mut stages);
    let converted = convert::convert(&doc).map_err(|source| GenerateError::Convert {
        path: spec.to_path_buf(),
        source,
    })?;
    lap("convert", &mut stages);
    let api = ir::build(&converted, &doc.root).map_err(|source| GenerateError::Ir {
        path: spec.to_path_buf(),
        source,
    })?;
    lap("IR", &mut stages);
    let emit = |path: &str| {
        let path = path.to_string();
        move |source| StagesError::Emit { path, source }
    };
    let types_text = types::types_module(&api).map_err(emit("types"))?;
    lap("emit types (+format)", &mut stages);
    let server_text = server::server_module(&api).map_err(emit("server"))?;
    lap("emit server (+format)", &mut stages);
    let client_text = client::client_module(&api).map_err(emit("client"))?;
    lap("emit client (+format)", &mut stages);
    let head = header(source);
    let files = vec![
        GeneratedFile {
            path: "crates/engine-api/src/generated/types.rs".into(),
            text: format!("{head}{types_text}"),
        },
        GeneratedFile {
            path: "crates/engine-api/src/generated/client.rs".into(),
            text: format!("{head}{client_text}"),
        },
        GeneratedFile {
            path: "crates/engine-api/src/generated/server.rs".into(),
            text: format!("{head}{server_text}"),
        },
    ];
    Ok((files, stages))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timed_run_makes_the_project_files() {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../swagger.yaml");
        if !spec.exists() {
            eprintln!("skipped: no swagger.yaml");
            return;
        }
        let (files, stages) = timed_project_files(&spec, super::super::PROJECT_SPEC).unwrap();
        let api = super::super::load_api(&spec).unwrap();
        assert_eq!(files, super::super::project_files(&api).unwrap());
        let names: Vec<&str> = stages.iter().map(|s| s.name).collect();
        assert_eq!(names, STAGES);
    }
}
