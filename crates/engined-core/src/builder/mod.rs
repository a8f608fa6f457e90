//! The builder service: `docker build` with the classic builder
//! (`DOCKER_BUILDKIT=0`), on the same image store and container runtime
//! as everything else.
//!
//! - [`context`]: the request's context tar, unpacked under the store's
//!   tmp directory through [`crate::scoped`], `.dockerignore` applied;
//! - [`dockerfile`]: the parser (continuations, `# escape=`, exec and
//!   shell forms, `${VAR:-x}` substitution, errors naming the line);
//! - [`steps`]: FROM (pulled first with `--pull`), RUN (a real
//!   container), COPY/ADD (a layer made from the sources), and the
//!   config-only instructions;
//! - [`commit`]: `docker commit`: a container's changes as a new layer
//!   and image, which every RUN and COPY step also makes;
//! - the build cache (steps reused by parent, instruction and content
//!   hash) is image metadata and lives with the images
//!   ([`crate::images::build_cache`]), where the engine holds it;
//! - [`output`]: the classic builder's JSON stream messages;
//! - [`prune`]: `docker builder prune`'s filters on the cache records;
//! - [`build`]: the orchestration: stages, `AS name`, `--target`,
//!   `COPY --from`, ARG and `--build-arg`, one image per step, tags.

pub mod build;
pub mod commit;
pub mod context;
pub mod dockerfile;
pub mod error;
pub mod output;
pub mod prune;
pub mod steps;

pub use crate::images::build_cache::Cache;
pub use build::{build, BuildOptions};
pub use error::BuildError;
pub use output::{Message, Output};
pub use steps::from::PullFrom;
