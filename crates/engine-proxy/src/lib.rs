//! engine-proxy: the typed Engine API firewall. The generated server's
//! route table in front names every request's operation (nothing else is
//! let through), the generated body types give the policy the typed
//! fields it checks, and the runtime's client transport sends allowed
//! requests to the upstream daemon, with answers, streams and hijacked
//! connections passed back as they come.
//!
//! - [`route`]: which operation a request is;
//! - [`typed`]: the typed fields the policy reads;
//! - [`policy`]: the rules, loaded with `file:line:col` errors;
//! - [`identity`]: who a request's client is (listener name, certificate CN);
//! - [`owner`]: owner scoping per client identity;
//! - [`reload`]: the policy in use and SIGHUP;
//! - [`audit`]: the JSON-lines decision log;
//! - [`forward`]: the HTTP service in front of the upstream;
//! - [`cli`]: the command line.

pub mod audit;
pub mod cli;
pub mod forward;
pub mod identity;
pub mod owner;
pub mod policy;
pub mod reload;
pub mod route;
pub mod typed;
