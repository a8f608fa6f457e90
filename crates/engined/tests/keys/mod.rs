//! The parts of the key-set test (`keys_cli.rs`): the scenario both daemons
//! are put through, the shape comparison, and the fields Docker's v1.44
//! spec adds over v1.41.

pub mod compare;
pub mod scenario;
pub mod spec;
