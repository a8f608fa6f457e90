//! Published ports and outbound traffic through NAT, in engined's own
//! nftables table (dockerd's `iptables: true`).
//!
//! Why nftables and not iptables chains: the daemon owns one table,
//! created, replaced and deleted whole, so a change is one transaction
//! and cleaning up is one delete that never touches another program's
//! rules (dockerd's, the host firewall's). It is written through the
//! `nft` binary's JSON input (no new crate: the JSON is serde_json's).
//!
//! - [`rules`]: the rule set and its JSON batch (pure);
//! - [`nft`]: running `nft`, and the table's name;
//! - [`forwarding`]: `ip-forward`, the kernel's `net.ipv4.ip_forward`;
//! - [`localnet`]: `route_localnet` on the bridges, for loopback ports
//!   without the proxy.
//!
//! [`Nat`] keeps what the rules are made of (each running container's
//! forwards, each routed bridge's subnet) and rewrites the table whenever
//! it changes; with `iptables: false` it writes nothing and a table left
//! by an earlier run goes.

pub mod forwarding;
pub mod localnet;
pub mod nft;
pub mod rules;

use std::collections::BTreeMap;
use std::sync::Mutex;

pub use rules::{Forward, Masquerade, RuleSet};

use super::error::Result;
use crate::sync::lock;

#[derive(Default)]
struct Wanted {
    forwards: BTreeMap<String, Vec<Forward>>,
    masquerades: Vec<Masquerade>,
}

/// The daemon's NAT table and what is in it.
pub struct Nat {
    table: String,
    enabled: bool,
    userland_proxy: bool,
    wanted: Mutex<Wanted>,
    /// The bridges' `route_localnet` this daemon turned on.
    pub localnet: localnet::Localnet,
}

impl Nat {
    /// The NAT of table `table`; `enabled` is `iptables`, `userland_proxy`
    /// says whether the proxy serves the ports too; `localnet_record` is
    /// where the bridges' earlier `route_localnet` is recorded (what a
    /// daemon killed before it could put it back left there is put back
    /// now, unless this one turns it on too). Nothing is written to the
    /// table until the first change.
    pub fn new(
        table: String,
        enabled: bool,
        userland_proxy: bool,
        localnet_record: std::path::PathBuf,
    ) -> Nat {
        Nat {
            table,
            enabled,
            userland_proxy,
            wanted: Mutex::new(Wanted::default()),
            localnet: localnet::Localnet::open(localnet_record, enabled && !userland_proxy),
        }
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Whether engined writes NAT rules (`iptables`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Bridge `bridge` is up: with NAT on and the proxy off, loopback
    /// traffic DNAT sends to it must be routable (`route_localnet`).
    pub fn bridge_ready(&self, bridge: &str) -> Result<()> {
        if !self.enabled || self.userland_proxy {
            return Ok(());
        }
        self.localnet.enable(bridge)
    }

    fn write(&self, wanted: &Wanted) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        let set = RuleSet {
            forwards: wanted.forwards.values().flatten().cloned().collect(),
            masquerades: wanted.masquerades.clone(),
            userland_proxy: self.userland_proxy,
        };
        nft::apply(&rules::batch(&self.table, &set))
    }

    /// The routed bridges' subnets are now `masquerades`.
    pub fn set_masquerades(&self, masquerades: Vec<Masquerade>) -> Result<()> {
        let mut wanted = lock(&self.wanted);
        wanted.masquerades = masquerades;
        self.write(&wanted)
    }

    /// Container `container`'s forwards are now `forwards`; when the
    /// table cannot be written they are not kept.
    pub fn set_forwards(&self, container: &str, forwards: Vec<Forward>) -> Result<()> {
        let mut wanted = lock(&self.wanted);
        let before = wanted.forwards.insert(container.to_string(), forwards);
        let written = self.write(&wanted);
        if written.is_err() {
            match before {
                Some(old) => wanted.forwards.insert(container.to_string(), old),
                None => wanted.forwards.remove(container),
            };
        }
        written
    }

    /// Container `container` has no forwards any more.
    pub fn remove_forwards(&self, container: &str) -> Result<()> {
        let mut wanted = lock(&self.wanted);
        if wanted.forwards.remove(container).is_none() {
            return Ok(());
        }
        self.write(&wanted)
    }

    /// Whether a running container has forwards.
    pub fn has_forwards(&self) -> bool {
        lock(&self.wanted).forwards.values().any(|f| !f.is_empty())
    }

    /// Deletes the table (a clean stop with nothing left running, or
    /// `iptables: false` finding one an earlier run left).
    pub fn remove_table(&self) -> Result<()> {
        nft::delete_table(&self.table)
    }
}
