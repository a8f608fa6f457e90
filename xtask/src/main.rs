//! `cargo xtask`: the project's automation, one module per subcommand.
//!
//! Exit codes: 0 success, 1 the check found problems, 2 the tool could not
//! do its job (bad arguments, unreadable input).

mod codegen;
mod docs;
mod spec_diff;
mod validate_swagger;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command> [args]

commands:
  codegen [--check] [--spec FILE --out DIR]          generate Rust from swagger.yaml (or a standalone crate)
          [--runtime-path PATH | --runtime-version V]  where a standalone crate finds engine-api-rt
  validate-swagger [--format text|json] [FILE...]   check specs (default: swagger.yaml)
  docs [--out DIR] [--spec FILE]                     HTML API reference (default: target/docs/)
  spec-diff OTHER [--against FILE] [--format text|json]
                                                     wire differences, prose ignored (default: swagger.yaml)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let code = match command.as_str() {
        "validate-swagger" => validate_swagger::run(rest),
        "codegen" => codegen::run(rest),
        "docs" => docs::run(rest),
        "spec-diff" => spec_diff::run(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            0
        }
        other => {
            eprintln!("xtask: unknown command `{other}`\n\n{USAGE}");
            2
        }
    };
    ExitCode::from(code)
}

/// The repository root (the xtask crate's parent), so commands work from
/// any directory.
pub fn project_root() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
