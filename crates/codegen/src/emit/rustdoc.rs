//! Spec prose as rustdoc: one `#[doc]` line per line of text, made safe for
//! rustdoc and clippy. Fenced blocks without a language and indented code
//! blocks, and blocks marked as Rust, become ```` ```text ```` blocks (rustdoc
//! would compile them as doctests, and spec prose is not Rust), tabs become spaces, trailing spaces go.

/// The doc lines of a description (empty when there is no text).
pub fn doc_lines(text: &str) -> Vec<String> {
    let text = text.trim_matches(|c| c == '\n' || c == '\r');
    let mut out: Vec<String> = Vec::new();
    if text.trim().is_empty() {
        return out;
    }
    let mut fence: Option<String> = None;
    let mut indented = false;
    // Whether the last paragraph started as a list item: its indented lines
    // continue the item rather than start a code block.
    let mut in_list = false;
    // Where the text of the last list item starts (`- x` -> 2, `10. x` -> 4).
    let mut item_column = 0;
    let mut prev_blank = true;
    for raw in text.lines() {
        let line = raw.replace('\t', "    ").trim_end().to_string();
        let trimmed = line.trim_start();
        if let Some(marker) = &fence {
            if trimmed.starts_with(marker.as_str()) {
                fence = None;
            }
            out.push(line);
            continue;
        }
        if indented {
            if line.is_empty() || line.starts_with("    ") {
                out.push(line.get(4..).unwrap_or("").to_string());
                continue;
            }
            // Close the block before the blank lines that ended it.
            let blanks = out.iter().rev().take_while(|l| l.is_empty()).count();
            out.insert(out.len() - blanks, "```".into());
            indented = false;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let marker: String = trimmed
                .chars()
                .take_while(|c| *c == '`' || *c == '~')
                .collect();
            let info = trimmed[marker.len()..].trim();
            let indent = &line[..line.len() - trimmed.len()];
            if info.is_empty() || is_rust_info(info) {
                out.push(format!("{indent}{marker}text"));
            } else {
                out.push(line.clone());
            }
            fence = Some(marker);
            prev_blank = false;
            continue;
        }
        if line.is_empty() {
            out.push(line);
            prev_blank = true;
            continue;
        }
        let indent = line.len() - trimmed.len();
        if indent >= 4 && prev_blank && !in_list {
            out.push("```text".into());
            out.push(line[4..].to_string());
            indented = true;
            continue;
        }
        let item = is_list_item(trimmed);
        if indent == 0 {
            in_list = item || (in_list && !prev_blank);
        } else if item {
            in_list = true;
        }
        let line = if item {
            item_column = content_column(&line);
            line
        } else if in_list && (!prev_blank || indent >= item_column) {
            // A line of the item's text: at the item's content column, where
            // Markdown reads it anyway and clippy wants it (neither a lazy
            // continuation at the margin nor an over-indented one).
            format!("{}{trimmed}", " ".repeat(item_column))
        } else {
            line
        };
        prev_blank = false;
        out.push(line);
    }
    if indented {
        let blanks = out.iter().rev().take_while(|l| l.is_empty()).count();
        out.insert(out.len() - blanks, "```".into());
    }
    if fence.is_some() {
        out.push("```".into());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// rustdoc treats these info strings as Rust (and would test the block).
fn is_rust_info(info: &str) -> bool {
    info.split([',', ' ']).all(|w| {
        matches!(
            w,
            "rust"
                | "ignore"
                | "should_panic"
                | "no_run"
                | "compile_fail"
                | "edition2015"
                | "edition2018"
                | "edition2021"
                | "edition2024"
                | ""
        )
    })
}

/// The column where a list item line's text starts: its indentation, the
/// marker, and the spaces after the marker.
fn content_column(line: &str) -> usize {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let marker = trimmed.find(' ').unwrap_or(trimmed.len());
    let spaces = trimmed[marker..].len() - trimmed[marker..].trim_start().len();
    indent + marker + spaces
}

fn is_list_item(line: &str) -> bool {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

#[cfg(test)]
mod tests {
    use super::doc_lines;

    #[test]
    fn code_blocks_never_become_doctests() {
        let text = "Example:\n\n```\n{\"a\": 1}\n```\n\nHosts:\n\n    10.0.0.1 db\n    10.0.0.2 web\n\nEnd.";
        assert_eq!(
            doc_lines(text),
            [
                "Example:",
                "",
                "```text",
                "{\"a\": 1}",
                "```",
                "",
                "Hosts:",
                "",
                "```text",
                "10.0.0.1 db",
                "10.0.0.2 web",
                "```",
                "",
                "End."
            ]
        );
    }

    #[test]
    fn list_continuations_go_to_the_item_text_column() {
        let text = "Modes:\n\n- `ro`: read-only,\n    continued here.\n\n    Second paragraph of the item.\n";
        assert_eq!(
            doc_lines(text),
            [
                "Modes:",
                "",
                "- `ro`: read-only,",
                "  continued here.",
                "",
                "  Second paragraph of the item."
            ]
        );
        let text = "Stats:\n* `blkio`: all\n* `cpu`: some\nAlso, others.\n   1. nested\n     over\n\nAfter.";
        assert_eq!(
            doc_lines(text),
            [
                "Stats:",
                "* `blkio`: all",
                "* `cpu`: some",
                "  Also, others.",
                "   1. nested",
                "      over",
                "",
                "After."
            ]
        );
    }

    #[test]
    fn tabs_and_trailing_space_go_and_rust_fences_become_text() {
        assert_eq!(doc_lines("a\tb  \n"), ["a    b"]);
        assert_eq!(
            doc_lines("```rust\nlet x = 1;\n```"),
            ["```text", "let x = 1;", "```"]
        );
        assert_eq!(doc_lines("```ignore\nx\n```"), ["```text", "x", "```"]);
        assert!(doc_lines("  \n").is_empty());
    }
}
