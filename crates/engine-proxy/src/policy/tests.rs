//! Unit tests of the policy: loading errors with positions, rule order,
//! and each `require` constraint denying what it should and nothing else.

use super::*;
use crate::route::Routes;
use crate::typed::decode;

fn op(method: &str, path: &str) -> Operation {
    Routes::new().identify(method, path).unwrap()
}

fn create(body: &str) -> (Operation, Typed) {
    let op = op("POST", "/v1.41/containers/create");
    let typed = decode(op.id, "", body.as_bytes()).unwrap();
    (op, typed)
}

fn reason(policy: &Policy, (op, typed): &(Operation, Typed)) -> Option<String> {
    let d = policy.decide(op, typed);
    (!d.allowed).then(|| d.message(op))
}

const GUARDS: &str = "
default: allow
rules:
  - name: guards
    operations: [ContainerCreate, ContainerExec, ImageCreate]
    require:
      privileged: false
      bind_sources: [/srv/data, /tmp]
      cap_add: [NET_ADMIN]
      host_network: false
      host_pid: false
      host_namespaces: false
      unconfined: false
      devices: false
      images: [mini, 'docker.io/library/*']
      labels: {team: '*'}
      forbidden_labels: [root]
";

#[test]
fn each_constraint_denies_what_it_should() {
    let p = Policy::parse(GUARDS).unwrap();
    let ok = r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"Binds":["/srv/data/x:/x","vol:/v"],
        "SecurityOpt":["no-new-privileges","seccomp=/etc/p.json"],"IpcMode":"private",
        "CapAdd":["cap_net_admin"],"NetworkMode":"bridge","Mounts":[{"Type":"bind","Source":"/tmp"}]}}"#;
    assert_eq!(reason(&p, &create(ok)), None);
    let cases = [
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"Privileged":true}}"#,
         "denied by rule guards: HostConfig.Privileged is true"),
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"Binds":["/etc:/x"]}}"#,
         "denied by rule guards: HostConfig.Binds[0] source /etc is not under an allowed path"),
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"Binds":["/srv/data/../../etc:/x"]}}"#,
         "denied by rule guards: HostConfig.Binds[0] source /srv/data/../../etc is not under an allowed path"),
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"Mounts":[{"Type":"bind","Source":"/srv/database"}]}}"#,
         "denied by rule guards: HostConfig.Mounts[0] source /srv/database is not under an allowed path"),
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"CapAdd":["SYS_ADMIN"]}}"#,
         "denied by rule guards: HostConfig.CapAdd has SYS_ADMIN"),
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"NetworkMode":"host"}}"#,
         "denied by rule guards: HostConfig.NetworkMode is host"),
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"PidMode":"host"}}"#,
         "denied by rule guards: HostConfig.PidMode is host"),
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"IpcMode":"host"}}"#,
         "denied by rule guards: HostConfig.IpcMode is host"),
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"CgroupnsMode":"host"}}"#,
         "denied by rule guards: HostConfig.CgroupnsMode is host"),
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"SecurityOpt":["no-new-privileges","seccomp:unconfined"]}}"#,
         "denied by rule guards: HostConfig.SecurityOpt has seccomp:unconfined"),
        (r#"{"Image":"mini","Labels":{"team":"a"},"HostConfig":{"Devices":[{"PathOnHost":"/dev/sda"}]}}"#,
         "denied by rule guards: HostConfig.Devices is not empty"),
        (r#"{"Image":"evil/miner","Labels":{"team":"a"}}"#,
         "denied by rule guards: Image evil/miner is not an allowed image"),
        (r#"{"Image":"mini"}"#, "denied by rule guards: Labels lacks team"),
        (r#"{"Image":"mini","Labels":{"team":"a","root":"1"}}"#,
         "denied by rule guards: Labels has root"),
    ];
    for (body, want) in cases {
        assert_eq!(reason(&p, &create(body)).as_deref(), Some(want), "{body}");
    }
    // Docker Hub's official images match the glob in full form.
    assert_eq!(
        reason(&p, &create(r#"{"Image":"busybox","Labels":{"team":"a"}}"#)),
        None
    );
    let pull = op("POST", "/images/create");
    let t = decode(pull.id, "fromImage=evil/miner&tag=latest", b"").unwrap();
    assert_eq!(
        reason(&p, &(pull.clone(), t)).as_deref(),
        Some("denied by rule guards: fromImage evil/miner:latest is not an allowed image")
    );
    let t = decode(pull.id, "fromImage=busybox&tag=1.36", b"").unwrap();
    assert_eq!(reason(&p, &(pull, t)), None);
    let exec = op("POST", "/containers/x/exec");
    let t = decode(exec.id, "", br#"{"Cmd":["sh"],"Privileged":true}"#).unwrap();
    assert_eq!(
        reason(&p, &(exec, t)).as_deref(),
        Some("denied by rule guards: Privileged is true")
    );
}

#[test]
fn rules_select_by_operation_tag_and_method_in_order() {
    let p = Policy::parse(
        "rules:\n  - name: no-exec\n    operations: [ContainerExec]\n    action: deny\n  - name: reads\n    methods: [GET, HEAD]\n    action: allow\n  - name: volumes\n    tags: [Volume]\n    action: allow\n",
    )
    .unwrap();
    let plain = |m: &str, path: &str| {
        let o = op(m, path);
        let d = p.decide(&o, &Typed::Plain);
        (d.allowed, d.rule)
    };
    assert_eq!(
        plain("GET", "/containers/json"),
        (true, Some("reads".into()))
    );
    assert_eq!(
        plain("POST", "/volumes/create"),
        (true, Some("volumes".into()))
    );
    assert_eq!(
        plain("POST", "/containers/x/exec"),
        (false, Some("no-exec".into()))
    );
    assert_eq!(plain("POST", "/containers/x/start"), (false, None));
    let o = op("POST", "/containers/x/start");
    assert_eq!(
        p.decide(&o, &Typed::Plain).message(&o),
        "denied by the policy's default: ContainerStart is not allowed"
    );
}

#[test]
fn load_errors_have_line_and_column() {
    let cases = [
        (
            "rules:\n  - name: a\n    action: maybe\n",
            (3, 13),
            "unknown variant `maybe`",
        ),
        (
            "rules:\n  - name: a\n    operations: [ContainerMake]\n    action: allow\n",
            (3, 18),
            "`ContainerMake` is no operationId",
        ),
        (
            "rules:\n  - name: a\n    tags: [Containers]\n    action: allow\n",
            (3, 12),
            "`Containers` is no tag",
        ),
        (
            "rules:\n  - name: a\n    methods: [PATCH]\n    action: allow\n",
            (3, 15),
            "`PATCH` is no method",
        ),
        (
            "rules:\n  - name: a\n    action: allow\n  - name: a\n    action: deny\n",
            (4, 11),
            "a second rule named `a`",
        ),
        (
            "rules:\n  - name: a\n",
            (2, 5),
            "exactly one of `action` and `require`",
        ),
        (
            "rules:\n  - name: a\n    require:\n      bind_sources: [srv]\n",
            (4, 22),
            "not an absolute path",
        ),
        (
            "rules:\n  - name: a\n    require:\n      privilegd: false\n",
            (4, 7),
            "unknown field `privilegd`",
        ),
        ("rules:\n  - name: a\n    action: [allow\n", (4, 1), ""),
    ];
    for (text, (line, col), want) in cases {
        let (pos, message) = Policy::parse(text).unwrap_err();
        assert_eq!((pos.line, pos.col), (line, col), "{text}: {message}");
        assert!(message.contains(want), "{text}: {message}");
    }
}
