//! Docs for what the spec leaves undescribed, so that every public item of
//! a generated crate has rustdoc: a field whose schema is a bare `$ref`
//! takes the first sentence of what it refers to and names its JSON key and
//! type; a type without a description says where the spec uses it (a field
//! of another type, an operation's body, response or parameter), or else
//! where it is defined.
//!
//! The text is ours, made from the spec's names and types; links are
//! intra-doc links to named types only (always in scope: the types module
//! defines them and the server and client import them all).

use std::collections::BTreeMap;

use crate::ir::{Api, Field, Operation, Param, ParamLocation, Scalar, TypeDef, TypeKind, TypeRef};

/// Where each named type is first used, as the doc text of a type that has
/// none ("The `Placement` object of [`TaskSpec`].").
pub(crate) struct Uses<'a> {
    first: BTreeMap<&'a str, String>,
}

impl<'a> Uses<'a> {
    /// Indexes the uses of every named type of `api`: fields of the types
    /// (in the IR's order), then the operations' bodies, responses and
    /// parameters. The first use found wins, so the text is deterministic.
    pub(crate) fn of(api: &'a Api) -> Self {
        let mut first: BTreeMap<&'a str, String> = BTreeMap::new();
        let mut note = |ty: &'a TypeRef, text: &dyn Fn(&str, Shape) -> String| {
            let (name, shape) = target(ty, Shape::Direct);
            if let Some(name) = name {
                if let Some(def) = api.type_named(name) {
                    first
                        .entry(def.name.as_str())
                        .or_insert_with(|| text(noun(def), shape));
                }
            }
        };
        for def in &api.types {
            let s = match &def.kind {
                TypeKind::Struct(s) => s,
                TypeKind::Alias(ty) => {
                    let alias = &def.name;
                    note(ty, &|noun, shape| match shape {
                        Shape::Direct => format!("The {noun} that [`{alias}`] names."),
                        Shape::Item => format!("An item of {} [`{alias}`] list.", article(alias)),
                        Shape::Value => format!("A value of {} [`{alias}`] map.", article(alias)),
                    });
                    continue;
                }
                TypeKind::StringEnum(_) | TypeKind::IntEnum(_) | TypeKind::Union(_) => continue,
            };
            for f in &s.fields {
                note(&f.ty, &|noun, shape| {
                    let what = match shape {
                        Shape::Direct => noun,
                        Shape::Item => "list",
                        Shape::Value => "map",
                    };
                    let wire = code(&f.wire);
                    format!("{} `{wire}` {what} of [`{}`].", lead(shape), def.name)
                });
            }
        }
        for op in &api.operations {
            let route = route(op);
            if let Some(ty) = op.body.as_ref().and_then(|b| b.ty.as_ref()) {
                note(ty, &|_, shape| {
                    format!("{} request body of `{}` ({route}).", lead(shape), op.name)
                });
            }
            for r in &op.responses {
                if let Some(ty) = &r.ty {
                    note(ty, &|_, shape| {
                        let status = code(&r.status);
                        format!(
                            "{} `{status}` response body of `{}` ({route}).",
                            lead(shape),
                            op.name
                        )
                    });
                }
                for h in &r.headers {
                    note(&h.ty, &|_, shape| {
                        format!(
                            "{} `{}` response header of `{}` ({route}).",
                            lead(shape),
                            code(&h.name),
                            op.name
                        )
                    });
                }
            }
            for p in &op.params {
                note(&p.ty, &|_, shape| {
                    format!(
                        "{} {} of `{}` ({route}).",
                        lead(shape),
                        param_phrase(p),
                        op.name
                    )
                });
            }
        }
        Uses { first }
    }

    /// The doc text of `def`: its own description, or else where the spec
    /// uses it, or else where it is defined.
    pub(crate) fn type_doc(&self, def: &TypeDef) -> String {
        if let Some(doc) = described(def.doc.as_deref()) {
            return doc.to_string();
        }
        match self.first.get(def.name.as_str()) {
            Some(text) => text.clone(),
            None => defined_at(&def.source),
        }
    }
}

