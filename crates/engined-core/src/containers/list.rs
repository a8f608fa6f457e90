//! `docker ps`: the filters (`status`, `name`, `label`, `id`, `ancestor`,
//! `exited`, `volume`, `network`, `health`, `before`, `since`) and the
//! summary line of each container, with Docker's human status ("Up 5
//! seconds (healthy)", "Exited (3) 2 minutes ago"), and which containers a listing shows ([`select`]: with
//! `limit`, as `docker ps -n N` and `-l` send, stopped ones count too).

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use engine_api::types::{
    ContainerSummary, ContainerSummaryHostConfig, ContainerSummaryNetworkSettings, MountPoint,
};

use super::health_state::{self as health, Level};
use super::record::{Record, Status};
use super::ContainerError;
use crate::containers::Services;
use crate::filters::{FilterError, Filters};
use crate::pattern::MatchValue;
use crate::time::unix_nanos_of as unix_nanos;

/// The keys `docker ps --filter` accepts.
const KEYS: &[&str] = &[
    "ancestor",
    "before",
    "exited",
    "id",
    "label",
    "name",
    "since",
    "status",
    "volume",
    "network",
    "expose",
    "publish",
    "health",
    "isolation",
    "is-task",
];

/// A parsed `filters` parameter: values of one key are alternatives,
/// different keys must all match.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    status: Vec<Status>,
    /// Matched against `/<name>`, as Docker does.
    name: Vec<MatchValue>,
    /// The whole parameter, for its `label` selectors.
    filters: Filters,
    id: Vec<String>,
    /// Image ids and references the `ancestor` values stand for.
    ancestor: Vec<String>,
    exited: Vec<i64>,
    volume: Vec<String>,
    /// `network=`: a network's name or (a prefix of) its id.
    network: Vec<String>,
    /// `health=`: `starting`, `healthy`, `unhealthy` or `none`.
    health: Vec<String>,
    /// Created-time bounds from `before` / `since` (nanoseconds).
    before: Option<i64>,
    since: Option<i64>,
    /// Filters we accept but that nothing here can match (no published
    /// ports, no isolation): an empty result.
    never: bool,
}

/// `docker ps`: the lines of the containers `filters`, `all` and `limit`
/// select (see [`select`]), their status told as of `now`.
pub fn list(
    engine: &Services,
    filters: &BTreeMap<String, Vec<String>>,
    all: bool,
    limit: Option<i64>,
    now: SystemTime,
) -> Result<Vec<ContainerSummary>, ContainerError> {
    let filter = ListFilter::parse(
        filters,
        |r| engine.images.resolve(r).map(|i| i.id),
        |r| {
            engine
                .containers
                .get(r)
                .ok()
                .map(|c| unix_nanos(&c.record().created))
        },
    )?;
    let records = engine
        .containers
        .all()
        .into_iter()
        .map(|c| c.record())
        .filter(|r| {
            filter.network.is_empty()
                || filter.matches_networks(&super::network::network_names(engine, r))
        })
        .collect();
    let records = select(records, all, limit, &filter);
    Ok(records
        .iter()
        .map(|r| {
            let mut line = summary(r, now);
            if let Some(n) = line.network_settings.as_mut() {
                super::network::fill_summary(engine, r, n);
            }
            line.ports = Some(super::network::summary_ports(engine, r));
            line
        })
        .collect())
}

/// The containers a listing shows, newest first: running ones (all with
/// `all`), those `filter` keeps, at most `limit` of them. As for dockerd, a
/// positive `limit` lists stopped containers too (`docker ps -n 2` is the
/// two newest containers, whatever their state), and `limit <= 0` is none.
pub fn select(
    records: Vec<Record>,
    all: bool,
    limit: Option<i64>,
    filter: &ListFilter,
) -> Vec<Record> {
    let limit = limit
        .filter(|l| *l > 0)
        .and_then(|l| usize::try_from(l).ok());
    let all = all || limit.is_some() || filter.wants_stopped();
    let mut records: Vec<Record> = records
        .into_iter()
        .filter(|r| all || r.state.status.is_running())
        .filter(|r| filter.matches(r))
        .collect();
    records.sort_by(|a, b| b.created.cmp(&a.created));
    if let Some(limit) = limit {
        records.truncate(limit);
    }
    records
}

