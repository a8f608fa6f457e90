//! The `Serialize` and `Deserialize` impls of a generated struct, written
//! as text.
//!
//! These impls are the bulk of the types module (two thirds of its lines)
//! and entirely regular: one line per field on each side. Built with
//! `quote` and printed by `prettyplease` like the rest, they tripled the
//! generator's run time (parsing the token stream back into a `syn` tree
//! dominated); written directly, in nearly the layout prettyplease gives,
//! they cost next to nothing. Names still go through [`ident`], so a bad
//! name is the same error as anywhere else.
//!
//! What the impls do is `engine_api_rt::serde_support`'s story: a map visitor
//! that fills the typed fields, keeps undeclared keys in the struct's
//! `rest` field and records explicit nulls there; the encoder writes them
//! back.

use proc_macro2::Literal;

use super::text::{call, plain, Line, Writer};
use super::{ident, EmitError};
use crate::ir::{Presence, Struct};

/// Appends the impls of the struct `name` (its fields `s`, the field that
/// keeps the rest of the object `rest`) to `out`.
pub(super) fn struct_impls(
    out: &mut String,
    name: &str,
    s: &Struct,
    rest: &str,
) -> Result<(), EmitError> {
    let ty = ident(name)?.to_string();
    let rest = ident(rest)?.to_string();
    let mut writes = Vec::new();
    let mut slots = Vec::new();
    let mut arms = Vec::new();
    let mut inits = Vec::new();
    let mut bit = 0usize;
    for f in &s.fields {
        let field = ident(&f.name)?.to_string();
        let key = Literal::string(&f.wire).to_string();
        slots.push(format!("let mut {field} = None;"));
        match f.presence {
            Presence::Required => {
                writes.push(call(
                    "wire::write(".into(),
                    &["&mut __map", &key, &format!("&self.{field}")],
                    ")?;",
                ));
                arms.push(Line::statement_arm(
                    key.clone(),
                    format!("{field} = Some(__map.next_value()?)"),
                ));
                inits.push(call(
                    format!("{field}: wire::required::<A, _>("),
                    &[&field, &key],
                    ")?,",
                ));
            }
            Presence::RequiredNullable => {
                writes.push(call(
                    format!("self.{rest}.write_nullable("),
                    &[
                        "&mut __map",
                        &key,
                        &format!("&self.{field}"),
                        &bit.to_string(),
                    ],
                    ")?;",
                ));
                arms.push(Line::statement_arm(
                    key.clone(),
                    format!("{field} = Some(__map.next_value()?)"),
                ));
                inits.push(call(
                    format!("{field}: __rest.take_nullable("),
                    &[&field, &bit.to_string()],
                    "),",
                ));
                bit += 1;
            }
            Presence::Optional => {
                writes.push(call(
                    format!("self.{rest}.write_optional("),
                    &[
                        "&mut __map",
                        &key,
                        &format!("&self.{field}"),
                        &bit.to_string(),
                    ],
                    ")?;",
                ));
                arms.push(Line::statement_arm(
                    key.clone(),
                    format!("{field} = __rest.read_optional(&mut __map, {bit})?"),
                ));
                inits.push(plain(format!("{field},")));
                bit += 1;
            }
        }
    }
    let unknown = match &s.extra {
        Some(extra) => {
            let field = ident(&extra.name)?.to_string();
            writes.push(plain(format!(
                "wire::write_extra(&mut __map, &self.{field})?;"
            )));
            slots.push(format!(
                "let mut {field} = std::collections::BTreeMap::new();"
            ));
            inits.push(plain(format!("{field},")));
            format!("wire::read_extra(&mut {field}, __key, &mut __map)?")
        }
        None => "__rest.read_unknown(__key, &mut __map)?".to_string(),
    };
    inits.push(plain(format!("{rest}: __rest,")));
    // `mut` only where something changes it: the generated code must not warn.
    let rest_mut = if bit > 0 || s.extra.is_none() {
        "mut "
    } else {
        ""
    };
    let map_mut = if writes.is_empty() { "" } else { "mut " };

    let mut w = Writer::new(out);
    w.open(&format!("impl serde::Serialize for {ty} {{"));
    w.open("fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {");
    w.line(&format!("let {map_mut}__map = wire::begin(serializer)?;"));
    for line in &writes {
        w.print(line);
    }
    w.line(&format!("self.{rest}.end(__map)"));
    w.close("}");
    w.close("}");
    w.line("");
    w.open(&format!("impl<'de> serde::Deserialize<'de> for {ty} {{"));
    w.open("fn deserialize<D: serde::Deserializer<'de>>(");
    w.line("deserializer: D,");
    w.close(") -> Result<Self, D::Error> {");
    w.depth += 1;
    w.line("struct __Visitor;");
    w.open("impl<'de> serde::de::Visitor<'de> for __Visitor {");
    w.line(&format!("type Value = {ty};"));
    w.open("fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {");
    w.line(&format!("wire::expecting(f, {})", Literal::string(name)));
    w.close("}");
    w.line("fn visit_map<A: serde::de::MapAccess<'de>>(");
    w.depth += 1;
    w.line("self,");
    w.line("mut __map: A,");
    w.depth -= 1;
    w.open(&format!(") -> Result<{ty}, A::Error> {{"));
    w.line(&format!("let {rest_mut}__rest = wire::Rest::default();"));
    for slot in &slots {
        w.line(slot);
    }
    w.open("while let Some(__key) = __map.next_key::<wire::Key<'de>>()? {");
    if arms.is_empty() {
        w.line(&format!("{unknown};"));
    } else {
        w.open("match __key.as_str() {");
        for arm in &arms {
            w.print(arm);
        }
        w.line(&format!("_ => {unknown},"));
        w.close("}");
    }
    w.close("}");
    w.open(&format!("Ok({ty} {{"));
    for line in &inits {
        w.print(line);
    }
    w.close("})");
    w.close("}");
    w.close("}");
    w.line("deserializer.deserialize_map(__Visitor)");
    w.close("}");
    w.close("}");
    Ok(())
}
