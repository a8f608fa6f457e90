//! The events a volume change publishes (`create`, `destroy`), with the
//! `driver` attribute dockerd sets.

use std::collections::BTreeMap;

use engine_api::types::EventMessageType;

use super::store::VolumeRecord;
use crate::events::EventBus;

/// Publishes the volume event `action` of `v`.
pub fn publish(events: &EventBus, action: &str, v: &VolumeRecord) {
    let attributes = BTreeMap::from([("driver".to_string(), v.driver.clone())]);
    events.publish(EventMessageType::Volume, action, &v.name, attributes);
}
