//! The reports: Markdown (`report.md`), a static HTML page (`index.html`,
//! no scripts, light and dark), machine-readable JSON (`report.json`), and
//! the one-line summary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::outcome::{OperationReport, Outcome, Summary};

/// What the reports say about the run besides the operations.
pub struct Header<'a> {
    pub host: &'a str,
    pub daemon: &'a str,
    pub spec: &'a str,
}

/// The detail column: the answers' statuses and, for each call that
/// deviated, its request and what was wrong.
fn details(r: &OperationReport) -> Vec<String> {
    match &r.outcome {
        Outcome::Conforms => vec![statuses(r)],
        Outcome::Deviates(_) => {
            let mut v = vec![statuses(r)];
            for call in r.calls.iter().filter(|c| !c.deviations.is_empty()) {
                v.push(format!("{} -> HTTP {}:", call.request, call.status));
                v.extend(call.deviations.iter().map(|d| format!("- {d}")));
            }
            v
        }
        Outcome::NotImplemented(why) | Outcome::NotReached(why) => vec![why.clone()],
    }
}

fn statuses(r: &OperationReport) -> String {
    let codes: Vec<String> = r
        .calls
        .iter()
        .map(|c| match &c.message {
            Some(m) if c.status >= 400 => {
                format!("{} ({})", c.status, m.lines().next().unwrap_or(""))
            }
            _ => c.status.to_string(),
        })
        .collect();
    format!("HTTP {}", codes.join(", "))
}

/// `report.md`.
pub fn markdown(h: &Header, reports: &[OperationReport]) -> String {
    let summary = Summary::of(reports);
    let mut s = String::new();
    let _ = writeln!(s, "# Engine API conformance of `{}`\n", h.host);
    let _ = writeln!(s, "Daemon: {}. Spec: `{}`.\n", h.daemon, h.spec);
    let _ = writeln!(s, "**{summary}**\n");
    let _ = writeln!(s, "| Operation | Route | Outcome | Details |");
    let _ = writeln!(s, "|---|---|---|---|");
    for r in reports {
        let cell = details(r)
            .iter()
            .map(|d| md_cell(d))
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = writeln!(
            s,
            "| {} | `{} {}` | {} | {} |",
            r.operation_id,
            r.method,
            r.path,
            r.outcome.label(),
            cell
        );
    }
    s
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24;background:#fff}\
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccd;padding:.3rem .5rem;vertical-align:top;text-align:left}\
code{font-size:.9em}.conforms{color:#1a7f37}.deviates{color:#cf222e}.not-implemented{color:#9a6700}.not-reached{color:#6e7781}\
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}td,th{border-color:#30363d}\
.conforms{color:#3fb950}.deviates{color:#ff7b72}.not-implemented{color:#d29922}.not-reached{color:#8b949e}}";

/// `index.html`: one static page.
pub fn html(h: &Header, reports: &[OperationReport]) -> String {
    let summary = Summary::of(reports);
    let mut s = String::new();
    let title = format!("Engine API conformance of {}", h.host);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>{t}</title><style>{STYLE}</style></head>\n<body>\
         <h1>{t}</h1>\n<p>Daemon: {d}. Spec: <code>{spec}</code>. Operations link to the \
         <a href=\"../../index.html\">API reference</a> when it sits beside this page.</p>\n<p><strong>{sum}</strong></p>\n\
         <table><thead><tr><th>Operation</th><th>Route</th><th>Outcome</th><th>Details</th></tr></thead><tbody>\n",
        t = html_escape(&title),
        d = html_escape(h.daemon),
        spec = html_escape(h.spec),
        sum = html_escape(&summary.to_string()),
    );
    for r in reports {
        let class = r.outcome.label().replace(' ', "-");
        let cell = details(r)
            .iter()
            .map(|d| html_escape(d))
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = writeln!(
            s,
            "<tr id=\"{id}\"><td><a href=\"../../index.html#operation/{id}\">{id}</a></td>\
             <td><code>{m} {p}</code></td><td class=\"{class}\">{label}</td><td>{cell}</td></tr>",
            id = html_escape(&r.operation_id),
            m = html_escape(&r.method),
            p = html_escape(&r.path),
            label = r.outcome.label(),
        );
    }
    s.push_str("</tbody></table>\n</body></html>\n");
    s
}

/// `report.json`.
pub fn json(h: &Header, reports: &[OperationReport]) -> String {
    let summary = Summary::of(reports);
    let ops: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            let deviations: Vec<serde_json::Value> = match &r.outcome {
                Outcome::Deviates(list) => list
                    .iter()
                    .map(|d| json!({ "place": d.place, "pointer": d.pointer, "what": d.what }))
                    .collect(),
                _ => Vec::new(),
            };
            let calls: Vec<serde_json::Value> = r
                .calls
                .iter()
                .map(|c| json!({ "request": c.request, "status": c.status, "message": c.message }))
                .collect();
            json!({
                "operationId": r.operation_id,
                "method": r.method,
                "path": r.path,
                "outcome": r.outcome.label(),
                "details": details(r),
                "deviations": deviations,
                "calls": calls,
            })
        })
        .collect();
    let doc = json!({
        "host": h.host,
        "daemon": h.daemon,
        "spec": h.spec,
        "summary": {
            "operations": summary.operations,
            "conform": summary.conform,
            "deviate": summary.deviate,
            "notImplemented": summary.not_implemented,
            "notReached": summary.not_reached,
        },
        "operations": ops,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// Writes the three files into `dir`; returns their paths.
pub fn write_all(
    dir: &Path,
    h: &Header,
    reports: &[OperationReport],
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = [
        ("report.md", markdown(h, reports)),
        ("index.html", html(h, reports)),
        ("report.json", json(h, reports)),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// `DIR/index.html`: one line per host report found in DIR's folders
/// (their `report.json`), linking to each; written beside the API docs.
pub fn write_index(dir: &Path) -> std::io::Result<PathBuf> {
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dir)?.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path().join("report.json")) else {
            continue;
        };
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let s = &doc["summary"];
        let n = |k: &str| s[k].as_u64().unwrap_or(0);
        let summary = Summary {
            operations: n("operations") as usize,
            conform: n("conform") as usize,
            deviate: n("deviate") as usize,
            not_implemented: n("notImplemented") as usize,
            not_reached: n("notReached") as usize,
        };
        let folder = entry.file_name().to_string_lossy().into_owned();
        rows.push(format!(
            "<li><a href=\"{f}/index.html\">{h}</a> ({d}): {sum}</li>",
            f = html_escape(&folder),
            h = html_escape(doc["host"].as_str().unwrap_or(&folder)),
            d = html_escape(doc["daemon"].as_str().unwrap_or("")),
            sum = html_escape(&summary.to_string()),
        ));
    }
    rows.sort();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>Engine API conformance</title>\
         <style>{STYLE}</style></head>\n<body><h1>Engine API conformance</h1>\n\
         <p>Reports of <code>cargo xtask conformance</code>; the <a href=\"../index.html\">API reference</a>.</p>\n\
         <ul>\n{}\n</ul>\n</body></html>\n",
        rows.join("\n")
    );
    let path = dir.join("index.html");
    std::fs::write(&path, page)?;
    Ok(path)
}