impl ListFilter {
    /// Parses `filters`; `image_id` resolves an image reference,
    /// `created_of` a container reference to its creation time.
    pub fn parse(
        filters: &BTreeMap<String, Vec<String>>,
        image_id: impl Fn(&str) -> Option<String>,
        created_of: impl Fn(&str) -> Option<i64>,
    ) -> Result<ListFilter, ContainerError> {
        let invalid = |e: FilterError| ContainerError::InvalidArgument(e.to_string());
        let filters = Filters::parse(filters, KEYS).map_err(invalid)?;
        let bad_value = |key: &str, value: &str| {
            invalid(FilterError::Value(key.to_string(), value.to_string()))
        };
        let created = |value: &str| {
            created_of(value).ok_or_else(|| {
                ContainerError::InvalidArgument(format!("No such container: {value}"))
            })
        };
        let mut f = ListFilter::default();
        for (key, values) in filters.iter() {
            for value in values {
                match key {
                    "status" => f
                        .status
                        .push(Status::parse(value).ok_or_else(|| bad_value(key, value))?),
                    "name" => f.name.push(MatchValue::new(value)),
                    "id" => f.id.push(value.clone()),
                    "ancestor" => {
                        f.ancestor.push(value.clone());
                        if let Some(id) = image_id(value) {
                            f.ancestor.push(id);
                        }
                    }
                    "exited" => f
                        .exited
                        .push(value.parse().map_err(|_| bad_value(key, value))?),
                    "volume" => f.volume.push(value.clone()),
                    "network" => f.network.push(value.clone()),
                    "health" if health::is_filter_value(value) => f.health.push(value.clone()),
                    "health" => {
                        return Err(ContainerError::InvalidArgument(format!(
                            "Unrecognised filter value for health: {value}"
                        )))
                    }
                    "before" => f.before = Some(created(value)?),
                    "since" => f.since = Some(created(value)?),
                    "label" => {}
                    "is-task" if value == "false" => {}
                    _ => f.never = true,
                }
            }
        }
        f.filters = filters;
        Ok(f)
    }

    /// Whether a container on the networks `on` (names and ids) passes
    /// the `network` filter.
    pub fn matches_networks(&self, on: &[String]) -> bool {
        self.network.is_empty()
            || self.network.iter().any(|want| {
                on.iter()
                    .any(|n| n == want || (want.len() >= 12 && n.starts_with(want.as_str())))
            })
    }

    /// Whether the filter asks for stopped containers even without `all`.
    pub fn wants_stopped(&self) -> bool {
        !self.exited.is_empty()
            || self
                .status
                .iter()
                .any(|s| !matches!(s, Status::Running | Status::Paused | Status::Restarting))
    }

    pub fn matches(&self, r: &Record) -> bool {
        if self.never {
            return false;
        }
        if !self.status.is_empty() && !self.status.contains(&r.state.status) {
            return false;
        }
        if !self.name.is_empty() {
            let slash_name = format!("/{}", r.name);
            if !self.name.iter().any(|n| n.matches(&slash_name)) {
                return false;
            }
        }
        if !self
            .filters
            .labels_match(&r.config.labels.clone().unwrap_or_default())
        {
            return false;
        }
        if !self.id.is_empty() && !self.id.iter().any(|p| r.id.starts_with(p.as_str())) {
            return false;
        }
        if !self.ancestor.is_empty() && !self.ancestor.iter().any(|a| ancestor_matches(a, r)) {
            return false;
        }
        if !self.exited.is_empty()
            && (r.state.status != Status::Exited || !self.exited.contains(&r.state.exit_code))
        {
            return false;
        }
        if !self.health.is_empty()
            && !self
                .health
                .iter()
                .any(|h| h == health::filter_name(r.state.health.as_ref()))
        {
            return false;
        }
        if !self.volume.is_empty()
            && !self.volume.iter().any(|v| {
                r.mounts.iter().any(|m| {
                    m.name == *v || m.destination == *v || m.source.to_string_lossy() == *v
                })
            })
        {
            return false;
        }
        let created = unix_nanos(&r.created);
        if self.before.is_some_and(|b| created >= b) || self.since.is_some_and(|s| created <= s) {
            return false;
        }
        true
    }
}

