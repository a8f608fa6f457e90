//! Layout and doc helpers every Rust emitter shares: blank lines between
//! the items prettyplease prints back to back, and doc attributes.

use proc_macro2::TokenStream;
use quote::quote;

/// A blank line after the module docs and between top-level items, which
/// prettyplease prints back to back (never before an inner attribute).
pub(crate) fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.peek() else { break };
        let ends_item = line == "}" || (!line.starts_with([' ', '/', '#']) && line.ends_with(';'));
        let ends_docs = line.starts_with("//!") && !next.starts_with("//!");
        if (ends_item || ends_docs) && !next.is_empty() && !next.starts_with("#![") {
            out.push('\n');
        }
    }
    out
}

/// Like [`space_items`], and also a blank line between the methods of an
/// `impl` block and after the `use` lines (the client's layout).
pub(crate) fn space_items_and_methods(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.peek() else { break };
        let ends_item = line == "}" || line == "    }";
        let ends_docs = (line.starts_with("//!") && !next.starts_with("//!"))
            || (line.starts_with("#![") && !next.starts_with("#!["));
        let ends_use =
            line.starts_with("use ") && !next.starts_with("use ") && !next.starts_with('#');
        if (ends_item || ends_docs || ends_use)
            && !next.is_empty()
            && !next.trim_start().starts_with('}')
        {
            out.push('\n');
        }
    }
    out
}

/// Doc lines as `#[doc]` attributes (a space before non-empty lines, as
/// `///` comments print).
pub(crate) fn doc_attrs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #(#[doc = #lines])* }
}
