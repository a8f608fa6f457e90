//! The `Serialize` and `Deserialize` impls of a generated union (a
//! `oneOf`/`anyOf`), written as text like the other impls.
//!
//! Encoding writes the branch's own encoding (plus the tag, for a tagged
//! union whose branch did not write it). Decoding reads the value once into
//! a `serde_json::Value`, then: untagged, the first branch, in the spec's
//! order, that decodes it wins; tagged, the tag property picks the branch,
//! and an unknown tag keeps the object in the fallback variant.

use proc_macro2::Literal;

use super::text::{Line, Writer};
use super::{ident, EmitError};
use crate::ir::{Tagging, Union};

/// Appends the impls of the union `name` to `out`.
pub(super) fn union_impls(out: &mut String, name: &str, u: &Union) -> Result<(), EmitError> {
    let ty = ident(name)?.to_string();
    let label = Literal::string(name).to_string();
    let mut writes = Vec::new();
    for v in &u.variants {
        let variant = format!("Self::{}(value)", ident(&v.name)?);
        let body = match (&u.tagging, v.tags.first()) {
            (Tagging::Property { property, .. }, Some(tag)) => format!(
                "wire::write_tagged(serializer, {}, {}, value)",
                Literal::string(property),
                Literal::string(tag)
            ),
            _ => "serde::Serialize::serialize(value, serializer)".to_string(),
        };
        writes.push(Line::value_arm(variant, body));
    }
    if let Tagging::Property { fallback, .. } = &u.tagging {
        writes.push(Line::value_arm(
            format!("Self::{}(value)", ident(fallback)?),
            "serde::Serialize::serialize(value, serializer)".to_string(),
        ));
    }

    let mut w = Writer::new(out);
    w.open(&format!("impl serde::Serialize for {ty} {{"));
    w.open("fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {");
    w.open("match self {");
    for line in &writes {
        w.print(line);
    }
    w.close("}");
    w.close("}");
    w.close("}");
    w.line("");
    w.open(&format!("impl<'de> serde::Deserialize<'de> for {ty} {{"));
    w.open("fn deserialize<D: serde::Deserializer<'de>>(");
    w.line("deserializer: D,");
    w.close(") -> Result<Self, D::Error> {");
    w.depth += 1;
    w.line("let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;");
    match &u.tagging {
        Tagging::Untagged => {
            for v in &u.variants {
                let variant = ident(&v.name)?;
                w.open("if let Some(branch) = wire::try_branch(&value) {");
                w.line(&format!("return Ok(Self::{variant}(branch));"));
                w.close("}");
            }
            w.line(&format!("Err(wire::no_branch(&value, {label}))"));
        }
        Tagging::Property { property, fallback } => {
            let property = Literal::string(property).to_string();
            w.open(&format!(
                "match wire::tag_of::<D::Error>(&value, {property})? {{"
            ));
            for v in &u.variants {
                let variant = ident(&v.name)?;
                let tags: Vec<String> = v
                    .tags
                    .iter()
                    .map(|t| Literal::string(t).to_string())
                    .collect();
                let branch = Literal::string(&format!("{name}::{}", v.name)).to_string();
                w.print(&Line::value_arm(
                    tags.join(" | "),
                    format!("wire::branch(&value, {branch}).map(Self::{variant})"),
                ));
            }
            w.line(&format!("_ => Ok(Self::{}(value)),", ident(fallback)?));
            w.close("}");
        }
    }
    w.close("}");
    w.close("}");
    Ok(())
}
