//! YAML-level rules: the checks of yamllint's default configuration that
//! Docker keeps for its swagger.yaml (document-start and line-length off).
//!
//! Text rules look at raw lines; token rules run libyaml's scanner and look
//! at the spacing between tokens (where comments live, too); tree rules look
//! at the loaded mapping keys and scalars.

use libyaml_safer::{Scanner, TokenData};

use super::{Diagnostic, Rule};
use crate::load::{Node, Pos, Style, Value};

/// trailing-spaces, tabs in indentation, new-lines, new-line-at-end-of-file,
/// empty-lines and comments-indentation: rules that need only the text.
pub fn check_text(text: &str, out: &mut Vec<Diagnostic>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(i) = text.find("\r\n") {
        let line = text[..i].matches('\n').count() as u32 + 1;
        out.push(Diagnostic::new(
            Rule::YamlNewLines,
            Pos { line, col: 1 },
            "wrong new line character: expected \\n, found \\r\\n".into(),
            "",
        ));
    }
    let lines: Vec<&str> = text.split('\n').collect();
    // The last element is what follows the final newline (empty if any).
    let body = &lines[..lines.len().saturating_sub(1)];
    if let Some(last) = lines.last() {
        if !last.is_empty() {
            out.push(Diagnostic::new(
                Rule::YamlNewLineAtEndOfFile,
                Pos {
                    line: lines.len() as u32,
                    col: last.chars().count() as u32 + 1,
                },
                "no new line character at the end of the file".into(),
                "",
            ));
        }
    }
    let all: Vec<&str> = if lines.last().is_some_and(|l| l.is_empty()) {
        body.to_vec()
    } else {
        lines.clone()
    };
    let mut blank_run = 0usize;
    for (i, raw) in all.iter().enumerate() {
        let line_no = i as u32 + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim_end_matches([' ', '\t']);
        if trimmed.len() != line.len() && !trimmed.is_empty()
            || (trimmed.is_empty() && !line.is_empty())
        {
            out.push(Diagnostic::new(
                Rule::YamlTrailingSpaces,
                Pos {
                    line: line_no,
                    col: trimmed.chars().count() as u32 + 1,
                },
                "trailing spaces".into(),
                "",
            ));
        }
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        if let Some(col) = indent.find('\t') {
            out.push(Diagnostic::new(
                Rule::YamlTabs,
                Pos {
                    line: line_no,
                    col: col as u32 + 1,
                },
                "tab character in indentation; YAML indents with spaces only".into(),
                "",
            ));
        }
        if trimmed.is_empty() {
            blank_run += 1;
            continue;
        }
        if blank_run > 0 {
            let first_blank = line_no - blank_run as u32;
            if first_blank == 1 {
                out.push(Diagnostic::new(
                    Rule::YamlEmptyLines,
                    Pos {
                        line: blank_run as u32,
                        col: 1,
                    },
                    format!("too many blank lines at the beginning of the file ({blank_run} > 0)"),
                    "",
                ));
            } else if blank_run > 2 {
                out.push(Diagnostic::new(
                    Rule::YamlEmptyLines,
                    Pos {
                        line: line_no - 1,
                        col: 1,
                    },
                    format!("too many blank lines ({blank_run} > 2)"),
                    "",
                ));
            }
        }
        blank_run = 0;
    }
    if blank_run > 0 && all.len() > blank_run {
        out.push(Diagnostic::new(
            Rule::YamlEmptyLines,
            Pos {
                line: all.len() as u32,
                col: 1,
            },
            format!("too many blank lines at the end of the file ({blank_run} > 0)"),
            "",
        ));
    }
}

/// A token's start and end as (line, column), 1-based, and what it is.
struct Tok {
    kind: TokenData,
    start: Pos,
    end: Pos,
}

fn pos(mark: libyaml_safer::Mark) -> Pos {
    Pos {
        line: mark.line as u32 + 1,
        col: mark.column as u32 + 1,
    }
}

