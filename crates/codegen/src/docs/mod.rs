//! The HTML API reference, rendered from the spec (`cargo xtask docs`).
//!
//! One static page (`index.html`) plus the assets beside its templates:
//! the introduction, a navigation of tags and their operations, every
//! operation (parameters, request body, responses, examples) and every
//! definition as a nested property table. Anchors follow ReDoc's
//! (`#tag/Container`, `#operation/ContainerCreate`, `#schema/Name`) so
//! links into Docker's published reference keep working. The page needs no
//! JavaScript and fetches nothing from the internet; the same spec and
//! templates always give byte-identical files.
//!
//! - `model`: what the page shows, built from the loaded spec tree
//!   (`operation` builds each operation; both with `builder`'s state).
//! - `schema`, `example`, `markdown`, `anchors`, `spec`: the pieces it uses.
//! - `calls`: each operation's client call and curl line, from the IR.
//! - `search_index`: the offline search index (`search-index.js`) that the
//!   optional `search.js` reads; without scripts the page is complete.
//! - `render`: the model through the templates, and the files onto disk.

mod anchors;
mod builder;
mod calls;
mod example;
mod markdown;
mod model;
mod operation;
mod render;
mod schema;
mod search_index;
mod spec;

use std::path::{Path, PathBuf};

use crate::emit::api_from_document;
use crate::ir::{Api, Operation, ParamLocation};
use crate::load::{load_file, Document, LoadError, Node};

pub use anchors::slugify;
pub use calls::Call;
pub use model::Page;
pub use render::{OutputFile, Templates, ENTRY};

/// Why the docs could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    #[error("{path}: {source}")]
    Load {
        path: PathBuf,
        #[source]
        source: LoadError,
    },
    #[error("cannot read templates at {path}: {source}")]
    Templates {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{dir} has no `{name}` template")]
    MissingTemplate { dir: PathBuf, name: &'static str },
    #[error("template: {0}")]
    Render(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The rendered site, not yet written.
#[derive(Debug)]
pub struct Site {
    pub files: Vec<OutputFile>,
    /// Problems worth fixing in the spec (links to anchors not on the page).
    pub warnings: Vec<String>,
}

impl Site {
    /// Total bytes of all files: what a reader downloads.
    pub fn weight(&self) -> usize {
        self.files.iter().map(|f| f.bytes.len()).sum()
    }
}

/// What `generate` did.
#[derive(Debug)]
pub struct Report {
    pub site: Site,
    /// Files rewritten because their bytes changed.
    pub written: Vec<PathBuf>,
}

/// The page model of a loaded spec (for callers that inspect it).
pub fn page(root: &Node) -> (Page, Vec<String>) {
    let built = model::build(root);
    (built.page, built.warnings)
}

/// Renders a loaded spec with the templates in `templates`.
/// `spec_name` names the source in the page's generated-file notice.
/// Operations get their client call and curl line when the spec lowers to
/// the IR; when it does not, the page has none and a warning says why.
pub fn render_site(
    doc: &Document,
    spec_name: &str,
    templates: &Templates,
) -> Result<Site, DocsError> {
    // Lowering to the IR (validation included) only reads the document:
    // it runs beside the page model.
    let (mut built, api) = std::thread::scope(|s| {
        let api = s.spawn(|| api_from_document(doc));
        let built = model::build(&doc.root);
        (built, api.join())
    });
    // A panic while lowering a spec is a bug of ours: let it surface.
    let api = api.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    match api {
        Ok(api) => {
            attach_calls(&mut built.page, &api);
        }
        Err(err) => built
            .warnings
            .push(format!("no client calls or curl lines: {err}")),
    }
    let mut files = templates.render(&built.page, spec_name)?;
    if let Some(index) = files.first_mut() {
        disarm_links(index, &built.dangling);
    }
    files.push(OutputFile {
        name: search_index::FILE.to_string(),
        bytes: search_index::build(&built.page).into_bytes(),
    });
    files.sort_by(|a, b| (a.name != "index.html", &a.name).cmp(&(b.name != "index.html", &b.name)));
    Ok(Site {
        files,
        warnings: built.warnings,
    })
}

/// A description's link to an id the page lacks would lead nowhere: it
/// stays as text (an `<a>` without `href`), and the warning names it.
fn disarm_links(page: &mut OutputFile, dangling: &[String]) {
    if dangling.is_empty() {
        return;
    }
    let mut html = String::from_utf8_lossy(&page.bytes).into_owned();
    for id in dangling {
        let from = format!("<a href=\"#{}\">", html_attr(id));
        html = html.replace(&from, "<a class=\"dangling\">");
    }
    page.bytes = html.into_bytes();
}

fn html_attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Loads `spec`, renders it with the templates in `templates_dir` and
/// writes the site into `out` (only files whose bytes changed).
pub fn generate(spec: &Path, templates_dir: &Path, out: &Path) -> Result<Report, DocsError> {
    let doc = load_file(spec).map_err(|source| DocsError::Load {
        path: spec.to_path_buf(),
        source,
    })?;
    let templates = Templates::read(templates_dir)?;
    let spec_name = spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "the spec".to_string());
    let site = render_site(&doc, &spec_name, &templates)?;
    let written = render::write_site(out, &site.files)?;
    Ok(Report { site, written })
}

/// Gives every operation of the page that the IR has (by operationId)
/// its call. Returns how many operations got one.
pub(crate) fn attach_calls(page: &mut Page, api: &Api) -> usize {
    let by_id: std::collections::HashMap<&str, &Operation> = api
        .operations
        .iter()
        .map(|op| (op.operation_id.as_str(), op))
        .collect();
    let base_path = page.base_path.clone();
    let mut attached = 0;
    for tag in &mut page.tags {
        for shown in &mut tag.operations {
            let Some(op) = shown.operation_id.as_deref().and_then(|id| by_id.get(id)) else {
                continue;
            };
            let groups = &shown.param_groups;
            let param_example = |location: ParamLocation, wire: &str| {
                let location = location.to_string();
                groups
                    .iter()
                    .flat_map(|g| &g.params)
                    .find(|p| p.location == location && p.name == wire)
                    .and_then(|p| p.example.clone())
            };
            let body_example = shown
                .body
                .as_ref()
                .and_then(|b| b.example.as_ref())
                .map(|e| e.text.as_str());
            let samples = calls::Samples {
                param_example: &param_example,
                body_example,
            };
            shown.call = Some(calls::call_of(api, op, &base_path, &samples));
            attached += 1;
        }
    }
    attached
}
