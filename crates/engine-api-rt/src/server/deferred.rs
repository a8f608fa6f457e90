//! Bodies that come later than their headers. Some operations must answer
//! at once and finish later: `POST /containers/{id}/wait` sends its status
//! line and headers as soon as the wait is accepted (the docker CLI waits
//! for them before it starts the container in `docker run`) and its JSON
//! body when the container stops. A handler returns such a body as a
//! [`Deferred`] value; the router sends the headers, then the value once
//! its future resolves.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A JSON body that is not known yet: a future of the value.
pub struct Deferred<T>(Pin<Box<dyn Future<Output = T> + Send>>);

impl<T> Deferred<T> {
    /// The body is what `future` resolves to; the headers go out before.
    pub fn new(future: impl Future<Output = T> + Send + 'static) -> Deferred<T> {
        Deferred(Box::pin(future))
    }

    /// A body that is known already.
    pub fn ready(value: T) -> Deferred<T>
    where
        T: Send + 'static,
    {
        Deferred::new(std::future::ready(value))
    }

    /// Waits for the value (what the router does after the headers).
    pub async fn value(self) -> T {
        self.0.await
    }
}

impl<T> fmt::Debug for Deferred<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Deferred(..)")
    }
}