/// The doc text of a field: its own description, or else the first
/// sentence of the type it refers to (when it is that type, not a list or
/// map of it), followed by its JSON key and type.
pub(crate) fn field_doc(api: &Api, f: &Field) -> String {
    if let Some(doc) = described(f.doc.as_deref()) {
        return doc.to_string();
    }
    let key = format!("The `{}` key, {}.", code(&f.wire), describe(&f.ty));
    let referred = match &f.ty {
        TypeRef::Named(n) => Some(n),
        TypeRef::Nullable(inner) => match &**inner {
            TypeRef::Named(n) => Some(n),
            _ => None,
        },
        _ => None,
    };
    let sentence = referred
        .and_then(|n| api.type_named(n))
        .and_then(|d| d.doc.as_deref())
        .and_then(first_sentence);
    match sentence {
        Some(s) => format!("{s}\n\n{key}"),
        None => key,
    }
}

/// Where an unused, undescribed type comes from: the spec's definition of
/// that name, or else the JSON pointer of its schema.
fn defined_at(source: &str) -> String {
    let pointer = source.trim_start_matches('#');
    let name = ["/definitions/", "/components/schemas/"]
        .iter()
        .find_map(|prefix| pointer.strip_prefix(prefix))
        .filter(|rest| !rest.is_empty() && !rest.contains('/'));
    match name {
        Some(name) => format!(
            "The `{}` definition of the spec.",
            code(&name.replace("~1", "/").replace("~0", "~"))
        ),
        None => format!("The schema at `{}` in the spec.", code(source)),
    }
}

/// A type expression as an English noun phrase, with links to named types
/// ("a list of [`PluginPrivilege`] values").
pub(crate) fn describe(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Scalar(s) => scalar(*s).0.to_string(),
        TypeRef::Named(n) => format!("{} [`{n}`]", article(n)),
        TypeRef::List(item) => format!("a list of {}", plural(item)),
        TypeRef::Map(value) => format!("a map from names to {}", plural(value)),
        TypeRef::Nullable(inner) => format!("{} or null", describe(inner)),
    }
}

fn plural(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Scalar(s) => scalar(*s).1.to_string(),
        TypeRef::Named(n) => format!("[`{n}`] values"),
        TypeRef::List(item) => format!("lists of {}", plural(item)),
        TypeRef::Map(value) => format!("maps from names to {}", plural(value)),
        TypeRef::Nullable(inner) => format!("{} (or nulls)", plural(inner)),
    }
}

/// A scalar's singular and plural phrases.
fn scalar(s: Scalar) -> (&'static str, &'static str) {
    match s {
        Scalar::Bool => ("a boolean", "booleans"),
        Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64 => ("an integer", "integers"),
        Scalar::U8 | Scalar::U16 | Scalar::U32 | Scalar::U64 => {
            ("a non-negative integer", "non-negative integers")
        }
        Scalar::F32 | Scalar::F64 => ("a number", "numbers"),
        Scalar::String => ("a string", "strings"),
        Scalar::Bytes => ("raw bytes", "byte strings"),
        Scalar::Any => ("any JSON value", "JSON values"),
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// How a use holds a named type.
#[derive(Clone, Copy)]
enum Shape {
    Direct,
    Item,
    Value,
}

/// The named type a type expression is about (through `null`s, and one
/// list or map), and how it holds it.
fn target(ty: &TypeRef, shape: Shape) -> (Option<&str>, Shape) {
    match (ty, shape) {
        (TypeRef::Named(n), _) => (Some(n.as_str()), shape),
        (TypeRef::Nullable(inner), _) => target(inner, shape),
        (TypeRef::List(item), Shape::Direct) => target(item, Shape::Item),
        (TypeRef::Map(value), Shape::Direct) => target(value, Shape::Value),
        _ => (None, shape),
    }
}

/// What a value of this type is called in prose.
fn noun(def: &TypeDef) -> &'static str {
    match def.kind {
        TypeKind::Struct(_) => "object",
        TypeKind::StringEnum(_)
        | TypeKind::IntEnum(_)
        | TypeKind::Alias(_)
        | TypeKind::Union(_) => "value",
    }
}

fn lead(shape: Shape) -> &'static str {
    match shape {
        Shape::Direct => "The",
        Shape::Item => "An item of the",
        Shape::Value => "A value of the",
    }
}

