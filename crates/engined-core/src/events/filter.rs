//! `/events` filters: values of one key are alternatives (OR), different
//! keys must all match (AND). The `label` values are alternatives too,
//! as engined has always matched them (dockerd requires every one).

use std::collections::BTreeMap;

use engine_api::types::EventMessage;

use crate::filters::{FilterError, Filters, Label};

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
            values.iter().any(|v| match key {
                "type" => &kind == v,
                // "exec_start: sh -c ..." matches "exec_start".
                "event" => action == v || action.split(':').next() == Some(v.as_str()),
                "label" => Label::parse(v).matches(attr),
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
