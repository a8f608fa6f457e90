//! Anchor ids of the docs page, compatible with ReDoc's so that links into
//! Docker's published reference (`#tag/Container`,
//! `#operation/ContainerCreate`, `#section/Authentication`) keep working.
//!
//! ReDoc names a tag `tag/<slug>`, an operation `operation/<operationId>`,
//! a heading of the API introduction `section/<slug>` and a schema shown as
//! a menu entry `schema/<slug>`, where the slug is the `slugify` npm
//! package's default: spaces become `-`, characters outside a small allowed
//! set are dropped, case is kept. [`Anchors`] hands out these ids and keeps
//! them unique on the page.

use std::collections::BTreeSet;

/// ReDoc's slug of a heading or tag name (npm `slugify` with its defaults).
pub fn slugify(name: &str) -> String {
    let mut mapped = String::with_capacity(name.len());
    for ch in name.chars() {
        match ch {
            // `slugify` turns its replacement character into a space first,
            // so runs of `-` and spaces collapse into one `-`.
            '-' => mapped.push(' '),
            '&' => mapped.push_str("and"),
            '<' => mapped.push_str("less"),
            '>' => mapped.push_str("greater"),
            '|' => mapped.push_str("or"),
            '%' => mapped.push_str("percent"),
            '$' => mapped.push_str("dollar"),
            c if c.is_ascii_alphanumeric() || c == '_' => mapped.push(c),
            c if c.is_whitespace() => mapped.push(' '),
            '*' | '+' | '~' | '.' | '(' | ')' | '\'' | '"' | '!' | ':' | '@' => mapped.push(ch),
            _ => {}
        }
    }
    mapped.split_whitespace().collect::<Vec<_>>().join("-")
}

/// The ids given out so far; a second request for a taken id gets `-2`,
/// `-3`... appended, so ids stay unique even on odd specs.
#[derive(Debug, Default)]
pub struct Anchors {
    taken: BTreeSet<String>,
    /// In-page links found in descriptions: (target id, where it was seen).
    links: Vec<(String, String)>,
}

impl Anchors {
    pub fn new() -> Self {
        Anchors::default()
    }

    /// Reserves `wanted`, or the first free numbered variant of it.
    pub fn claim(&mut self, wanted: &str) -> String {
        let wanted = if wanted.is_empty() { "anchor" } else { wanted };
        if self.taken.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        let mut n = 2u32;
        loop {
            let candidate = format!("{wanted}-{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }

    /// Reserves `id` only when it is still free (for aliases).
    pub fn claim_exact(&mut self, id: &str) -> bool {
        self.taken.insert(id.to_string())
    }

    pub fn contains(&self, id: &str) -> bool {
        self.taken.contains(id)
    }

    /// Records an in-page link (`#id`) seen in a description at `place`.
    pub fn note_link(&mut self, id: &str, place: &str) {
        self.links.push((id.to_string(), place.to_string()));
    }

    /// The recorded links whose target is not (yet) an id on the page.
    pub fn dangling(&self) -> Vec<(String, String)> {
        self.links
            .iter()
            .filter(|(id, _)| !self.taken.contains(id))
            .cloned()
            .collect()
    }
}

/// `tag/<slug>`.
pub fn tag_id(name: &str) -> String {
    format!("tag/{}", slugify(name))
}

/// `operation/<operationId>`, or, without an operationId, ReDoc's fallback:
/// the tag's id followed by the JSON pointer of the operation.
pub fn operation_id(operation_id: Option<&str>, tag_id: &str, path: &str, method: &str) -> String {
    match operation_id {
        Some(id) if !id.is_empty() => format!("operation/{id}"),
        _ => format!(
            "{tag_id}/paths/{}/{method}",
            path.replace('~', "~0").replace('/', "~1")
        ),
    }
}

/// `schema/<name>`: the id ReDoc gives a schema shown as its own entry.
pub fn definition_id(name: &str) -> String {
    format!("schema/{}", slugify(name))
}

/// `section/<slug>` for a heading of the API introduction.
pub fn section_id(heading: &str) -> String {
    format!("section/{}", slugify(heading))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_redoc() {
        assert_eq!(
            slugify("Versions and the URL prefix"),
            "Versions-and-the-URL-prefix"
        );
        assert_eq!(
            slugify("Registry authentication"),
            "Registry-authentication"
        );
        assert_eq!(slugify("  A -- b  "), "A-b");
        assert_eq!(slugify("Tty: true"), "Tty:-true");
        assert_eq!(slugify("a/b #c"), "ab-c");
    }

    #[test]
    fn ids_stay_unique() {
        let mut a = Anchors::new();
        assert_eq!(a.claim("tag/X"), "tag/X");
        assert_eq!(a.claim("tag/X"), "tag/X-2");
        assert_eq!(a.claim("tag/X"), "tag/X-3");
        assert!(!a.claim_exact("tag/X"));
        assert_eq!(a.claim(""), "anchor");
    }

    #[test]
    fn operations_without_an_id_use_the_pointer() {
        assert_eq!(
            operation_id(None, "tag/Container", "/containers/{id}/json", "get"),
            "tag/Container/paths/~1containers~1{id}~1json/get"
        );
        assert_eq!(
            operation_id(Some("ContainerCreate"), "tag/Container", "/x", "post"),
            "operation/ContainerCreate"
        );
    }
}
