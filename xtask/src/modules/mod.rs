//! `cargo xtask modules`: no module cycles inside a crate (issue 14).
//!
//! Every lib and bin target of the workspace (from `cargo metadata`) is
//! read from its root file, following `mod` declarations (inline modules,
//! `#[path]` attributes, `foo.rs` + `foo/` and `foo/mod.rs` layouts;
//! `#[cfg(test)]` modules and items are left out, as `cargo modules` does
//! by default). Each module's code is parsed with `syn`, and every path
//! that names an item of the same crate is a reference: `use crate::..`,
//! `use super::..`, `use self::..`, and inline paths such as
//! `crate::a::b::f()` in expressions, types, patterns and the arguments of
//! ordinary macros (not in `quote!` bodies, which name another crate's
//! items). A reference points at the deepest module its path names
//! (`crate::a::b::Item` -> `a::b`). Paths written inside strings (serde's
//! `with = "crate::x"`) and relative paths (`child::Item`, which can only
//! reach a module's own children) make no edge.
//!
//! The edge rule: for a reference from module A to module B, let P be
//! their lowest common ancestor. If P is A or B (a parent using its child,
//! a child using an ancestor) there is no edge. Otherwise the edge joins
//! the two children of P on the paths to A and to B: `crate::x::y` using
//! `crate::x::z::w` is the edge `y -> z` among the children of `x`. A
//! cycle is a strongly connected component of more than one child of the
//! same module; each is printed once, as a closed walk through all its
//! members from the first in name order, with one reference (file:line)
//! for every step of the walk.
//!
//! The allowlist (`hack/module-cycles.allow`) names the cycles that are
//! known debts, one per line in the printed form; a line matches a cycle
//! with the same crate, parent and members. A cycle not in the list fails
//! the check, and so does a line whose cycle no longer exists, so the list
//! can only shrink.

pub mod allow;
pub mod cli;
pub mod graph;
pub mod refs;
pub mod tree;
pub mod workspace;

use std::path::{Path, PathBuf};

use allow::{AllowEntry, Allowlist};
use graph::Cycle;

/// What the check could not do (as opposed to what it found).
#[derive(Debug, thiserror::Error)]
pub enum ModulesError {
    #[error("cargo metadata --manifest-path {manifest}: {message}")]
    Metadata { manifest: PathBuf, message: String },
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: cannot parse: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}:{line}: `mod {name};` has no file (looked for {})",
        display_paths(tried)
    )]
    MissingModule {
        path: PathBuf,
        line: usize,
        name: String,
        tried: Vec<PathBuf>,
    },
    #[error("{path}:{line}: {message}")]
    Allowlist {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

fn display_paths(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

/// What a run checks.
#[derive(Clone, Debug)]
pub struct Options {
    /// The workspace (or single package) manifest.
    pub manifest: PathBuf,
    /// The allowlist; `None`: no cycle is allowed.
    pub allowlist: Option<PathBuf>,
}

/// What a run found.
#[derive(Debug)]
pub struct Outcome {
    /// Targets read, and the modules in them.
    pub targets: usize,
    pub modules: usize,
    /// Cycles the allowlist does not name: each fails the check.
    pub new: Vec<Cycle>,
    /// Cycles the allowlist names.
    pub allowed: Vec<Cycle>,
    /// Allowlist lines whose cycle no longer exists: each fails the check.
    pub stale: Vec<AllowEntry>,
    /// The allowlist's path, for the messages.
    pub allowlist: Option<PathBuf>,
}

impl Outcome {
    /// Whether the check fails (exit status 1).
    pub fn failed(&self) -> bool {
        !self.new.is_empty() || !self.stale.is_empty()
    }

    /// The report a user reads: every failure with its evidence, then a
    /// one-line summary.
    pub fn report(&self) -> String {
        let list = self
            .allowlist
            .as_deref()
            .map_or_else(|| "the allowlist".to_string(), |p| p.display().to_string());
        let mut out = String::new();
        for cycle in &self.new {
            out.push_str(&format!(
                "module cycle (not in {list}): {}\n",
                cycle.render()
            ));
            out.push_str(&cycle.render_evidence());
        }
        for entry in &self.stale {
            out.push_str(&format!(
                "{list}:{}: `{}` no longer exists: remove it from the allowlist\n",
                entry.line, entry.text
            ));
        }
        for cycle in &self.allowed {
            out.push_str(&format!(
                "allowed (a debt of issue 14): {}\n",
                cycle.render()
            ));
        }
        out.push_str(&format!(
            "modules: {} targets, {} modules, {} new cycles, {} allowed, {} stale allowlist lines\n",
            self.targets,
            self.modules,
            self.new.len(),
            self.allowed.len(),
            self.stale.len()
        ));
        out
    }
}

/// Reads every target of the workspace, finds its cycles and compares
/// them with the allowlist.
pub fn run(options: &Options) -> Result<Outcome, ModulesError> {
    let allowlist = match &options.allowlist {
        Some(path) => Allowlist::load(path)?,
        None => Allowlist::default(),
    };
    let ws = workspace::load(&options.manifest)?;
    // One thread per target: parsing is the cost, and targets are
    // independent.
    let trees: Vec<Result<tree::Tree, ModulesError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ws
            .targets
            .iter()
            .map(|target| scope.spawn(|| tree::load(&target.root, &ws.root)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut cycles = Vec::new();
    let mut modules = 0;
    for (target, tree) in ws.targets.iter().zip(trees) {
        let tree = tree?;
        modules += tree.modules.len();
        cycles.extend(graph::cycles(&target.label, &tree.modules, &tree.uses));
    }
    let (allowed, new, stale) = allowlist.split(cycles);
    Ok(Outcome {
        targets: ws.targets.len(),
        modules,
        new,
        allowed,
        stale,
        allowlist: options.allowlist.clone(),
    })
}

/// `path` relative to `root` when it is under it, for short evidence.
pub fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
