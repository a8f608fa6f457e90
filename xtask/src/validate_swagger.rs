//! `cargo xtask validate-swagger [--format text|json] [FILE...]`: validates
//! each spec (default: the repository's swagger.yaml) and prints every
//! diagnostic, sorted by position. Exit 1 on any error, 2 when a file cannot
//! be read at all.

use std::path::PathBuf;

use codegen::validate::{validate_file, Diagnostic, Outcome, Severity};

pub fn run(args: &[String]) -> u8 {
    let mut json = false;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--format" => match it.next().map(String::as_str) {
                Some("json") => json = true,
                Some("text") => json = false,
                other => {
                    eprintln!(
                        "validate-swagger: --format takes `text` or `json`, got {}",
                        other.unwrap_or("nothing")
                    );
                    return 2;
                }
            },
            flag if flag.starts_with('-') && flag != "-" => {
                eprintln!("validate-swagger: unknown option `{flag}`");
                return 2;
            }
            file => files.push(PathBuf::from(file)),
        }
    }
    if files.is_empty() {
        files.push(crate::project_root().join("swagger.yaml"));
    }

    let mut all: Vec<Diagnostic> = Vec::new();
    let mut code = 0;
    for file in &files {
        match validate_file(file) {
            Outcome::Checked(diags) => all.extend(diags),
            Outcome::Unreadable(err) => {
                eprintln!("{}: error[unreadable]: {err}", file.display());
                code = 2;
            }
        }
    }
    let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = all.len() - errors;
    if json {
        match serde_json::to_string_pretty(&all) {
            Ok(text) => println!("{text}"),
            Err(err) => {
                eprintln!("validate-swagger: cannot encode the report: {err}");
                return 2;
            }
        }
    } else {
        for d in &all {
            println!("{d}");
        }
        if code == 0 {
            eprintln!(
                "{} file(s) checked: {errors} error(s), {warnings} warning(s)",
                files.len()
            );
        }
    }
    if code == 0 && errors > 0 {
        code = 1;
    }
    code
}
