//! Networks: the network service behind `docker network` and a
//! container's endpoints.
//!
//! - [`service`]: the records on disk under `<data-root>/network/`, the
//!   predefined `bridge`, `host` and `none`, create/find/remove, and a
//!   container's endpoints brought up and down around its runs;
//! - [`ipam`]: subnets, dockerd's default pools, addresses (pure);
//! - [`netlink`]: bridges, veth pairs, addresses and routes (rtnetlink);
//! - [`netns`]: the namespaces engined makes and holds for containers;
//! - [`ports`]: published ports: the userland proxy and the host ports;
//! - [`nat`]: engined's nftables table (DNAT for published ports,
//!   masquerade for routed bridges) and `ip-forward`;
//! - [`settings`]: the daemon.json keys the service starts with (`bip`,
//!   `default-address-pools`, `iptables`, `ip-forward`,
//!   `userland-proxy`);
//! - [`dns`]: containers' resolv.conf and the embedded DNS server of user
//!   networks;
//! - [`model`]: what is stored; [`view`]: the API's shape of a network;
//!   [`filter`]: `ls`/`prune` filters; [`events`]: the bus's network
//!   events.
//!
//! Drivers: `bridge` (a Linux bridge per network: `engined0` for the
//! default one, `br-<12 hex>` for others, a veth pair per endpoint),
//! `host` and `null` (nothing to set up). A bridge network created with
//! IPv6 on (and an IPv6 subnet: there is no default IPv6 pool) gives each
//! endpoint an IPv6 address beside its IPv4 one and a default route
//! through the bridge's IPv6 gateway; engined leaves the host's IPv6
//! forwarding alone and has no IPv6 NAT, so that traffic stays on the
//! bridge (container to container, container to host). Published ports go through NAT
//! (`iptables`, the default) and the userland proxy (`userland-proxy`,
//! the default; it serves loopback, and with it off NAT does).
//!
//! Several daemons on one host (the tests run many) each keep their own
//! rules: their own nftables table ([`nat::nft::table_name`]) and their
//! own priority for the isolation rules ([`netlink::rule_priority`]), so
//! one daemon's sync never rewrites another's, also on the default
//! bridge they share. What they do not split is that bridge's subnet:
//! as with two dockerds on one `docker0`, each daemon's IPAM hands out
//! its addresses unaware of the other's, so daemons whose containers
//! share the default bridge at the same time should each have a `bip` on
//! a subnet of its own (one bridge then carries both subnets), or use
//! user networks (each its own bridge).

pub mod dns;
pub mod error;
pub mod events;
pub mod filter;
pub mod ipam;
pub mod model;
pub mod nat;
pub mod netlink;
pub mod netns;
pub mod ports;
pub mod service;
pub mod settings;
pub mod view;

pub use error::NetworkError;
pub use filter::{NetworkFilter, NetworkFilterError};
pub use model::{ActiveEndpoint, ContainerEndpoints, Endpoint, NetworkRecord, PoolRecord};
pub use service::{CreateRequest, Networks};
pub use settings::Settings;
pub use view::network_view;
