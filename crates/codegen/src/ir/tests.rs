//! Tests of the IR: names of hoisted types, merging, nullability, widths,
//! recursion and the errors for what is not supported.

use super::*;
use crate::convert::convert;
use crate::load::load_str;

fn api(text: &str) -> Api {
    let doc = load_str("t.yaml", text).unwrap();
    build(&convert(&doc).unwrap(), &doc.root).unwrap_or_else(|e| panic!("{e}"))
}

fn error(text: &str) -> IrError {
    let doc = load_str("t.yaml", text).unwrap();
    build(&convert(&doc).unwrap(), &doc.root).unwrap_err()
}

fn strukt<'a>(api: &'a Api, name: &str) -> &'a Struct {
    match &api
        .type_named(name)
        .unwrap_or_else(|| panic!("no type {name}"))
        .kind
    {
        TypeKind::Struct(s) => s,
        other => panic!("{name} is {other:?}"),
    }
}

fn field<'a>(s: &'a Struct, wire: &str) -> &'a Field {
    s.fields
        .iter()
        .find(|f| f.wire == wire)
        .unwrap_or_else(|| panic!("no field {wire}"))
}

const OPS: &str = r##"swagger: "2.0"
info: {title: t, version: "1"}
definitions:
  Config:
    type: object
    properties:
      Healthcheck:
        type: object
        properties:
          Test: {type: array, items: {type: string}}
paths:
  /containers/create:
    post:
      operationId: ContainerCreate
      parameters:
        - name: body
          in: body
          schema:
            allOf:
              - $ref: "#/definitions/Config"
              - type: object
                properties:
                  HostConfig:
                    type: object
                    properties:
                      Memory: {type: integer, format: int64}
        - name: platform
          in: query
          type: string
          enum: [linux, windows]
      responses:
        201:
          description: created
          schema:
            type: object
            required: [Id]
            properties:
              Id: {type: string}
        404:
          description: missing
          schema:
            type: object
            properties:
              message: {type: string}
  /info:
    get:
      operationId: SystemInfo
      responses:
        200:
          description: ok
          schema:
            type: object
            properties:
              Plugins:
                type: array
                items:
                  type: object
                  properties:
                    Name: {type: string}
"##;

#[test]
fn inline_schemas_get_names_from_their_operation_and_property() {
    let api = api(OPS);
    let names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Config",
            "ConfigHealthcheck",
            "ContainerCreateBody",
            "ContainerCreateBodyHostConfig",
            "ContainerCreatePlatform",
            "ContainerCreateResponse",
            "ContainerCreateResponse404",
            "SystemInfoResponse",
            "SystemInfoResponsePluginsItem",
        ]
    );
    // The allOf body has the referenced fields and its own.
    let body = strukt(&api, "ContainerCreateBody");
    let wires: Vec<&str> = body.fields.iter().map(|f| f.wire.as_str()).collect();
    assert_eq!(wires, ["Healthcheck", "HostConfig"]);
    assert_eq!(
        field(body, "Healthcheck").ty,
        TypeRef::Named("ConfigHealthcheck".into())
    );
    assert_eq!(
        field(strukt(&api, "ContainerCreateResponse"), "Id").presence,
        Presence::Required
    );
    let op = &api.operations[0];
    assert_eq!(
        (op.name.as_str(), op.method.as_str()),
        ("ContainerCreate", "POST")
    );
    assert_eq!(
        op.body.as_ref().unwrap().ty,
        Some(TypeRef::Named("ContainerCreateBody".into()))
    );
    assert_eq!(
        op.params[0].ty,
        TypeRef::Named("ContainerCreatePlatform".into())
    );
    assert_eq!(op.responses[0].status, "201");
    assert_eq!(
        op.responses[1].ty,
        Some(TypeRef::Named("ContainerCreateResponse404".into()))
    );
}

#[test]
fn generation_input_order_does_not_matter_for_names() {
    // The same spec twice gives the same IR.
    assert_eq!(api(OPS), api(OPS));
}

const SHAPES: &str = r##"swagger: "2.0"
info: {title: t, version: "1"}
paths: {}
definitions:
  Node:
    type: object
    required: [Kids, Up]
    properties:
      Kids: {type: array, items: {$ref: "#/definitions/Node"}}
      Up:
        $ref: "#/definitions/Node"
        x-nullable: true
      Peer: {$ref: "#/definitions/Peer"}
      Width: {type: integer, format: uint16}
      Count: {type: integer}
      Total: {type: integer, format: uint64}
      Score: {type: number, format: float}
      Map:
        type: object
        additionalProperties:
          type: array
          items: {type: string}
  Peer:
    type: object
    properties:
      Back: {$ref: "#/definitions/Node"}
  Mode:
    type: string
    enum: ["", other, Other, fast]
  Level:
    type: integer
    format: uint8
    default: 1
    enum: [0, 1]
