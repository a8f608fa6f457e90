//! FROM: the base of a stage. `scratch` is no image at all (no layers,
//! no config); an earlier stage's name (or index) is that stage's result;
//! anything else is an image of the store (an image that is not there is
//! an error naming the line). With `--pull` ([`PullFrom`]) the image is
//! first pulled from its registry, as `docker pull` would, with the
//! registry's credentials from the build's `X-Registry-Config`; the pull's
//! status lines go into the build output.

use std::collections::BTreeMap;
use std::sync::Arc;

use engine_api::types::ContainerConfig;
use engine_api::types::EventMessageType;
use futures_util::StreamExt;

use crate::builder::error::BuildError;
use crate::builder::output::Output;
use crate::engine::Engine;
use crate::images::progress::Host;
use crate::images::pull::{self, PullRequest};
use crate::images::registry::{Credentials, RemoteName, Settings};
use crate::images::{config, Image, ImageConfig, ImageStore, RootFs};

/// `--pull`: where FROM images are fetched from first.
#[derive(Debug, Clone)]
pub struct PullFrom {
    /// The daemon's registry settings when the build started.
    pub settings: Arc<Settings>,
    /// Credentials by registry host (`X-Registry-Config`).
    pub credentials: BTreeMap<String, Credentials>,
}

impl PullFrom {
    /// The pull settings of a build with its `X-Registry-Config` header
    /// (base64 of a JSON object: registry host -> auth config), which
    /// may be absent or empty.
    pub fn new(settings: Arc<Settings>, header: Option<&str>) -> Result<PullFrom, BuildError> {
        use base64::Engine as _;
        let mut credentials = BTreeMap::new();
        if let Some(text) = header.map(str::trim).filter(|t| !t.is_empty()) {
            let bad =
                |why: String| BuildError::Request(format!("invalid X-Registry-Config: {why}"));
            let raw = base64::engine::general_purpose::URL_SAFE
                .decode(text)
                .or_else(|_| base64::engine::general_purpose::STANDARD.decode(text))
                .map_err(|e| bad(e.to_string()))?;
            let configs: BTreeMap<String, engine_api::types::AuthConfig> =
                serde_json::from_slice(&raw).map_err(|e| bad(e.to_string()))?;
            for (host, auth) in configs {
                if let Some(c) = Credentials::from_auth(Some(auth)) {
                    credentials.insert(host, c);
                }
            }
        }
        Ok(PullFrom {
            settings,
            credentials,
        })
    }
}

/// The engine as a build's pulls see it.
struct Pulls(Arc<Engine>);

impl Host for Pulls {
    fn images(&self) -> &ImageStore {
        &self.0.images
    }

    fn announce(&self, action: &str, name: &str) {
        let attributes = BTreeMap::from([("name".to_string(), name.to_string())]);
        self.0
            .events
            .publish(EventMessageType::Image, action, name, attributes);
    }
}

/// Pulls `name` for `platform`, its status lines written to `out`; a
/// failure names the FROM line.
pub async fn pull_base(
    engine: &Arc<Engine>,
    name: &str,
    platform: &str,
    from: &PullFrom,
    out: &Output,
    line: usize,
) -> Result<(), BuildError> {
    let failed = |why: String| BuildError::step(line, format!("pulling {name}: {why}"));
    let remote = RemoteName::parse(name, None).map_err(|e| failed(e.to_string()))?;
    let credentials = from
        .credentials
        .get(&remote.domain)
        .or_else(|| {
            // The CLI names Docker Hub by its index URL.
            (remote.domain == crate::images::registry::DEFAULT_DOMAIN)
                .then(|| from.credentials.get("https://index.docker.io/v1/"))
                .flatten()
        })
        .cloned();
    let request = PullRequest {
        from: name.to_string(),
        tag: None,
        platform: platform.to_string(),
        credentials,
        settings: from.settings.clone(),
    };
    let mut messages = pull::pull(Arc::new(Pulls(engine.clone())), request)
        .await
        .map_err(|e| failed(e.to_string()))?;
    while let Some(info) = messages.next().await {
        if let Some(error) = info.error {
            return Err(failed(error));
        }
        // Progress bars stay out of the build output; each status once.
        let progress = info
            .progress_detail
            .as_ref()
            .is_some_and(|p| p.current.is_some());
        if let (Some(status), false) = (info.status, progress) {
            match info.id {
                Some(id) => out.text(format!("{id}: {status}\n")).await,
                None => out.text(format!("{status}\n")).await,
            }
        }
    }
    Ok(())
}

/// Where a stage starts.
#[derive(Debug, Clone)]
pub enum Base {
    Scratch,
    Image(Arc<Image>),
}

/// The config an empty (`scratch`) stage starts with.
pub fn scratch_config(platform: &str) -> ImageConfig {
    let mut parts = platform.split('/');
    let os = parts.next().filter(|s| !s.is_empty()).unwrap_or("linux");
    let arch = parts
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(config::host_architecture());
    ImageConfig {
        architecture: Some(arch.to_string()),
        os: Some(os.to_string()),
        variant: parts.next().map(String::from),
        config: Some(ContainerConfig::default()),
        rootfs: RootFs {
            kind: "layers".into(),
            diff_ids: Vec::new(),
        },
        ..Default::default()
    }
}

/// The base `name` names: an earlier stage (by name, any case, or
/// index) in `stages`, `scratch`, or an image of the store.
pub fn resolve(
    engine: &crate::engine::Engine,
    name: &str,
    stages: &[(Option<String>, Option<String>)],
    line: usize,
) -> Result<Base, BuildError> {
    if name.is_empty() {
        return Err(BuildError::step(
            line,
            "FROM requires the name of a base image",
        ));
    }
    let stage = stages
        .iter()
        .find(|(n, _)| n.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)));
    if let Some((_, id)) = stage {
        return match id {
            Some(id) => Ok(Base::Image(engine.images.get(id)?)),
            None => Ok(Base::Scratch),
        };
    }
    if name.eq_ignore_ascii_case("scratch") {
        return Ok(Base::Scratch);
    }
    engine.images.get(name).map(Base::Image).map_err(|_| {
        BuildError::step(
            line,
            format!(
                "pull access denied for {name}: engined builds from local images only (load or pull it first)"
            ),
        )
    })
}
