//! OCI image layouts written by the test itself: layer tars (gzip or
//! plain) made from the busybox-static binary, image configs, manifests,
//! indexes, and the layout's `index.json` naming what skopeo copies.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const LAYER_PLAIN: &str = "application/vnd.oci.image.layer.v1.tar";

pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// One file of a layer.
pub enum Entry<'a> {
    File(&'a str, Vec<u8>, u32),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
}

/// A tar of `entries`, owned by root.
pub fn tar(entries: &[Entry]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(1_700_000_000);
        match entry {
            Entry::File(path, data, mode) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(*mode);
                header.set_size(data.len() as u64);
                builder.append_data(&mut header, path, &data[..]).unwrap();
            }
            Entry::Dir(path) => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                builder.append_data(&mut header, path, &[][..]).unwrap();
            }
            Entry::Symlink(path, target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_mode(0o777);
                header.set_size(0);
                builder.append_link(&mut header, path, target).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// An image written into a layout.
pub struct Image {
    /// The manifest's descriptor (for an index or `index.json`).
    pub manifest: Value,
    /// The image ID engined must give it: the config's digest.
    pub config_digest: String,
    /// The digests of the layer blobs as stored (compressed or not).
    pub layers: Vec<String>,
}

pub struct Layout {
    pub dir: PathBuf,
    named: Vec<Value>,
}

impl Layout {
    pub fn new(dir: &Path) -> Layout {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        Layout {
            dir: dir.to_path_buf(),
            named: Vec::new(),
        }
    }

    /// Stores `bytes`; returns their descriptor with `media_type`.
    pub fn blob(&self, media_type: &str, bytes: &[u8]) -> Value {
        let d = digest(bytes);
        std::fs::write(
            self.dir
                .join("blobs/sha256")
                .join(d.trim_start_matches("sha256:")),
            bytes,
        )
        .unwrap();
        json!({"mediaType": media_type, "digest": d, "size": bytes.len()})
    }

    /// An image for `arch` from layer tars, each gzipped or not.
    pub fn image(&self, arch: &str, layers: &[(Vec<u8>, bool)]) -> Image {
        let mut descriptors = Vec::new();
        let mut diff_ids = Vec::new();
        for (tar, gzipped) in layers {
            diff_ids.push(digest(tar));
            descriptors.push(if *gzipped {
                self.blob(LAYER_GZIP, &gzip(tar))
            } else {
                self.blob(LAYER_PLAIN, tar)
            });
        }
        let config = json!({
            "architecture": arch,
            "os": "linux",
            "created": "2026-01-02T03:04:05Z",
            "config": {
                "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                "Cmd": ["/bin/sh"]
            },
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": layers.iter().map(|_| json!({"created": "2026-01-02T03:04:05Z", "created_by": "pull_cli test"})).collect::<Vec<_>>()
        });
        let config_bytes = serde_json::to_vec(&config).unwrap();
        let config_desc = self.blob(OCI_CONFIG, &config_bytes);
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config_desc,
            "layers": descriptors,
        });
        let manifest_desc = self.blob(OCI_MANIFEST, &serde_json::to_vec(&manifest).unwrap());
        Image {
            manifest: manifest_desc,
            config_digest: digest(&config_bytes),
            layers: descriptors
                .iter()
                .map(|d| d["digest"].as_str().unwrap().to_string())
                .collect(),
        }
    }

    /// An index of `images`, each with its (os linux) architecture.
    pub fn index(&self, images: &[(&Image, &str)]) -> Value {
        let manifests: Vec<Value> = images
            .iter()
            .map(|(image, arch)| {
                let mut d = image.manifest.clone();
                d["platform"] = json!({"os": "linux", "architecture": arch});
                d
            })
            .collect();
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
        self.blob(OCI_INDEX, &serde_json::to_vec(&index).unwrap())
    }

    /// Names `descriptor` `ref_name` in `index.json` (what skopeo's
    /// `oci:DIR:ref_name` copies).
    pub fn name(&mut self, descriptor: &Value, ref_name: &str) {
        let mut d = descriptor.clone();
        d["annotations"] = json!({"org.opencontainers.image.ref.name": ref_name});
        self.named.push(d);
        let index = json!({"schemaVersion": 2, "manifests": self.named});
        std::fs::write(
            self.dir.join("index.json"),
            serde_json::to_vec(&index).unwrap(),
        )
        .unwrap();
    }
}