/// colons, hyphens, commas, braces, brackets, comments and
/// comments-indentation: rules about the space between tokens.
pub fn check_tokens(text: &str, out: &mut Vec<Diagnostic>) {
    let input_text = crate::load::libyaml_input(text);
    let mut input = input_text.as_bytes();
    let mut scanner = Scanner::new();
    scanner.set_input_string(&mut input);
    let mut toks = Vec::new();
    // A step where the library panics ends the scan like a scanner error:
    // the parser reports that input as a syntax error.
    while let Some(Some(token)) = crate::load::guarded_yaml(|| scanner.next()) {
        let Ok(token) = token else { break };
        if matches!(token.data, TokenData::StreamEnd) {
            break;
        }
        toks.push(Tok {
            start: pos(token.start_mark),
            end: pos(token.end_mark),
            kind: token.data,
        });
    }
    let lines: Vec<&str> = text.lines().collect();
    let line_of = |n: u32| -> &str { lines.get(n as usize - 1).copied().unwrap_or("") };

    for (i, t) in toks.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| toks.get(j));
        let next = toks.get(i + 1);
        // Spaces between the end of `a` and the start of `b` on one line.
        let gap = |a: Pos, b: Pos| (a.line == b.line).then(|| b.col.saturating_sub(a.col));
        match t.kind {
            TokenData::Value => {
                if let Some(p) = prev {
                    if !matches!(p.kind, TokenData::Key | TokenData::BlockMappingStart) {
                        if let Some(g) = gap(p.end, t.start) {
                            if g > 0 {
                                out.push(Diagnostic::new(
                                    Rule::YamlColons,
                                    p.end,
                                    "too many spaces before colon".into(),
                                    "",
                                ));
                            }
                        }
                    }
                }
                if let Some(n) = next {
                    if let Some(g) = gap(t.end, n.start) {
                        if g > 1 && !matches!(n.kind, TokenData::BlockEnd) {
                            out.push(Diagnostic::new(
                                Rule::YamlColons,
                                Pos {
                                    line: t.end.line,
                                    col: t.end.col + 1,
                                },
                                "too many spaces after colon".into(),
                                "",
                            ));
                        }
                    }
                }
            }
            TokenData::BlockEntry => {
                if let Some(n) = next {
                    if let Some(g) = gap(t.end, n.start) {
                        if g > 1 {
                            out.push(Diagnostic::new(
                                Rule::YamlHyphens,
                                Pos {
                                    line: t.end.line,
                                    col: t.end.col + 1,
                                },
                                "too many spaces after hyphen".into(),
                                "",
                            ));
                        }
                    }
                }
            }
            TokenData::FlowEntry => {
                if let Some(p) = prev {
                    if gap(p.end, t.start).is_some_and(|g| g > 0) {
                        out.push(Diagnostic::new(
                            Rule::YamlCommas,
                            p.end,
                            "too many spaces before comma".into(),
                            "",
                        ));
                    }
                }
                if let Some(n) = next {
                    match gap(t.end, n.start) {
                        Some(0)
                            if !matches!(
                                n.kind,
                                TokenData::FlowSequenceEnd | TokenData::FlowMappingEnd
                            ) =>
                        {
                            out.push(Diagnostic::new(
                                Rule::YamlCommas,
                                t.end,
                                "too few spaces after comma".into(),
                                "",
                            ))
                        }
                        Some(g) if g > 1 => out.push(Diagnostic::new(
                            Rule::YamlCommas,
                            Pos {
                                line: t.end.line,
                                col: t.end.col + 1,
                            },
                            "too many spaces after comma".into(),
                            "",
                        )),
                        _ => {}
                    }
                }
            }
            TokenData::FlowMappingStart | TokenData::FlowSequenceStart => {
                let (rule, what) = if matches!(t.kind, TokenData::FlowMappingStart) {
                    (Rule::YamlBraces, "braces")
                } else {
                    (Rule::YamlBrackets, "brackets")
                };
                if let Some(n) = next {
                    let empty = matches!(
                        n.kind,
                        TokenData::FlowMappingEnd | TokenData::FlowSequenceEnd
                    );
                    if !empty && gap(t.end, n.start).is_some_and(|g| g > 0) {
                        out.push(Diagnostic::new(
                            rule,
                            t.end,
                            format!("too many spaces inside {what}"),
                            "",
                        ));
                    }
                }
            }
            TokenData::FlowMappingEnd | TokenData::FlowSequenceEnd => {
                let (rule, what) = if matches!(t.kind, TokenData::FlowMappingEnd) {
                    (Rule::YamlBraces, "braces")
                } else {
                    (Rule::YamlBrackets, "brackets")
                };
                if let Some(p) = prev {
                    let empty = matches!(
                        p.kind,
                        TokenData::FlowMappingStart | TokenData::FlowSequenceStart
                    );
                    if !empty && gap(p.end, t.start).is_some_and(|g| g > 0) {
                        out.push(Diagnostic::new(
                            rule,
                            p.end,
                            format!("too many spaces inside {what}"),
                            "",
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    // Comments live in the gaps between tokens.
    let mut from = Pos { line: 1, col: 1 };
    for t in toks.iter().chain(std::iter::once(&Tok {
        kind: TokenData::StreamEnd,
        start: Pos {
            line: lines.len() as u32 + 1,
            col: 1,
        },
        end: Pos {
            line: lines.len() as u32 + 1,
            col: 1,
        },
    })) {
        for line_no in from.line..=t.start.line.min(lines.len() as u32) {
            let line = line_of(line_no);
            let start_col = if line_no == from.line { from.col } else { 1 };
            let end_col = if line_no == t.start.line {
                t.start.col
            } else {
                u32::MAX
            };
            if !line.contains('#') {
                continue;
            }
            let chars: Vec<char> = line.chars().collect();
            let seg_start = (start_col as usize).saturating_sub(1).min(chars.len());
            let seg_end = (end_col as usize).saturating_sub(1).min(chars.len());
            if let Some(off) = chars[seg_start..seg_end].iter().position(|&c| c == '#') {
                let col = seg_start + off; // 0-based
                let inline = chars[..col].iter().any(|c| !c.is_whitespace());
                comment(&chars, line_no, col, inline, &lines, out);
            }
        }
        from = t.end;
    }
}

fn comment(
    chars: &[char],
    line_no: u32,
    col: usize,
    inline: bool,
    lines: &[&str],
    out: &mut Vec<Diagnostic>,
) {
    let after = chars.get(col + 1).copied();
    let shebang = line_no == 1 && col == 0 && after == Some('!');
    if !shebang && !matches!(after, None | Some(' ') | Some('#')) {
        let body_start = chars[col..].iter().position(|&c| c != '#').unwrap_or(0) + col;
        if chars.get(body_start).is_some_and(|c| *c != ' ') {
            out.push(Diagnostic::new(
                Rule::YamlComments,
                Pos {
                    line: line_no,
                    col: col as u32 + 2,
                },
                "missing starting space in comment".into(),
                "",
            ));
        }
    }
    if inline {
        let spaces = chars[..col].iter().rev().take_while(|&&c| c == ' ').count();
        if spaces < 2 {
            out.push(Diagnostic::new(
                Rule::YamlComments,
                Pos {
                    line: line_no,
                    col: col as u32 + 1,
                },
                "too few spaces before comment (at least 2)".into(),
                "",
            ));
        }
        return;
    }
    // A comment on its own line is indented like the content after or before it.
    let indent_of = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let content = |l: &&&str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let idx = line_no as usize - 1;
    let next = lines[idx + 1..].iter().find(content).map(|l| indent_of(l));
    let prev = lines[..idx]
        .iter()
        .rev()
        .find(content)
        .map(|l| indent_of(l));
    let ok = next.is_none_or(|n| n == col)
        || prev.is_some_and(|p| p == col)
        || next.is_some_and(|n| col > n && prev.is_some_and(|p| col <= p));
    if !ok {
        out.push(Diagnostic::new(
            Rule::YamlCommentsIndentation,
            Pos {
                line: line_no,
                col: col as u32 + 1,
            },
            "comment not indented like content".into(),
            "",
        ));
    }
}

/// key-duplicates, truthy and indentation: rules on the loaded tree.
pub fn check_tree(root: &Node, out: &mut Vec<Diagnostic>) {
    let mut unit: Option<u32> = None;
    let mut stack = vec![(root, String::new(), None::<u32>)];
    while let Some((node, ptr, parent_col)) = stack.pop() {
        if node.style == Style::Plain {
            truthy(node, &ptr, out);
        }
        // A block collection that starts on its own line is indented by the
        // file's one unit relative to its parent key (sequences too).
        if let (Some(parent), Style::Block) = (parent_col, node.style) {
            if node.pos.col <= parent && !matches!(node.value, Value::Map(_) | Value::Seq(_)) {
            } else if node.pos.col > parent || matches!(node.value, Value::Seq(_)) {
                let delta = node.pos.col.saturating_sub(parent);
                match unit {
                    None if delta > 0 => unit = Some(delta),
                    Some(u) if delta != u => out.push(Diagnostic::new(
                        Rule::YamlIndentation,
                        node.pos,
                        format!(
                            "wrong indentation: expected {} but found {}",
                            parent + u - 1,
                            node.pos.col - 1
                        ),
                        &ptr,
                    )),
                    None => out.push(Diagnostic::new(
                        Rule::YamlIndentation,
                        node.pos,
                        "wrong indentation: sequence items must be indented under their key".into(),
                        &ptr,
                    )),
                    _ => {}
                }
            }
        }
        match &node.value {
            Value::Map(entries) => {
                let mut seen: std::collections::HashMap<&str, Pos> = Default::default();
                let mut children = Vec::with_capacity(entries.len());
                for e in entries {
                    if e.key_node.style == Style::Plain {
                        truthy(&e.key_node, &ptr, out);
                    }
                    let child_ptr = crate::pointer::join(&ptr, &e.key);
                    if let Some(first) = seen.get(e.key.as_str()) {
                        out.push(Diagnostic::new(
                            Rule::YamlKeyDuplicates,
                            e.key_node.pos,
                            format!(
                                "duplication of key \"{}\" in mapping (first at line {})",
                                e.key, first.line
                            ),
                            &child_ptr,
                        ));
                    } else {
                        seen.insert(&e.key, e.key_node.pos);
                    }
                    let own_line = e.value.pos.line > e.key_node.pos.line;
                    let parent =
                        (own_line && node.style == Style::Block).then_some(e.key_node.pos.col);
                    children.push((&e.value, child_ptr, parent));
                }
                // Depth-first in source order: the first indentation seen sets the unit.
                stack.extend(children.into_iter().rev());
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((item, crate::pointer::join(&ptr, &i.to_string()), None));
                }
            }
            _ => {}
        }
    }
}

fn truthy(node: &Node, ptr: &str, out: &mut Vec<Diagnostic>) {
    if let (Value::Bool(_), Some(raw)) = (&node.value, &node.raw) {
        if !matches!(&**raw, "true" | "false") {
            out.push(Diagnostic::new(Rule::YamlTruthy, node.pos, format!("truthy value `{raw}` should be one of [false, true] (quote it if it is a string)"), ptr));
        }
    }
}
