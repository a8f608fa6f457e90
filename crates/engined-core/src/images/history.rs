//! `docker history`: an image's history entries, newest first, each
//! non-empty one paired with its layer's size; the top one carries the
//! image ID and names, older ones `<missing>` (their images are not stored
//! on their own).

use super::config::rfc3339_to_unix;
use super::store::{Image, ImageStore};

/// One line of `docker history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub id: String,
    pub created: i64,
    pub created_by: String,
    pub tags: Vec<String>,
    pub size: i64,
    pub comment: String,
}

impl ImageStore {
    pub fn history(&self, image: &Image) -> Vec<HistoryLine> {
        let mut layers = image.layer_sizes.iter();
        let mut lines: Vec<HistoryLine> = image
            .config
            .history
            .iter()
            .map(|h| {
                let size = if h.empty_layer {
                    0
                } else {
                    layers.next().map_or(0, |&s| s as i64)
                };
                HistoryLine {
                    id: "<missing>".into(),
                    created: h.created.as_deref().map_or(0, rfc3339_to_unix),
                    created_by: h.created_by.clone().unwrap_or_default(),
                    tags: Vec::new(),
                    size,
                    comment: h.comment.clone().unwrap_or_default(),
                }
            })
            .collect();
        if lines.is_empty() {
            // A config without history: one line per layer.
            lines = image
                .layer_sizes
                .iter()
                .map(|&size| HistoryLine {
                    id: "<missing>".into(),
                    created: image.config.created_unix(),
                    created_by: String::new(),
                    tags: Vec::new(),
                    size: size as i64,
                    comment: String::new(),
                })
                .collect();
        }
        lines.reverse();
        if let Some(top) = lines.first_mut() {
            top.id = image.id.clone();
            top.tags = self
                .tags_of(&image.id)
                .iter()
                .map(|r| r.to_string())
                .collect();
        }
        lines
    }
}
