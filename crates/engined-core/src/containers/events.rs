//! A container's events on the engine's bus (`docker events`), with the
//! attributes dockerd gives them: the container's labels, image and name,
//! and what the action adds (an exit code, a signal, ...). Every verb,
//! exec and copy publishes through here.

use std::collections::BTreeMap;

use engine_api::types::EventMessageType;

use crate::containers::record::Record;
use crate::containers::Services;

/// Publishes a container event with Docker's attributes: name, image,
/// the labels, and `extra`.
pub fn publish(engine: &Services, action: &str, record: &Record, extra: &[(&str, String)]) {
    let mut attributes = BTreeMap::new();
    for (k, v) in record.config.labels.iter().flatten() {
        attributes.insert(k.clone(), v.clone());
    }
    attributes.insert("image".to_string(), record.image.clone());
    attributes.insert("name".to_string(), record.name.clone());
    for (k, v) in extra {
        attributes.insert(k.to_string(), v.clone());
    }
    engine
        .events
        .publish(EventMessageType::Container, action, &record.id, attributes);
}
