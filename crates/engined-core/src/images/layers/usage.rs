//! Disk use of the layer store as `docker system df` reports it, like
//! dockerd: a layer several images stack counts once in the total, and
//! toward each of those images' shared size (their unique size is the
//! rest of their size).

use std::collections::BTreeMap;

use crate::images::Image;

/// What the layers of a set of images use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    /// Every distinct layer once.
    pub layers_size: u64,
    /// Per image ID: the bytes of its layers another image stacks too.
    pub shared: BTreeMap<String, u64>,
}

/// The usage of `images`' layers.
pub fn usage<'a>(images: impl IntoIterator<Item = &'a Image>) -> Usage {
    let images: Vec<&Image> = images.into_iter().collect();
    // Chain ID -> (size, images stacking it).
    let mut layers: BTreeMap<String, (u64, usize)> = BTreeMap::new();
    for image in &images {
        for (chain, size) in image.chain_ids().into_iter().zip(&image.layer_sizes) {
            layers.entry(chain).or_insert((*size, 0)).1 += 1;
        }
    }
    let shared = images
        .iter()
        .map(|image| {
            let bytes = image
                .chain_ids()
                .iter()
                .filter_map(|c| layers.get(c))
                .filter(|(_, users)| *users > 1)
                .map(|(size, _)| size)
                .sum();
            (image.id.clone(), bytes)
        })
        .collect();
    Usage {
        layers_size: layers.values().map(|(size, _)| size).sum(),
        shared,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::{ImageConfig, ImageMeta};

    fn image(id: &str, diffs: &[(&str, u64)]) -> Image {
        let mut config = ImageConfig::default();
        config.rootfs.diff_ids = diffs.iter().map(|(d, _)| d.to_string()).collect();
        let layer_sizes: Vec<u64> = diffs.iter().map(|(_, s)| *s).collect();
        Image {
            id: id.into(),
            config,
            config_size: 0,
            size: layer_sizes.iter().sum(),
            layer_sizes,
            meta: ImageMeta::default(),
        }
    }

    #[test]
    fn a_shared_base_counts_once_and_as_shared() {
        let a = image("a", &[("sha256:base", 40), ("sha256:x", 5)]);
        let b = image("b", &[("sha256:base", 40), ("sha256:y", 7)]);
        // The same diff on another base is another layer.
        let c = image("c", &[("sha256:x", 5)]);
        let u = usage([&a, &b, &c]);
        assert_eq!(u.layers_size, 40 + 5 + 7 + 5);
        assert_eq!(u.shared["a"], 40);
        assert_eq!(u.shared["b"], 40);
        assert_eq!(u.shared["c"], 0);
    }
}
