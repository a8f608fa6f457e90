//! Does a value fit a schema? Used for `default`, `enum` and `example`
//! values: type, integer format ranges, enum membership, array items and
//! object properties, following local `$ref`s and `allOf`.

use super::refs::Resolver;
use crate::load::{Node, Value};

/// How deep `$ref` / nesting may go before we stop checking (cycles).
const MAX_DEPTH: usize = 32;

/// `Err` says why `value` does not fit `schema`.
pub fn fits(schema: &Node, value: &Node, check_enum: bool, refs: &Resolver) -> Result<(), String> {
    fit(schema, value, check_enum, refs, 0)
}

fn fit(
    schema: &Node,
    value: &Node,
    check_enum: bool,
    refs: &Resolver,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    if let Some(target) = schema.get("$ref").and_then(Node::as_str) {
        return match refs.local(target) {
            Some(t) => fit(t, value, check_enum, refs, depth + 1),
            None => Ok(()), // reported by the $ref rule
        };
    }
    if let Some(parts) = schema.get("allOf").and_then(Node::items) {
        for part in parts {
            fit(part, value, check_enum, refs, depth + 1)?;
        }
    }
    let nullable = schema.get("x-nullable").and_then(Node::as_bool) == Some(true)
        || schema.get("nullable").and_then(Node::as_bool) == Some(true);
    if matches!(value.value, Value::Null) && nullable {
        return Ok(());
    }
    if check_enum {
        if let Some(allowed) = schema.get("enum").and_then(Node::items) {
            let v = value.to_json();
            if !allowed.iter().any(|a| a.to_json() == v) {
                return Err(format!("{} is not one of the enum values", show(value)));
            }
        }
    }
    let format = schema.get("format").and_then(Node::as_str).unwrap_or("");
    match schema.get("type").and_then(Node::as_str) {
        Some("string") if value.as_str().is_none() => {
            return Err(format!("{} is not a string", show(value)));
        }
        Some("integer") => {
            // Held as i128 so that integers above i64::MAX range-check too.
            let i = match value.value {
                Value::Int(i) => i128::from(i),
                Value::UInt(u) => i128::from(u),
                _ => return Err(format!("{} is not an integer", show(value))),
            };
            let in_range = match format {
                "int32" => i32::try_from(i).is_ok(),
                "int64" => i64::try_from(i).is_ok(),
                "uint32" => u32::try_from(i).is_ok(),
                "uint64" | "uint" => u64::try_from(i).is_ok(),
                "uint8" => u8::try_from(i).is_ok(),
                "uint16" => u16::try_from(i).is_ok(),
                "int8" => i8::try_from(i).is_ok(),
                "int16" => i16::try_from(i).is_ok(),
                _ => true,
            };
            if !in_range {
                return Err(format!("{i} is out of range for format {format}"));
            }
        }
        Some("number")
            if !matches!(
                value.value,
                Value::Int(_) | Value::UInt(_) | Value::Float(_)
            ) =>
        {
            return Err(format!("{} is not a number", show(value)));
        }
        Some("boolean") if value.as_bool().is_none() => {
            return Err(format!("{} is not a boolean", show(value)));
        }
        Some("array") => {
            let Some(items) = value.items() else {
                return Err(format!("{} is not an array", show(value)));
            };
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    fit(item_schema, item, true, refs, depth + 1)?;
                }
            }
        }
        Some("object") if value.entries().is_none() => {
            return Err(format!("{} is not an object", show(value)));
        }
        _ => {}
    }
    if let Some(entries) = value.entries() {
        let props = schema.get("properties");
        let extra = schema
            .get("additionalProperties")
            .filter(|a| a.entries().is_some());
        for e in entries {
            if let Some(prop) = props.and_then(|p| p.get(&e.key)) {
                fit(prop, &e.value, true, refs, depth + 1)
                    .map_err(|why| format!("property `{}`: {why}", e.key))?;
            } else if let Some(extra) = extra {
                fit(extra, &e.value, true, refs, depth + 1)
                    .map_err(|why| format!("entry `{}`: {why}", e.key))?;
            }
        }
    }
    Ok(())
}

/// A value as a message shows it: scalars literally, collections by kind.
fn show(value: &Node) -> String {
    match &value.value {
        Value::Str(s) if s.len() > 40 => {
            format!("\"{}...\"", s.chars().take(40).collect::<String>())
        }
        Value::Str(s) => format!("\"{s}\""),
        Value::Seq(_) | Value::Map(_) => value.kind().to_string(),
        _ => format!("`{}`", value.scalar_text().unwrap_or_default()),
    }
}
