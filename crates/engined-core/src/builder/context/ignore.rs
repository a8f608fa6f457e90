//! `.dockerignore` as Docker reads it: one pattern a line, `#` lines
//! are comments, a leading `!` re-includes, paths are cleaned (no
//! leading `/` or `./`), `*` and `?` stay within one path element and
//! `**` spans any number of them; a pattern that matches a directory
//! excludes everything below it; the last matching pattern decides.
//! Each element is matched with [`crate::pattern::glob`] (Go's
//! `path.Match` on a linear-time engine).

use regex::Regex;

use crate::pattern::{self, PatternError};

#[derive(Debug, Clone)]
enum Element {
    /// `**`: any number of elements.
    Any,
    Glob(Regex),
}

#[derive(Debug, Clone)]
struct Rule {
    include: bool,
    elements: Vec<Element>,
}

/// The rules of one `.dockerignore`.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

/// Whether `elements` match a prefix of `path` (a whole path or one of
/// its parents).
fn matches_prefix(elements: &[Element], path: &[&str]) -> bool {
    match elements.split_first() {
        None => true,
        Some((Element::Any, rest)) => {
            (0..=path.len()).any(|skip| matches_prefix(rest, &path[skip..]))
        }
        Some((Element::Glob(re), rest)) => match path.split_first() {
            Some((first, others)) => re.is_match(first) && matches_prefix(rest, others),
            None => false,
        },
    }
}

impl Rules {
    pub fn parse(text: &str) -> Result<Rules, PatternError> {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (include, body) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let mut elements = Vec::new();
            for part in body.split('/') {
                match part {
                    "" | "." => {}
                    "**" => elements.push(Element::Any),
                    glob => elements.push(Element::Glob(pattern::glob(glob)?)),
                }
            }
            if elements.is_empty() {
                continue;
            }
            rules.push(Rule { include, elements });
        }
        Ok(Rules { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether the path (relative to the context, `/`-separated) is
    /// excluded.
    pub fn excludes(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let mut excluded = false;
        for rule in &self.rules {
            if matches_prefix(&rule.elements, &parts) {
                excluded = !rule.include;
            }
        }
        excluded
    }

    /// Whether some `!` rule could re-include a path below `dir`.
    pub fn may_include_below(&self, dir: &str) -> bool {
        let parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
        self.rules.iter().filter(|r| r.include).any(|r| {
            // The rule's first elements must fit the directory's.
            r.elements.len() > parts.len() || r.elements.iter().any(|e| matches!(e, Element::Any))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockers_rules() {
        let r = Rules::parse("# comment\n*.log\n/tmp\n**/secret\ndocs\n!docs/keep.md\n").unwrap();
        assert!(r.excludes("a.log"));
        assert!(!r.excludes("sub/a.log"));
        assert!(r.excludes("tmp") && r.excludes("tmp/x/y"));
        assert!(r.excludes("secret") && r.excludes("a/b/secret") && r.excludes("a/secret/f"));
        assert!(r.excludes("docs/other.md"));
        assert!(!r.excludes("docs/keep.md"));
        assert!(r.may_include_below("docs"));
        assert!(!r.excludes("src/main.rs"));
    }
}
