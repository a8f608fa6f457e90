//! What the stages that run on scoped threads share: taking a thread's
//! result, with its panic raised again on the joining thread.

/// The result of a scoped thread (a panic there is raised again here).
pub(crate) fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