"##;

#[test]
fn widths_nullability_and_recursion() {
    let api = api(SHAPES);
    let node = strukt(&api, "Node");
    let kids = field(node, "Kids");
    assert_eq!(
        kids.presence,
        Presence::RequiredNullable,
        "Go sends null for empty arrays"
    );
    assert!(!kids.boxed, "a Vec already allocates");
    let up = field(node, "Up");
    assert_eq!((up.presence, up.boxed), (Presence::RequiredNullable, true));
    assert_eq!(field(node, "Width").ty, TypeRef::Scalar(Scalar::U16));
    assert_eq!(field(node, "Count").ty, TypeRef::Scalar(Scalar::I64));
    assert_eq!(field(node, "Total").ty, TypeRef::Scalar(Scalar::U64));
    assert_eq!(field(node, "Score").ty, TypeRef::Scalar(Scalar::F32));
    assert_eq!(
        field(node, "Map").ty,
        TypeRef::Map(Box::new(TypeRef::Nullable(Box::new(TypeRef::List(
            Box::new(TypeRef::Scalar(Scalar::String))
        )))))
    );
    // Node -> Peer -> Node: one box breaks the cycle.
    let boxed = usize::from(field(node, "Peer").boxed)
        + usize::from(field(strukt(&api, "Peer"), "Back").boxed);
    assert_eq!(boxed, 1);
    // Every field is an Option, so Node has a Default despite the cycle.
    assert!(api.type_named("Node").unwrap().default);
}

#[test]
fn enums_keep_unknown_values_and_name_every_value() {
    let api = api(SHAPES);
    let TypeKind::StringEnum(mode) = &api.type_named("Mode").unwrap().kind else {
        panic!("Mode is not a string enum");
    };
    let names: Vec<&str> = mode.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["Empty", "OtherValue", "OtherValue2", "Fast"]);
    assert_eq!(mode.fallback, FALLBACK_VARIANT);
    let level = api.type_named("Level").unwrap();
    let TypeKind::IntEnum(e) = &level.kind else {
        panic!("Level is not an integer enum");
    };
    assert_eq!((e.repr, e.default), (Scalar::U8, Some(1)));
    assert!(level.default);
}

#[test]
fn unsupported_constructs_name_their_pointer_and_line() {
    let err = error(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        B:\n          not:\n            type: string\n",
    );
    let at = err.location();
    assert_eq!(at.pointer, "/components/schemas/A/properties/B/not");
    assert_eq!(at.pos.line, 11);
    assert!(err.to_string().contains("`not`"), "{err}");
}

const UNIONS: &str = r##"openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Cat:
      type: object
      properties:
        kind: {type: string}
    Dog:
      type: object
      properties:
        kind: {type: string}
    Pet:
      oneOf:
        - $ref: "#/components/schemas/Cat"
        - $ref: "#/components/schemas/Dog"
        - type: object
          properties:
            Name: {type: string}
        - type: string
        - type: string
          format: date-time
    Maybe:
      oneOf:
        - $ref: "#/components/schemas/Cat"
        - $ref: "#/components/schemas/Dog"
        - type: "null"
    Tagged:
      oneOf:
        - $ref: "#/components/schemas/Cat"
        - $ref: "#/components/schemas/Dog"
      discriminator:
        propertyName: kind
        mapping:
          c: "#/components/schemas/Cat"
          kitty: Cat
    Holder:
      type: object
      properties:
        Maybe:
          $ref: "#/components/schemas/Maybe"
        Num:
          anyOf:
            - type: integer
              format: int32
            - type: number
            - nullable: true
        Single:
          oneOf:
            - $ref: "#/components/schemas/Dog"
            - type: "null"
"##;

fn union<'a>(api: &'a Api, name: &str) -> &'a Union {
    match &api
        .type_named(name)
        .unwrap_or_else(|| panic!("no type {name}"))
        .kind
    {
        TypeKind::Union(u) => u,
        other => panic!("{name} is {other:?}"),
    }
}

fn variants(u: &Union) -> Vec<(&str, &TypeRef, Vec<&str>)> {
    u.variants
        .iter()
        .map(|v| {
            (
                v.name.as_str(),
                &v.ty,
                v.tags.iter().map(String::as_str).collect(),
            )
        })
        .collect()
}

