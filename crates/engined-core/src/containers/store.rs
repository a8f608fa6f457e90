//! The container store: every container's record in memory (loaded from
//! `<data-root>/containers/*/container.json` at start), indexed by id and
//! name; lookups the way Docker resolves a reference (full id, name, id
//! prefix); and per-container state that is not persisted: the progress
//! waiters watch, the operation lock, attach clients waiting for a start.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::{oneshot, watch};

use super::error::{ContainerError, Result};
use super::exec_instance::ExecInstance;
use super::record::{Record, Status, RECORD_FILE};
use super::rootfs::{self, Layout};
use super::state::{self, Event};
use super::supervisor::client;
use crate::sync::lock;

/// What waiters watch: the status, the last exit code, how many runs
/// ended so far, whether the end of a run is still being dealt with,
/// whether the container is gone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub status: Status,
    pub exit_code: i64,
    pub exits: u64,
    /// From just before a run's exit is recorded until its network is
    /// down and [`Container::note_exit`] counted it: the status already
    /// says the run ended, but its namespace and endpoints are not gone
    /// yet, so a new run must not set up its own.
    pub ending: bool,
    pub removed: bool,
}

/// An attach client waiting for the container's next start: the start
/// connects it to the supervisor before the container runs, so it sees
/// all the output.
pub struct PendingAttach {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub deliver: oneshot::Sender<client::Connection>,
}

/// The end of a run under way ([`Container::begin_ending`]); dropping it
/// ends the phase.
pub struct Ending<'a> {
    container: &'a Container,
}

impl Drop for Ending<'_> {
    fn drop(&mut self) {
        self.container.progress.send_if_modified(|p| {
            let was = p.ending;
            p.ending = false;
            was
        });
    }
}

/// One container.
pub struct Container {
    pub id: String,
    pub layout: Layout,
    record: Mutex<Record>,
    progress: watch::Sender<Progress>,
    /// Serializes start, stop, restart, remove, pause.
    pub(crate) op: tokio::sync::Mutex<()>,
    pending: Mutex<Vec<PendingAttach>>,
    /// The delay before the last restart by policy since the last
    /// explicit start.
    last_delay: Mutex<Option<std::time::Duration>>,
    /// The health probe loop of the current run (`health::monitor`).
    pub(crate) health_monitor: Mutex<Option<tokio::task::AbortHandle>>,
}

impl Container {
    fn new(record: Record, layout: Layout) -> Container {
        let progress = Progress {
            status: record.state.status,
            exit_code: record.state.exit_code,
            exits: 0,
            ending: false,
            removed: false,
        };
        Container {
            id: record.id.clone(),
            layout,
            record: Mutex::new(record),
            progress: watch::Sender::new(progress),
            op: tokio::sync::Mutex::new(()),
            pending: Mutex::new(Vec::new()),
            last_delay: Mutex::new(None),
            health_monitor: Mutex::new(None),
        }
    }

    /// A copy of the record.
    pub fn record(&self) -> Record {
        lock(&self.record).clone()
    }

    pub fn status(&self) -> Status {
        lock(&self.record).state.status
    }

    pub fn name(&self) -> String {
        lock(&self.record).name.clone()
    }

    /// Changes the record and writes it (atomically) before anyone sees
    /// the change; waiters are told the new status.
    pub fn update<R>(&self, change: impl FnOnce(&mut Record) -> R) -> Result<R> {
        self.try_update(|r| Ok(change(r)))
    }

    /// [`Self::update`] with a change that may refuse: then nothing is
    /// written and nobody is told.
    fn try_update<R>(&self, change: impl FnOnce(&mut Record) -> Result<R>) -> Result<R> {
        let mut record = lock(&self.record);
        let mut next = record.clone();
        let out = change(&mut next)?;
        next.save(&self.layout.dir)
            .map_err(|e| ContainerError::io(format!("saving container {}", self.id), e))?;
        *record = next;
        let (status, code) = (record.state.status, record.state.exit_code);
        drop(record);
        self.progress.send_modify(|p| {
            p.status = status;
            p.exit_code = code;
        });
        Ok(out)
    }

    /// Applies a status-machine event to the record and writes it;
    /// returns the new record, or the refusal (nothing written).
    pub fn transition(&self, event: Event) -> Result<Record> {
        self.transition_with(|_| event)
    }

    /// [`Self::transition`] with an event that depends on the record as it
    /// is at that moment (under the same lock).
    pub fn transition_with(&self, event: impl FnOnce(&Record) -> Event) -> Result<Record> {
        self.try_update(|r| {
            let event = event(r);
            state::apply(r, event).map(|()| r.clone())
        })
    }

