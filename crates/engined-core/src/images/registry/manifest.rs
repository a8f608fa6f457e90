//! The manifest formats a pull reads (Docker v2 schema 2 manifests and
//! lists, OCI manifests and indexes; schema 1 refused with dockerd's
//! words), their limits (size, index entries, nesting), and the choice of
//! one platform from an index.

use serde::Deserialize;

use super::RegistryError;

pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
const SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";

/// What a manifest request accepts, best first.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// The most a manifest or index may weigh (containerd's limit too).
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// How many indexes may lead to a manifest (an index naming an index ...).
pub const MAX_DEPTH: usize = 4;
/// The most entries an index may list.
pub const MAX_INDEX_ENTRIES: usize = 1024;
/// The most layers an image may have (overlay's practical limit).
pub const MAX_LAYERS: usize = 128;

/// Layer media types and whether each is gzip-compressed.
const LAYER_TYPES: [(&str, bool); 5] = [
    ("application/vnd.docker.image.rootfs.diff.tar.gzip", true),
    ("application/vnd.docker.image.rootfs.diff.tar", false),
    ("application/vnd.oci.image.layer.v1.tar+gzip", true),
    ("application/vnd.oci.image.layer.v1.tar", false),
    (
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        true,
    ),
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Platform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl Platform {
    /// `os[/arch[/variant]]`; empty parts are this host's.
    pub fn parse(text: &str) -> Result<Platform, RegistryError> {
        let mut parts = text.split('/');
        let os = parts.next().filter(|s| !s.is_empty()).unwrap_or("linux");
        let architecture = parts
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(crate::images::config::host_architecture());
        let variant = parts.next().filter(|s| !s.is_empty()).map(String::from);
        if parts.next().is_some() {
            return Err(RegistryError::invalid(format!(
                "\"{text}\": unknown operating system or architecture: invalid argument"
            )));
        }
        Ok(Platform {
            os: os.to_lowercase(),
            architecture: architecture.to_lowercase(),
            variant,
        })
    }

    /// This host's platform.
    pub fn host() -> Platform {
        Platform {
            os: "linux".into(),
            architecture: crate::images::config::host_architecture().into(),
            variant: None,
        }
    }

    fn matches(&self, other: &Platform) -> bool {
        let variant_ok = match (&self.variant, &other.variant) {
            (None, _) => true,
            (Some(want), Some(have)) => want == have,
            // arm64 without a variant is v8.
            (Some(want), None) => self.architecture == "arm64" && want == "v8",
        };
        self.os == other.os && self.architecture == other.architecture && variant_ok
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Descriptor {
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default)]
    pub platform: Option<Platform>,
}

impl Descriptor {
    /// Whether this layer is gzip-compressed; an error for layer types
    /// engined cannot unpack.
    pub fn gzipped(&self) -> Result<bool, RegistryError> {
        LAYER_TYPES
            .iter()
            .find(|(t, _)| *t == self.media_type)
            .map(|(_, gz)| *gz)
            .ok_or_else(|| {
                RegistryError::invalid(format!(
                    "unsupported layer media type {:?} for {}",
                    self.media_type, self.digest
                ))
            })
    }

    fn check(&self) -> Result<(), RegistryError> {
        if !super::name::is_digest(&self.digest) {
            return Err(RegistryError::protocol(format!(
                "unsupported digest {:?} in a manifest",
                self.digest
            )));
        }
        Ok(())
    }
}

/// An image manifest: a config and the layers, bottom first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageManifest {
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
}

/// What a manifest URL answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    Image(ImageManifest),
    Index(Vec<Descriptor>),
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "schemaVersion", default)]
    schema_version: u32,
    #[serde(rename = "mediaType", default)]
    media_type: Option<String>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
}

/// dockerd's refusal of schema 1 images.
pub fn schema1_refused(name: &str) -> RegistryError {
    RegistryError::invalid(format!("Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed. Suggest the author of {name} to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2. More information at https://docs.docker.com/go/deprecated-image-specs/"))
}

