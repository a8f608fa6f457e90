//! The generated `engine_api::types` against JSON shaped like dockerd's:
//! unknown enum values survive, `null` arrays and maps read, optional
//! fields are not sent, and the spec's `allOf` types carry every field.

use engine_api::types::*;
use serde_json::json;

#[test]
fn a_status_a_newer_daemon_invents_is_kept() {
    let state: ContainerState =
        serde_json::from_value(json!({"Status": "hibernating", "Running": false})).unwrap();
    assert_eq!(
        state.status,
        Some(ContainerStateStatus::Other("hibernating".into()))
    );
    assert_eq!(
        serde_json::to_value(&state).unwrap(),
        json!({"Status": "hibernating", "Running": false})
    );
    assert_eq!(
        serde_json::from_value::<ContainerStateStatus>(json!("running")).unwrap(),
        ContainerStateStatus::Running
    );
}

#[test]
fn null_port_bindings_and_missing_fields_read() {
    let ports: PortMap = serde_json::from_value(
        json!({"80/tcp": null, "443/tcp": [{"HostIp": "", "HostPort": "8443"}]}),
    )
    .unwrap();
    assert_eq!(ports["80/tcp"], None);
    assert_eq!(
        ports["443/tcp"].as_ref().unwrap()[0].host_port.as_deref(),
        Some("8443")
    );
    let summary: ContainerSummary =
        serde_json::from_value(json!({"Id": "abc", "Names": null})).unwrap();
    assert_eq!(summary.names, None);
    // The explicit null is written back (see types_roundtrip.rs).
    assert_eq!(
        serde_json::to_value(&summary).unwrap(),
        json!({"Id": "abc", "Names": null})
    );
}

#[test]
fn host_config_merges_resources_and_its_own_fields() {
    // HostConfig is `allOf: [Resources, {...}]` in the spec.
    let hc: HostConfig = serde_json::from_value(json!({
        "Memory": 1048576, "CpuShares": 512, "NetworkMode": "bridge",
        "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}
    }))
    .unwrap();
    assert_eq!(hc.memory, Some(1_048_576));
    assert_eq!(hc.network_mode.as_deref(), Some("bridge"));
    let policy = hc.restart_policy.unwrap();
    assert_eq!(policy.name, Some(RestartPolicyName::OnFailure));
    assert_eq!(
        HostConfig::default(),
        serde_json::from_value(json!({})).unwrap()
    );
}