    /// Counts one more finished run (after [`Self::update`] recorded it
    /// and its network went down), which ends its [`Self::begin_ending`].
    pub fn note_exit(&self) {
        self.progress.send_modify(|p| {
            p.exits += 1;
            p.ending = false;
        });
    }

    /// Marks the end of a run as under way, before its exit is recorded;
    /// the phase ends with [`Self::note_exit`] or when the guard drops
    /// (an exit that was not recorded after all).
    pub fn begin_ending(&self) -> Ending<'_> {
        self.progress.send_modify(|p| p.ending = true);
        Ending { container: self }
    }

    /// Waits until no end of a run is under way (see [`Progress::ending`]).
    pub async fn settled(&self) {
        let _ = self.progress.subscribe().wait_for(|p| !p.ending).await;
    }

    pub fn note_removed(&self) {
        self.progress.send_modify(|p| p.removed = true);
    }

    pub fn watch(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    pub fn add_pending(&self, attach: PendingAttach) {
        lock(&self.pending).push(attach);
    }

    pub fn take_pending(&self) -> Vec<PendingAttach> {
        std::mem::take(&mut *lock(&self.pending))
    }

    /// The delay before the last restart by policy, if any since the
    /// last explicit start.
    pub fn last_delay(&self) -> Option<std::time::Duration> {
        *lock(&self.last_delay)
    }

    /// Remembers the delay before the restart just decided.
    pub fn set_last_delay(&self, delay: std::time::Duration) {
        *lock(&self.last_delay) = Some(delay);
    }

    /// An explicit start: restart delays begin again at the shortest.
    pub fn reset_backoff(&self) {
        *lock(&self.last_delay) = None;
    }
}

#[derive(Default)]
struct Index {
    by_id: BTreeMap<String, Arc<Container>>,
    names: HashMap<String, String>,
}

/// All containers.
pub struct Containers {
    /// `<data-root>/containers`
    pub root: PathBuf,
    /// `<exec-root>/containers`
    pub exec_root: PathBuf,
    /// The runtime's `--root` for containers started now.
    pub runtime_root: PathBuf,
    /// The supervisor binary.
    pub shim: PathBuf,
    /// `overlay2` or `vfs`, for containers created now.
    pub driver: &'static str,
    index: RwLock<Index>,
    pub(crate) execs: Mutex<HashMap<String, Arc<ExecInstance>>>,
}

/// Environment variable naming the supervisor binary (tests, packaging).
pub const SHIM_ENV: &str = "ENGINED_SHIM";

/// The supervisor binary: `$ENGINED_SHIM`, else `engined-shim` next to
/// this executable (or one directory up, for test binaries in `deps/`).
pub fn find_shim() -> PathBuf {
    if let Some(p) = std::env::var_os(SHIM_ENV) {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().unwrap_or(Path::new("."));
    let beside = dir.join("engined-shim");
    if beside.exists() {
        return beside;
    }
    match dir.parent() {
        Some(up) if up.join("engined-shim").exists() => up.join("engined-shim"),
        _ => beside,
    }
}

fn read_index(root: &Path, exec_root: &Path) -> Vec<(Record, Layout)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return out;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !dir.is_dir() {
            continue;
        }
        match Record::load(&dir) {
            Ok(record) => {
                let layout = Layout {
                    dir,
                    bundle: exec_root.join(&record.id),
                };
                out.push((record, layout));
            }
            Err(e) if !dir.join(RECORD_FILE).exists() => {
                // A create that crashed before its record was written.
                tracing::warn!(dir = %dir.display(), "removing an unfinished container: {e}");
                let _ = std::fs::remove_dir_all(&dir);
            }
            Err(e) => tracing::error!(dir = %dir.display(), "unreadable container record: {e}"),
        }
    }
    out
}

/// The runtime binaries (wrapper scripts among them) of containers whose
/// supervisor is alive (whatever their record says: a daemon that crashed
/// mid-start never recorded the run): the runtime store keeps those at
/// daemon start.
pub fn living_runtime_binaries(data_root: &Path, exec_root: &Path) -> HashSet<PathBuf> {
    read_index(&data_root.join("containers"), &exec_root.join("containers"))
        .into_iter()
        .filter(|(_, l)| client::is_alive_blocking(&l.bundle))
        .map(|(r, _)| r.runtime.binary)
        .collect()
}

