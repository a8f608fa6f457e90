//! The generated client covers the spec: one `pub async fn` per operation
//! of the IR, named after its operationId, and nothing else. (Calling every
//! operation against a test backend is the server/client round trip's job.)

use std::path::Path;

use codegen::emit::client::method_name;

#[test]
fn every_operation_has_exactly_one_client_method() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let api = codegen::emit::load_api(&root.join("swagger.yaml")).expect("swagger.yaml loads");
    let text = std::fs::read_to_string(root.join("crates/engine-api/src/generated/client.rs"))
        .expect("crates/engine-api/src/generated/client.rs exists (run `cargo xtask codegen`)");
    let mut missing = Vec::new();
    for op in &api.operations {
        let sig = format!("pub async fn {}(", method_name(op));
        match text.matches(&sig).count() {
            1 => {}
            n => missing.push(format!("{} ({sig}: {n} times)", op.operation_id)),
        }
    }
    assert!(
        missing.is_empty(),
        "operations without exactly one method: {missing:?}"
    );
    assert_eq!(
        text.matches("pub async fn ").count(),
        api.operations.len(),
        "the client has methods that are not operations"
    );
    // The project's spec documents 107 operations (Engine API 1.44).
    assert_eq!(api.operations.len(), 107);
}
