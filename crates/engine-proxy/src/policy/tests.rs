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
        ("identities: [alice, '']\n", (1, 21), "no identity"),
        (
            "rules:\n  - name: a\n    require:\n      limits: {memory: 2x}\n",
            (4, 24),
            "`2x` is no memory ceiling",
        ),
        (
            "rules:\n  - name: a\n    require:\n      limits: {cpus: true}\n",
            (4, 22),
            "sets no ceiling",
        ),
        (
            "rules:\n  - name: a\n    require:\n      limits: {mem: 1g}\n",
            (4, 16),
            "unknown field `mem`",
        ),
        (
            "rules:\n  - name: a\n    require:\n      limits: {cpuset_cpus: 0-x}\n",
            (4, 29),
            "`0-x` is no cpuset_cpus ceiling (a list of CPUs",
        ),
        (
            "rules:\n  - name: a\n    require:\n      limits: {memory_swap: true}\n",
            (4, 29),
            "sets no ceiling",
        ),
        (
            "rules:\n  - name: a\n    require:\n      limits:\n        cpu_shares: -5\n",
            (5, 21),
            "`-5` is no cpu_shares ceiling",
        ),
        (
            "rules:\n  - name: a\n    require:\n      limits:\n        memory_reservation: 1q\n",
            (5, 29),
            "`1q` is no memory_reservation ceiling",
        ),
    ];
    for (text, (line, col), want) in cases {
        let (pos, message) = Policy::parse(text).unwrap_err();
        assert_eq!((pos.line, pos.col), (line, col), "{text}: {message}");
        assert!(message.contains(want), "{text}: {message}");
    }
}

#[test]
fn identities_outside_the_list_and_nameless_certificates_are_refused() {
    let named = |n: &str| Identity::Named(n.into());
    let listed = Policy::parse("default: allow\nidentities: [alice, bob]\n").unwrap();
    assert_eq!(listed.refuses(&named("alice")), None);
    assert_eq!(
        listed.refuses(&named("carol")).as_deref(),
        Some("carol is not an identity the policy knows")
    );
    assert!(listed.refuses(&Identity::Nameless).is_some());
    assert_eq!(listed.refuses(&Identity::Anonymous), None);
    // Without a list any name goes; a nameless certificate only when
    // nothing is scoped by owner.
    let open = Policy::parse("default: allow\n").unwrap();
    assert_eq!(open.refuses(&named("carol")), None);
    assert_eq!(open.refuses(&Identity::Nameless), None);
    let scoped = Policy::parse("default: allow\nowner_label: o\n").unwrap();
    assert_eq!(scoped.refuses(&named("carol")), None);
    assert!(scoped.refuses(&Identity::Nameless).is_some());
}

const WIDER: &str = "
default: allow
rules:
  - name: guards
    operations: [ContainerCreate, ContainerUpdate, ServiceCreate, ServiceUpdate, ImageBuild, ImageCreate]
    require:
      devices: false
      restart_policies: [no, on-failure]
      images: ['docker.io/library/*']
      cap_add: [NET_ADMIN]
      bind_sources: [/srv]
      unconfined: false
      host_network: false
      forbidden_labels: [root]
";

/// The message a request to `method path?query` with `body` is denied
/// with under `policy`, or `None` when it is allowed.
fn verdict(policy: &Policy, method: &str, path: &str, query: &str, body: &str) -> Option<String> {
    let op = op(method, path);
    let typed = decode(op.id, query, body.as_bytes()).unwrap();
    reason(policy, &(op, typed))
}

