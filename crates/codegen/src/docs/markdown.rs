//! The spec's Markdown descriptions as HTML (CommonMark with tables and
//! strikethrough, by pulldown-cmark).
//!
//! Raw HTML in a description is shown as text, never passed through: the
//! spec is data, and a stray `<name>` must not break the page. Every
//! heading gets an id (ReDoc's `section/<slug>` scheme) and its level is
//! shifted to fit where the description sits in the page's outline.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::anchors::{slugify, Anchors};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Where headings of a description go: the prefix of their ids, and the
/// HTML level the description's top heading becomes.
#[derive(Clone, Copy, Debug)]
pub struct Headings<'a> {
    pub id_prefix: &'a str,
    pub top_level: u8,
}

/// Renders a block of Markdown (paragraphs, lists, code, headings).
pub fn render(md: &str, headings: Headings<'_>, anchors: &mut Anchors) -> String {
    if md.trim().is_empty() {
        return String::new();
    }
    let mut events: Vec<Event<'_>> = Parser::new_ext(md, options()).map(tame).collect();
    let min_level = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as u8),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    for e in &events {
        if let Event::Start(Tag::Link { dest_url, .. }) = e {
            if let Some(id) = dest_url.strip_prefix('#') {
                anchors.note_link(id, headings.id_prefix);
            }
        }
    }
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, .. }) = &events[i] {
            let md_level = *level as u8;
            let text = heading_text(&events[i + 1..]);
            let id = anchors.claim(&format!("{}{}", headings.id_prefix, slugify(&text)));
            let shifted = headings
                .top_level
                .saturating_add(md_level.saturating_sub(min_level))
                .clamp(1, 6);
            let new_level = level_of(shifted);
            events[i] = Event::Start(Tag::Heading {
                level: new_level,
                id: Some(CowStr::from(id)),
                classes: Vec::new(),
                attrs: Vec::new(),
            });
            if let Some(end) = events[i + 1..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
            {
                events[i + 1 + end] = Event::End(TagEnd::Heading(new_level));
            }
        }
        i += 1;
    }
    let mut html = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Renders one line of Markdown (a summary) without the paragraph around it.
pub fn render_inline(md: &str) -> String {
    if md.trim().is_empty() {
        return String::new();
    }
    let mut html = String::new();
    let events = Parser::new_ext(md, options()).map(tame).filter(|e| {
        !matches!(
            e,
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph)
        )
    });
    pulldown_cmark::html::push_html(&mut html, events);
    html.trim_end().to_string()
}

/// The plain text of a Markdown snippet (for headings, titles, search).
pub fn plain_text(md: &str) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(md, options()).collect();
    let mut out = String::new();
    for e in &events {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The introduction split at its top-level (`#`) headings: the text before
/// the first heading, then each heading's title and the Markdown below it.
pub fn split_sections(md: &str) -> (String, Vec<(String, String)>) {
    let mut cuts: Vec<(usize, usize, String)> = Vec::new();
    let mut open: Option<usize> = None;
    let mut title = String::new();
    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => {
                open = Some(range.start);
                title.clear();
            }
            Event::Text(t) | Event::Code(t) if open.is_some() => title.push_str(&t),
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                if let Some(start) = open.take() {
                    cuts.push((start, range.end, std::mem::take(&mut title)));
                }
            }
            _ => {}
        }
    }
    let lead_end = cuts.first().map_or(md.len(), |c| c.0);
    let lead = md[..lead_end].to_string();
    let mut sections = Vec::with_capacity(cuts.len());
    for (i, (_, head_end, title)) in cuts.iter().enumerate() {
        let body_end = cuts.get(i + 1).map_or(md.len(), |next| next.0);
        sections.push((
            title.trim().to_string(),
            md[*head_end..body_end].to_string(),
        ));
    }
    (lead, sections)
}

/// Raw HTML becomes text: shown as written, never interpreted.
fn tame(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        other => other,
    }
}

fn heading_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for e in events {
        match e {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            _ => {}
        }
    }
    text
}

fn level_of(n: u8) -> HeadingLevel {
    match n {
        0 | 1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: Headings<'static> = Headings {
        id_prefix: "operation/X/section/",
        top_level: 5,
    };

    #[test]
    fn renders_emphasis_code_and_links() {
        let mut a = Anchors::new();
        let html = render("A **bold** `code` [link](#operation/Y).", OP, &mut a);
        assert_eq!(
            html,
            "<p>A <strong>bold</strong> <code>code</code> <a href=\"#operation/Y\">link</a>.</p>\n"
        );
    }

    #[test]
    fn raw_html_is_text() {
        let mut a = Anchors::new();
        let html = render("Use <name> here.\n\n<div>x</div>\n", OP, &mut a);
        assert!(html.contains("Use &lt;name&gt; here."), "{html}");
        assert!(html.contains("&lt;div&gt;x&lt;/div&gt;"), "{html}");
        assert!(!html.contains("<div>"), "{html}");
    }

    #[test]
    fn headings_get_ids_and_shifted_levels() {
        let mut a = Anchors::new();
        let html = render("### Output framing\n\ntext\n\n#### Inner `x`\n", OP, &mut a);
        assert!(
            html.contains("<h5 id=\"operation/X/section/Output-framing\">Output framing</h5>"),
            "{html}"
        );
        assert!(
            html.contains("<h6 id=\"operation/X/section/Inner-x\">Inner <code>x</code></h6>"),
            "{html}"
        );
    }

    #[test]
    fn inline_has_no_paragraph() {
        assert_eq!(render_inline("Run `ls`"), "Run <code>ls</code>");
        assert_eq!(plain_text("Run `ls` **now**"), "Run ls now");
    }

    #[test]
    fn splits_the_introduction_at_top_headings() {
        let (lead, sections) =
            split_sections("Intro.\n\n# One\n\nBody 1\n\n## Sub\n\n# Two `x`\nBody 2\n");
        assert_eq!(lead, "Intro.\n\n");
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].0, "One");
        assert!(sections[0].1.contains("Body 1") && sections[0].1.contains("## Sub"));
        assert_eq!(sections[1].0, "Two x");
        assert_eq!(sections[1].1.trim(), "Body 2");
    }
}
