//! `cargo xtask validate-swagger [--format text|json] [--strict] [--allow RULE]... [FILE...]`:
//! validates each spec (default: the repository's swagger.yaml) and prints
//! every diagnostic, sorted by position. Exit 0 when there is no error
//! (warnings allowed unless `--strict`), 1 on any error (or, with
//! `--strict`, any warning not named by `--allow`), 2 on bad usage or when a
//! file cannot be read at all.
//!
//! `--rules-markdown [--check]` writes (or checks) the README's rule table
//! from the rule catalog instead.

use std::collections::BTreeSet;
use std::path::PathBuf;

use codegen::validate::{render_readme, validate_file, Diagnostic, Outcome, Rule, Severity};

/// What the command line asked for.
struct Args {
    json: bool,
    strict: bool,
    allowed: BTreeSet<Rule>,
    rules_markdown: bool,
    check: bool,
    files: Vec<PathBuf>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        json: false,
        strict: false,
        allowed: BTreeSet::new(),
        rules_markdown: false,
        check: false,
        files: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--format" => match it.next().map(String::as_str) {
                Some("json") => out.json = true,
                Some("text") => out.json = false,
                other => {
                    return Err(format!(
                        "--format takes `text` or `json`, got {}",
                        other.unwrap_or("nothing")
                    ))
                }
            },
            "--strict" => out.strict = true,
            "--allow" => {
                let code = it.next().ok_or("--allow takes a rule code")?;
                let rule = Rule::from_code(code).ok_or_else(|| {
                    format!("--allow: `{code}` is not a rule (see the README's rule table)")
                })?;
                if rule.severity() == Severity::Error {
                    return Err(format!(
                        "--allow: `{code}` is an error; only warnings can be allowed"
                    ));
                }
                out.allowed.insert(rule);
            }
            "--rules-markdown" => out.rules_markdown = true,
            "--check" => out.check = true,
            flag if flag.starts_with('-') && flag != "-" => {
                return Err(format!("unknown option `{flag}`"))
            }
            file => out.files.push(PathBuf::from(file)),
        }
    }
    if out.check && !out.rules_markdown {
        return Err("--check goes with --rules-markdown".into());
    }
    Ok(out)
}

pub fn run(args: &[String]) -> u8 {
    let args = match parse(args) {
        Ok(args) => args,
        Err(why) => {
            eprintln!("validate-swagger: {why}");
            return 2;
        }
    };
    if args.rules_markdown {
        return rules_markdown(args.check);
    }
    let mut files = args.files.clone();
    if files.is_empty() {
        files.push(crate::project_root().join("swagger.yaml"));
    }

    let mut all: Vec<Diagnostic> = Vec::new();
    let mut code = 0;
    for file in &files {
        match validate_file(file) {
            Outcome::Checked(diags) => all.extend(diags),
            Outcome::Unreadable(err) => {
                eprintln!(
                    "{}: error[{}]: {err}",
                    file.display(),
                    Rule::Unreadable.code()
                );
                code = 2;
            }
        }
    }
    let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = all.len() - errors;
    let failing_warnings = all
        .iter()
        .filter(|d| d.severity == Severity::Warning && !args.allowed.contains(&d.rule))
        .count();
    if args.json {
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
            let strict = if !args.strict {
                String::new()
            } else if failing_warnings > 0 {
                format!(" (--strict: {failing_warnings} warning(s) fail)")
            } else {
                " (--strict)".to_string()
            };
            eprintln!(
                "{} file(s) checked: {errors} error(s), {warnings} warning(s){strict}",
                files.len()
            );
        }
    }
    if code == 0 && (errors > 0 || (args.strict && failing_warnings > 0)) {
        code = 1;
    }
    code
}

/// Writes the README's rule table from the catalog (only when it changed),
/// or with `check` reports a stale table and exits 1.
fn rules_markdown(check: bool) -> u8 {
    let path = crate::project_root().join("README.md");
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("validate-swagger: cannot read {}: {err}", path.display());
            return 2;
        }
    };
    let new = match render_readme(&old) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("validate-swagger: {}: {err}", path.display());
            return 2;
        }
    };
    if new == old {
        return 0;
    }
    if check {
        eprintln!(
            "validate-swagger: the rule table in {} is stale; run `cargo xtask validate-swagger --rules-markdown`",
            path.display()
        );
        return 1;
    }
    if let Err(err) = std::fs::write(&path, new) {
        eprintln!("validate-swagger: cannot write {}: {err}", path.display());
        return 2;
    }
    eprintln!(
        "validate-swagger: wrote the rule table in {}",
        path.display()
    );
    0
}
