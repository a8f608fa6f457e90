//! Whole-model passes after lowering: boxing the fields that make a type
//! contain itself, refusing aliases that name themselves and unions that
//! hold themselves with nothing in between, and deciding which types can
//! derive `Default`.

use std::collections::{BTreeMap, HashSet};

use super::model::*;

/// The named types a type holds directly (not behind a `Vec` or a map,
/// which already allocate).
fn direct_edges(def: &TypeDef) -> Vec<&str> {
    match &def.kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .filter_map(|f| match &f.ty {
                TypeRef::Named(n) if !f.boxed => Some(n.as_str()),
                _ => None,
            })
            .collect(),
        TypeKind::Alias(TypeRef::Named(n)) => vec![n.as_str()],
        TypeKind::Union(u) => u
            .variants
            .iter()
            .filter_map(|v| match &v.ty {
                TypeRef::Named(n) => Some(n.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn reaches(types: &BTreeMap<String, TypeDef>, from: &str, to: &str) -> bool {
    let mut seen = HashSet::new();
    let mut stack = vec![from];
    while let Some(at) = stack.pop() {
        if at == to {
            return true;
        }
        if !seen.insert(at) {
            continue;
        }
        if let Some(def) = types.get(at) {
            stack.extend(direct_edges(def));
        }
    }
    false
}

/// Boxes every field whose type leads back to the struct holding it.
/// Fields are boxed one at a time, so that a cycle gets exactly the boxes it
/// needs (the first field on it, in name order).
pub(crate) fn box_cycles(types: &mut BTreeMap<String, TypeDef>) {
    let names: Vec<String> = types.keys().cloned().collect();
    for name in names {
        let count = match &types[&name].kind {
            TypeKind::Struct(s) => s.fields.len(),
            _ => 0,
        };
        for i in 0..count {
            let target = match &types[&name].kind {
                TypeKind::Struct(s) => match &s.fields[i].ty {
                    TypeRef::Named(n) => n.clone(),
                    _ => continue,
                },
                _ => continue,
            };
            if reaches(types, &target, &name) {
                if let Some(TypeKind::Struct(s)) = types.get_mut(&name).map(|t| &mut t.kind) {
                    s.fields[i].boxed = true;
                }
            }
        }
    }
}

/// The first union that holds itself through union branches (and aliases)
/// alone, after [`box_cycles`]: every cycle through a struct has a boxed
/// field by then, so what is left has no object or array in between, and no
/// JSON value could end it (decoding would try the same branches forever).
pub(crate) fn union_cycle(types: &BTreeMap<String, TypeDef>) -> Option<&TypeDef> {
    types.values().find(|def| {
        matches!(def.kind, TypeKind::Union(_))
            && direct_edges(def)
                .into_iter()
                .any(|next| reaches(types, next, &def.name))
    })
}

/// The first alias that names itself (through other aliases), if any.
pub(crate) fn alias_cycle(types: &BTreeMap<String, TypeDef>) -> Option<&TypeDef> {
    types.values().find(|def| {
        matches!(&def.kind, TypeKind::Alias(TypeRef::Named(n)) if {
            let mut at = n.as_str();
            let mut steps = 0;
            loop {
                if at == def.name {
                    break true;
                }
                match types.get(at).map(|t| &t.kind) {
                    Some(TypeKind::Alias(TypeRef::Named(next))) if steps < types.len() => {
                        at = next;
                        steps += 1;
                    }
                    _ => break false,
                }
            }
        })
    })
}

fn has_default(types: &BTreeMap<String, TypeDef>, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Scalar(_) | TypeRef::List(_) | TypeRef::Map(_) | TypeRef::Nullable(_) => true,
        TypeRef::Named(n) => types.get(n).is_some_and(|t| t.default),
    }
}

/// Sets `default` on every type whose value can be defaulted: structs whose
/// required fields all have defaults, enums with a spec `default`. A least
/// fixpoint, so a type that requires itself never gets one.
pub(crate) fn mark_defaults(types: &mut BTreeMap<String, TypeDef>) {
    loop {
        let mut changed = Vec::new();
        for (name, def) in types.iter() {
            if def.default {
                continue;
            }
            let ok = match &def.kind {
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .all(|f| f.presence != Presence::Required || has_default(types, &f.ty)),
                TypeKind::StringEnum(e) => e.default.is_some(),
                TypeKind::IntEnum(e) => e.default.is_some(),
                TypeKind::Alias(t) => has_default(types, t),
                // Which branch would a default be? None is better than a guess.
                TypeKind::Union(_) => false,
            };
            if ok {
                changed.push(name.clone());
            }
        }
        if changed.is_empty() {
            return;
        }
        for name in changed {
            if let Some(def) = types.get_mut(&name) {
                def.default = true;
            }
        }
    }
}
