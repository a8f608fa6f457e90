//! The references one module's code makes to items of its own crate:
//! `use` trees and inline paths that start with `crate`, `super` or
//! `self`, resolved to absolute paths (without `crate`).

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::visit::Visit;
use syn::{Attribute, Expr, Item, Macro, Meta, Path, Token, UseTree};

/// One reference: the item path it names, from the crate root, and the
/// line it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub target: Vec<String>,
    pub line: usize,
}

/// Macros whose arguments are code for another crate (generated code),
/// or definitions rather than uses: their paths are not ours.
const FOREIGN_MACROS: &[&str] = &[
    "quote",
    "quote_spanned",
    "parse_quote",
    "parse_quote_spanned",
    "macro_rules",
];

/// The references in `items`, the code of the module at `module` (not
/// descending into nested modules, which are modules of their own).
pub fn collect(module: &[String], items: &[Item]) -> Vec<Reference> {
    let mut visitor = Collector {
        module,
        found: Vec::new(),
    };
    for item in items {
        visitor.visit_item(item);
    }
    visitor.found
}

/// Whether `#[cfg(..)]` among `attrs` keeps the item to test builds
/// (`cfg(test)`, `cfg(all(test, ..))`; not `cfg(not(test))`).
pub fn is_test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let Meta::List(list) = &attr.meta else {
            return false;
        };
        if !list.path.is_ident("cfg") {
            return false;
        }
        let text = list.tokens.to_string();
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        words.contains(&"test") && !words.contains(&"not") && !words.contains(&"any")
    })
}

/// The attributes of any item (empty for verbatim tokens).
pub fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

struct Collector<'m> {
    module: &'m [String],
    found: Vec<Reference>,
}

impl Collector<'_> {
    /// Records `segments` when it starts at `crate`, `super` or `self`
    /// and names something below that start.
    fn record(&mut self, segments: &[String], line: usize) {
        let Some(target) = resolve(self.module, segments) else {
            return;
        };
        self.found.push(Reference { target, line });
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &UseTree) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.unraw().to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            UseTree::Name(n) => self.use_leaf(prefix, &n.ident),
            UseTree::Rename(r) => self.use_leaf(prefix, &r.ident),
            UseTree::Glob(g) => {
                let line = g.star_token.spans[0].start().line;
                self.record(prefix, line);
            }
            UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }

    fn use_leaf(&mut self, prefix: &[String], ident: &syn::Ident) {
        let line = ident.span().start().line;
        let mut path = prefix.to_vec();
        // `use crate::a::{self}` names `a` itself.
        if ident != "self" || path.is_empty() {
            path.push(ident.unraw().to_string());
        }
        self.record(&path, line);
    }
}

