//! The allowlist of known cycles (`hack/module-cycles.allow`): one cycle
//! per line in the printed form, `#` comments. A line names a cycle by its
//! target, parent and members; the walk's order does not matter.

use std::collections::BTreeSet;
use std::path::Path;

use super::graph::{Cycle, ModPath};
use super::ModulesError;

/// One allowlist line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowEntry {
    pub line: usize,
    pub text: String,
    label: String,
    parent: ModPath,
    members: BTreeSet<String>,
}

impl AllowEntry {
    fn matches(&self, cycle: &Cycle) -> bool {
        self.label == cycle.label && self.parent == cycle.parent && self.members == cycle.members
    }
}

#[derive(Clone, Debug, Default)]
pub struct Allowlist {
    entries: Vec<AllowEntry>,
}

impl Allowlist {
    pub fn load(path: &Path) -> Result<Self, ModulesError> {
        let text = std::fs::read_to_string(path).map_err(|source| ModulesError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|(line, message)| ModulesError::Allowlist {
            path: path.to_path_buf(),
            line,
            message,
        })
    }

    /// The entries of `text`, or the first bad line and why.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let text = raw.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let entry = parse_line(text).ok_or_else(|| {
                (
                    line,
                    format!("`{text}` is not `target: parent::{{a -> b -> a}}`"),
                )
            })?;
            if entries.iter().any(|e: &AllowEntry| {
                e.label == entry.0 && e.parent == entry.1 && e.members == entry.2
            }) {
                return Err((line, format!("`{text}` is listed twice")));
            }
            entries.push(AllowEntry {
                line,
                text: text.to_string(),
                label: entry.0,
                parent: entry.1,
                members: entry.2,
            });
        }
        Ok(Self { entries })
    }

    /// `cycles` split into (allowed, new), and the entries no cycle matched.
    pub fn split(&self, cycles: Vec<Cycle>) -> (Vec<Cycle>, Vec<Cycle>, Vec<AllowEntry>) {
        let mut used = vec![false; self.entries.len()];
        let (mut allowed, mut new) = (Vec::new(), Vec::new());
        for cycle in cycles {
            match self.entries.iter().position(|e| e.matches(&cycle)) {
                Some(i) => {
                    used[i] = true;
                    allowed.push(cycle);
                }
                None => new.push(cycle),
            }
        }
        let stale = self
            .entries
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(e, _)| e.clone())
            .collect();
        (allowed, new, stale)
    }
}

/// `engined: containers::{exec -> store -> exec}` -> its parts.
fn parse_line(text: &str) -> Option<(String, ModPath, BTreeSet<String>)> {
    let (label, rest) = text.split_once(": ")?;
    let (parent, walk) = rest.split_once('{')?;
    let walk = walk.strip_suffix('}')?;
    let parent: ModPath = match parent {
        "" => Vec::new(),
        p => p
            .strip_suffix("::")?
            .split("::")
            .map(str::to_string)
            .collect(),
    };
    let members: BTreeSet<String> = walk.split("->").map(|m| m.trim().to_string()).collect();
    let well_formed = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if label.trim().is_empty()
        || members.len() < 2
        || !members.iter().all(|m| well_formed(m))
        || !parent.iter().all(|m| well_formed(m))
    {
        return None;
    }
    Some((label.trim().to_string(), parent, members))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle(label: &str, parent: &[&str], members: &[&str]) -> Cycle {
        Cycle {
            label: label.into(),
            parent: parent.iter().map(|s| s.to_string()).collect(),
            members: members.iter().map(|s| s.to_string()).collect(),
            steps: Vec::new(),
        }
    }

    #[test]
    fn a_line_matches_by_members_whatever_the_walk() {
        let list = Allowlist::parse(
            "# debts\n\nengined: containers::{store -> exec -> store}\nengined: {api -> b -> api}\n",
        )
        .unwrap();
        let (allowed, new, stale) = list.split(vec![
            cycle("engined", &["containers"], &["exec", "store"]),
            cycle("engined", &[], &["a", "b"]),
        ]);
        assert_eq!(allowed.len(), 1);
        assert_eq!(new[0].members.first().map(String::as_str), Some("a"));
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].line, 4);
        assert_eq!(stale[0].text, "engined: {api -> b -> api}");
    }

    #[test]
    fn malformed_and_duplicate_lines_are_refused_with_their_line() {
        assert_eq!(Allowlist::parse("x: {a}\n").unwrap_err().0, 1);
        assert_eq!(Allowlist::parse("# c\nno braces\n").unwrap_err().0, 2);
        assert_eq!(Allowlist::parse("x: p{a -> b -> a}").unwrap_err().0, 1);
        let twice = "x: {a -> b -> a}\nx: {b -> a -> b}\n";
        assert!(Allowlist::parse(twice).unwrap_err().1.contains("twice"));
    }
}
