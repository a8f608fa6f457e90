//! Name resolution for containers: the resolv.conf each one gets, and the
//! embedded DNS server that answers on user networks, as dockerd's does.
//!
//! - [`resolv_conf`]: the container's `/etc/resolv.conf` from the host's
//!   and the `--dns*` overrides, and the embedded server's upstreams;
//! - [`names`]: who answers to which name on a container's networks;
//! - [`answer`]: one query's answer, or "ask upstream" (hickory-proto's
//!   wire format);
//! - [`forward`]: asking the upstreams, from the host's namespace;
//! - [`server`]: the sockets in each container's namespace and the tasks
//!   that serve them.

pub mod answer;
pub mod forward;
pub mod names;
pub mod resolv_conf;
pub mod server;

pub use names::Neighbour;
pub use resolv_conf::{Overrides, ResolvConf, Resolver};
pub use server::{NeighboursFn, Servers};
