//! The impls of a generated enum, written as text (for the same reason as
//! `serde_impls`): the wire value (`as_str` or `value`), conversions from
//! it that keep a value the spec does not list in the fallback variant,
//! `Display` for string enums, and `Serialize`/`Deserialize` through the
//! wire value.

use proc_macro2::Literal;

use super::text::{Line, Writer};
use super::{ident, scalar_tokens, EmitError};
use crate::ir::{IntEnum, StringEnum};

/// Appends the impls of the string enum `name` to `out`.
pub(super) fn string_enum_impls(
    out: &mut String,
    name: &str,
    e: &StringEnum,
) -> Result<(), EmitError> {
    let ty = ident(name)?.to_string();
    let fallback = ident(&e.fallback)?.to_string();
    let mut to_wire = Vec::new();
    let mut from_wire = Vec::new();
    for v in &e.variants {
        let variant = format!("Self::{}", ident(&v.name)?);
        let value = Literal::string(&v.value).to_string();
        to_wire.push(Line::value_arm(variant.clone(), value.clone()));
        from_wire.push(Line::value_arm(value, variant));
    }
    let mut w = Writer::new(out);
    match_fn(
        &mut w,
        &format!("impl {ty} {{"),
        Some("/// The value as it appears on the wire."),
        "pub fn as_str(&self) -> &str {",
        "self",
        &to_wire,
        &format!("Self::{fallback}(value) => value,"),
    );
    match_fn(
        &mut w,
        &format!("impl From<&str> for {ty} {{"),
        None,
        "fn from(value: &str) -> Self {",
        "value",
        &from_wire,
        &format!("other => Self::{fallback}(other.to_string()),"),
    );
    match_fn(
        &mut w,
        &format!("impl From<String> for {ty} {{"),
        None,
        "fn from(value: String) -> Self {",
        "value.as_str()",
        &from_wire,
        &format!("_ => Self::{fallback}(value),"),
    );
    w.open(&format!("impl std::fmt::Display for {ty} {{"));
    w.open("fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {");
    w.line("f.write_str(self.as_str())");
    w.close("}");
    w.close("}");
    w.line("");
    // The text borrowed from the input when it can be: a listed value
    // allocates nothing.
    serde_impls(
        &mut w,
        &ty,
        "serializer.serialize_str(self.as_str())",
        "wire::string_enum(deserializer)",
    );
    Ok(())
}

/// Appends the impls of the integer enum `name` to `out`.
pub(super) fn int_enum_impls(out: &mut String, name: &str, e: &IntEnum) -> Result<(), EmitError> {
    let ty = ident(name)?.to_string();
    let fallback = ident(&e.fallback)?.to_string();
    let repr = scalar_tokens(e.repr).to_string();
    let mut to_wire = Vec::new();
    let mut from_wire = Vec::new();
    for v in &e.variants {
        let variant = format!("Self::{}", ident(&v.name)?);
        let value = Literal::i64_unsuffixed(v.value).to_string();
        to_wire.push(Line::value_arm(variant.clone(), value.clone()));
        from_wire.push(Line::value_arm(value, variant));
    }
    let mut w = Writer::new(out);
    match_fn(
        &mut w,
        &format!("impl {ty} {{"),
        Some("/// The value as it appears on the wire."),
        &format!("pub fn value(self) -> {repr} {{"),
        "self",
        &to_wire,
        &format!("Self::{fallback}(value) => value,"),
    );
    match_fn(
        &mut w,
        &format!("impl From<{repr}> for {ty} {{"),
        None,
        &format!("fn from(value: {repr}) -> Self {{"),
        "value",
        &from_wire,
        &format!("other => Self::{fallback}(other),"),
    );
    serde_impls(
        &mut w,
        &ty,
        "serde::Serialize::serialize(&self.value(), serializer)",
        &format!("<{repr} as serde::Deserialize>::deserialize(deserializer).map(Self::from)"),
    );
    Ok(())
}

/// `HEADER { [doc] SIGNATURE { match SCRUTINEE { arms.. last } } }` and a
/// blank line: the shape of every conversion of an enum to or from its wire
/// value.
fn match_fn(
    w: &mut Writer<'_>,
    header: &str,
    doc: Option<&str>,
    signature: &str,
    scrutinee: &str,
    arms: &[Line],
    last: &str,
) {
    w.open(header);
    if let Some(doc) = doc {
        w.line(doc);
    }
    w.open(signature);
    w.open(&format!("match {scrutinee} {{"));
    for arm in arms {
        w.print(arm);
    }
    w.line(last);
    w.close("}");
    w.close("}");
    w.close("}");
    w.line("");
}

/// `Serialize` with the expression `serialize`, `Deserialize` with the
/// expression `deserialize` (through the wire value and `From`).
fn serde_impls(w: &mut Writer<'_>, ty: &str, serialize: &str, deserialize: &str) {
    w.open(&format!("impl serde::Serialize for {ty} {{"));
    w.open("fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {");
    w.line(serialize);
    w.close("}");
    w.close("}");
    w.line("");
    w.open(&format!("impl<'de> serde::Deserialize<'de> for {ty} {{"));
    w.open("fn deserialize<D: serde::Deserializer<'de>>(");
    w.line("deserializer: D,");
    w.close(") -> Result<Self, D::Error> {");
    w.depth += 1;
    w.line(deserialize);
    w.close("}");
    w.close("}");
}
