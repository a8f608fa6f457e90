//! The command line of `cargo xtask modules`.

use std::path::PathBuf;

use super::{run, Options};

const USAGE: &str =
    "usage: cargo xtask modules [--manifest-path Cargo.toml] [--allow FILE | --no-allow]

Finds module cycles inside each crate of the workspace (default: this
repository, with hack/module-cycles.allow). Exit status: 0 no cycle outside
the allowlist and no stale allowlist line, 1 otherwise, 2 the check could
not run.";

/// Parses `args`, runs, prints the report; the exit status.
pub fn run_cli(args: &[String]) -> u8 {
    let root = crate::project_root();
    let mut manifest = root.join("Cargo.toml");
    let mut allowlist = Some(root.join("hack/module-cycles.allow"));
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--manifest-path" | "--allow" => {
                let Some(value) = it.next() else {
                    eprintln!("modules: {arg} takes a value\n\n{USAGE}");
                    return 2;
                };
                if arg == "--allow" {
                    allowlist = Some(PathBuf::from(value));
                } else {
                    manifest = PathBuf::from(value);
                }
            }
            "--no-allow" => allowlist = None,
            "--help" | "-h" => {
                println!("{USAGE}");
                return 0;
            }
            other => {
                eprintln!("modules: unknown argument `{other}`\n\n{USAGE}");
                return 2;
            }
        }
    }
    match run(&Options {
        manifest,
        allowlist,
    }) {
        Ok(outcome) => {
            print!("{}", outcome.report());
            u8::from(outcome.failed())
        }
        Err(e) => {
            eprintln!("modules: {e}");
            2
        }
    }
}