#[test]
fn updates_services_and_image_names_are_checked_as_creates_are() {
    let p = Policy::parse(WIDER).unwrap();
    let update = |body: &str| verdict(&p, "POST", "/v1.44/containers/c/update", "", body);
    assert_eq!(
        update(r#"{"Memory":1048576,"RestartPolicy":{"Name":"on-failure"}}"#),
        None
    );
    assert_eq!(update(r#"{"RestartPolicy":{"Name":""}}"#), None);
    let denied = |v: Option<String>, want: &str| {
        assert_eq!(
            v.as_deref(),
            Some(format!("denied by rule guards: {want}").as_str())
        )
    };
    denied(
        update(r#"{"RestartPolicy":{"Name":"always"}}"#),
        "RestartPolicy.Name is always, which is not allowed",
    );
    denied(
        update(r#"{"DeviceCgroupRules":["c 1:3 mr"]}"#),
        "DeviceCgroupRules is not empty",
    );
    denied(
        update(r#"{"Devices":[{"PathOnHost":"/dev/sda"}]}"#),
        "Devices is not empty",
    );
    denied(
        update(r#"{"DeviceRequests":[{"Count":-1}]}"#),
        "DeviceRequests is not empty",
    );
    // The same constraints on a create's host configuration.
    let create = |hc: &str| {
        let body = format!(r#"{{"Image":"busybox","HostConfig":{hc}}}"#);
        verdict(&p, "POST", "/v1.44/containers/create", "", &body)
    };
    assert_eq!(create(r#"{"RestartPolicy":{"Name":"no"}}"#), None);
    denied(
        create(r#"{"RestartPolicy":{"Name":"unless-stopped"}}"#),
        "HostConfig.RestartPolicy.Name is unless-stopped, which is not allowed",
    );
    denied(
        create(r#"{"DeviceCgroupRules":["a *:* rwm"]}"#),
        "HostConfig.DeviceCgroupRules is not empty",
    );
    // Services: their container spec as a container's.
    let service = |cs: &str, extra: &str| {
        let body = format!(r#"{{"Name":"s"{extra},"TaskTemplate":{{"ContainerSpec":{cs}}}}}"#);
        let created = verdict(&p, "POST", "/v1.44/services/create", "", &body);
        let updated = verdict(&p, "POST", "/v1.44/services/s/update", "version=3", &body);
        assert_eq!(created, updated, "{body}");
        created
    };
    let fine = r#"{"Image":"busybox:1.36@sha256:abc","CapabilityAdd":["NET_ADMIN"],
        "Mounts":[{"Type":"bind","Source":"/srv/x","Target":"/x"},{"Type":"volume","Source":"v","Target":"/v"}]}"#;
    assert_eq!(service(fine, ""), None);
    let at = "TaskTemplate.ContainerSpec";
    denied(
        service(r#"{"Image":"evil.example/x"}"#, ""),
        &format!("{at}.Image evil.example/x is not an allowed image"),
    );
    denied(
        service(
            r#"{"Image":"busybox","CapabilityAdd":["CAP_SYS_ADMIN"]}"#,
            "",
        ),
        &format!("{at}.CapabilityAdd has CAP_SYS_ADMIN"),
    );
    denied(
        service(
            r#"{"Image":"busybox","Mounts":[{"Type":"bind","Source":"/","Target":"/h"}]}"#,
            "",
        ),
        &format!("{at}.Mounts[0] source / is not under an allowed path"),
    );
    denied(
        service(
            r#"{"Image":"busybox","Mounts":[{"Type":"volume","Target":"/h","VolumeOptions":
                {"DriverConfig":{"Options":{"type":"none","o":"bind","device":"/etc"}}}}]}"#,
            "",
        ),
        &format!("{at}.Mounts[0].VolumeOptions.DriverConfig.Options.device source /etc is not under an allowed path"),
    );
    denied(
        service(
            r#"{"Image":"busybox","Privileges":{"SELinuxContext":{"Disable":true}}}"#,
            "",
        ),
        &format!("{at}.Privileges.SELinuxContext.Disable is true"),
    );
    denied(
        service(
            r#"{"Image":"busybox"}"#,
            r#","Networks":[{"Target":"host"}]"#,
        ),
        "Networks[0].Target is host",
    );
    denied(
        service(r#"{"Image":"busybox"}"#, r#","Labels":{"root":"1"}"#),
        "Labels has root",
    );
    // Image names in the query: a build's tags, an import's repository.
    let post = |path: &str, query: &str| verdict(&p, "POST", path, query, "");
    assert_eq!(post("/v1.44/build", "t=busybox:mine"), None);
    denied(
        post("/v1.44/build", "t=busybox:mine&t=me/app:1"),
        "t me/app:1 is not an allowed image",
    );
    assert_eq!(
        post("/v1.44/images/create", "fromSrc=-&repo=alpine&tag=x"),
        None
    );
    denied(
        post("/v1.44/images/create", "fromSrc=-&repo=me/app&tag=1"),
        "repo me/app:1 is not an allowed image",
    );
}

#[test]
fn restart_policies_are_known_names() {
    let text = "rules:\n  - name: a\n    require:\n      restart_policies: [no, sometimes]\n";
    let (pos, message) = Policy::parse(text).unwrap_err();
    assert_eq!((pos.line, pos.col), (4, 30), "{message}");
    assert!(
        message.contains("`sometimes` is no restart policy"),
        "{message}"
    );
}

#[test]
fn limits_apply_to_creates_and_updates_from_the_file() {
    let p = Policy::parse(
        "default: allow\nrules:\n  - name: caps\n    operations: [ContainerCreate, ContainerUpdate]\n    require:\n      limits: {memory: 1g, cpus: '0.5', pids: 64}\n",
    )
    .unwrap();
    let create = |body: &str| verdict(&p, "POST", "/v1.44/containers/create", "", body);
    let update = |body: &str| verdict(&p, "POST", "/v1.44/containers/c/update", "", body);
    assert_eq!(
        create(
            r#"{"Image":"mini","HostConfig":{"Memory":1073741824,"NanoCpus":500000000,"PidsLimit":64}}"#
        ),
        None
    );
    assert_eq!(
        create(r#"{"Image":"mini"}"#).as_deref(),
        Some("denied by rule caps: HostConfig.Memory is unlimited, above the ceiling of 1g")
    );
    assert_eq!(
        update(r#"{"Memory":0,"NanoCpus":0,"PidsLimit":null}"#),
        None
    );
    assert_eq!(
        update(r#"{"Memory":0,"CpuQuota":100000}"#).as_deref(),
        Some(
            "denied by rule caps: CpuQuota over CpuPeriod is 1 CPU, above the ceiling of 0.5 CPUs"
        )
    );
    // Go's case-blind keys do not get past: `memory` is not `Memory`,
    // and the upstream never sees it.
    assert_eq!(update(r#"{"memory":8589934592}"#), None);
}

#[test]
fn swap_reservation_shares_and_cpusets_from_the_file() {
    let p = Policy::parse(
        "default: allow\nrules:\n  - name: caps\n    operations: [ContainerCreate, ContainerUpdate]\n    require:\n      limits:\n        memory_swap: 1g\n        memory_reservation: 256m\n        cpu_shares: 512\n        cpuset_cpus: 0-1\n        cpuset_mems: 0\n",
    )
    .unwrap();
    let create = |hc: &str| {
        let body = format!(r#"{{"Image":"mini","HostConfig":{hc}}}"#);
        verdict(&p, "POST", "/v1.44/containers/create", "", &body)
    };
    let update = |body: &str| verdict(&p, "POST", "/v1.44/containers/c/update", "", body);
    let fine = r#"{"Memory":268435456,"MemoryReservation":268435456,"CpuShares":512,"CpusetCpus":"1,0","CpusetMems":"0"}"#;
    assert_eq!(create(fine), None);
    assert_eq!(
        create(r#"{"Memory":268435456,"MemoryReservation":268435456,"CpusetCpus":"0","CpusetMems":"0"}"#).as_deref(),
        Some("denied by rule caps: HostConfig.CpuShares is not set, which is the default weight of 1024, above the ceiling of 512")
    );
    assert_eq!(
        create(r#"{"Memory":268435456,"MemorySwap":-1,"MemoryReservation":1,"CpuShares":2,"CpusetCpus":"0","CpusetMems":"0"}"#).as_deref(),
        Some("denied by rule caps: HostConfig.MemorySwap is unlimited, above the ceiling of 1g")
    );
    // What docker update sends when only the memory changes.
    assert_eq!(
        update(
            r#"{"Memory":536870912,"MemorySwap":0,"MemoryReservation":0,"CpuShares":0,"CpusetCpus":"","CpusetMems":""}"#
        ),
        None
    );
    assert_eq!(
        update(r#"{"CpusetCpus":"2"}"#).as_deref(),
        Some("denied by rule caps: CpusetCpus is 2, which names CPUs outside 0-1")
    );
    assert_eq!(
        update(r#"{"CpusetMems":"0-1"}"#).as_deref(),
        Some("denied by rule caps: CpusetMems is 0-1, which names memory nodes outside 0")
    );
}
