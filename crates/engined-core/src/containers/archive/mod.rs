//! Files in and out of a container's root filesystem: `docker cp` (both
//! ways), `docker export`, and the stat behind `HEAD /containers/{id}/archive`.
//!
//! - [`copy_up`]: an image directory's contents copied into the new,
//!   empty volume mounted over it;
//! - [`mounts`]: which root a path is in (the container's, or a volume
//!   or bind mount's source);
//! - [`scope`]: container paths resolved on the host without ever leaving
//!   the container's root (`..`, absolute and looping symlinks);
//! - [`stat`]: a path's stat as the `X-Docker-Container-Path-Stat` header
//!   carries it (Go `os.FileMode` bits, RFC 3339 times);
//! - [`view`]: which host directory shows the container's files in each
//!   state, mounting a stopped overlay container's layers when needed;
//! - [`unpack`]: a tar extracted into a directory, entry by entry, inside
//!   the root;
//! - [`ops`]: the operations the API calls, with their events (tar
//!   archives of a path or the whole root, streamed, come from
//!   [`crate::scoped::pack`]);
//! - [`error`]: what can go wrong, with Docker's statuses.

pub mod copy_up;
pub mod error;
pub mod mounts;
pub mod ops;
pub mod scope;
pub mod stat;
pub mod unpack;
pub mod view;

pub use error::ArchiveError;

/// A container record for tests: `driver`, over the image rootfs `image`.
#[cfg(test)]
pub(crate) fn test_record(image: &std::path::Path, driver: &str) -> crate::containers::Record {
    let json = serde_json::json!({
        "id": "c".repeat(64), "name": "web", "created": "2024-01-02T03:04:05Z",
        "image": "mini", "image_id": format!("sha256:{}", "b".repeat(64)),
        "image_rootfs": image, "config": {}, "host_config": {},
        "path": "sh", "args": [], "driver": driver,
        "runtime": {"name": "runc", "binary": "/usr/bin/runc", "root": "/run/runc"},
        "state": {"status": "exited", "pid": 0, "exit_code": 0,
            "started_at": "0001-01-01T00:00:00Z", "finished_at": "0001-01-01T00:00:00Z"},
    });
    serde_json::from_value(json).expect("a valid record")
}
