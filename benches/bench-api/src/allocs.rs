//! Counts heap allocations made on the load runtime's threads (the
//! clients' side), a measure of per-call work that other load on the
//! machine does not blur: a wrapper of the system allocator that adds one
//! to a global counter when the allocating thread is marked as a client
//! thread (by the runtime's thread-start hook).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// The system allocator, counting the client threads' allocations.
pub struct Counting;

static CLIENT_ALLOCS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static CLIENT_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Marks the calling thread as a client thread (its allocations count).
pub fn mark_client_thread() {
    CLIENT_THREAD.with(|c| c.set(true));
}

/// Allocations made so far on client threads.
pub fn client_allocs() -> u64 {
    CLIENT_ALLOCS.load(Ordering::Relaxed)
}

fn count() {
    // `try_with`: a thread being torn down has no thread-locals left.
    if CLIENT_THREAD.try_with(Cell::get).unwrap_or(false) {
        CLIENT_ALLOCS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed on unchanged to `System`, which upholds
// `GlobalAlloc`'s contract; counting touches no allocated memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's guarantees for `layout` are passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: `ptr` came from `System` with this `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
