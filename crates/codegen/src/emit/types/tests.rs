//! The types emitter: serde impls written as text are valid Rust that does
//! what the IR says, and the output does not depend on the thread count.

use std::path::PathBuf;

use super::*;

fn field(name: &str, wire: &str, ty: TypeRef, presence: Presence) -> Field {
    Field {
        name: name.into(),
        wire: wire.into(),
        ty,
        presence,
        doc: None,
        boxed: false,
    }
}

fn holder() -> TypeDef {
    let string = || TypeRef::Scalar(Scalar::String);
    TypeDef {
        name: "Holder".into(),
        doc: Some("A holder.".into()),
        source: "#/definitions/Holder".into(),
        kind: TypeKind::Struct(Struct {
            fields: vec![
                field("id", "Id", string(), Presence::Required),
                field(
                    "items",
                    "Items",
                    TypeRef::List(Box::new(string())),
                    Presence::RequiredNullable,
                ),
                field("rest", "rest", string(), Presence::Optional),
                field(
                    "a_field_with_a_rather_long_name_that_does_not_fit",
                    "AFieldWithARatherLongNameThatDoesNotFit",
                    string(),
                    Presence::Optional,
                ),
            ],
            extra: Some(Extra {
                name: "additional_properties".into(),
                value: TypeRef::Scalar(Scalar::Any),
            }),
        }),
        default: false,
    }
}

fn api(types: Vec<TypeDef>) -> Api {
    Api {
        title: "T".into(),
        version: "1".into(),
        description: None,
        types,
        operations: Vec::new(),
    }
}

#[test]
fn struct_impls_are_valid_rust_that_follows_the_presence_of_each_field() {
    let text = types_module(&api(vec![holder()])).unwrap();
    let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    // The struct and its two impls.
    assert_eq!(file.items.len(), 4, "{text}"); // use, struct, 2 impls
    for line in [
        "    pub rest_: wire::Rest<1>,",
        "        wire::write(&mut __map, \"Id\", &self.id)?;",
        "        self.rest_.write_nullable(&mut __map, \"Items\", &self.items, 0)?;",
        "        self.rest_.write_optional(&mut __map, \"rest\", &self.rest, 1)?;",
        "        wire::write_extra(&mut __map, &self.additional_properties)?;",
        "        self.rest_.end(__map)",
        "                        \"Id\" => id = Some(__map.next_value()?),",
        "                        _ => wire::read_extra(&mut additional_properties, __key, &mut __map)?,",
        "                    id: wire::required::<A, _>(id, \"Id\")?,",
        "                    items: __rest.take_nullable(items, 0),",
        "                    rest_: __rest,",
        // Too long for one line: one argument a line.
        "        self.rest_.write_optional(",
        "            \"AFieldWithARatherLongNameThatDoesNotFit\",",
    ] {
        assert!(text.lines().any(|l| l == line), "no line {line:?} in\n{text}");
    }
    assert!(
        text.contains("#[derive(Debug, Clone, PartialEq)]\n"),
        "Holder has no default:\n{text}"
    );
}

#[test]
fn a_struct_without_fields_or_nulls_has_no_needless_mut() {
    let empty = TypeDef {
        name: "Empty".into(),
        doc: None,
        source: "#/definitions/Empty".into(),
        kind: TypeKind::Struct(Struct {
            fields: Vec::new(),
            extra: None,
        }),
        default: true,
    };
    let text = types_module(&api(vec![empty])).unwrap();
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(
        text.contains("let __map = wire::begin(serializer)?;"),
        "{text}"
    );
    assert!(text.contains("pub rest: wire::Rest<0>,"), "{text}");
    assert!(
        text.contains("__rest.read_unknown(__key, &mut __map)?;"),
        "{text}"
    );
}

#[test]
fn a_bad_field_name_is_an_error_not_a_panic() {
    let mut def = holder();
    if let TypeKind::Struct(s) = &mut def.kind {
        s.fields[0].name = "not an ident".into();
    }
    assert!(matches!(
        types_module(&api(vec![def])),
        Err(EmitError::BadName(n)) if n == "not an ident"
    ));
}

