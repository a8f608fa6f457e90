//! `$ref` resolution: local pointers (`#/definitions/Port`) and relative
//! files (`common.yaml#/definitions/Port`), with loaded files cached.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::load::{self, Document, Node};
use crate::pointer;

/// Resolves references from one document; other files load on demand.
pub struct Resolver<'a> {
    root: &'a Node,
    base: PathBuf,
    /// Other files, loaded on first use (rules share the resolver by `&`).
    files: RefCell<HashMap<PathBuf, Result<Document, String>>>,
}

/// Where a `$ref` points.
pub enum Target {
    Found,
    Missing(String),
    /// A remote URL: not fetched, not checked.
    Remote,
}

impl<'a> Resolver<'a> {
    pub fn new(root: &'a Node, base: &Path) -> Self {
        Resolver {
            root,
            base: base.to_path_buf(),
            files: RefCell::new(HashMap::new()),
        }
    }

    /// Follows a local `#/...` reference (no file loading).
    pub fn local(&self, reference: &str) -> Option<&'a Node> {
        let fragment = reference.strip_prefix('#')?;
        pointer::resolve(self.root, &pointer::percent_decode(fragment))
    }

    /// Follows any reference, loading relative files as needed.
    pub fn resolve(&self, reference: &str) -> Target {
        if reference.starts_with('#') {
            return match self.local(reference) {
                Some(_) => Target::Found,
                None => Target::Missing(format!("no node at `{reference}` in this file")),
            };
        }
        if reference.contains("://") {
            return Target::Remote;
        }
        let (file, fragment) = match reference.split_once('#') {
            Some((file, fragment)) => (file, fragment),
            None => (reference, ""),
        };
        let path = self.base.join(file);
        let mut files = self.files.borrow_mut();
        let loaded = files
            .entry(path.clone())
            .or_insert_with(|| load::load_file(&path).map_err(|e| e.to_string()));
        match loaded {
            Err(err) => Target::Missing(format!("cannot load `{}`: {err}", path.display())),
            Ok(doc) => match pointer::resolve(&doc.root, &pointer::percent_decode(fragment)) {
                Some(_) => Target::Found,
                None => {
                    Target::Missing(format!("no node at `#{fragment}` in `{}`", path.display()))
                }
            },
        }
    }
}