#[test]
fn one_of_branches_are_named_from_refs_types_and_places() {
    let api = api(UNIONS);
    let pet = union(&api, "Pet");
    assert_eq!(pet.tagging, Tagging::Untagged);
    let named = |n: &str| TypeRef::Named(n.to_string());
    assert_eq!(
        variants(pet),
        vec![
            ("Cat", &named("Cat"), vec![]),
            ("Dog", &named("Dog"), vec![]),
            ("Object", &named("PetObject"), vec![]),
            ("String", &TypeRef::Scalar(Scalar::String), vec![]),
            ("String2", &TypeRef::Scalar(Scalar::String), vec![]),
        ]
    );
    assert!(matches!(
        api.type_named("PetObject").map(|t| &t.kind),
        Some(TypeKind::Struct(_))
    ));
    assert!(!api.type_named("Pet").unwrap().default);
}

#[test]
fn a_null_branch_makes_the_value_optional() {
    let ir = api(UNIONS);
    let maybe = union(&ir, "Maybe");
    assert_eq!(maybe.variants.len(), 2, "{maybe:?}");
    let holder = strukt(&ir, "Holder");
    // A reference to a union that allows null is nullable where it is used.
    assert_eq!(field(holder, "Maybe").ty, TypeRef::Named("Maybe".into()));
    let num = field(holder, "Num");
    assert_eq!(num.ty, TypeRef::Named("HolderNum".into()));
    let num = union(&ir, "HolderNum");
    let tys: Vec<&TypeRef> = num.variants.iter().map(|v| &v.ty).collect();
    assert_eq!(
        tys,
        [&TypeRef::Scalar(Scalar::I32), &TypeRef::Scalar(Scalar::F64)]
    );
    // One branch besides null is that branch, nullable.
    assert_eq!(field(holder, "Single").ty, TypeRef::Named("Dog".into()));

    let required = api(&UNIONS.replace(
        "    Holder:\n      type: object\n",
        "    Holder:\n      type: object\n      required: [Maybe, Num, Single]\n",
    ));
    let holder = strukt(&required, "Holder");
    for wire in ["Maybe", "Num", "Single"] {
        assert_eq!(
            field(holder, wire).presence,
            Presence::RequiredNullable,
            "{wire}"
        );
    }
}

#[test]
fn a_discriminator_tags_by_its_property_and_mapping() {
    let api = api(UNIONS);
    let tagged = union(&api, "Tagged");
    assert_eq!(
        tagged.tagging,
        Tagging::Property {
            property: "kind".into(),
            fallback: FALLBACK_VARIANT.into()
        }
    );
    let tags: Vec<(&str, Vec<&str>)> = variants(tagged)
        .into_iter()
        .map(|(n, _, t)| (n, t))
        .collect();
    // Mapped names win; a branch the mapping leaves out is tagged by its name.
    assert_eq!(
        tags,
        vec![("Cat", vec!["c", "kitty"]), ("Dog", vec!["Dog"])]
    );
}

#[test]
fn unions_on_a_cycle_box_the_struct_field_or_are_refused() {
    let node = "    Node:\n      type: object\n      properties:\n        Next:\n          oneOf:\n            - $ref: \"#/components/schemas/Node\"\n            - type: string\n    Holder:\n";
    let api = api(&UNIONS.replace("    Holder:\n", node));
    // A struct reached again through a union: its field takes the box.
    assert!(field(strukt(&api, "Node"), "Next").boxed);
    assert_eq!(union(&api, "NodeNext").variants.len(), 2);

    let bare = "    Expr:\n      oneOf:\n        - type: integer\n        - $ref: \"#/components/schemas/Neg\"\n    Neg:\n      anyOf:\n        - $ref: \"#/components/schemas/Expr\"\n        - type: boolean\n    Holder:\n";
    let err = error(&UNIONS.replace("    Holder:\n", bare));
    assert_eq!(err.location().pointer, "/components/schemas/Expr");
    assert!(err.to_string().contains("`Expr` holds itself"), "{err}");
}

