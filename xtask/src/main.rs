//! `cargo xtask`: the project's automation, one module per subcommand.
//!
//! Exit codes: 0 success, 1 the check found problems, 2 the tool could not
//! do its job (bad arguments, unreadable input).

mod codegen;
mod docs;
mod spec_diff;
mod validate_swagger;

use std::process::ExitCode;

use xtask::project_root;

/// The generators build and drop millions of small syn/token nodes, on
/// several threads; mimalloc serves them far cheaper than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: cargo xtask <command> [args]

commands:
  codegen [--check] [--spec FILE --out DIR]          generate Rust from swagger.yaml (or a standalone crate)
          [--runtime-path PATH | --runtime-version V]  where a standalone crate finds engine-api-rt
  validate-swagger [--format text|json] [--strict] [--allow RULE]... [FILE...]
                                                     check specs (default: swagger.yaml)
  validate-swagger --rules-markdown [--check]        write (or check) the README's rule table
  docs [--out DIR] [--spec FILE]                     HTML API reference (default: target/docs/)
  spec-diff OTHER [--against FILE] [--format text|json]
                                                     wire differences, prose ignored (default: swagger.yaml)
  conformance --host unix:///PATH|tcp://HOST:PORT [--out DIR] [--spec FILE]
                                                     check a daemon's answers against the spec
  modules [--manifest-path FILE] [--allow FILE | --no-allow]
                                                     no module cycles inside a crate (hack/module-cycles.allow)
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
        "conformance" => xtask::conformance::cli::run_cli(rest),
        "modules" => xtask::modules::cli::run_cli(rest),
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
