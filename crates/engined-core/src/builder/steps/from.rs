//! FROM: the base of a stage. `scratch` is no image at all (no layers,
//! no config); an earlier stage's name (or index) is that stage's result;
//! anything else is an image of the store (engined builds offline, so an
//! image that is not there is an error naming the line).

use std::sync::Arc;

use engine_api::types::ContainerConfig;

use crate::builder::error::BuildError;
use crate::images::{config, Image, ImageConfig, RootFs};

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
