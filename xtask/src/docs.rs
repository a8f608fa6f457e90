//! `cargo xtask docs [--out DIR] [--spec FILE]`: renders the HTML API
//! reference from the spec (default: swagger.yaml) with the templates in
//! `templates/docs/`, into DIR (default: target/docs/). Writes only files
//! whose bytes changed; prints warnings (links to anchors the page lacks).

use std::path::PathBuf;
use std::time::Instant;

pub fn run(args: &[String]) -> u8 {
    let root = crate::project_root();
    let mut out = root.join("target").join("docs");
    let mut spec = root.join("swagger.yaml");
    let mut quiet = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" | "--spec" => {
                let Some(value) = it.next() else {
                    eprintln!("docs: {arg} takes a path");
                    return 2;
                };
                if arg == "--out" {
                    out = PathBuf::from(value);
                } else {
                    spec = PathBuf::from(value);
                }
            }
            "--quiet" | "-q" => quiet = true,
            "--help" | "-h" => {
                println!("usage: cargo xtask docs [--out DIR] [--spec FILE] [--quiet]");
                return 0;
            }
            other => {
                eprintln!("docs: unknown argument `{other}`");
                return 2;
            }
        }
    }
    let templates = root.join("templates").join("docs");
    let started = Instant::now();
    match codegen::docs::generate(&spec, &templates, &out) {
        Ok(report) => {
            for warning in &report.site.warnings {
                eprintln!("{}: warning: {warning}", spec.display());
            }
            if !quiet {
                println!(
                    "docs: {} ({} files, {} bytes, {} rewritten) in {} ms",
                    out.join("index.html").display(),
                    report.site.files.len(),
                    report.site.weight(),
                    report.written.len(),
                    started.elapsed().as_millis()
                );
            }
            0
        }
        Err(err) => {
            eprintln!("docs: {err}");
            2
        }
    }
}
