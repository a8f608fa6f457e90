//! A target's module tree: from its root file along `mod` declarations
//! (inline, `#[path]`, `foo.rs` with `foo/`, `foo/mod.rs`), with every
//! module's references to its own crate.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::ext::IdentExt;
use syn::{Expr, ExprLit, Item, ItemMod, Lit, Meta};

use super::graph::{ModPath, Use};
use super::refs::{collect, is_test_only};
use super::{relative, ModulesError};

/// Every module of a target and every reference found in them.
#[derive(Debug, Default)]
pub struct Tree {
    pub modules: BTreeSet<ModPath>,
    pub uses: Vec<Use>,
}

/// Reads the target whose root file is `root`; evidence paths are shown
/// relative to `base`.
pub fn load(root: &Path, base: &Path) -> Result<Tree, ModulesError> {
    let mut tree = Tree::default();
    let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut walker = Walker {
        base,
        tree: &mut tree,
    };
    walker.file(root, Vec::new(), dir)?;
    Ok(tree)
}

struct Walker<'a> {
    base: &'a Path,
    tree: &'a mut Tree,
}

impl Walker<'_> {
    /// The module `module`, whose code is the file `path`; `dir` is where
    /// its `mod x;` children live (`#[path]` ones: beside `path`).
    fn file(&mut self, path: &Path, module: ModPath, dir: PathBuf) -> Result<(), ModulesError> {
        let text = std::fs::read_to_string(path).map_err(|source| ModulesError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if !may_refer(&text) {
            // Nothing to parse for: no children, no references.
            self.tree.modules.insert(module);
            return Ok(());
        }
        let file = syn::parse_file(&text).map_err(|e| {
            let at = e.span().start();
            ModulesError::Parse {
                path: path.to_path_buf(),
                line: at.line,
                column: at.column + 1,
                message: e.to_string(),
            }
        })?;
        let attr_dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        self.module(path, module, &dir, &attr_dir, &file.items)
    }

    fn module(
        &mut self,
        path: &Path,
        module: ModPath,
        dir: &Path,
        attr_dir: &Path,
        items: &[Item],
    ) -> Result<(), ModulesError> {
        let shown = relative(path, self.base);
        for r in collect(&module, items) {
            self.tree.uses.push(Use {
                from: module.clone(),
                target: r.target,
                file: shown.clone(),
                line: r.line,
            });
        }
        self.tree.modules.insert(module.clone());
        for item in items {
            let Item::Mod(m) = item else { continue };
            if is_test_only(&m.attrs) {
                continue;
            }
            let name = m.ident.unraw().to_string();
            let mut child = module.clone();
            child.push(name.clone());
            let explicit = path_attr(m);
            if let Some((_, inner)) = &m.content {
                // An inline module: its own `mod x;` children live in
                // `dir/name/` (or where its `#[path]` says).
                let inner_dir = match &explicit {
                    Some(p) => dir.join(p),
                    None => dir.join(&name),
                };
                self.module(path, child, &inner_dir, &inner_dir, inner)?;
                continue;
            }
            let (file, child_dir) = match explicit {
                // Relative to the declaring file's directory (or the
                // inline module's); the file owns its directory, as a
                // mod.rs does.
                Some(p) => {
                    let file = attr_dir.join(p);
                    let child_dir = file.parent().unwrap_or(dir).to_path_buf();
                    (file, child_dir)
                }
                None => self.find(path, m, dir, &name)?,
            };
            self.file(&file, child, child_dir)?;
        }
        Ok(())
    }

    /// `dir/name.rs` (children in `dir/name/`) or `dir/name/mod.rs`.
    fn find(
        &self,
        path: &Path,
        m: &ItemMod,
        dir: &Path,
        name: &str,
    ) -> Result<(PathBuf, PathBuf), ModulesError> {
        let flat = dir.join(format!("{name}.rs"));
        if flat.is_file() {
            return Ok((flat, dir.join(name)));
        }
        let nested = dir.join(name).join("mod.rs");
        if nested.is_file() {
            return Ok((nested, dir.join(name)));
        }
        Err(ModulesError::MissingModule {
            path: path.to_path_buf(),
            line: m.ident.span().start().line,
            name: name.to_string(),
            tried: vec![flat, nested],
        })
    }
}

/// Whether `text` can declare a module or refer to its crate: it has the
/// word `mod`, `crate` or `super`, or `self` followed by `::`. A file
/// without any (a large generated file of types) is not parsed at all.
fn may_refer(text: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut rest = text;
    while let Some(start) = rest.find(is_word) {
        let tail = &rest[start..];
        let end = tail.find(|c: char| !is_word(c)).unwrap_or(tail.len());
        let (word, after) = tail.split_at(end);
        match word {
            "mod" | "crate" | "super" => return true,
            "self" if after.trim_start().starts_with("::") => return true,
            _ => {}
        }
        rest = after;
    }
    false
}

/// The value of `#[path = "..."]` on a module.
fn path_attr(m: &ItemMod) -> Option<String> {
    m.attrs.iter().find_map(|attr| {
        let Meta::NameValue(nv) = &attr.meta else {
            return None;
        };
        if !nv.path.is_ident("path") {
            return None;
        }
        match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s.value()),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::may_refer;

    #[test]
    fn only_files_without_mod_crate_super_or_self_paths_are_skipped() {
        assert!(may_refer("pub mod a;"));
        assert!(may_refer("fn f() -> crate::A { todo!() }"));
        assert!(may_refer("use super::x;"));
        assert!(may_refer("let a = self ::b();"));
        assert!(!may_refer("impl A { fn f(&self) -> u8 { self.0 } }"));
        assert!(!may_refer(
            "/// a superuser's model, in mode 0600\npub struct A;"
        ));
    }
}
