//! The page model through the templates, and the site onto disk.
//!
//! Templates are read at run time from a folder the caller names (the
//! repository's `templates/docs/`): every `*.html` file there is a template
//! (`page.html` is the page, the others hold its macros and parts), and
//! every file under `assets/` is copied as it is. Reading them at run time
//! keeps the library free of the repository's layout and lets whoever edits
//! a template see the result with one `cargo xtask docs`, without
//! rebuilding the generator; the cost is a handful of small file reads.

use std::path::{Path, PathBuf};

use minijinja::value::{Serde, Value};
use minijinja::{
    context, escape_formatter, syntax::SyntaxConfig, AutoEscape, Environment, Error, Output, State,
    UndefinedBehavior,
};

use super::model::Page;
use super::DocsError;

/// The template that renders the page.
pub const ENTRY: &str = "page.html";

/// One output file: its path relative to the output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The templates and assets of a folder, read once.
pub struct Templates {
    sources: Vec<(String, String)>,
    assets: Vec<OutputFile>,
}

impl Templates {
    /// Reads `dir/*.html` and `dir/assets/*` (sorted by name).
    pub fn read(dir: &Path) -> Result<Templates, DocsError> {
        let io = |path: &Path, source: std::io::Error| DocsError::Templates {
            path: path.to_path_buf(),
            source,
        };
        let mut sources = Vec::new();
        for path in sorted_files(dir).map_err(|e| io(dir, e))? {
            if path.extension().is_some_and(|e| e == "html") {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                sources.push((file_name(&path), text));
            }
        }
        if !sources.iter().any(|(name, _)| name == ENTRY) {
            return Err(DocsError::MissingTemplate {
                dir: dir.to_path_buf(),
                name: ENTRY,
            });
        }
        let mut assets = Vec::new();
        let assets_dir = dir.join("assets");
        if assets_dir.is_dir() {
            for path in sorted_files(&assets_dir).map_err(|e| io(&assets_dir, e))? {
                let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
                let is_text = path
                    .extension()
                    .is_some_and(|e| ["css", "js", "html", "svg", "txt"].iter().any(|t| e == *t));
                assets.push(OutputFile {
                    name: file_name(&path),
                    bytes: if is_text { normalise(bytes) } else { bytes },
                });
            }
        }
        Ok(Templates { sources, assets })
    }

    /// Renders the page; returns `index.html` followed by the assets.
    pub fn render(&self, page: &Page, spec_name: &str) -> Result<Vec<OutputFile>, DocsError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| DocsError::Render(e.to_string()))?;
        env.set_syntax(syntax);
        env.set_formatter(html_formatter);
        for (name, source) in &self.sources {
            env.add_template(name, source)
                .map_err(|e| DocsError::Render(describe(&e)))?;
        }
        let template = env
            .get_template(ENTRY)
            .map_err(|e| DocsError::Render(describe(&e)))?;
        let assets: Vec<String> = self.assets.iter().map(|a| a.name.clone()).collect();
        let html = template
            .render(context! {
                page => Value::from(Serde(page)),
                spec_name => spec_name,
                assets => assets,
            })
            .map_err(|e| DocsError::Render(describe(&e)))?;
        let mut files = vec![OutputFile {
            name: "index.html".to_string(),
            bytes: normalise(html.into_bytes()),
        }];
        files.extend(self.assets.iter().cloned());
        Ok(files)
    }
}

/// Writes the files into `out` (created if missing), each only when its
/// bytes changed. Returns the paths that were (re)written.
pub fn write_site(out: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>, DocsError> {
    std::fs::create_dir_all(out).map_err(|source| DocsError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for file in files {
        let path = out.join(&file.name);
        if std::fs::read(&path).is_ok_and(|old| old == file.bytes) {
            continue;
        }
        std::fs::write(&path, &file.bytes).map_err(|source| DocsError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Escapes `& < > " '` only (minijinja's default also escapes `/`, which
/// every path and anchor on this page is full of).
fn html_formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if *state.auto_escape() != AutoEscape::Html
        || value.is_safe()
        || value.is_none()
        || value.is_undefined()
    {
        return escape_formatter(out, state, value);
    }
    let text = value.to_string();
    let mut escaped = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    out.write_str(&escaped).map_err(Error::from)
}

/// A template error with its chain and, when known, its line.
fn describe(err: &minijinja::Error) -> String {
    let mut text = err.to_string();
    if let (Some(name), Some(line)) = (err.name(), err.line()) {
        text = format!("{name}:{line}: {text}");
    }
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        text.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    text
}

fn sorted_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            paths.push(entry.path());
        }
    }
    paths.sort();
    Ok(paths)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `\r\n` to `\n`, and one final newline, so output does not depend on
/// how a checkout stores line endings.
fn normalise(bytes: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 1);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    if out.last().is_some_and(|b| *b != b'\n') {
        out.push(b'\n');
    }
    out
}
