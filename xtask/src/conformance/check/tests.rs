//! The checker against hand-made answers of the repository's swagger.yaml:
//! each broken answer gives a deviation at the right pointer, and a
//! correct one gives none.

use std::sync::OnceLock;

use codegen::ir::{Api, Operation};
use serde_json::json;

use super::{check_answer, Answer};

fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let spec = crate::project_root().join("swagger.yaml");
        codegen::emit::load_api(&spec).expect("swagger.yaml loads into the IR")
    })
}

fn op(id: &str) -> &'static Operation {
    api()
        .operations
        .iter()
        .find(|o| o.operation_id == id)
        .expect("the operation is in the spec")
}

fn json_answer(status: u16, body: serde_json::Value) -> Answer {
    Answer {
        status,
        headers: Some(vec![
            ("Api-Version".into(), "1.44".into()),
            ("Content-Type".into(), "application/json".into()),
        ]),
        body: Some(serde_json::to_vec(&body).unwrap()),
        complete: true,
    }
}

/// (place, pointer) of every deviation.
fn found(id: &str, answer: &Answer) -> Vec<(String, String)> {
    check_answer(api(), op(id), answer)
        .into_iter()
        .map(|d| (d.place, d.pointer))
        .collect()
}

fn at(place: &str, pointer: &str) -> (String, String) {
    (place.to_string(), pointer.to_string())
}

#[test]
fn a_correct_answer_has_no_deviation() {
    let answer = json_answer(
        201,
        json!({"Id": "abc", "Warnings": [], "Unknown": {"x": 1}}),
    );
    assert_eq!(found("ContainerCreate", &answer), vec![]);
}

#[test]
fn a_missing_required_field_is_caught_with_its_pointer() {
    let answer = json_answer(201, json!({"Warnings": []}));
    assert_eq!(found("ContainerCreate", &answer), vec![at("body", "/Id")]);
}

#[test]
fn a_required_field_sent_as_null_is_caught() {
    let answer = json_answer(201, json!({"Id": null, "Warnings": []}));
    let all = check_answer(api(), op("ContainerCreate"), &answer);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].pointer, "/Id");
    assert!(all[0].what.contains("null"), "{}", all[0].what);
}

#[test]
fn a_wrong_type_is_caught_with_its_pointer() {
    let answer = json_answer(201, json!({"Id": 5, "Warnings": "none"}));
    assert_eq!(
        found("ContainerCreate", &answer),
        vec![at("body", "/Id"), at("body", "/Warnings")]
    );
}

#[test]
fn a_wrong_enum_value_deep_inside_is_caught() {
    let answer = json_answer(200, json!({"Id": "abc", "State": {"Status": "sleeping"}}));
    let all = check_answer(api(), op("ContainerInspect"), &answer);
    let pointers: Vec<&str> = all.iter().map(|d| d.pointer.as_str()).collect();
    assert!(pointers.contains(&"/State/Status"), "{all:?}");
    let d = all.iter().find(|d| d.pointer == "/State/Status").unwrap();
    assert!(
        d.what.contains("`sleeping`") && d.what.contains("`running`"),
        "{}",
        d.what
    );
}

#[test]
fn items_of_a_list_are_pointed_at_by_index() {
    let answer = json_answer(200, json!([{"Id": "a", "Names": ["/a"]}, {"Id": 7}]));
    let all = check_answer(api(), op("ContainerList"), &answer);
    assert!(all.iter().any(|d| d.pointer == "/1/Id"), "{all:?}");
    assert!(!all.iter().any(|d| d.pointer.starts_with("/0")), "{all:?}");
}

#[test]
fn an_undocumented_status_is_caught() {
    let answer = Answer {
        status: 418,
        ..Answer::default()
    };
    let all = check_answer(api(), op("ContainerInspect"), &answer);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].place, "status");
    assert!(
        all[0].what.contains("418") && all[0].what.contains("404"),
        "{}",
        all[0].what
    );
}

#[test]
fn missing_api_version_and_a_wrong_content_type_are_caught() {
    let mut answer = json_answer(201, json!({"Id": "abc", "Warnings": []}));
    answer.headers = Some(vec![("Content-Type".into(), "text/html".into())]);
    assert_eq!(
        found("ContainerCreate", &answer),
        vec![at("header Api-Version", ""), at("header Content-Type", "")]
    );
}

#[test]
fn every_message_of_a_json_stream_is_checked() {
    let body = b"{\"status\":\"ok\"}\n{\"status\":5}\n{\"status\":\"part".to_vec();
    let answer = Answer {
        status: 200,
        headers: Some(vec![
            ("Api-Version".into(), "1.44".into()),
            ("Content-Type".into(), "application/json".into()),
        ]),
        body: Some(body),
        complete: false,
    };
    assert_eq!(
        found("ImageCreate", &answer),
        vec![at("message 1", "/status")]
    );
}

#[test]
fn body_that_is_not_json_is_caught() {
    let mut answer = json_answer(201, json!({}));
    answer.body = Some(b"<html>".to_vec());
    assert_eq!(found("ContainerCreate", &answer), vec![at("body", "")]);
}

#[test]
fn an_upgrade_is_accepted_only_where_the_connection_is_taken_over() {
    let upgraded = Answer {
        status: 101,
        headers: Some(vec![("Upgrade".into(), "tcp".into())]),
        body: None,
        complete: false,
    };
    assert_eq!(found("ExecStart", &upgraded), vec![]);
    assert_eq!(found("ContainerInspect", &upgraded), vec![at("status", "")]);
}

#[test]
fn broken_multiplexed_frames_are_caught() {
    let answer = |body: Vec<u8>| Answer {
        status: 200,
        headers: Some(vec![
            ("Api-Version".into(), "1.44".into()),
            (
                "Content-Type".into(),
                "application/vnd.docker.multiplexed-stream".into(),
            ),
        ]),
        body: Some(body),
        complete: true,
    };
    let good = [&[1u8, 0, 0, 0, 0, 0, 0, 2][..], b"hi"].concat();
    assert_eq!(found("ContainerLogs", &answer(good.clone())), vec![]);
    let bad_kind = [&good[..], &[7u8, 0, 0, 0, 0, 0, 0, 0][..]].concat();
    let all = check_answer(api(), op("ContainerLogs"), &answer(bad_kind));
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(
        all[0].what.contains("byte 10") && all[0].what.contains("stream 7"),
        "{}",
        all[0].what
    );
    let cut = [&good[..], &[2u8, 0, 0, 0, 0, 0, 0, 9, b'x'][..]].concat();
    assert_eq!(found("ContainerLogs", &answer(cut)), vec![at("body", "")]);
}
