//! Locks that outlive a panic: a handler that panicked while holding one
//! of the engine's mutexes must not take every later request down with a
//! poisoned lock, so [`lock`] takes the data as it was left.

use std::sync::{Mutex, MutexGuard};

/// Locks `m`, also when a panic poisoned it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
