//! Round-trip fidelity of the generated types against what a real daemon
//! sends: each body captured from Debian's dockerd 20.10 (see
//! tests/fixtures/capture.sh) is decoded into the generated type of its
//! response and encoded back; the result must equal the input as JSON: no
//! field lost, none invented, no value changed.

use std::path::Path;

use engine_api::types::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/dockerd-20.10.24");

/// Where two JSON values differ, as JSON pointers (empty when equal).
fn differences(a: &Value, b: &Value, ptr: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => differences(v, w, &format!("{ptr}/{k}"), out),
                    None => out.push(format!("{ptr}/{k}: lost (was {v})")),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{ptr}/{k}: invented ({})", y[k]));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, &format!("{ptr}/{i}"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{ptr}: {a} became {b}")),
    }
}

#[track_caller]
fn round_trip<T: DeserializeOwned + Serialize>(file: &str) {
    let path = Path::new(FIXTURES).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let input: Value = serde_json::from_str(&text).unwrap();
    let typed: T = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{file} does not decode into {}: {e}",
            std::any::type_name::<T>()
        )
    });
    let output = serde_json::to_value(&typed).unwrap();
    let mut diffs = Vec::new();
    differences(&input, &output, "", &mut diffs);
    assert!(
        diffs.is_empty(),
        "{file} as {}:\n  {}",
        std::any::type_name::<T>(),
        diffs.join("\n  ")
    );
}

#[test]
fn version() {
    round_trip::<SystemVersion>("version.json");
}

#[test]
fn info() {
    round_trip::<SystemInfo>("info.json");
}

#[test]
fn containers_list() {
    round_trip::<Vec<ContainerSummary>>("containers-list.json");
}

#[test]
fn container_inspect_in_every_state() {
    for state in ["created", "running", "paused", "exited"] {
        round_trip::<ContainerInspectResponse>(&format!("container-inspect-{state}.json"));
    }
}

#[test]
fn container_top() {
    round_trip::<ContainerTopResponse>("container-top.json");
}

#[test]
fn images() {
    round_trip::<Vec<ImageSummary>>("images-list.json");
    round_trip::<ImageInspect>("image-inspect.json");
}

#[test]
fn volumes() {
    round_trip::<VolumeListResponse>("volumes-list.json");
    round_trip::<Volume>("volume-inspect.json");
}

#[test]
fn networks() {
    round_trip::<Vec<Network>>("networks-list.json");
}

#[test]
fn system_df() {
    round_trip::<SystemDataUsageResponse>("system-df.json");
}

#[test]
fn error_body() {
    round_trip::<ErrorResponse>("error-not-found.json");
}

/// The fixture `file` with the string at each JSON pointer of `edits`
/// replaced, as JSON text.
fn edited(file: &str, edits: &[(&str, &str)]) -> String {
    let path = Path::new(FIXTURES).join(file);
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (pointer, text) in edits {
        *value
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{file} has no {pointer}")) = Value::from(*text);
    }
    value.to_string()
}

#[test]
fn enum_values_the_spec_does_not_list_survive() {
    let text = edited(
        "container-inspect-running.json",
        &[
            ("/State/Status", "hibernating"),
            ("/HostConfig/RestartPolicy/Name", "on-full-moon"),
            ("/Mounts/0/Type", "cephfs"),
        ],
    );
    let typed: ContainerInspectResponse = serde_json::from_str(&text).unwrap();
    let state = typed.state.as_ref().unwrap();
    assert_eq!(
        state.status,
        Some(ContainerStateStatus::Other("hibernating".into()))
    );
    let policy = typed
        .host_config
        .as_ref()
        .unwrap()
        .restart_policy
        .as_ref()
        .unwrap();
    assert_eq!(
        policy.name,
        Some(RestartPolicyName::Other("on-full-moon".into()))
    );
    let mounts = typed.mounts.as_ref().unwrap();
    assert_eq!(
        mounts[0].r#type.as_ref().map(|t| t.as_str()),
        Some("cephfs")
    );
    let mut diffs = Vec::new();
    let input: Value = serde_json::from_str(&text).unwrap();
    differences(
        &input,
        &serde_json::to_value(&typed).unwrap(),
        "",
        &mut diffs,
    );
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));

    // Listed values decode to their own variants, not to the fallback.
    let running: ContainerInspectResponse =
        serde_json::from_str(&edited("container-inspect-running.json", &[])).unwrap();
    assert_eq!(
        running.state.unwrap().status,
        Some(ContainerStateStatus::Running)
    );
}

#[test]
fn fields_the_spec_does_not_declare_are_kept_and_readable() {
    let path = Path::new(FIXTURES).join("info.json");
    let info: SystemInfo = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // KernelMemory is gone from the 1.44 spec; dockerd 20.10 still sends it.
    assert_eq!(info.rest.get("KernelMemory"), Some(&Value::Bool(true)));
    assert!(info
        .rest
        .fields()
        .keys()
        .all(|k| k != "ID" && k != "Containers"));
}

#[test]
fn values_built_in_rust_leave_none_fields_out() {
    let config = HostConfig {
        binds: Some(vec!["/src:/dst:ro".into()]),
        network_mode: Some("bridge".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&config).unwrap(),
        serde_json::json!({"Binds": ["/src:/dst:ro"], "NetworkMode": "bridge"})
    );
    assert_eq!(
        serde_json::to_value(HostConfig::default()).unwrap(),
        serde_json::json!({})
    );
}

#[test]
fn an_explicit_null_is_written_back_and_absent_fields_stay_absent() {
    let config: HostConfig = serde_json::from_str(r#"{"Binds": null}"#).unwrap();
    assert_eq!(config.binds, None);
    assert_eq!(serde_json::to_string(&config).unwrap(), r#"{"Binds":null}"#);
    // Equal to the value built in Rust: a recorded null is encoding, not data.
    assert_eq!(config, HostConfig::default());
    // A value set after decoding wins over the recorded null.
    let mut config = config;
    config.binds = Some(vec!["/a:/b".into()]);
    assert_eq!(
        serde_json::to_string(&config).unwrap(),
        r#"{"Binds":["/a:/b"]}"#
    );
    config.binds = None;
    config.rest.clear_nulls();
    assert_eq!(serde_json::to_string(&config).unwrap(), "{}");
}

#[test]
fn a_required_field_left_out_is_still_an_error() {
    let err = serde_json::from_str::<Port>(r#"{"Type": "tcp"}"#).unwrap_err();
    assert!(err.to_string().contains("PrivatePort"), "{err}");
}

#[test]
fn a_required_nullable_field_is_sent_as_null_unless_it_was_left_out() {
    // `Warnings` is required but may be null (a Go slice).
    let built = ContainerCreateResponse {
        id: "abc".into(),
        warnings: None,
        rest: Default::default(),
    };
    assert_eq!(
        serde_json::to_string(&built).unwrap(),
        r#"{"Id":"abc","Warnings":null}"#
    );
    let read: ContainerCreateResponse = serde_json::from_str(r#"{"Id":"abc"}"#).unwrap();
    assert_eq!(read, built);
    assert_eq!(serde_json::to_string(&read).unwrap(), r#"{"Id":"abc"}"#);
}
