//! Published ports: engined's userland proxy listens on each
//! `HostIp:HostPort` and relays to the container's address and port
//! (dockerd's `docker-proxy`, in process); with `iptables` the NAT rules
//! (`networks::nat`) carry the traffic that is not the host's loopback,
//! and with `userland-proxy: false` the host port is only held, not
//! served (NAT then carries loopback too).
//!
//! - [`spec`]: what a container asks to publish (`PortBindings`, and `-P`
//!   for every `ExposedPorts`), parsed and checked;
//! - [`range`]: where random host ports come from (dockerd's allocator);
//! - [`proxy`]: the listeners (or held ports) of each running container,
//!   and the bindings they got (random host ports included) for inspect
//!   and `docker port`;
//! - [`splice`]: the proxy's TCP copy, splice(2) through pipes.

pub mod proxy;
pub mod range;
pub mod spec;
pub mod splice;

pub use proxy::{Proxies, Published};
pub use spec::{wanted, Proto, Wanted};
