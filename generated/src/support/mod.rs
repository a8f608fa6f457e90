//! The hand-written, spec-independent support the generated code uses:
//! API versions, Docker's query conventions, error bodies and the client's
//! typed error, daemon addresses from the environment, and the stream
//! codecs (multiplexed stdout/stderr, JSON streams, WebSocket messages as
//! bytes), and what the generated types' serde impls share (`serde_support`).

#[cfg(any(feature = "client", feature = "server"))]
pub mod body;
#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod host;
pub mod json_stream;
pub mod mux;
#[cfg(any(feature = "client", feature = "server"))]
pub mod pem;
pub mod query;
pub mod serde_support;
#[cfg(feature = "server")]
pub mod server;
pub mod version;
#[cfg(any(feature = "client", feature = "server"))]
pub mod websocket;
