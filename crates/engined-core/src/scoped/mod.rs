//! The one way engined touches files inside a container's or an image's
//! root filesystem. A [`Root`] holds an `O_PATH` descriptor of the root
//! directory; every path given to it is resolved by the kernel with
//! `openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`, so `..`, absolute
//! symlinks and symlinks swapped in by a running container all stay below
//! the root, exactly as the container itself would see them. Operations
//! that create, remove or change an entry resolve its parent directory
//! that way and then act on the last element with an `*at` syscall on the
//! parent's descriptor, so the last element is never followed unless the
//! caller asks for it.
//!
//! - [`root`]: [`Root`], paths resolved from the root;
//! - [`dir`]: [`Dir`], an open directory and the `*at` operations on its
//!   entries (never following them);
//! - [`extract`]: tar entries written inside a root (layers, `docker
//!   load`, `docker cp`);
//! - [`path`]: how a path is split into a parent and a last element;
//! - [`error`]: [`ScopedError`], the operation, the path in the root and
//!   the system's error.

pub mod dir;
pub mod error;
pub mod extract;
pub mod pack;
pub mod path;
pub mod root;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

pub use dir::Dir;
pub use error::{Result, ScopedError};
pub use root::{Follow, Root};
