//! The command line of `cargo xtask conformance`.

use std::path::PathBuf;

use super::{run, Options};

const USAGE: &str =
    "usage: cargo xtask conformance --host unix:///PATH|tcp://HOST:PORT [--out DIR] [--spec FILE]

Drives the daemon through every operation of the spec (default: swagger.yaml)
and checks each answer. Reports go to DIR (default: target/conformance/<host>/,
copied under target/docs/conformance/<host>/). Exit status: 0 every operation
reached conforms or is not implemented, 1 deviations found, 2 the tool could
not run.";

/// Parses `args`, runs, prints the summary line; the exit status.
pub fn run_cli(args: &[String]) -> u8 {
    let mut host = None;
    let mut out = None;
    let mut spec = crate::project_root().join("swagger.yaml");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--host" | "-H" | "--out" | "--spec" => {
                let Some(value) = it.next() else {
                    eprintln!("conformance: {arg} takes a value\n\n{USAGE}");
                    return 2;
                };
                match arg.as_str() {
                    "--out" => out = Some(PathBuf::from(value)),
                    "--spec" => spec = PathBuf::from(value),
                    _ => host = Some(value.clone()),
                }
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return 0;
            }
            other => {
                eprintln!("conformance: unknown argument `{other}`\n\n{USAGE}");
                return 2;
            }
        }
    }
    let Some(host) = host else {
        eprintln!("conformance: --host is required\n\n{USAGE}");
        return 2;
    };
    match run(&Options { host, spec, out }) {
        Ok(done) => {
            if let Some(first) = done.files.iter().find(|f| f.ends_with("report.md")) {
                eprintln!("conformance: wrote {}", first.display());
            }
            println!("{}", done.summary);
            if done.summary.deviate > 0 {
                1
            } else {
                0
            }
        }
        Err(e) => {
            eprintln!("conformance: {e}");
            2
        }
    }
}