#[test]
fn the_output_does_not_depend_on_the_number_of_threads() {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../swagger.yaml");
    let api = crate::emit::load_api(&spec).unwrap();
    let one = in_parallel(&api, 1).unwrap().concat();
    for threads in [2, 3, 7] {
        let runs = in_parallel(&api, threads).unwrap();
        assert!(runs.len() <= threads);
        assert_eq!(runs.concat(), one, "{threads} threads");
    }
    assert!(in_parallel(&self::api(Vec::new()), 2)
        .unwrap()
        .concat()
        .is_empty());
}

fn union_def(name: &str, tagging: Tagging, variants: Vec<(&str, TypeRef, &[&str])>) -> TypeDef {
    TypeDef {
        name: name.into(),
        doc: None,
        source: format!("#/components/schemas/{name}"),
        kind: TypeKind::Union(Union {
            variants: variants
                .into_iter()
                .map(|(v, ty, tags)| UnionVariant {
                    name: v.into(),
                    ty,
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                })
                .collect(),
            tagging,
        }),
        default: false,
    }
}

#[test]
fn union_impls_try_branches_in_order_or_follow_the_tag() {
    let untagged = union_def(
        "Value",
        Tagging::Untagged,
        vec![
            ("Integer", TypeRef::Scalar(Scalar::I64), &[]),
            ("String", TypeRef::Scalar(Scalar::String), &[]),
        ],
    );
    let tagged = union_def(
        "Pet",
        Tagging::Property {
            property: "kind".into(),
            fallback: "Other".into(),
        },
        vec![("Holder", TypeRef::Named("Holder".into()), &["h", "holder"])],
    );
    let text = types_module(&api(vec![holder(), tagged, untagged])).unwrap();
    let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    // use, the struct and its 2 impls, then each union and its 2 impls.
    assert_eq!(file.items.len(), 10, "{text}");
    let integer = text
        .find("return Ok(Self::Integer(branch));")
        .unwrap_or_else(|| panic!("{text}"));
    let string = text
        .find("return Ok(Self::String(branch));")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(integer < string, "branches out of order:\n{text}");
    for line in [
        "    Integer(i64),",
        "        Err(wire::no_branch(&value, \"Value\"))",
        "    Other(serde_json::Value),",
        "            Self::Holder(value) => wire::write_tagged(serializer, \"kind\", \"h\", value),",
        "        match wire::tag_of::<D::Error>(&value, \"kind\")? {",
        "            \"h\" | \"holder\" => wire::branch(&value, \"Pet::Holder\").map(Self::Holder),",
        "            _ => Ok(Self::Other(value)),",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}

/// The hand-checked path of `ident` gives what syn's parser gives: the
/// same identifier, or an error, for keywords (Rust's strict, reserved and
/// weak ones), their raw forms and names that are no identifier.
#[test]
fn ident_agrees_with_syn() {
    let rust_words = [
        "as",
        "break",
        "const",
        "continue",
        "crate",
        "else",
        "enum",
        "extern",
        "false",
        "fn",
        "for",
        "if",
        "impl",
        "in",
        "let",
        "loop",
        "match",
        "mod",
        "move",
        "mut",
        "pub",
        "ref",
        "return",
        "self",
        "Self",
        "static",
        "struct",
        "super",
        "trait",
        "true",
        "type",
        "unsafe",
        "use",
        "where",
        "while",
        "async",
        "await",
        "dyn",
        "abstract",
        "become",
        "box",
        "do",
        "final",
        "macro",
        "override",
        "priv",
        "typeof",
        "unsized",
        "virtual",
        "yield",
        "try",
        "gen",
        "union",
        "default",
        "macro_rules",
        "raw",
        "safe",
        "static_",
        "_",
    ];
    let mut names: Vec<String> = Vec::new();
    for word in rust_words.iter().chain(SYN_KEYWORDS) {
        names.push(word.to_string());
        names.push(format!("r#{word}"));
    }
    for odd in [
        "Name", "_x", "x1", "a_b_C", "1x", "", "r#", "r#1", "a-b", "a b", " a", "é", "r#é",
        "r#r#a", "__", "ab\u{0}",
    ] {
        names.push(odd.to_string());
    }
    for name in &names {
        let ours = ident(name).map(|i| i.to_string()).ok();
        let syns = syn::parse_str::<syn::Ident>(name)
            .map(|i| i.to_string())
            .ok();
        assert_eq!(ours, syns, "{name:?}");
    }
}