/// An `ancestor` value: the image reference as given, its id, or an id
/// prefix of at least 12 digits.
fn ancestor_matches(value: &str, r: &Record) -> bool {
    let hex = value.trim_start_matches("sha256:");
    value == r.image
        || value == r.image_id
        || (hex.len() >= 12 && r.image_id.trim_start_matches("sha256:").starts_with(hex))
}

/// Docker's `units.HumanDuration`.
pub fn human_duration(secs: i64) -> String {
    let minutes = secs / 60;
    let hours = minutes / 60;
    match () {
        _ if secs < 1 => "Less than a second".into(),
        _ if secs == 1 => "1 second".into(),
        _ if secs < 60 => format!("{secs} seconds"),
        _ if minutes == 1 => "About a minute".into(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", hours / 24 / 365),
    }
}

fn since(time: &str, now: i64) -> i64 {
    (now - unix_nanos(time)) / 1_000_000_000
}

/// The STATUS column.
pub fn status_text(r: &Record, now: SystemTime) -> String {
    let now = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64);
    match r.state.status {
        Status::Running => {
            let up = human_duration(since(&r.state.started_at, now));
            match r.state.health.as_ref().map(|h| h.status) {
                Some(Level::Starting) => format!("Up {up} (health: starting)"),
                Some(level) => format!("Up {up} ({})", level.as_str()),
                None => format!("Up {up}"),
            }
        }
        Status::Paused => format!(
            "Up {} (Paused)",
            human_duration(since(&r.state.started_at, now))
        ),
        Status::Restarting => format!(
            "Restarting ({}) {} ago",
            r.state.exit_code,
            human_duration(since(&r.state.finished_at, now))
        ),
        Status::Exited => format!(
            "Exited ({}) {} ago",
            r.state.exit_code,
            human_duration(since(&r.state.finished_at, now))
        ),
        Status::Created => "Created".into(),
        Status::Removing => "Removal In Progress".into(),
        Status::Dead => "Dead".into(),
    }
}

/// The API's view of a mount.
pub fn mount_point(m: &super::record::MountRecord) -> MountPoint {
    use engine_api::types::MountPointType;
    let kind = match m.kind.as_str() {
        "volume" => MountPointType::Volume,
        "tmpfs" => MountPointType::Tmpfs,
        _ => MountPointType::Bind,
    };
    let is_volume = m.kind == "volume";
    MountPoint {
        r#type: Some(kind),
        name: is_volume.then(|| m.name.clone()),
        source: Some(if m.kind == "tmpfs" {
            String::new()
        } else {
            m.source.to_string_lossy().into_owned()
        }),
        destination: Some(m.destination.clone()),
        driver: is_volume.then(|| "local".to_string()),
        mode: Some(m.mode.clone()),
        rw: Some(m.rw),
        propagation: Some(if m.kind == "bind" {
            "rprivate".into()
        } else {
            String::new()
        }),
        ..Default::default()
    }
}