/// `segments` (`super`, `super`, `x`, `Y`) seen from `module`, as a path
/// from the crate root; `None` for paths that do not start at the crate,
/// at `self` or at `super` (other crates, locals, the prelude).
pub fn resolve(module: &[String], segments: &[String]) -> Option<Vec<String>> {
    let first = segments.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" | "super" => module.to_vec(),
        _ => return None,
    };
    let mut rest = &segments[1..];
    if first == "super" {
        base.pop();
    }
    while let Some(next) = rest.first() {
        if next != "super" {
            break;
        }
        base.pop();
        rest = &rest[1..];
    }
    if rest.is_empty() && first == "self" {
        // A bare `self` is the value, not a module.
        return None;
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast Item) {
        if is_test_only(item_attrs(item)) || matches!(item, Item::Mod(_)) {
            return;
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if is_test_only(&item.attrs) {
            return;
        }
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_path(&mut self, path: &'ast Path) {
        if path.leading_colon.is_none() && path.segments.len() > 1 {
            let segments: Vec<String> = path
                .segments
                .iter()
                .map(|s| s.ident.unraw().to_string())
                .collect();
            let line = path.segments[0].ident.span().start().line;
            self.record(&segments, line);
        }
        syn::visit::visit_path(self, path);
    }

    /// `pub(in crate::a)` says who may see an item, not what it uses.
    fn visit_vis_restricted(&mut self, _: &'ast syn::VisRestricted) {}

    /// Arguments of ordinary macros (`format!`, `assert_eq!`, `vec!`)
    /// that parse as expressions are visited as code.
    fn visit_macro(&mut self, mac: &'ast Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        if name.as_deref().is_some_and(|n| FOREIGN_MACROS.contains(&n)) {
            return;
        }
        syn::visit::visit_macro(self, mac);
        if let Some(exprs) = macro_exprs(mac.tokens.clone()) {
            for expr in &exprs {
                self.visit_expr(expr);
            }
        }
    }
}

/// `tokens` as comma-separated expressions (with a `;` allowed, as in
/// `vec![x; n]`), or `None` when they are something else.
fn macro_exprs(tokens: TokenStream) -> Option<Vec<Expr>> {
    use syn::parse::Parser;
    let parser = |input: syn::parse::ParseStream| {
        let mut exprs = Vec::new();
        while !input.is_empty() {
            exprs.push(input.parse::<Expr>()?);
            if input.is_empty() {
                break;
            }
            if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
            } else {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(exprs)
    };
    parser.parse2(tokens).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(module: &str, code: &str) -> Vec<(String, usize)> {
        let module: Vec<String> = module
            .split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let file = syn::parse_file(code).unwrap();
        collect(&module, &file.items)
            .into_iter()
            .map(|r| (r.target.join("::"), r.line))
            .collect()
    }

    #[test]
    fn use_trees_expand_into_one_reference_per_leaf() {
        let code = "use crate::a::{b::C, self, d::*};\nuse super::e as f;\nuse std::fmt;";
        assert_eq!(
            refs("x::y", code),
            [
                ("a::b::C".to_string(), 1),
                ("a".to_string(), 1),
                ("a::d".to_string(), 1),
                ("x::e".to_string(), 2),
            ]
        );
    }

    #[test]
    fn inline_paths_in_code_types_and_macro_arguments_count() {
        let code = "fn f(x: crate::t::T) -> super::super::u::U {\n    \
                    let v = self::inner::g();\n    \
                    println!(\"{}\", crate::m::NAME);\n    \
                    vec![crate::n::ZERO; 3];\n    \
                    todo!()\n}";
        let found = refs("a::b", code);
        let targets: Vec<&str> = found.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            targets,
            ["t::T", "u::U", "a::b::inner::g", "m::NAME", "n::ZERO"]
        );
        assert_eq!(found[3].1, 3);
    }

    #[test]
    fn test_code_quote_bodies_visibility_and_other_crates_do_not_count() {
        let code = "#[cfg(test)]\nuse crate::a::X;\n\
                    #[cfg(all(test, unix))]\nfn t() { crate::b::f(); }\n\
                    fn g() { quote! { crate::types::Generated }; std::mem::drop(1); }\n\
                    pub(in crate::c) struct S;\n\
                    fn h(self) { self.x(); ::serde::de::Error::custom(1); }\n\
                    mod inner { use crate::d::Y; }";
        assert_eq!(refs("", code), Vec::<(String, usize)>::new());
    }

    #[test]
    fn raw_identifiers_name_the_module_without_their_prefix() {
        assert_eq!(
            refs("", "use crate::r#type::Kind;"),
            [("type::Kind".to_string(), 1)]
        );
    }

    #[test]
    fn not_test_code_counts() {
        let code = "#[cfg(not(test))]\nuse crate::a::X;";
        assert_eq!(refs("", code), [("a::X".to_string(), 2)]);
    }

    #[test]
    fn super_climbs_from_the_module() {
        assert_eq!(
            resolve(
                &["a".into(), "b".into()],
                &["super".into(), "super".into(), "c".into()]
            ),
            Some(vec!["c".to_string()])
        );
        assert_eq!(resolve(&[], &["self".into()]), None);
        assert_eq!(resolve(&[], &["tokio".into(), "spawn".into()]), None);
    }
}
