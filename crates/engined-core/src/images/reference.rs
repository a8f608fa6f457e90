//! Image references as the docker CLI writes them: `repo`, `repo:tag`,
//! `host:port/path/repo:tag`, normalised to the short ("familiar") form
//! Docker shows (`docker.io/library/busybox` is `busybox`), and the rules
//! that tell a reference from an image ID.

use std::fmt;

use super::error::ImageError;

/// The tag a reference without one means.
pub const DEFAULT_TAG: &str = "latest";

/// A repository name with a tag, familiar form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reference {
    pub repo: String,
    pub tag: String,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.repo, self.tag)
    }
}

impl Reference {
    /// Parses `repo[:tag]`; a missing tag is `latest`. Digests
    /// (`repo@sha256:...`) are refused: engined has no registry digests.
    pub fn parse(text: &str) -> Result<Reference, ImageError> {
        let (repo, tag) = split_tag(text);
        if tag == Some("") {
            return Err(ImageError::InvalidReference {
                reference: text.to_string(),
                why: "empty tag".into(),
            });
        }
        Reference::from_parts(repo, tag.unwrap_or(DEFAULT_TAG))
    }

    /// A repository and a tag given separately (`docker tag`, import's
    /// `repo` and `tag` parameters).
    pub fn from_parts(repo: &str, tag: &str) -> Result<Reference, ImageError> {
        let invalid = |why: &str| ImageError::InvalidReference {
            reference: if tag.is_empty() {
                repo.to_string()
            } else {
                format!("{repo}:{tag}")
            },
            why: why.to_string(),
        };
        if repo.contains('@') {
            return Err(invalid("digests are not supported"));
        }
        let repo = familiar(repo);
        validate_repo(&repo).map_err(|why| invalid(&why))?;
        let tag = if tag.is_empty() { DEFAULT_TAG } else { tag };
        if !valid_tag(tag) {
            return Err(invalid("invalid tag"));
        }
        Ok(Reference {
            repo,
            tag: tag.to_string(),
        })
    }
}

/// Splits `name[:tag]`; a colon before the last `/` is a registry port.
pub fn split_tag(text: &str) -> (&str, Option<&str>) {
    match text.rfind(':') {
        Some(i) if !text[i..].contains('/') => (&text[..i], Some(&text[i + 1..])),
        _ => (text, None),
    }
}

/// Drops the default registry and the `library/` namespace, as Docker
/// shows names.
fn familiar(repo: &str) -> String {
    let mut name = repo;
    for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest;
            break;
        }
    }
    match name.strip_prefix("library/") {
        Some(rest) if !rest.contains('/') => rest.to_string(),
        _ => name.to_string(),
    }
}

fn validate_repo(repo: &str) -> Result<(), String> {
    if repo.is_empty() {
        return Err("repository name is empty".into());
    }
    if repo.len() > 255 {
        return Err("repository name must not be longer than 255 characters".into());
    }
    let mut components: Vec<&str> = repo.split('/').collect();
    // A first component with a dot, a colon or `localhost` is a registry host.
    if components.len() > 1 {
        let first = components[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            let (host, port) = match first.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (first, None),
            };
            let host_ok = !host.is_empty()
                && host.split('.').all(|l| {
                    !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
            let port_ok =
                port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !host_ok || !port_ok {
                return Err(format!("invalid registry host {first:?}"));
            }
            components.remove(0);
        }
    }
    for component in components {
        if component.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(format!("repository name ({repo}) must be lowercase"));
        }
        if !valid_component(component) {
            return Err(format!("invalid repository name component {component:?}"));
        }
    }
    Ok(())
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or dashes.
fn valid_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.chars().all(|ch| ch == '-');
        if !ok {
            return false;
        }
    }
    true
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = tag.chars();
    tag.len() <= 128
        && chars.next().is_some_and(word)
        && chars.all(|c| word(c) || c == '.' || c == '-')
}

/// The hex part of `sha256:<hex>` or of a bare hex string, lowercase;
/// `None` when `text` cannot be (a prefix of) an image ID.
pub fn id_hex(text: &str) -> Option<&str> {
    let hex = text.strip_prefix("sha256:").unwrap_or(text);
    (!hex.is_empty()
        && hex.len() <= 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> String {
        Reference::parse(s).unwrap().to_string()
    }

    #[test]
    fn normalises_like_docker() {
        assert_eq!(parse("mini"), "mini:latest");
        assert_eq!(parse("mini:v2"), "mini:v2");
        assert_eq!(parse("docker.io/library/busybox"), "busybox:latest");
        assert_eq!(parse("library/busybox:1"), "busybox:1");
        assert_eq!(
            parse("localhost:5000/team/app"),
            "localhost:5000/team/app:latest"
        );
        assert_eq!(parse("localhost:5000/app:3.1"), "localhost:5000/app:3.1");
        assert_eq!(parse("a_b-c/e__f.g"), "a_b-c/e__f.g:latest");
    }

    #[test]
    fn refuses_bad_names() {
        for bad in [
            "Mini",
            "mini:",
            "-x",
            "x-",
            "a//b",
            "x:t@g",
            "x@sha256:abcd",
            "a...b",
            ":tag",
            "x:.v",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn id_forms() {
        assert_eq!(id_hex("sha256:abc"), Some("abc"));
        assert_eq!(id_hex("abc123"), Some("abc123"));
        assert_eq!(id_hex("mini"), None);
        assert_eq!(id_hex("ABC"), None);
        assert_eq!(id_hex(""), None);
    }
}
