//! The server emitter on the repository's own spec: what the generated
//! module declares, and the name-clash guard.

use std::path::Path;

use super::*;
use crate::ir::{TypeDef, TypeKind, TypeRef};

fn project_api() -> Api {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../swagger.yaml");
    crate::emit::load_api(&spec).expect("the project's spec loads")
}

#[test]
fn declares_requests_replies_traits_and_routes() {
    let api = project_api();
    let text = server_module(&api).unwrap();
    for needle in [
        "pub struct ContainerListRequest {",
        "pub all: bool,",
        "pub filters: Option<rt::Filters>,",
        "pub enum ContainerListReply {",
        "Ok(Vec<ContainerSummary>),",
        "pub trait ContainerApi: Send + Sync {",
        "rt::not_implemented(\"ContainerList\")",
        "pub type SystemPingHeadReply = SystemPingReply;",
        "self.system_ping(req)",
        "pub x_registry_auth: AuthConfig,",
        "Ok(rt::Hijack),",
        "Ok(rt::LogStream),",
        "Ok(rt::JsonStream<EventMessage>),",
        "reply.bytes(200, \"application/x-tar\", body)",
        "pub trait Api:",
        "path: \"/containers/json\",",
    ] {
        assert!(text.contains(needle), "missing `{needle}`");
    }
    // One route per operation, and every operation dispatched.
    assert_eq!(text.matches("rt::Route {").count(), api.operations.len());
    assert_eq!(
        text.matches("async fn serve_").count(),
        api.operations.len()
    );
    // Deterministic.
    assert_eq!(text, server_module(&api).unwrap());
}

#[test]
fn a_spec_type_named_like_a_generated_item_is_refused() {
    let mut api = project_api();
    api.types.push(TypeDef {
        name: "ContainerListRequest".into(),
        doc: None,
        source: "#/definitions/ContainerListRequest".into(),
        kind: TypeKind::Alias(TypeRef::Scalar(crate::ir::Scalar::String)),
        default: false,
    });
    api.types.sort_by(|a, b| a.name.cmp(&b.name));
    match server_module(&api) {
        Err(EmitError::NameClash(name)) => assert_eq!(name, "ContainerListRequest"),
        other => panic!("expected a name clash, got {:?}", other.map(|_| ())),
    }
}
