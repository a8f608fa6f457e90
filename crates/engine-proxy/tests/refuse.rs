//! What the proxy refuses before any policy or upstream: paths the spec
//! has no route for (404, Docker's body), API versions above the spec's
//! (400 with dockerd's wording), a method the path does not take (405).
//! The upstream here is a socket nobody listens on: nothing may reach it.

use crate::harness::{raw, Proxy, ALLOW_ALL};

#[test]
fn unknown_routes_and_new_versions_are_refused() {
    let proxy = Proxy::start(
        "refuse",
        "unix:///nonexistent/engine-proxy-test.sock",
        ALLOW_ALL,
    );
    let (status, body) = raw(&proxy.socket(), "GET /v1.41/nothing/here HTTP/1.0\r\n\r\n");
    assert!(status.contains(" 404 "), "{status}");
    assert_eq!(body.trim(), r#"{"message":"page not found"}"#);
    let (status, body) = raw(&proxy.socket(), "GET /v1.99/info HTTP/1.0\r\n\r\n");
    assert!(status.contains(" 400 "), "{status}");
    assert!(body.contains("client version 1.99 is too new"), "{body}");
    let (status, _) = raw(&proxy.socket(), "PATCH /info HTTP/1.0\r\n\r\n");
    assert!(status.contains(" 405 "), "{status}");
    // A known route is forwarded: the dead upstream makes it a 502.
    let (status, body) = raw(&proxy.socket(), "GET /v1.41/info HTTP/1.0\r\n\r\n");
    assert!(status.contains(" 502 "), "{status}");
    assert!(body.contains("upstream"), "{body}");
    let audit = proxy.audit();
    let decisions: Vec<&str> = audit
        .iter()
        .map(|e| e["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["refused", "refused", "refused", "allow"]);
    assert_eq!(audit[3]["operation"], "SystemInfo");
}
