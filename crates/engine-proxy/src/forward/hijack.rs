//! A hijacked connection (attach, exec start, WebSocket attach, session)
//! spliced both ways once both ends have switched protocols: bytes are
//! copied as they come, and one side's end of input is passed on as a
//! half-close, so `docker attach` sees stdin's end as it does direct.

use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;

/// Splices the client's and the upstream's upgraded connections until
/// both directions have ended.
pub fn splice(client: OnUpgrade, upstream: OnUpgrade) {
    tokio::spawn(async move {
        let (client, upstream) = match tokio::try_join!(client, upstream) {
            Ok(pair) => pair,
            Err(e) => {
                tracing::debug!("hijacked connection not set up: {e}");
                return;
            }
        };
        let mut client = TokioIo::new(client);
        let mut upstream = TokioIo::new(upstream);
        if let Err(e) = tokio::io::copy_bidirectional(&mut client, &mut upstream).await {
            tracing::debug!("hijacked connection ended: {e}");
        }
    });
}