#[test]
fn union_errors_name_their_pointer() {
    let inline_branch = error(&UNIONS.replace(
        "        - $ref: \"#/components/schemas/Dog\"\n      discriminator:",
        "        - type: object\n      discriminator:",
    ));
    assert_eq!(
        inline_branch.location().pointer,
        "/components/schemas/Tagged/oneOf/1"
    );
    assert!(
        inline_branch.to_string().contains("needs a `$ref`"),
        "{inline_branch}"
    );

    let stray = error(&UNIONS.replace("kitty: Cat", "kitty: Holder"));
    assert_eq!(
        stray.location().pointer,
        "/components/schemas/Tagged/discriminator"
    );
    assert!(stray.to_string().contains("`Holder`"), "{stray}");

    let beside = error(&UNIONS.replace(
        "    Maybe:\n      oneOf:",
        "    Maybe:\n      properties:\n        X: {type: string}\n      oneOf:",
    ));
    assert_eq!(beside.location().pointer, "/components/schemas/Maybe/oneOf");
}

#[test]
fn swagger_errors_point_into_the_swagger_source() {
    let err = error(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    post:\n      parameters:\n        - name: b\n          in: body\n          schema:\n            $ref: 'other.yaml#/definitions/X'\n      responses:\n        200: {description: ok}\n",
    );
    assert_eq!(
        err.location().pointer,
        "/paths/~1x/post/parameters/0/schema"
    );
    assert_eq!(err.location().pos.line, 10);
}

#[test]
fn allof_cycles_are_errors() {
    let err = error(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\ndefinitions:\n  A:\n    allOf: [{$ref: '#/definitions/B'}, {properties: {x: {type: string}}}]\n  B:\n    allOf: [{$ref: '#/definitions/A'}, {properties: {y: {type: string}}}]\n",
    );
    assert!(err.to_string().contains("includes itself"), "{err}");
}

const ENCODINGS: &str = r##"swagger: "2.0"
info: {title: t, version: "1"}
definitions:
  AuthConfig:
    type: object
    properties:
      username: {type: string}
  Mode:
    type: string
    enum: [fast, slow]
paths:
  /things/{id}/{n}:
    post:
      operationId: ThingPost
      parameters:
        - {name: id, in: path, required: true, type: string}
        - {name: n, in: path, required: true, type: integer}
        - {name: all, in: query, type: boolean}
        - {name: limit, in: query, type: integer}
        - {name: mode, in: query, type: string, enum: [a, b]}
        - {name: filters, in: query, type: string}
        - {name: names, in: query, type: array, items: {type: string}, collectionFormat: multi}
        - {name: tags, in: query, type: array, items: {type: string}}
        - {name: sizes, in: query, type: array, items: {type: integer}, collectionFormat: multi}
        - {name: X-Registry-Auth, in: header, type: string}
        - {name: X-Count, in: header, type: integer}
      responses:
        204: {description: done}
"##;

#[test]
fn each_parameter_gets_one_wire_encoding() {
    let api = api(ENCODINGS);
    let op = &api.operations[0];
    let enc = |wire: &str| {
        op.params
            .iter()
            .find(|p| p.wire == wire)
            .unwrap_or_else(|| panic!("no parameter {wire}"))
            .encoding
            .clone()
    };
    assert_eq!(enc("id"), ParamEncoding::Path(Text::String));
    assert_eq!(enc("n"), ParamEncoding::Path(Text::Number(Scalar::I64)));
    assert_eq!(enc("all"), ParamEncoding::Query(Text::Bool));
    assert_eq!(
        enc("limit"),
        ParamEncoding::Query(Text::Number(Scalar::I64))
    );
    assert!(matches!(
        enc("mode"),
        ParamEncoding::Query(Text::StringEnum(_))
    ));
    assert_eq!(enc("filters"), ParamEncoding::QueryFilters);
    assert_eq!(enc("names"), ParamEncoding::QueryRepeated(Text::String));
    assert_eq!(enc("tags"), ParamEncoding::QueryCsv(Text::String));
    // Items without a text form the server could split: JSON text.
    assert_eq!(enc("sizes"), ParamEncoding::QueryJson);
    assert_eq!(enc("X-Registry-Auth"), ParamEncoding::HeaderAuth);
    // Headers are strings (or string enums) on both sides.
    assert_eq!(enc("X-Count"), ParamEncoding::Header(Text::String));

    // Without an `AuthConfig` type the registry header is a plain string.
    let plain = api_without_auth_config();
    let p = &plain.operations[0].params[0];
    assert_eq!(p.encoding, ParamEncoding::Header(Text::String));
}

fn api_without_auth_config() -> Api {
    api(r##"swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /push:
    post:
      operationId: Push
      parameters:
        - {name: X-Registry-Auth, in: header, type: string}
      responses:
        204: {description: done}
"##)
}
