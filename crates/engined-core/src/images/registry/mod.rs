//! The registry side of `docker pull`, `docker push` and `docker login`:
//! a small client of the OCI
//! distribution protocol on hyper. Names are split as dockerd splits them
//! ([`RemoteName`]), loopback registries are spoken to in plain HTTP and
//! every other one over TLS, a 401 is answered with a bearer token or
//! basic credentials, manifests and indexes are read under size and depth
//! limits, and blobs are verified while they stream to disk; `docker
//! search` asks a registry's v1 search API ([`search`]).

mod auth;
mod body;
mod client;

mod http;
mod login;
mod manifest;
mod name;
pub mod search;
mod settings;
mod upload;

pub use super::registry_error::{Kind, RegistryError};
pub use auth::Credentials;
pub use client::{Fetched, Session};
pub use login::login;
pub use manifest::{select, Descriptor, ImageManifest, Manifest, Platform, MAX_DEPTH};
pub use name::{RemoteName, Target, DEFAULT_DOMAIN};
pub use settings::Settings;
pub use upload::Upload;

#[cfg(test)]
mod tests;