fn param_phrase(p: &Param) -> String {
    let wire = code(&p.wire);
    match p.location {
        ParamLocation::Path => format!("`{wire}` path parameter"),
        ParamLocation::Query => format!("`{wire}` query parameter"),
        ParamLocation::Header => format!("`{wire}` header"),
        ParamLocation::Cookie => format!("`{wire}` cookie"),
    }
}

/// `` `POST /containers/create` ``.
fn route(op: &Operation) -> String {
    format!("`{} {}`", op.method, code(&op.path))
}

/// Text that can sit between backticks.
fn code(text: &str) -> String {
    text.replace('`', "'")
}

/// A description that has some text.
fn described(doc: Option<&str>) -> Option<&str> {
    doc.filter(|d| !d.trim().is_empty())
}

/// The first sentence of a description's first paragraph (up to a blank
/// line, a list, a heading, a table or a code block), on one line and
/// ending with a full stop; `None` when there is no plain text first.
pub(crate) fn first_sentence(text: &str) -> Option<String> {
    let mut para = String::new();
    for line in text.lines() {
        let line = line.trim();
        let starts_block = line.is_empty()
            || line.starts_with(['-', '*', '+', '#', '|', '>', '<'])
            || line.starts_with("```")
            || line.starts_with("~~~")
            || numbered(line);
        if starts_block {
            if para.is_empty() && line.is_empty() {
                continue;
            }
            break;
        }
        if !para.is_empty() {
            para.push(' ');
        }
        para.push_str(line);
    }
    let para = para.replace('\t', " ");
    if para.is_empty() {
        return None;
    }
    let mut end = para.len();
    for (i, _) in para.match_indices(". ") {
        if ends_sentence(&para[..=i]) {
            end = i + 1;
            break;
        }
    }
    let mut sentence = para[..end].trim_end().to_string();
    if !balanced(&sentence) {
        return None;
    }
    if sentence.ends_with([':', ',', ';']) {
        sentence.pop();
    }
    if !sentence.ends_with(['.', '!', '?']) {
        sentence.push('.');
    }
    Some(sentence)
}

