//! `docker image inspect`: an image as dockerd shows it. Its container
//! configs are sent with every plain field of the Go struct and their nil
//! slices and maps as `null` (an image's `Labels` too, where a
//! container's are `{}`), `Image` always set; times are Go's
//! RFC3339Nano, an image never tagged has Go's zero `LastTagTime`, and
//! the fields dockerd dropped in later API versions are sent only to
//! older clients (`Container` and `ContainerConfig` before 1.45,
//! `VirtualSize` before 1.44).

use engine_api::rt::version::ApiVersion;
use engine_api::types::{
    ContainerConfig, GraphDriverData, ImageInspect, ImageInspectMetadata, ImageInspectRootFs,
};

use super::reference::Reference;
use super::store::Image;
use crate::gojson::{self, rfc3339_nano};

/// An image's container config as dockerd sends it.
fn config_as_sent(config: Option<ContainerConfig>) -> ContainerConfig {
    gojson::config_as_sent(config.unwrap_or_default(), |c| {
        c.image.get_or_insert_with(String::new);
    })
}

/// The inspect body of `image` with its `names`, for a client of
/// `version`, on the storage driver `driver`.
pub fn inspect(
    image: &Image,
    names: &[Reference],
    version: ApiVersion,
    driver: &str,
) -> ImageInspect {
    let size = image.size as i64;
    let c = &image.config;
    let before_1_45 = version < ApiVersion::new(1, 45);
    ImageInspect {
        id: Some(image.id.clone()),
        repo_tags: Some(names.iter().map(|n| n.to_string()).collect()),
        repo_digests: Some(image.meta.repo_digests.clone()),
        parent: Some(c.parent.clone().unwrap_or_default()),
        comment: Some(c.comment.clone().unwrap_or_default()),
        created: Some(rfc3339_nano(c.created.as_deref().unwrap_or_default())),
        container: before_1_45.then(String::new),
        container_config: before_1_45.then(|| config_as_sent(c.container_config.clone())),
        docker_version: Some(c.docker_version.clone().unwrap_or_default()),
        author: Some(c.author.clone().unwrap_or_default()),
        config: Some(config_as_sent(Some(c.container_defaults()))),
        architecture: Some(c.architecture.clone().unwrap_or_default()),
        variant: c.variant.clone(),
        os: Some(c.os.clone().unwrap_or_default()),
        size: Some(size),
        virtual_size: (version < ApiVersion::new(1, 44)).then_some(size),
        graph_driver: Some(GraphDriverData {
            name: driver.to_string(),
            data: None,
            ..Default::default()
        }),
        root_fs: Some(ImageInspectRootFs {
            r#type: "layers".into(),
            layers: Some(image.layers().to_vec()),
            ..Default::default()
        }),
        metadata: Some(ImageInspectMetadata {
            last_tag_time: Some(
                image
                    .meta
                    .last_tag_time
                    .as_deref()
                    .map_or_else(|| "0001-01-01T00:00:00Z".into(), rfc3339_nano),
            ),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_images_config_sends_nulls_where_a_containers_sends_values() {
        let c = serde_json::to_value(config_as_sent(None)).unwrap();
        assert_eq!(c["Image"], "");
        assert_eq!(c["WorkingDir"], "");
        assert_eq!(c["AttachStdin"], false);
        assert_eq!(c["Labels"], serde_json::Value::Null);
        assert_eq!(c["Volumes"], serde_json::Value::Null);
        let labelled = ContainerConfig {
            labels: Some([("a".to_string(), "1".to_string())].into()),
            ..Default::default()
        };
        let c = serde_json::to_value(config_as_sent(Some(labelled))).unwrap();
        assert_eq!(c["Labels"], serde_json::json!({"a": "1"}));
    }
}