/// Reads a manifest of `content_type` (the answer's header); `name` is
/// for messages.
pub fn parse(content_type: &str, bytes: &[u8], name: &str) -> Result<Manifest, RegistryError> {
    let content_type = content_type.split(';').next().unwrap_or("").trim();
    if content_type == SCHEMA1 || content_type == SCHEMA1_SIGNED {
        return Err(schema1_refused(name));
    }
    let raw: Raw = serde_json::from_slice(bytes)
        .map_err(|e| RegistryError::protocol(format!("invalid manifest for {name}: {e}")))?;
    if raw.schema_version == 1 {
        return Err(schema1_refused(name));
    }
    if raw.schema_version != 2 {
        return Err(RegistryError::protocol(format!(
            "unsupported manifest schema version {} for {name}",
            raw.schema_version
        )));
    }
    let kind = raw
        .media_type
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| content_type.to_string());
    let is_index = match kind.as_str() {
        DOCKER_LIST | OCI_INDEX => true,
        DOCKER_MANIFEST | OCI_MANIFEST => false,
        // An OCI document may leave out its media type: its fields tell.
        _ if raw.manifests.is_some() => true,
        _ if raw.config.is_some() => false,
        other => {
            return Err(RegistryError::invalid(format!(
                "unsupported manifest media type {other:?} for {name}"
            )))
        }
    };
    if is_index {
        let entries = raw.manifests.unwrap_or_default();
        if entries.len() > MAX_INDEX_ENTRIES {
            return Err(RegistryError::invalid(format!(
                "the index of {name} lists {} manifests, more than {MAX_INDEX_ENTRIES}",
                entries.len()
            )));
        }
        for e in &entries {
            e.check()?;
        }
        return Ok(Manifest::Index(entries));
    }
    let config = raw
        .config
        .ok_or_else(|| RegistryError::protocol(format!("the manifest of {name} has no config")))?;
    config.check()?;
    let layers = raw.layers.unwrap_or_default();
    if layers.len() > MAX_LAYERS {
        return Err(RegistryError::invalid(format!(
            "the manifest of {name} has {} layers, more than {MAX_LAYERS}",
            layers.len()
        )));
    }
    for l in &layers {
        l.check()?;
        l.gzipped()?;
    }
    Ok(Manifest::Image(ImageManifest { config, layers }))
}

/// The entry of an index for `want`, as dockerd picks it: the first
/// entry whose platform matches (entries without a platform, or with
/// `unknown/unknown` such as attestations, never do).
pub fn select<'a>(entries: &'a [Descriptor], want: &Platform) -> Option<&'a Descriptor> {
    entries.iter().find(|e| {
        e.platform.as_ref().is_some_and(|p| want.matches(p))
            && matches!(
                e.media_type.as_str(),
                DOCKER_MANIFEST | OCI_MANIFEST | DOCKER_LIST | OCI_INDEX | ""
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    #[test]
    fn reads_manifests_and_indexes() {
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"mediaType":"x","digest":"{}","size":3}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"{}","size":9}}]}}"#,
            digest('a'),
            digest('b')
        );
        let Manifest::Image(image) = parse(DOCKER_MANIFEST, m.as_bytes(), "x").unwrap() else {
            panic!("not an image manifest");
        };
        assert_eq!(image.layers.len(), 1);
        assert!(image.layers[0].gzipped().unwrap());
        let i = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":1,"platform":{{"os":"linux","architecture":"arm64"}}}},{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":1,"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#,
            digest('c'),
            digest('d')
        );
        let Manifest::Index(entries) = parse(OCI_INDEX, i.as_bytes(), "x").unwrap() else {
            panic!("not an index");
        };
        let amd = Platform::parse("linux/amd64").unwrap();
        assert_eq!(select(&entries, &amd).unwrap().digest, digest('d'));
        let arm = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(select(&entries, &arm).unwrap().digest, digest('c'));
        assert!(select(&entries, &Platform::parse("linux/s390x").unwrap()).is_none());
    }

    #[test]
    fn refuses_schema1_and_bad_layers() {
        let e = parse(SCHEMA1_SIGNED, b"{}", "docker.io/a/b:1").unwrap_err();
        assert!(
            e.message.contains("schema 1 support has been removed"),
            "{e}"
        );
        let e = parse("application/json", br#"{"schemaVersion":1}"#, "n").unwrap_err();
        assert!(e.message.contains("schema 1"), "{e}");
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"digest":"{}","size":3}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"{}","size":9}}]}}"#,
            digest('a'),
            digest('b')
        );
        assert!(parse(OCI_MANIFEST, m.as_bytes(), "n").is_err());
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"digest":"sha256:../../x","size":3}},"layers":[]}}"#
        );
        assert!(parse(OCI_MANIFEST, m.as_bytes(), "n").is_err());
    }

    #[test]
    fn platforms() {
        let p = Platform::parse("").unwrap();
        assert_eq!(p, Platform::host());
        assert!(Platform::parse("linux/amd64/v2/x").is_err());
        assert_eq!(
            Platform::parse("Linux/ARM64/v8").unwrap().to_string(),
            "linux/arm64/v8"
        );
    }
}
