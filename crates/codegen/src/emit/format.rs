//! Layout and doc helpers every Rust emitter shares: printing items with
//! prettyplease, a piece at a time and on scoped threads (`unparse`,
//! `print_runs`), blank lines between the items prettyplease prints back
//! to back, and doc attributes (with prose brackets escaped, so rustdoc
//! does not take them for links).

use proc_macro2::TokenStream;
use quote::quote;

use super::EmitError;

/// Items (and inner attributes) printed by prettyplease.
///
/// prettyplease prints a file's items one after the other, so printing a
/// module a few items at a time and joining the pieces gives the same
/// text as printing it whole; the small syntax trees stay in the cache and
/// are dropped as soon as they are printed.
pub(crate) fn unparse(tokens: TokenStream) -> Result<String, EmitError> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| EmitError::Syntax(e.to_string()))?;
    expand_docs(prettyplease::unparse(&file))
}

/// What `print` appends for every part of `parts`, in order, one
/// accumulator per run: the parts are split into at most `threads`
/// contiguous runs of about equal `weight`, each printed on a scoped
/// thread. Joining the runs' texts gives the same result for any number of
/// threads; the first error, in order, is the one returned.
pub(crate) fn print_runs<T, O, W, P>(
    parts: &[T],
    threads: usize,
    weight: W,
    print: P,
) -> Result<Vec<O>, EmitError>
where
    T: Sync,
    O: Default + Send,
    W: Fn(&T) -> usize,
    P: Fn(&T, &mut O) -> Result<(), EmitError> + Sync,
{
    let total: usize = parts.iter().map(&weight).sum();
    let threads = threads.max(1);
    let share = total.div_ceil(threads).max(1);
    let mut runs: Vec<&[T]> = Vec::new();
    let (mut start, mut acc) = (0, 0);
    for (i, part) in parts.iter().enumerate() {
        acc += weight(part);
        if acc >= share && runs.len() + 1 < threads {
            runs.push(&parts[start..=i]);
            (start, acc) = (i + 1, 0);
        }
    }
    runs.push(&parts[start..]);
    let print_run = |run: &[T]| -> Result<O, EmitError> {
        let mut out = O::default();
        for part in run {
            print(part, &mut out)?;
        }
        Ok(out)
    };
    if runs.len() == 1 {
        return runs.iter().map(|r| print_run(r)).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|run| scope.spawn(|| print_run(run)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
            })
            .collect()
    })
}

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
/// `///` comments print). Outside code, brackets that are not a link
/// (`UID[:GID]`) are escaped: see [`escape_brackets`].
pub(crate) fn doc_attrs(lines: &[String]) -> TokenStream {
    let mut fence: Option<String> = None;
    let lines = lines.iter().map(|l| {
        let trimmed = l.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        if marker.len() >= 3 {
            match &fence {
                Some(open) if marker.starts_with(open.as_str()) => fence = None,
                Some(_) => {}
                None => fence = Some(marker),
            }
            return format!(" {l}");
        }
        if l.is_empty() {
            String::new()
        } else if fence.is_some() {
            format!(" {l}")
        } else {
            format!(" {}", escape_brackets(l))
        }
    });
    // What prettyplease prints after `///`: the value without its
    // trailing spaces.
    let lines: Vec<String> = lines
        .map(|mut l| {
            l.truncate(l.trim_end_matches(' ').len());
            l
        })
        .collect();
    if lines.is_empty() {
        return TokenStream::new();
    }
    if lines.iter().any(|l| l.contains(['\n', '\r'])) {
        // Not a `///` line: prettyplease picks the form.
        return quote! { #(#[doc = #lines])* };
    }
    let marker = DOC_BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        blocks.pending += 1;
        blocks.lines.push(Some(lines));
        format!("{DOC_MARKER}{}", blocks.lines.len() - 1)
    });
    quote! { #[doc = #marker] }
}

/// What a doc block's placeholder attribute holds before its number; it
/// prints as `///` followed by this, which no real doc line can print as:
/// those begin with a space or are empty.
const DOC_MARKER: &str = "\u{1}doc";

/// Doc blocks waiting to be printed, by number, on this thread.
#[derive(Default)]
struct DocBlocks {
    lines: Vec<Option<Vec<String>>>,
    /// Blocks not printed yet; the list is emptied when it reaches 0.
    pending: usize,
}

thread_local! {
    /// Docs are most of the generated text, and a doc string costs a lot
    /// as a token: escaped into a literal, parsed back by syn, printed by
    /// prettyplease. So [`doc_attrs`] puts a short placeholder attribute in
    /// the tokens and keeps the lines here; [`unparse`], on the same
    /// thread, writes them where prettyplease printed the placeholder, at
    /// its indentation: the text prettyplease would have printed.
    static DOC_BLOCKS: std::cell::RefCell<DocBlocks> = std::cell::RefCell::default();
}

