//! Which headers cross the proxy. Hop-by-hop headers (RFC 9110 7.6.1)
//! belong to one connection and are dropped both ways; an upgrade keeps
//! `Connection: Upgrade` and `Upgrade` so the upstream can switch
//! protocols (attach, exec start, WebSocket attach). The request's `Host`
//! is the proxy's, so the upstream gets its own.

use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};

/// Headers that describe one connection, not the message.
const HOP_BY_HOP: &[HeaderName] = &[
    header::CONNECTION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::PROXY_AUTHORIZATION,
    header::PROXY_AUTHENTICATE,
];

/// Whether `name` is named by `Connection` or is hop-by-hop.
fn is_hop(name: &HeaderName, connection: &[String]) -> bool {
    HOP_BY_HOP.contains(name)
        || name.as_str() == "keep-alive"
        || name.as_str() == "proxy-connection"
        || connection.iter().any(|c| c == name.as_str())
}

/// The tokens of the `Connection` header, lower-case.
fn connection_tokens(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty() && t != "upgrade")
        .collect()
}

/// The end-to-end headers of `from`, without `Host` and (when the body is
/// re-encoded) without `Content-Length`; with `upgrade`, the upgrade asked for.
pub fn end_to_end(from: &HeaderMap, keep_length: bool, upgrade: Option<&HeaderValue>) -> HeaderMap {
    let connection = connection_tokens(from);
    let mut out = HeaderMap::with_capacity(from.len());
    for (name, value) in from {
        if is_hop(name, &connection)
            || *name == header::HOST
            || (!keep_length && *name == header::CONTENT_LENGTH)
        {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    if let Some(up) = upgrade {
        out.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
        out.insert(header::UPGRADE, up.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_stay_behind() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("proxy"));
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, x-secret"),
        );
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert("x-registry-auth", HeaderValue::from_static("e30="));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("3"));
        h.insert(header::UPGRADE, HeaderValue::from_static("tcp"));
        let out = end_to_end(&h, false, None);
        let names: Vec<&str> = out.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["x-registry-auth"]);
        let up = HeaderValue::from_static("tcp");
        let out = end_to_end(&h, true, Some(&up));
        assert_eq!(out.get(header::UPGRADE), Some(&up));
        assert_eq!(out.get(header::CONNECTION).unwrap(), "Upgrade");
        assert_eq!(out.get(header::CONTENT_LENGTH).unwrap(), "3");
    }
}