/// One `docker ps` line.
pub fn summary(r: &Record, now: SystemTime) -> ContainerSummary {
    let network = r
        .host_config
        .network_mode
        .clone()
        .unwrap_or_else(|| "default".into());
    ContainerSummary {
        id: Some(r.id.clone()),
        names: Some(vec![format!("/{}", r.name)]),
        image: Some(r.image.clone()),
        image_id: Some(r.image_id.clone()),
        command: Some(r.command_line()),
        created: Some(unix_nanos(&r.created) / 1_000_000_000),
        ports: Some(Vec::new()),
        labels: Some(r.config.labels.clone().unwrap_or_default()),
        state: Some(r.state.status.as_str().to_string()),
        status: Some(status_text(r, now)),
        host_config: Some(ContainerSummaryHostConfig {
            network_mode: Some(network.clone()),
            ..Default::default()
        }),
        network_settings: Some(ContainerSummaryNetworkSettings {
            networks: Some([(network, super::network::endpoint_view())].into()),
            ..Default::default()
        }),
        mounts: Some(r.mounts.iter().map(mount_point).collect()),
        ..Default::default()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::containers::record::{MountRecord, RecordedRuntime, State};
    use std::time::Duration;

    /// A record of a container `name` (labelled `tier=<name>`) for tests.
    pub(crate) fn record(name: &str, status: Status, code: i64) -> Record {
        Record {
            id: format!("{name}{}", "0".repeat(64 - name.len())),
            name: name.into(),
            created: "2024-01-01T00:00:00.000000000Z".into(),
            image: "mini".into(),
            image_id: format!("sha256:{}", "ab".repeat(32)),
            image_rootfs: "/x".into(),
            image_layers: Vec::new(),
            config: engine_api::types::ContainerConfig {
                labels: Some([("tier".to_string(), name.to_string())].into()),
                ..Default::default()
            },
            host_config: Default::default(),
            path: "sleep".into(),
            args: vec!["5".into()],
            runtime: RecordedRuntime {
                name: "runc".into(),
                binary: "/usr/sbin/runc".into(),
                root: "/run/r".into(),
            },
            driver: "vfs".into(),
            mounts: vec![MountRecord {
                kind: "volume".into(),
                name: "data".into(),
                source: "/v/data/_data".into(),
                destination: "/data".into(),
                rw: true,
                mode: "z".into(),
                anonymous: false,
            }],
            state: State {
                status,
                exit_code: code,
                started_at: "2024-01-01T00:00:00.000000000Z".into(),
                finished_at: "2024-01-01T00:01:00.000000000Z".into(),
                ..Default::default()
            },
            restart_count: 0,
        }
    }

    fn filter(pairs: &[(&str, &str)]) -> Result<ListFilter, ContainerError> {
        let map = crate::filters::raw(pairs);
        ListFilter::parse(
            &map,
            |r| (r == "mini").then(|| format!("sha256:{}", "ab".repeat(32))),
            |_| None,
        )
    }

    #[test]
    fn filters_combine_like_dockers() {
        let web = record("web", Status::Running, 0);
        let job = record("job", Status::Exited, 3);
        let ok = |f: &ListFilter| -> Vec<String> {
            [&web, &job]
                .iter()
                .filter(|r| f.matches(r))
                .map(|r| r.name.clone())
                .collect()
        };
        assert_eq!(ok(&filter(&[("status", "running")]).unwrap()), ["web"]);
        assert_eq!(
            ok(&filter(&[("status", "running"), ("status", "exited")]).unwrap()),
            ["web", "job"]
        );
        assert_eq!(ok(&filter(&[("name", "we")]).unwrap()), ["web"]);
        assert_eq!(ok(&filter(&[("name", "^/job$")]).unwrap()), ["job"]);
        assert!(ok(&filter(&[("name", "^/jo$")]).unwrap()).is_empty());
        assert_eq!(ok(&filter(&[("name", "^/(web|x)")]).unwrap()), ["web"]);
        assert_eq!(ok(&filter(&[("name", "/job")]).unwrap()), ["job"]);
        assert_eq!(ok(&filter(&[("label", "tier=job")]).unwrap()), ["job"]);
        assert_eq!(ok(&filter(&[("label", "tier")]).unwrap()).len(), 2);
        assert_eq!(ok(&filter(&[("exited", "3")]).unwrap()), ["job"]);
        assert!(ok(&filter(&[("exited", "0")]).unwrap()).is_empty());
        assert_eq!(ok(&filter(&[("ancestor", "mini")]).unwrap()).len(), 2);
        assert!(ok(&filter(&[("ancestor", "other")]).unwrap()).is_empty());
        assert_eq!(ok(&filter(&[("id", &web.id[..6])]).unwrap()).len(), 1);
        assert_eq!(ok(&filter(&[("volume", "data")]).unwrap()).len(), 2);
        assert_eq!(
            ok(&filter(&[("status", "exited"), ("label", "tier=web")]).unwrap()).len(),
            0
        );
        let by_network = filter(&[("network", "web")]).unwrap();
        assert!(by_network.matches_networks(&["web".into(), "a".repeat(64)]));
        assert!(!by_network.matches_networks(&["bridge".into()]));
        assert!(filter(&[("network", &"a".repeat(12))])
            .unwrap()
            .matches_networks(&["web".into(), "a".repeat(64)]));
        assert_eq!(
            filter(&[("bogus", "1")]).unwrap_err().to_string(),
            "invalid filter 'bogus'"
        );
        let e = filter(&[("status", "sleepy")]).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'status=sleepy'");
        assert_eq!(e.kind(), crate::ErrorKind::InvalidParameter);
        assert!(filter(&[("status", "exited")]).unwrap().wants_stopped());
        assert!(!filter(&[("status", "running")]).unwrap().wants_stopped());
    }

    #[test]
    fn a_limit_counts_stopped_containers_newest_first() {
        let mut records = Vec::new();
        for (i, (name, status)) in [
            ("old", Status::Running),
            ("mid", Status::Exited),
            ("new", Status::Created),
        ]
        .into_iter()
        .enumerate()
        {
            let mut r = record(name, status, 0);
            r.created = format!("2024-01-0{}T00:00:00.000000000Z", i + 1);
            records.push(r);
        }
        let none = filter(&[]).unwrap();
        let names = |v: Vec<Record>| v.into_iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(names(select(records.clone(), false, None, &none)), ["old"]);
        assert_eq!(
            names(select(records.clone(), true, None, &none)),
            ["new", "mid", "old"]
        );
        // `docker ps -n 2`, `docker ps -l`: stopped ones count, newest first.
        assert_eq!(
            names(select(records.clone(), false, Some(2), &none)),
            ["new", "mid"]
        );
        assert_eq!(
            names(select(records.clone(), false, Some(1), &none)),
            ["new"]
        );
        // -1 (old clients' "no limit") and 0 are no limit.
        assert_eq!(
            names(select(records.clone(), false, Some(-1), &none)),
            ["old"]
        );
        assert_eq!(
            names(select(records.clone(), true, Some(0), &none)).len(),
            3
        );
        // The limit applies after the filters.
        let exited = filter(&[("status", "exited")]).unwrap();
        assert_eq!(names(select(records, false, Some(2), &exited)), ["mid"]);
    }

    #[test]
    fn health_shows_in_the_status_and_filters() {
        use crate::containers::health_state::HealthState;
        let t0 = UNIX_EPOCH + Duration::from_secs(1_704_067_200); // 2024-01-01
        let at = |level| {
            let mut r = record("web", Status::Running, 0);
            r.state.health = Some(HealthState {
                status: level,
                ..Default::default()
            });
            r
        };
        let later = t0 + Duration::from_secs(5);
        assert_eq!(
            status_text(&at(Level::Starting), later),
            "Up 5 seconds (health: starting)"
        );
        assert_eq!(
            status_text(&at(Level::Healthy), later),
            "Up 5 seconds (healthy)"
        );
        assert_eq!(
            status_text(&at(Level::Unhealthy), later),
            "Up 5 seconds (unhealthy)"
        );
        let plain = record("db", Status::Running, 0);
        let healthy = filter(&[("health", "healthy")]).unwrap();
        assert!(healthy.matches(&at(Level::Healthy)));
        assert!(!healthy.matches(&at(Level::Unhealthy)));
        assert!(!healthy.matches(&plain));
        let none = filter(&[("health", "none")]).unwrap();
        assert!(none.matches(&plain) && !none.matches(&at(Level::Starting)));
        let either = filter(&[("health", "starting"), ("health", "unhealthy")]).unwrap();
        assert!(either.matches(&at(Level::Starting)) && either.matches(&at(Level::Unhealthy)));
        let err = filter(&[("health", "sick")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unrecognised filter value for health: sick"
        );
    }

    #[test]
    fn status_lines() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_704_067_200); // 2024-01-01
        let web = record("web", Status::Running, 0);
        assert_eq!(
            status_text(&web, t0 + Duration::from_secs(5)),
            "Up 5 seconds"
        );
        let job = record("job", Status::Exited, 3);
        assert_eq!(
            status_text(&job, t0 + Duration::from_secs(60 + 120)),
            "Exited (3) 2 minutes ago"
        );
        assert_eq!(human_duration(0), "Less than a second");
        assert_eq!(human_duration(3600), "About an hour");
        assert_eq!(human_duration(3 * 86400), "3 days");
        let s = summary(&web, t0);
        assert_eq!(s.names, Some(vec!["/web".to_string()]));
        assert_eq!(s.command.as_deref(), Some("sleep 5"));
        assert_eq!(s.created, Some(1_704_067_200));
        assert_eq!(s.state.as_deref(), Some("running"));
    }
}