/// `printed` with each placeholder line of [`doc_attrs`] replaced by its
/// block's `///` lines.
fn expand_docs(printed: String) -> Result<String, EmitError> {
    let mark = format!("///{DOC_MARKER}");
    if !printed.contains(&mark) {
        return Ok(printed);
    }
    DOC_BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        let mut out = String::with_capacity(printed.len() * 2);
        for line in printed.split_inclusive('\n') {
            let Some(at) = line.find(&mark) else {
                out.push_str(line);
                continue;
            };
            let (indent, rest) = (&line[..at], &line[at + mark.len()..]);
            let block = rest
                .trim_end()
                .parse::<usize>()
                .ok()
                .and_then(|n| blocks.lines.get_mut(n))
                .and_then(Option::take)
                .filter(|_| indent.bytes().all(|b| b == b' '))
                .ok_or_else(|| EmitError::Syntax(format!("misplaced doc block: {line}")))?;
            blocks.pending -= 1;
            for doc in block {
                out.push_str(indent);
                out.push_str("///");
                out.push_str(&doc);
                out.push('\n');
            }
        }
        if blocks.pending == 0 {
            blocks.lines.clear();
        }
        Ok(out)
    })
}

/// Escapes `[...]` in one line of prose unless it is a link: inline or
/// reference (`[text](url)`, `[text][ref]`) or an intra-doc link to code
/// (`` [`Name`] ``). Rustdoc would otherwise try `[:GID]` or `[name]` as
/// a path and warn. Text in backticks is left alone.
pub(crate) fn escape_brackets(line: &str) -> String {
    // Most doc lines have no bracket at all.
    if !line.contains('[') {
        return line.to_string();
    }
    let chars: Vec<char> = line.chars().collect();
    let mut escaped = vec![false; chars.len()];
    let mut in_code = false;
    // The end of a reference link's `[ref]`, which is not prose either.
    let mut link_until = 0;
    for i in 0..chars.len() {
        match chars[i] {
            '`' => in_code = !in_code,
            '[' if !in_code && i >= link_until && (i == 0 || chars[i - 1] != '\\') => {
                let Some(close) = matching_bracket(&chars, i) else {
                    continue;
                };
                let inner = &chars[i + 1..close];
                let is_link = matches!(chars.get(close + 1), Some('(' | '['))
                    || (inner.len() >= 2
                        && inner.first() == Some(&'`')
                        && inner.last() == Some(&'`'));
                if !is_link {
                    escaped[i] = true;
                    escaped[close] = true;
                } else if chars.get(close + 1) == Some(&'[') {
                    link_until = matching_bracket(&chars, close + 1).unwrap_or(close);
                }
            }
            _ => {}
        }
    }
    let mut out = String::with_capacity(line.len() + 4);
    for (c, escape) in chars.iter().zip(escaped) {
        if escape {
            out.push('\\');
        }
        out.push(*c);
    }
    out
}

/// The index of the `]` that closes the `[` at `open` (brackets inside
/// backticks do not count).
fn matching_bracket(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_code = false;
    for (i, c) in chars.iter().enumerate().skip(open) {
        match c {
            '`' => in_code = !in_code,
            '[' if !in_code => depth += 1,
            ']' if !in_code => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_blocks_print_as_prettyplease_prints_doc_attributes() {
        let lines = |ls: &[&str]| ls.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let outer = lines(&[
            "A type [name] here.",
            "",
            "  indented  ",
            "```",
            "x[0]",
            "```",
        ]);
        let field = lines(&["The field."]);
        let (outer_doc, field_doc) = (doc_attrs(&outer), doc_attrs(&field));
        let ours = unparse(quote! {
            #outer_doc
            pub struct A {
                #field_doc
                pub x: u8,
            }
        })
        .unwrap();
        let plain = prettyplease::unparse(
            &syn::parse2(quote! {
                #[doc = " A type \\[name\\] here."]
                #[doc = ""]
                #[doc = "   indented  "]
                #[doc = " ```"]
                #[doc = " x[0]"]
                #[doc = " ```"]
                pub struct A {
                    #[doc = " The field."]
                    pub x: u8,
                }
            })
            .unwrap(),
        );
        assert_eq!(ours, plain);
        assert!(ours.contains("    /// The field.\n"), "{ours}");
        // Every block was printed: nothing is kept for later.
        DOC_BLOCKS.with(|b| assert_eq!(b.borrow().pending, 0));
        assert!(doc_attrs(&[]).is_empty());
    }

    #[test]
    fn prose_brackets_are_escaped_and_links_are_not() {
        assert_eq!(
            escape_brackets("User (name or UID[:GID]) it runs as."),
            "User (name or UID\\[:GID\\]) it runs as."
        );
        for kept in [
            "See [`ObjectVersion`].",
            "See [the docs](https://example.com) and [x][ref].",
            "Filters as `map[string][]string`.",
            "Unclosed [ bracket.",
        ] {
            assert_eq!(escape_brackets(kept), kept);
        }
        assert_eq!(
            escape_brackets("[/arch[/variant]] or `[a]`"),
            "\\[/arch\\[/variant\\]\\] or `[a]`"
        );
    }
}
