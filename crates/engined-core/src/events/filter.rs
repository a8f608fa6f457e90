//! `/events` filters: values of one key are alternatives (OR), different
//! keys must all match (AND). `label` is the exception, as in dockerd:
//! the actor's attributes must satisfy every `label` value given.

use std::collections::BTreeMap;

use engine_api::types::EventMessage;

use crate::filters::{FilterError, Filters};

const KEYS: &[&str] = &[
    "config",
    "container",
    "daemon",
    "event",
    "image",
    "label",
    "network",
    "node",
    "plugin",
    "scope",
    "secret",
    "service",
    "type",
    "volume",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    filters: Filters,
}

impl EventFilter {
    pub fn from_filters(filters: &BTreeMap<String, Vec<String>>) -> Result<Self, FilterError> {
        Ok(EventFilter {
            filters: Filters::parse(filters, KEYS)?,
        })
    }

    pub fn matches(&self, e: &EventMessage) -> bool {
        let kind = e.r#type.as_ref().map(|t| t.to_string()).unwrap_or_default();
        let action = e.action.as_deref().unwrap_or("");
        let id = e.actor.as_ref().and_then(|a| a.id.as_deref()).unwrap_or("");
        let attrs = e.actor.as_ref().and_then(|a| a.attributes.as_ref());
        let attr = |k: &str| attrs.and_then(|a| a.get(k)).map(String::as_str);
        self.filters.iter().all(|(key, values)| {
            if key == "label" {
                return self.filters.labels().iter().all(|l| l.matches(attr));
            }
            values.iter().any(|v| match key {
                "type" => &kind == v,
                // "exec_start: sh -c ..." matches "exec_start".
                "event" => action == v || action.split(':').next() == Some(v.as_str()),
                "scope" => e.scope.as_ref().map(|s| s.to_string()).as_deref() == Some(v.as_str()),
                // container=, image=, volume=, network=...: the object's kind,
                // matched by ID (or its prefix) or by name.
                other => {
                    kind == other
                        && (id == v
                            || (v.len() >= 12 && id.starts_with(v.as_str()))
                            || attr("name") == Some(v.as_str()))
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine_api::types::{EventActor, EventMessageType};

    fn event(labels: &[(&str, &str)]) -> EventMessage {
        EventMessage {
            r#type: Some(EventMessageType::Container),
            action: Some("start".into()),
            actor: Some(EventActor {
                id: Some("c".repeat(64)),
                attributes: Some(
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn filter(pairs: &[(&str, &[&str])]) -> EventFilter {
        let raw = pairs
            .iter()
            .map(|(k, vs)| (k.to_string(), vs.iter().map(|v| v.to_string()).collect()))
            .collect();
        EventFilter::from_filters(&raw).unwrap()
    }

    #[test]
    fn every_label_must_match_but_other_values_are_alternatives() {
        let both = event(&[("a", "1"), ("b", "2")]);
        let only_a = event(&[("a", "1")]);
        let labels = filter(&[("label", &["a=1", "b"])]);
        assert!(labels.matches(&both));
        assert!(!labels.matches(&only_a), "b is missing");
        let events = filter(&[("event", &["stop", "start"])]);
        assert!(events.matches(&only_a), "start is one of the alternatives");
        assert!(!filter(&[("event", &["stop"])]).matches(&only_a));
    }
}
