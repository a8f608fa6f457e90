//! Published ports through engined's userland proxy: engined listens on
//! each `HostIp:HostPort` and relays to the container's address and port
//! (dockerd's `docker-proxy`, in process). No NAT rules yet.
//!
//! - [`spec`]: what a container asks to publish (`PortBindings`, and `-P`
//!   for every `ExposedPorts`), parsed and checked;
//! - [`proxy`]: the listeners and relays of each running container, and
//!   the bindings they got (random host ports included) for inspect and
//!   `docker port`.

pub mod proxy;
pub mod spec;

pub use proxy::{Proxies, Published};
pub use spec::{wanted, Proto, Wanted};