impl Containers {
    /// Opens the store, loading every record.
    pub fn open(data_root: &Path, exec_root: &Path) -> std::io::Result<Containers> {
        let root = data_root.join("containers");
        let exec = exec_root.join("containers");
        std::fs::create_dir_all(&root)?;
        std::fs::create_dir_all(&exec)?;
        let driver = rootfs::probe_driver(&root);
        let mut index = Index::default();
        for (record, layout) in read_index(&root, &exec) {
            index.names.insert(record.name.clone(), record.id.clone());
            let id = record.id.clone();
            index
                .by_id
                .insert(id, Arc::new(Container::new(record, layout)));
        }
        Ok(Containers {
            root,
            exec_root: exec,
            runtime_root: exec_root.join("runc"),
            shim: find_shim(),
            driver,
            index: RwLock::new(index),
            execs: Mutex::new(HashMap::new()),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Index> {
        self.index.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Where container `id`'s files go.
    pub fn layout(&self, id: &str) -> Layout {
        Layout {
            dir: self.root.join(id),
            bundle: self.exec_root.join(id),
        }
    }

    /// The ids of the execs now running in the container `id`, for its
    /// inspect answer.
    pub fn running_execs(&self, id: &str) -> Vec<String> {
        lock(&self.execs)
            .values()
            .filter(|e| e.is_running_in(id))
            .map(|e| e.id.clone())
            .collect()
    }

    /// Finds a container by full id, name (with or without `/`), or
    /// unique id prefix.
    pub fn get(&self, reference: &str) -> Result<Arc<Container>> {
        let index = self.read();
        if let Some(c) = index.by_id.get(reference) {
            return Ok(c.clone());
        }
        let name = reference.strip_prefix('/').unwrap_or(reference);
        if let Some(c) = index.names.get(name).and_then(|id| index.by_id.get(id)) {
            return Ok(c.clone());
        }
        if !reference.is_empty() {
            let mut matches = index
                .by_id
                .range(reference.to_string()..)
                .take_while(|(id, _)| id.starts_with(reference));
            if let Some((_, c)) = matches.next() {
                if matches.next().is_some() {
                    return Err(ContainerError::InvalidArgument(format!(
                        "Multiple IDs found with provided prefix: {reference}"
                    )));
                }
                return Ok(c.clone());
            }
        }
        Err(ContainerError::NotFound(reference.to_string()))
    }

    /// Every container, in id order.
    pub fn all(&self) -> Vec<Arc<Container>> {
        self.read().by_id.values().cloned().collect()
    }

    /// The id of the container named `name`, if any.
    pub fn id_of_name(&self, name: &str) -> Option<String> {
        self.read().names.get(name).cloned()
    }

    /// Adds a new container whose record is already on disk; fails if the
    /// name was taken meanwhile.
    pub fn insert(&self, record: Record, layout: Layout) -> Result<Arc<Container>> {
        let mut index = self.write();
        if let Some(other) = index.names.get(&record.name) {
            return Err(ContainerError::NameConflict {
                name: record.name.clone(),
                id: other.clone(),
            });
        }
        index.names.insert(record.name.clone(), record.id.clone());
        let c = Arc::new(Container::new(record, layout));
        index.by_id.insert(c.id.clone(), c.clone());
        Ok(c)
    }

    /// Reserves `new` for `container` (releasing its old name).
    pub fn rename(&self, container: &Container, new: &str) -> Result<String> {
        let mut index = self.write();
        if let Some(other) = index.names.get(new) {
            return Err(ContainerError::NameConflict {
                name: new.to_string(),
                id: other.clone(),
            });
        }
        let old = container.name();
        container.update(|r| r.name = new.to_string())?;
        index.names.remove(&old);
        index.names.insert(new.to_string(), container.id.clone());
        Ok(old)
    }

    /// Forgets a removed container.
    pub fn forget(&self, container: &Container) {
        let mut index = self.write();
        let name = container.name();
        if index.names.get(&name) == Some(&container.id) {
            index.names.remove(&name);
        }
        index.by_id.remove(&container.id);
    }

    /// (all, running, paused, stopped) for `/info`.
    pub fn counts(&self) -> (i64, i64, i64, i64) {
        let (mut running, mut paused, mut stopped) = (0, 0, 0);
        let all = self.all();
        for c in &all {
            match c.status() {
                Status::Running | Status::Restarting => running += 1,
                Status::Paused => paused += 1,
                _ => stopped += 1,
            }
        }
        (all.len() as i64, running, paused, stopped)
    }

    /// A container using image `image_id`, a running one preferred:
    /// (id, running).
    pub fn image_user(&self, image_id: &str) -> Option<(String, bool)> {
        let mut found = None;
        for c in self.all() {
            let r = c.record();
            if r.image_id == image_id {
                if r.state.status.is_running() {
                    return Some((r.id, true));
                }
                found.get_or_insert((r.id, false));
            }
        }
        found
    }

    /// A container mounting volume `name`.
    pub fn volume_user(&self, name: &str) -> Option<String> {
        self.all().into_iter().find_map(|c| {
            let r = c.record();
            r.mounts
                .iter()
                .any(|m| m.kind == "volume" && m.name == name)
                .then_some(r.id)
        })
    }
}
