//! `cargo xtask spec-diff OTHER.yaml [--against FILE] [--format text|json]`:
//! compares the wire contract of our spec (default: the repository's
//! swagger.yaml) with another spec, ignoring prose, and prints each
//! difference as a JSON pointer with both values and lines. Exit 0 when the
//! contracts agree, 1 when they differ, 2 on bad arguments or unloadable files.

use std::path::PathBuf;

use codegen::spec_diff::diff_files;

const USAGE: &str =
    "usage: cargo xtask spec-diff OTHER.yaml [--against swagger.yaml] [--format text|json]";

pub fn run(args: &[String]) -> u8 {
    let mut json = false;
    let mut against: Option<PathBuf> = None;
    let mut other: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--format" => match it.next().map(String::as_str) {
                Some("json") => json = true,
                Some("text") => json = false,
                got => {
                    eprintln!(
                        "spec-diff: --format takes `text` or `json`, got {}",
                        got.unwrap_or("nothing")
                    );
                    return 2;
                }
            },
            "--against" => match it.next() {
                Some(file) => against = Some(PathBuf::from(file)),
                None => {
                    eprintln!("spec-diff: --against needs a file\n{USAGE}");
                    return 2;
                }
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return 0;
            }
            flag if flag.starts_with('-') && flag != "-" => {
                eprintln!("spec-diff: unknown option `{flag}`\n{USAGE}");
                return 2;
            }
            file if other.is_none() => other = Some(PathBuf::from(file)),
            file => {
                eprintln!("spec-diff: one spec to compare, got a second: `{file}`\n{USAGE}");
                return 2;
            }
        }
    }
    let Some(other) = other else {
        eprintln!("spec-diff: which spec? {USAGE}");
        return 2;
    };
    let ours = against.unwrap_or_else(|| crate::project_root().join("swagger.yaml"));

    let report = match diff_files(&ours, &other) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("spec-diff: {err}");
            return 2;
        }
    };
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(err) => {
                eprintln!("spec-diff: cannot encode the report: {err}");
                return 2;
            }
        }
    } else {
        print!("{report}");
        println!("{}", report.summary());
    }
    u8::from(!report.is_empty())
}
