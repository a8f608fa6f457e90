//! The three committed policies load and decide as their comments say.
//! The upstream is a socket nobody listens on: a denied request is a 403
//! naming the rule, an allowed one reaches for the upstream (502).

use crate::harness::{raw, Proxy};

fn preset(name: &str) -> String {
    let path = format!("{}/policies/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The status of `method path` with a JSON `body`, and the answer's body.
fn ask(proxy: &Proxy, method: &str, path: &str, body: &str) -> (u16, String) {
    let req = format!(
        "{method} {path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (status, body) = raw(&proxy.socket(), &req);
    let code = status
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, body)
}

const DEAD: &str = "unix:///nonexistent/engine-proxy-test.sock";

#[test]
fn read_only_allows_reads_only() {
    let p = Proxy::start("preset-ro", DEAD, &preset("read-only"));
    for path in [
        "/v1.41/containers/json",
        "/v1.41/images/json",
        "/v1.41/volumes",
        "/v1.41/networks",
        "/v1.41/info",
        "/_ping",
        "/v1.41/containers/x/logs",
        "/v1.41/events",
    ] {
        assert_eq!(ask(&p, "GET", path, "").0, 502, "{path}");
    }
    assert_eq!(ask(&p, "HEAD", "/_ping", "").0, 502);
    let (code, body) = ask(&p, "GET", "/v1.41/containers/x/export", "");
    assert_eq!(code, 403);
    assert!(
        body.contains("denied by rule no-file-reads: ContainerExport is not allowed"),
        "{body}"
    );
    assert_eq!(
        ask(&p, "GET", "/v1.41/containers/x/archive?path=/etc", "").0,
        403
    );
    let (code, body) = ask(
        &p,
        "POST",
        "/v1.41/containers/create",
        r#"{"Image":"busybox"}"#,
    );
    assert_eq!(code, 403);
    assert!(
        body.contains("denied by the policy's default: ContainerCreate is not allowed"),
        "{body}"
    );
    assert_eq!(ask(&p, "POST", "/v1.41/containers/x/start", "").0, 403);
    assert_eq!(ask(&p, "GET", "/v1.41/swarm", "").0, 403);
}

#[test]
fn ci_runner_allows_work_but_no_escape() {
    let p = Proxy::start("preset-ci", DEAD, &preset("ci-runner"));
    let create = "/v1.41/containers/create";
    assert_eq!(
        ask(
            &p,
            "POST",
            create,
            r#"{"Image":"busybox","HostConfig":{"Binds":["/builds/p:/w"]}}"#
        )
        .0,
        502
    );
    let cases = [
        (
            r#"{"Image":"busybox","HostConfig":{"Privileged":true}}"#,
            "no-host-escape: HostConfig.Privileged is true",
        ),
        (
            r#"{"Image":"busybox","HostConfig":{"Binds":["/:/host"]}}"#,
            "no-host-escape: HostConfig.Binds[0] source / is not under an allowed path",
        ),
        (
            r#"{"Image":"busybox","HostConfig":{"CapAdd":["NET_ADMIN"]}}"#,
            "no-host-escape: HostConfig.CapAdd has NET_ADMIN",
        ),
        (
            r#"{"Image":"evil/miner"}"#,
            "official-images: Image evil/miner is not an allowed image",
        ),
    ];
    for (body, want) in cases {
        let (code, answer) = ask(&p, "POST", create, body);
        assert_eq!(code, 403, "{body}");
        assert!(
            answer.contains(&format!("denied by rule {want}")),
            "{answer}"
        );
    }
    let update = "/v1.41/containers/x/update";
    let (code, answer) = ask(&p, "POST", update, r#"{"Memory":8589934592}"#);
    assert_eq!(code, 403);
    assert!(
        answer
            .contains("denied by rule no-limit-raise: Memory is 8g, and this limit may not be set"),
        "{answer}"
    );
    for (body, want) in [
        (r#"{"MemorySwap":-1}"#, "MemorySwap is -1"),
        (
            r#"{"MemoryReservation":1073741824}"#,
            "MemoryReservation is 1g",
        ),
        (r#"{"CpuShares":262144}"#, "CpuShares is 262144"),
        (r#"{"CpusetCpus":"0-63"}"#, "CpusetCpus is 0-63"),
        (r#"{"CpusetMems":"1"}"#, "CpusetMems is 1"),
    ] {
        let (code, answer) = ask(&p, "POST", update, body);
        assert_eq!(code, 403, "{body}");
        let want = format!("denied by rule no-limit-raise: {want}, and this limit may not be set");
        assert!(answer.contains(&want), "{body}: {answer}");
    }
    assert_eq!(
        ask(&p, "POST", update, r#"{"RestartPolicy":{"Name":"no"}}"#).0,
        502
    );
    assert_eq!(
        ask(
            &p,
            "POST",
            "/v1.41/images/create?fromImage=busybox&tag=1.36",
            ""
        )
        .0,
        502
    );
    assert_eq!(
        ask(
            &p,
            "POST",
            "/v1.41/images/create?fromImage=evil/miner&tag=1",
            ""
        )
        .0,
        403
    );
    assert_eq!(
        ask(&p, "POST", "/v1.41/containers/x/exec", r#"{"Cmd":["sh"]}"#).0,
        502
    );
    assert_eq!(
        ask(
            &p,
            "POST",
            "/v1.41/containers/x/exec",
            r#"{"Cmd":["sh"],"Privileged":true}"#
        )
        .0,
        403
    );
    assert_eq!(ask(&p, "POST", "/v1.41/build?t=x", "").0, 502);
    let (code, body) = ask(&p, "POST", "/v1.41/swarm/init", "{}");
    assert_eq!(code, 403);
    assert!(body.contains("denied by rule no-cluster"), "{body}");
    assert_eq!(ask(&p, "GET", "/v1.41/plugins", "").0, 403);
}

#[test]
fn tenant_requires_its_label() {
    let p = Proxy::start_with("preset-tenant", DEAD, &preset("tenant"), &["alice"]);
    let create = "/v1.41/containers/create";
    assert_eq!(
        ask(
            &p,
            "POST",
            create,
            r#"{"Image":"busybox","Labels":{"tenant":"alice"}}"#
        )
        .0,
        502
    );
    let (code, body) = ask(&p, "POST", create, r#"{"Image":"busybox"}"#);
    assert_eq!(code, 403);
    assert!(
        body.contains("denied by rule tenant-label: Labels lacks tenant"),
        "{body}"
    );
    assert_eq!(
        ask(
            &p,
            "POST",
            "/v1.41/volumes/create",
            r#"{"Name":"v","Labels":{"tenant":"alice"}}"#
        )
        .0,
        502
    );
    assert_eq!(
        ask(&p, "POST", "/v1.41/volumes/create", r#"{"Name":"v"}"#).0,
        403
    );
    assert_eq!(
        ask(&p, "POST", "/v1.41/networks/create", r#"{"Name":"n"}"#).0,
        403
    );
    assert_eq!(ask(&p, "POST", "/v1.41/images/prune", "").0, 403);
    assert_eq!(ask(&p, "GET", "/v1.41/system/df", "").0, 403);
    assert_eq!(ask(&p, "GET", "/v1.41/containers/json", "").0, 502);
    // On alice's socket the label is stamped: the same create is allowed.
    let req = r#"{"Image":"busybox"}"#;
    let req = format!(
        "POST {create} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{req}",
        req.len()
    );
    let (status, _) = raw(&p.dir.join("alice.sock"), &req);
    assert!(status.contains(" 502 "), "{status}");
    // Swarm objects are scoped now: services, secrets and configs go on
    // (to the dead upstream) under the same guards and label; the swarm
    // itself and its nodes stay off.
    let service = |cs: &str| {
        format!(
            r#"{{"Name":"s","Labels":{{"tenant":"alice"}},"TaskTemplate":{{"ContainerSpec":{cs}}}}}"#
        )
    };
    let fine = service(r#"{"Image":"busybox"}"#);
    assert_eq!(ask(&p, "POST", "/v1.41/services/create", &fine).0, 502);
    for (cs, want) in [
        (
            r#"{"Image":"busybox","Mounts":[{"Type":"bind","Source":"/","Target":"/h"}]}"#,
            "no-host-escape: TaskTemplate.ContainerSpec.Mounts[0] source / is not under an allowed path",
        ),
        (
            r#"{"Image":"busybox","CapabilityAdd":["SYS_ADMIN"]}"#,
            "no-host-escape: TaskTemplate.ContainerSpec.CapabilityAdd has SYS_ADMIN",
        ),
        (
            r#"{"Image":"evil/miner"}"#,
            "official-images: TaskTemplate.ContainerSpec.Image evil/miner is not an allowed image",
        ),
    ] {
        let (code, body) = ask(&p, "POST", "/v1.41/services/create", &service(cs));
        assert_eq!(code, 403, "{cs}");
        assert!(body.contains(&format!("denied by rule {want}")), "{body}");
    }
    let (code, body) = ask(
        &p,
        "POST",
        "/v1.41/secrets/create",
        r#"{"Name":"s","Data":"eA=="}"#,
    );
    assert_eq!(code, 403);
    assert!(
        body.contains("denied by rule tenant-label: Labels lacks tenant"),
        "{body}"
    );
    let labelled = r#"{"Name":"s","Data":"eA==","Labels":{"tenant":"alice"}}"#;
    assert_eq!(ask(&p, "POST", "/v1.41/secrets/create", labelled).0, 502);
    assert_eq!(ask(&p, "POST", "/v1.41/configs/create", labelled).0, 502);
    assert_eq!(ask(&p, "GET", "/v1.41/tasks", "").0, 502);
    for (method, path) in [
        ("GET", "/v1.41/swarm"),
        ("GET", "/v1.41/nodes"),
        ("GET", "/v1.41/plugins"),
    ] {
        let (code, body) = ask(&p, method, path, "");
        assert_eq!(code, 403, "{path}");
        assert!(body.contains("denied by rule no-cluster"), "{body}");
    }
}