/// `1. ` or `2) `: an ordered list item.
fn numbered(line: &str) -> bool {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

/// Whether the text up to and including a `.` is a whole sentence (not an
/// abbreviation, and not inside code or a link).
fn ends_sentence(upto: &str) -> bool {
    let word = upto
        .trim_end_matches('.')
        .rsplit([' ', '('])
        .next()
        .unwrap_or("");
    let abbreviation = matches!(
        word.to_ascii_lowercase().as_str(),
        "e.g" | "i.e" | "etc" | "vs" | "approx" | "incl" | "cf" | "no"
    ) || word.chars().count() == 1;
    !abbreviation && balanced(upto)
}

/// Backticks, brackets and parentheses are all closed.
fn balanced(text: &str) -> bool {
    let count = |c: char| text.matches(c).count();
    count('`') % 2 == 0 && count('[') == count(']') && count('(') == count(')')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Presence;

    #[test]
    fn first_sentences_skip_abbreviations_and_stop_at_blocks() {
        assert_eq!(
            first_sentence("The version of the object, e.g. a node. Used for updates.").as_deref(),
            Some("The version of the object, e.g. a node.")
        );
        assert_eq!(
            first_sentence("Spans\ntwo lines\n\nSecond paragraph.").as_deref(),
            Some("Spans two lines.")
        );
        assert_eq!(
            first_sentence("Modes:\n- `ro`\n- `rw`").as_deref(),
            Some("Modes.")
        );
        assert_eq!(
            first_sentence("Uses `a. b` here. Then more.").as_deref(),
            Some("Uses `a. b` here.")
        );
        assert_eq!(first_sentence("```\ncode\n```"), None);
        assert_eq!(first_sentence("  \n"), None);
    }

    fn def(name: &str, doc: Option<&str>, kind: TypeKind) -> TypeDef {
        TypeDef {
            name: name.into(),
            doc: doc.map(Into::into),
            source: format!("#/definitions/{name}"),
            kind,
            default: false,
        }
    }

    fn field(wire: &str, ty: TypeRef) -> Field {
        Field {
            name: wire.to_lowercase(),
            wire: wire.into(),
            ty,
            presence: Presence::Optional,
            doc: None,
            boxed: false,
        }
    }

    fn api() -> Api {
        let named = |n: &str| TypeRef::Named(n.into());
        let holder = TypeKind::Struct(crate::ir::Struct {
            fields: vec![
                field("Version", named("ObjectVersion")),
                field("Items", TypeRef::List(Box::new(named("Item")))),
                field("Name", TypeRef::Scalar(Scalar::String)),
            ],
            extra: None,
        });
        let resources = TypeKind::Alias(TypeRef::List(Box::new(named("Resource"))));
        let empty = || {
            TypeKind::Struct(crate::ir::Struct {
                fields: Vec::new(),
                extra: None,
            })
        };
        Api {
            title: "T".into(),
            version: "1".into(),
            description: None,
            types: vec![
                def("Holder", Some("Holds."), holder),
                def("Item", None, empty()),
                def("Lonely", None, empty()),
                def(
                    "ObjectVersion",
                    Some("The version of an object. Used to update it."),
                    empty(),
                ),
                def("Resource", None, empty()),
                def("Resources", Some("Resources."), resources),
            ],
            operations: Vec::new(),
        }
    }

    #[test]
    fn fields_without_docs_name_their_key_and_type() {
        let api = api();
        let TypeKind::Struct(s) = &api.types[0].kind else {
            unreachable!("Holder is a struct");
        };
        assert_eq!(
            field_doc(&api, &s.fields[0]),
            "The version of an object.\n\nThe `Version` key, an [`ObjectVersion`]."
        );
        assert_eq!(
            field_doc(&api, &s.fields[1]),
            "The `Items` key, a list of [`Item`] values."
        );
        assert_eq!(field_doc(&api, &s.fields[2]), "The `Name` key, a string.");
    }

    #[test]
    fn types_without_docs_say_where_they_are_used() {
        let api = api();
        let uses = Uses::of(&api);
        assert_eq!(uses.type_doc(&api.types[0]), "Holds.");
        assert_eq!(
            uses.type_doc(&api.types[1]),
            "An item of the `Items` list of [`Holder`]."
        );
        assert_eq!(
            uses.type_doc(&api.types[2]),
            "The `Lonely` definition of the spec."
        );
        assert_eq!(
            defined_at("/paths/~1x/get/responses/200/schema"),
            "The schema at `/paths/~1x/get/responses/200/schema` in the spec."
        );
        assert_eq!(
            uses.type_doc(&api.types[4]),
            "An item of a [`Resources`] list."
        );
    }

    #[test]
    fn types_only_operations_use_name_the_operation() {
        let mut api = api();
        api.operations.push(Operation {
            name: "LonelyList".into(),
            operation_id: "LonelyList".into(),
            method: "GET".into(),
            path: "/lonely".into(),
            summary: None,
            description: None,
            tags: Vec::new(),
            deprecated: false,
            params: Vec::new(),
            body: None,
            responses: vec![crate::ir::Response {
                status: "200".into(),
                doc: "Ok".into(),
                content_types: vec!["application/json".into()],
                ty: Some(TypeRef::List(Box::new(TypeRef::Named("Lonely".into())))),
                headers: Vec::new(),
            }],
        });
        assert_eq!(
            Uses::of(&api).type_doc(&api.types[2]),
            "An item of the `200` response body of `LonelyList` (`GET /lonely`)."
        );
    }
}
