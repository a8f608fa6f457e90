//! The name `docker pull` was given, split as dockerd splits it: the
//! registry (`docker.io` when the first component is no host), the
//! repository path inside it (`library/busybox`) and a tag or a digest.

use super::RegistryError;
use crate::images::reference::{split_tag, Reference, DEFAULT_TAG};

/// The registry a name without a host lives on.
pub const DEFAULT_DOMAIN: &str = "docker.io";

/// What is pulled from the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Tag(String),
    /// `sha256:<64 hex>` of a manifest or index.
    Digest(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteName {
    /// `docker.io`, `127.0.0.1:5000`, `localhost:5000`, `registry.example`.
    pub domain: String,
    /// The repository inside the registry: `library/busybox`, `test/mini`.
    pub path: String,
    pub target: Target,
}

/// True for `sha256:` and 64 lowercase hex digits.
pub fn is_digest(text: &str) -> bool {
    text.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl RemoteName {
    /// `fromImage` and `tag` of `POST /images/create`: `name[:tag]`,
    /// `name@sha256:...`, or a name with the tag (or digest) given apart.
    pub fn parse(from_image: &str, tag: Option<&str>) -> Result<RemoteName, RegistryError> {
        let invalid = |why: &str| {
            RegistryError::invalid(format!("invalid reference format: {why}: {from_image}"))
        };
        let (name, digest) = match from_image.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (from_image, None),
        };
        let (repo, own_tag) = split_tag(name);
        let target = match (tag.filter(|t| !t.is_empty()), digest, own_tag) {
            (Some(t), _, _) if is_digest(t) => Target::Digest(t.to_string()),
            (Some(t), _, _) => Target::Tag(t.to_string()),
            (None, Some(d), _) if is_digest(d) => Target::Digest(d.to_string()),
            (None, Some(_), _) => return Err(invalid("invalid digest")),
            (None, None, Some(t)) => Target::Tag(t.to_string()),
            (None, None, None) => Target::Tag(DEFAULT_TAG.to_string()),
        };
        // The repository and tag rules are the local store's.
        let tag_text = match &target {
            Target::Tag(t) => t.as_str(),
            Target::Digest(_) => DEFAULT_TAG,
        };
        Reference::from_parts(repo, tag_text).map_err(|e| RegistryError::invalid(e.to_string()))?;
        let mut parts = repo.splitn(2, '/');
        let first = parts.next().unwrap_or_default();
        let (domain, path) = match parts.next() {
            Some(rest) if first.contains('.') || first.contains(':') || first == "localhost" => {
                (first.to_string(), rest.to_string())
            }
            _ => (DEFAULT_DOMAIN.to_string(), repo.to_string()),
        };
        let domain = match domain.as_str() {
            "index.docker.io" | "registry-1.docker.io" => DEFAULT_DOMAIN.to_string(),
            _ => domain,
        };
        let path = if domain == DEFAULT_DOMAIN && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        Ok(RemoteName {
            domain,
            path,
            target,
        })
    }

    /// The repository as Docker shows it: `busybox`, `127.0.0.1:5000/test/mini`.
    pub fn familiar_repo(&self) -> String {
        if self.domain == DEFAULT_DOMAIN {
            match self.path.strip_prefix("library/") {
                Some(rest) if !rest.contains('/') => rest.to_string(),
                _ => self.path.clone(),
            }
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    /// The whole name as Docker shows it: `busybox:latest`, `x@sha256:...`.
    pub fn familiar(&self) -> String {
        match &self.target {
            Target::Tag(t) => format!("{}:{t}", self.familiar_repo()),
            Target::Digest(d) => format!("{}@{d}", self.familiar_repo()),
        }
    }

    /// The tag or digest, as the manifest URL and the progress stream name it.
    pub fn target_text(&self) -> &str {
        match &self.target {
            Target::Tag(t) | Target::Digest(t) => t,
        }
    }

    /// The local tag a pull writes (none for a pull by digest).
    pub fn local_tag(&self) -> Option<Reference> {
        match &self.target {
            Target::Tag(t) => Reference::from_parts(&self.familiar_repo(), t).ok(),
            Target::Digest(_) => None,
        }
    }

    /// `repo@digest`, what `RepoDigests` lists.
    pub fn repo_digest(&self, digest: &str) -> String {
        format!("{}@{digest}", self.familiar_repo())
    }

    /// The host:port the HTTP requests go to.
    pub fn endpoint_host(&self) -> &str {
        if self.domain == DEFAULT_DOMAIN {
            "registry-1.docker.io"
        } else {
            &self.domain
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(from: &str, tag: Option<&str>) -> RemoteName {
        RemoteName::parse(from, tag).unwrap()
    }

    #[test]
    fn normalises_like_dockerd() {
        let n = parse("busybox", None);
        assert_eq!(
            (n.domain.as_str(), n.path.as_str(), n.familiar()),
            ("docker.io", "library/busybox", "busybox:latest".to_string())
        );
        assert_eq!(n.endpoint_host(), "registry-1.docker.io");
        let n = parse("docker.io/library/busybox:1.36", None);
        assert_eq!(n.familiar(), "busybox:1.36");
        let n = parse("127.0.0.1:5000/test/mini", Some("v1"));
        assert_eq!(
            (n.domain.as_str(), n.path.as_str(), n.familiar()),
            (
                "127.0.0.1:5000",
                "test/mini",
                "127.0.0.1:5000/test/mini:v1".to_string()
            )
        );
        assert_eq!(
            n.local_tag().unwrap().to_string(),
            "127.0.0.1:5000/test/mini:v1"
        );
        let n = parse("someone/app", None);
        assert_eq!(n.path, "someone/app");
        assert_eq!(n.familiar_repo(), "someone/app");
    }

    #[test]
    fn digests() {
        let d = format!("sha256:{}", "a".repeat(64));
        let n = parse(&format!("localhost:5000/x@{d}"), None);
        assert_eq!(n.target, Target::Digest(d.clone()));
        assert!(n.local_tag().is_none());
        assert_eq!(n.repo_digest(&d), format!("localhost:5000/x@{d}"));
        // The CLI sends a digest as the tag parameter.
        let n = parse("localhost:5000/x", Some(&d));
        assert_eq!(n.target, Target::Digest(d));
        assert!(RemoteName::parse("x@sha256:abc", None).is_err());
        assert!(RemoteName::parse("Upper", None).is_err());
    }
}
