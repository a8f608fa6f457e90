//! The daemon's event stream (`GET /events`): every state change is
//! published once; subscribers get the recent history they ask for
//! (`since`), then live events, until `until` or until they leave.

mod filter;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use engine_api::types::{EventActor, EventMessage, EventMessageScope, EventMessageType};
use futures_util::Stream;
use tokio::sync::broadcast;

use crate::sync::lock;

pub use filter::EventFilter;

/// How many past events are kept for `since` (dockerd keeps 256).
pub const HISTORY: usize = 1024;

/// Publishes events and hands out subscriptions.
pub struct EventBus {
    live: broadcast::Sender<Arc<EventMessage>>,
    history: Mutex<VecDeque<Arc<EventMessage>>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        EventBus {
            live: broadcast::channel(1024).0,
            history: Mutex::new(VecDeque::with_capacity(HISTORY)),
        }
    }

    /// The `prune` event of `kind` (containers, images, volumes), with
    /// the bytes it reclaimed, as dockerd sends it after a prune.
    pub fn publish_prune(&self, kind: EventMessageType, reclaimed: u64) {
        let attributes = BTreeMap::from([("reclaimed".to_string(), reclaimed.to_string())]);
        self.publish(kind, "prune", "", attributes);
    }

    /// Records and broadcasts one event (`kind` and `action` as Docker
    /// names them: container/start, image/import, ...).
    pub fn publish(
        &self,
        kind: EventMessageType,
        action: &str,
        id: &str,
        attributes: BTreeMap<String, String>,
    ) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        // The fields of Docker's first event format, which dockerd still
        // sends for containers and images: `status` (the action), `id`
        // and, for a container, `from` (its image).
        let mut legacy = serde_json::Map::new();
        if matches!(kind, EventMessageType::Container | EventMessageType::Image) {
            legacy.insert("status".into(), action.into());
            legacy.insert("id".into(), id.into());
            if let Some(image) = attributes.get("image") {
                legacy.insert("from".into(), image.as_str().into());
            }
        }
        let mut event = EventMessage {
            r#type: Some(kind),
            action: Some(action.to_string()),
            actor: Some(EventActor {
                id: Some(id.to_string()),
                attributes: Some(attributes),
                ..Default::default()
            }),
            scope: Some(EventMessageScope::Local),
            time: Some(now.as_secs() as i64),
            time_nano: Some(now.as_nanos() as i64),
            ..Default::default()
        };
        event.rest.fields_mut().extend(legacy);
        let event = Arc::new(event);
        // The history lock also orders history against live delivery, so
        // a subscriber never sees an event twice or misses one.
        let mut history = lock(&self.history);
        if history.len() == HISTORY {
            history.pop_front();
        }
        history.push_back(event.clone());
        let _ = self.live.send(event);
    }

    /// How many subscribers are listening now (`/info`'s NEventsListener).
    pub fn listeners(&self) -> usize {
        self.live.receiver_count()
    }

    /// Events from `since` (nanoseconds since the epoch; history first)
    /// and then live ones, matching `filter`, ending after `until`.
    pub fn subscribe(
        &self,
        since: Option<i64>,
        until: Option<i64>,
        filter: EventFilter,
    ) -> impl Stream<Item = Arc<EventMessage>> + Send + 'static {
        let (past, rx) = {
            let history = lock(&self.history);
            let past: Vec<_> = match since {
                Some(t) => history
                    .iter()
                    .filter(|e| e.time_nano.unwrap_or(0) >= t)
                    .cloned()
                    .collect(),
                None => Vec::new(),
            };
            (past, self.live.subscribe())
        };
        let now = crate::time::now_nanos();
        // An `until` in the past ends the stream after the history.
        let live_rx = if until.is_some_and(|u| u <= now) {
            None
        } else {
            Some(rx)
        };
        let filter = Arc::new(filter);
        let history_filter = filter.clone();
        let history = futures_util::stream::iter(past.into_iter().filter(move |e| {
            history_filter.matches(e) && until.is_none_or(|u| e.time_nano.unwrap_or(0) <= u)
        }));
        let live = futures_util::stream::unfold(live_rx, move |rx| {
            let filter = filter.clone();
            async move {
                let mut rx = rx?;
                loop {
                    let next = match until {
                        Some(u) => {
                            let wait = std::time::Duration::from_nanos(
                                (u - crate::time::now_nanos()).max(0) as u64,
                            );
                            match tokio::time::timeout(wait, rx.recv()).await {
                                Ok(r) => r,
                                Err(_) => return None,
                            }
                        }
                        None => rx.recv().await,
                    };
                    match next {
                        Ok(e) if until.is_some_and(|u| e.time_nano.unwrap_or(0) > u) => {
                            return None
                        }
                        Ok(e) if filter.matches(&e) => return Some((e, Some(rx))),
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            }
        });
        futures_util::StreamExt::chain(history, live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn attrs(name: &str) -> BTreeMap<String, String> {
        [("name".to_string(), name.to_string())].into()
    }

    #[tokio::test]
    async fn replays_history_then_streams_live_events() {
        let bus = Arc::new(EventBus::new());
        bus.publish(EventMessageType::Container, "create", "c1", attrs("web"));
        let mut s = Box::pin(bus.subscribe(Some(0), None, EventFilter::default()));
        assert_eq!(s.next().await.unwrap().action.as_deref(), Some("create"));
        assert_eq!(bus.listeners(), 1);
        bus.publish(EventMessageType::Container, "start", "c1", attrs("web"));
        assert_eq!(s.next().await.unwrap().action.as_deref(), Some("start"));
    }

    #[tokio::test]
    async fn a_prune_event_carries_what_it_reclaimed() {
        let bus = EventBus::new();
        bus.publish_prune(EventMessageType::Volume, 4096);
        let mut s = Box::pin(bus.subscribe(Some(0), None, EventFilter::default()));
        let e = s.next().await.unwrap();
        assert_eq!(e.r#type, Some(EventMessageType::Volume));
        assert_eq!(e.action.as_deref(), Some("prune"));
        let actor = e.actor.clone().unwrap_or_default();
        assert_eq!(actor.id.as_deref(), Some(""));
        let reclaimed = BTreeMap::from([("reclaimed".to_string(), "4096".to_string())]);
        assert_eq!(actor.attributes, Some(reclaimed));
    }

    #[tokio::test]
    async fn filters_and_until_end_the_stream() {
        let bus = EventBus::new();
        bus.publish(
            EventMessageType::Image,
            "import",
            "sha256:1",
            BTreeMap::new(),
        );
        bus.publish(EventMessageType::Container, "die", "c2", attrs("db"));
        let filter = EventFilter::from_filters(
            &[("type".to_string(), vec!["container".to_string()])].into(),
        )
        .unwrap();
        let until = crate::time::now_nanos();
        let got: Vec<_> = bus.subscribe(Some(0), Some(until), filter).collect().await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].action.as_deref(), Some("die"));
    }
}
