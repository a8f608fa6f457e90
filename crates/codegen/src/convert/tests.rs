//! Tests of the Swagger 2.0 to OpenAPI 3.0 conversion.

use openapiv3::{ReferenceOr, SchemaKind, Type};
use serde_json::json;

use super::*;
use crate::load::load_str;

const SPEC: &str = r##"swagger: "2.0"
info: {title: t, version: "1"}
basePath: /v1
consumes: [application/json]
produces: [application/json]
x-top: kept
definitions:
  Thing:
    type: object
    x-go-name: GoThing
    properties:
      Parent:
        $ref: "#/definitions/Thing"
        x-nullable: true
        description: up
      Kind:
        type: string
        enum: [a, b]
  Upload:
    type: file
paths:
  /things/{id}:
    parameters:
      - {name: id, in: path, type: string, required: true}
    post:
      operationId: ThingUpdate
      consumes: [application/json, text/plain]
      parameters:
        - name: body
          in: body
          required: true
          schema: {$ref: "#/definitions/Thing"}
        - name: names
          in: query
          type: array
          items: {type: string}
          collectionFormat: multi
      responses:
        200:
          description: ok
          headers:
            X-Count: {type: integer, format: int64, description: how many}
          schema: {$ref: "#/definitions/Thing"}
          examples:
            application/json: {Kind: a}
        204: {description: nothing, x-note: yes}
  /form:
    post:
      operationId: FormPost
      parameters:
        - {name: file, in: formData, type: file, required: true}
        - {name: tag, in: formData, type: string}
      responses:
        200: {description: ok}
"##;

fn converted() -> serde_json::Value {
    let doc = load_str("t.yaml", SPEC).unwrap();
    swagger2_to_openapi3(&doc.root.to_json())
}

#[test]
fn definitions_move_to_components_with_refs_and_extensions() {
    let out = converted();
    assert_eq!(out["openapi"], "3.0.3");
    assert_eq!(out["x-top"], "kept");
    assert_eq!(out["servers"], json!([{"url": "/v1"}]));
    let thing = &out["components"]["schemas"]["Thing"];
    assert_eq!(thing["x-go-name"], "GoThing");
    assert_eq!(
        thing["properties"]["Parent"],
        json!({"allOf": [{"$ref": "#/components/schemas/Thing"}],
               "x-nullable": true, "nullable": true, "description": "up"})
    );
    assert_eq!(
        out["components"]["schemas"]["Upload"],
        json!({"type": "string", "format": "binary"})
    );
}

#[test]
fn body_parameter_becomes_request_body_per_consumed_type() {
    let out = converted();
    let op = &out["paths"]["/things/{id}"]["post"];
    let body = &op["requestBody"];
    assert_eq!(body["required"], true);
    assert_eq!(body["x-codegen-request-body-name"], "body");
    for ct in ["application/json", "text/plain"] {
        assert_eq!(
            body["content"][ct]["schema"],
            json!({"$ref": "#/components/schemas/Thing"})
        );
    }
    let names = &op["parameters"][0];
    assert_eq!(names["name"], "names");
    assert_eq!(names["style"], "form");
    assert_eq!(names["explode"], true);
    assert_eq!(
        names["schema"],
        json!({"type": "array", "items": {"type": "string"}})
    );
    // The shared path parameter stays on the path item.
    assert_eq!(
        out["paths"]["/things/{id}"]["parameters"][0]["schema"],
        json!({"type": "string"})
    );
}

#[test]
fn responses_get_content_headers_and_examples() {
    let out = converted();
    let r = &out["paths"]["/things/{id}"]["post"]["responses"];
    assert_eq!(
        r["200"]["headers"]["X-Count"],
        json!({"description": "how many", "schema": {"type": "integer", "format": "int64"}})
    );
    assert_eq!(
        r["200"]["content"]["application/json"]["example"],
        json!({"Kind": "a"})
    );
    assert_eq!(r["204"], json!({"description": "nothing", "x-note": true}));
}

#[test]
fn form_fields_become_one_multipart_object() {
    let out = converted();
    let body = &out["paths"]["/form"]["post"]["requestBody"];
    assert_eq!(body["required"], true);
    assert_eq!(
        body["content"]["multipart/form-data"]["schema"],
        json!({"type": "object",
               "properties": {"file": {"type": "string", "format": "binary"},
                              "tag": {"type": "string"}},
               "required": ["file"]})
    );
}

#[test]
fn the_result_fits_the_openapi3_model_and_maps_back_to_source() {
    let doc = load_str("t.yaml", SPEC).unwrap();
    let conv = convert(&doc).unwrap();
    let thing = match &conv.api.components.as_ref().unwrap().schemas["Thing"] {
        ReferenceOr::Item(s) => s,
        other => panic!("unexpected {other:?}"),
    };
    assert!(matches!(
        thing.schema_kind,
        SchemaKind::Type(Type::Object(_))
    ));
    let at = conv.source_map.locate(
        &doc.root,
        "/paths/~1things~1{id}/post/requestBody/content/text~1plain/schema",
    );
    assert_eq!(at.pointer, "/paths/~1things~1{id}/post/parameters/0/schema");
    assert_eq!(at.pos.line, 32);
}

#[test]
fn openapi3_is_used_as_is() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
    let doc = load_str("t.yaml", text).unwrap();
    let conv = convert(&doc).unwrap();
    assert_eq!(conv.api.openapi, "3.0.3");
    assert_eq!(conv.source_map.source_pointer("/paths"), "/paths");
}

#[test]
fn components_read_apart_make_the_model_read_whole() {
    let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../swagger.yaml");
    let mut specs = vec![converted()];
    if let Ok(doc) = crate::load::load_file(&project) {
        specs.push(swagger2_to_openapi3(&doc.root.to_json()));
    }
    for json in specs {
        let whole = OpenAPI::deserialize(&json).unwrap();
        assert!(whole.components.is_some());
        let mut split = json.clone();
        assert_eq!(read_model(&mut split), Some(whole));
    }
    // A spec that does not fit, in either half, is given back as it was.
    for broken in [
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
               "components": {"schemas": 3}}),
        json!({"openapi": "3.0.3", "info": 7, "paths": {},
               "components": {"schemas": {}}}),
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
               "paths": {"/x": 5}, "components": {"schemas": {}}}),
    ] {
        let mut json = broken.clone();
        assert_eq!(read_model(&mut json), None);
        assert_eq!(json, broken);
    }
    // A spec without paths is refused as before.
    let mut json = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}});
    assert_eq!(read_model(&mut json), None);
    // No components, or null ones: no components.
    let none = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                      "paths": {}, "components": null});
    let mut json = none.clone();
    assert_eq!(read_model(&mut json).map(|api| api.components), Some(None));
}
