//! A network's events on the engine's bus, with dockerd's attributes:
//! `name` and `type` (the driver), and `container` for connect and
//! disconnect.

use std::collections::BTreeMap;

use engine_api::types::EventMessageType;

use super::model::NetworkRecord;
use crate::events::EventBus;

/// Publishes `action` (`create`, `connect`, `disconnect`, `destroy`) of
/// `network`, about `container` when given.
pub fn publish(bus: &EventBus, action: &str, network: &NetworkRecord, container: Option<&str>) {
    let mut attributes = BTreeMap::new();
    attributes.insert("name".to_string(), network.name.clone());
    attributes.insert("type".to_string(), network.driver.clone());
    if let Some(c) = container {
        attributes.insert("container".to_string(), c.to_string());
    }
    bus.publish(EventMessageType::Network, action, &network.id, attributes);
}
