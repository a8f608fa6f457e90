//! `cargo xtask codegen [--check] [--spec FILE --out DIR [--runtime-path
//! PATH | --runtime-version VERSION]]`: generates Rust from a spec.
//!
//! Without `--spec`, regenerates this repository's generated files from its
//! swagger.yaml. With `--spec FILE --out DIR`, writes a standalone crate of
//! the types, client and server of any Swagger 2.0 / OpenAPI 3.0 spec, on
//! the runtime crate `engine-api-rt`: by default a path dependency on this
//! workspace's `crates/engine-api-rt`, or on `--runtime-path PATH`, or the
//! registry version `--runtime-version VERSION`. `--check` writes nothing
//! and fails when a generated file is stale. A spec the validator rejects is
//! not generated from: its diagnostics are printed. Exit 0 done, 1 invalid
//! spec, unsupported construct or stale files, 2 bad arguments or I/O.

use std::path::{Path, PathBuf};

use codegen::emit::{
    self, standalone, write_generated, Change, GenerateError, GeneratedFile, Mode, WriteError,
};

struct Args {
    check: bool,
    spec: Option<PathBuf>,
    out: Option<PathBuf>,
    runtime_path: Option<PathBuf>,
    runtime_version: Option<String>,
}

const USAGE: &str = "usage: cargo xtask codegen [--check] [--spec FILE --out DIR \
                     [--runtime-path PATH | --runtime-version VERSION]]";

fn parse(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        check: false,
        spec: None,
        out: None,
        runtime_path: None,
        runtime_version: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => parsed.check = true,
            "--spec" | "--out" => {
                let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
                let slot = if arg == "--spec" {
                    &mut parsed.spec
                } else {
                    &mut parsed.out
                };
                *slot = Some(PathBuf::from(value));
            }
            "--runtime-path" => {
                let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
                parsed.runtime_path = Some(PathBuf::from(value));
            }
            "--runtime-version" => {
                let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
                parsed.runtime_version = Some(value.clone());
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if parsed.spec.is_some() != parsed.out.is_some() {
        return Err("--spec FILE and --out DIR go together".into());
    }
    if parsed.runtime_path.is_some() && parsed.runtime_version.is_some() {
        return Err("--runtime-path and --runtime-version exclude each other".into());
    }
    if parsed.spec.is_none() && (parsed.runtime_path.is_some() || parsed.runtime_version.is_some())
    {
        return Err("--runtime-path and --runtime-version go with --spec FILE --out DIR".into());
    }
    Ok(parsed)
}

pub fn run(args: &[String]) -> u8 {
    let args = match parse(args) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("codegen: {message}\n{USAGE}");
            return 2;
        }
    };
    let root = crate::project_root();
    let (spec, out_dir, command) = match (&args.spec, &args.out) {
        (Some(spec), Some(out)) => (
            spec.clone(),
            out.clone(),
            format!(
                "cargo xtask codegen --spec {} --out {}",
                spec.display(),
                out.display()
            ),
        ),
        _ => (
            root.join(emit::PROJECT_SPEC),
            root.clone(),
            emit::PROJECT_COMMAND.to_string(),
        ),
    };

    let api = match emit::load_api(&spec) {
        Ok(api) => api,
        Err(err) => return report(&err),
    };
    let files = if args.spec.is_some() {
        let source = spec.file_name().map_or_else(
            || spec.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let runtime = match runtime(&args, &root) {
            Ok(runtime) => runtime,
            Err(message) => {
                eprintln!("codegen: {message}");
                return 2;
            }
        };
        standalone::standalone_crate(
            &api,
            &standalone::crate_name_for(&out_dir),
            &source,
            &runtime,
        )
    } else {
        emit::project_files(&api)
    };
    let files = match files {
        Ok(files) => files,
        Err(err) => {
            eprintln!("codegen: {}: {err}", spec.display());
            return 1;
        }
    };
    let mode = if args.check {
        Mode::Check { command }
    } else {
        Mode::Write
    };
    write_all(&out_dir, &files, &mode)
}

/// The runtime dependency of a standalone crate. A path is made absolute
/// (cargo would read a relative one from the generated crate's directory).
fn runtime(args: &Args, root: &Path) -> Result<standalone::Runtime, String> {
    if let Some(version) = &args.runtime_version {
        return Ok(standalone::Runtime::Version(version.clone()));
    }
    let path = args
        .runtime_path
        .clone()
        .unwrap_or_else(|| root.join("crates").join("engine-api-rt"));
    let path = std::path::absolute(&path)
        .map_err(|e| format!("--runtime-path {}: {e}", path.display()))?;
    if !path.join("Cargo.toml").is_file() {
        return Err(format!(
            "{}: no Cargo.toml of engine-api-rt there",
            path.display()
        ));
    }
    Ok(standalone::Runtime::Path(path))
}

fn report(err: &GenerateError) -> u8 {
    match err {
        GenerateError::Invalid { diagnostics, .. } => {
            for d in diagnostics {
                println!("{d}");
            }
            eprintln!("codegen: {err}");
            1
        }
        GenerateError::Load { .. } => {
            eprintln!("codegen: {err}");
            2
        }
        GenerateError::Convert { .. } | GenerateError::Ir { .. } => {
            eprintln!("codegen: {err}");
            1
        }
    }
}

fn write_all(dir: &Path, files: &[GeneratedFile], mode: &Mode) -> u8 {
    let mut code = 0;
    let (mut written, mut unchanged, mut stale) = (0, 0, 0);
    for file in files {
        let path = dir.join(&file.path);
        match write_generated(&path, &file.text, mode) {
            Ok(Change::Written) => {
                written += 1;
                eprintln!("codegen: wrote {}", path.display());
            }
            Ok(Change::Unchanged) => unchanged += 1,
            Err(err @ WriteError::Stale { .. }) => {
                stale += 1;
                eprintln!("codegen: {err}");
                code = 1;
            }
            Err(err) => {
                eprintln!("codegen: {err}");
                return 2;
            }
        }
    }
    match mode {
        Mode::Write => eprintln!("codegen: {written} file(s) written, {unchanged} unchanged"),
        Mode::Check { .. } => {
            eprintln!("codegen: {stale} stale file(s), {unchanged} up to date")
        }
    }
    code
}
