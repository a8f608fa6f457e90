//! `cargo xtask conformance`: drives a daemon (engined, dockerd, podman)
//! through a scenario that reaches every operation of the spec with the
//! generated client, checks each answer against the spec (status, headers,
//! body schema), and reports every operation as conforming, deviating,
//! not implemented or not reached. The checker (`check`) is pure and unit
//! tested; `scenario` decides what is called, `runner` and `driver` send
//! and record, `report` writes Markdown, HTML and JSON.

pub mod check;
pub mod cli;
pub mod driver;
pub mod outcome;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod tars;

use std::path::{Path, PathBuf};
use std::time::Duration;

use engine_api::rt::host::Host;
use engine_api::Client;

use driver::Limits;
use outcome::{OperationReport, Summary};
use runner::Runner;
use scenario::Scenario;

/// What a run is asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// `unix:///PATH` or `tcp://HOST:PORT`.
    pub host: String,
    /// The spec whose operations are checked.
    pub spec: PathBuf,
    /// Where the reports go; `None`: `target/conformance/<host-slug>/`,
    /// and a copy under `target/docs/conformance/<host-slug>/` with an
    /// `index.html` there listing every host's report.
    pub out: Option<PathBuf>,
}

/// What a run found and wrote.
#[derive(Debug)]
pub struct Run {
    pub reports: Vec<OperationReport>,
    pub summary: Summary,
    /// Every file written.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    #[error("{path}: {message}")]
    Spec { path: PathBuf, message: String },
    #[error("host `{host}`: {message}")]
    Host { host: String, message: String },
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("{path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// How long each call may take, how long streams are read.
const LIMITS: Limits = Limits {
    call: Duration::from_secs(20),
    brief: Duration::from_millis(1500),
    max_body: 256 << 20,
};

/// The scenario as a whole, and the cleanup after it, are bounded too.
const SCENARIO_LIMIT: Duration = Duration::from_secs(240);
const CLEANUP_LIMIT: Duration = Duration::from_secs(90);

/// `unix:///run/docker.sock` -> `unix-run-docker.sock`.
pub fn host_slug(host: &str) -> String {
    let mut slug = String::new();
    for c in host.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

/// Runs the scenario against `options.host`, writes the reports and
/// returns what was found. Everything the scenario created is removed
/// before this returns, whatever the answers were.
pub fn run(options: &Options) -> Result<Run, ConformanceError> {
    let api = codegen::emit::load_api(&options.spec).map_err(|e| ConformanceError::Spec {
        path: options.spec.clone(),
        message: e.to_string(),
    })?;
    let host_err = |message: String| ConformanceError::Host {
        host: options.host.clone(),
        message,
    };
    let host = Host::parse(&options.host, false).map_err(|e| host_err(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ConformanceError::Runtime)?;
    let (reports, daemon) = runtime.block_on(async {
        let client = Client::builder(host)
            .timeout(LIMITS.call)
            .build()
            .map_err(|e| host_err(e.to_string()))?;
        let mut runner = Runner::new(&api, client, LIMITS);
        let mut scenario = Scenario::new();
        let finished = tokio::time::timeout(SCENARIO_LIMIT, scenario.run(&mut runner)).await;
        let _ = tokio::time::timeout(CLEANUP_LIMIT, scenario.cleanup(&mut runner)).await;
        if finished.is_err() {
            runner.note_cut_short(SCENARIO_LIMIT);
        }
        let daemon = if scenario.daemon.is_empty() {
            "unknown (no version answer)".to_string()
        } else {
            scenario.daemon.clone()
        };
        Ok::<_, ConformanceError>((runner.reports(), daemon))
    })?;
    let spec = options.spec.display().to_string();
    let header = report::Header {
        host: &options.host,
        daemon: &daemon,
        spec: &spec,
    };
    let root = crate::project_root();
    let slug = host_slug(&options.host);
    let dirs: Vec<PathBuf> = match &options.out {
        Some(dir) => vec![dir.clone()],
        None => vec![
            root.join("target").join("conformance").join(&slug),
            root.join("target")
                .join("docs")
                .join("conformance")
                .join(&slug),
        ],
    };
    let mut files = Vec::new();
    for dir in &dirs {
        files.extend(write(dir, &header, &reports)?);
    }
    if options.out.is_none() {
        let beside_docs = root.join("target").join("docs").join("conformance");
        let index =
            report::write_index(&beside_docs).map_err(|source| ConformanceError::Write {
                path: beside_docs.clone(),
                source,
            })?;
        files.push(index);
    }
    Ok(Run {
        summary: Summary::of(&reports),
        reports,
        files,
    })
}

fn write(
    dir: &Path,
    header: &report::Header,
    reports: &[OperationReport],
) -> Result<Vec<PathBuf>, ConformanceError> {
    report::write_all(dir, header, reports).map_err(|source| ConformanceError::Write {
        path: dir.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::host_slug;

    #[test]
    fn host_slugs_are_one_path_segment() {
        assert_eq!(host_slug("unix:///run/docker.sock"), "unix-run-docker.sock");
        assert_eq!(host_slug("tcp://127.0.0.1:2375"), "tcp-127.0.0.1-2375");
        assert!(!host_slug("unix:///a/../b").contains('/'));
    }
}
