//! Lowering schemas to named types and type expressions.
//!
//! Definitions keep their names; every inline object or enum is hoisted
//! into a named type whose name is its parent's name joined with the
//! property (`ContainerConfig` + `Healthcheck`), with `Item` for array items
//! and `Value` for map values. `allOf` parts are merged into one struct; an
//! `allOf` of one `$ref` (plus parts that add nothing) is that reference.
//! A `oneOf`/`anyOf` is a union: a variant per branch, named after the
//! branch's `$ref`, else its type (`String`, `Object`...) or its place
//! (`Variant2`), untagged unless a `discriminator` names the tag property; a
//! `null` or `nullable` branch makes the value nullable instead, and one
//! branch left is simply that branch's type. `not` is refused.

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, OpenAPI, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value as J;

use super::error::IrError;
use super::model::*;
use super::names::{self, Names};
use crate::convert::SourceMap;
use crate::load::Node;
use crate::pointer::join;

/// The name of the variant that keeps a value the spec does not list.
pub const FALLBACK_VARIANT: &str = "Other";

/// A uniform view of a schema, whichever `SchemaKind` openapiv3 chose.
struct View<'s> {
    typ: Option<&'s str>,
    format: Option<String>,
    properties: Option<&'s IndexMap<String, ReferenceOr<Box<Schema>>>>,
    required: &'s [String],
    additional: Option<&'s AdditionalProperties>,
    items: Option<&'s ReferenceOr<Box<Schema>>>,
    enumeration: Vec<J>,
    all_of: &'s [ReferenceOr<Schema>],
    /// The branches of a `oneOf` or `anyOf`, and which keyword it was.
    branches: &'s [ReferenceOr<Schema>],
    union: Option<&'static str>,
    /// `not`, which the generator does not support yet.
    unsupported: Option<&'static str>,
}

fn format_of<T: Copy>(
    f: &VariantOrUnknownOrEmpty<T>,
    name: fn(T) -> &'static str,
) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(t) => Some(name(*t).to_string()),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

impl<'s> View<'s> {
    fn of(s: &'s Schema) -> View<'s> {
        let mut v = View {
            typ: None,
            format: None,
            properties: None,
            required: &[],
            additional: None,
            items: None,
            enumeration: Vec::new(),
            all_of: &[],
            branches: &[],
            union: None,
            unsupported: None,
        };
        match &s.schema_kind {
            SchemaKind::Type(Type::String(t)) => {
                v.typ = Some("string");
                v.format = format_of(&t.format, |f| match f {
                    StringFormat::Date => "date",
                    StringFormat::DateTime => "date-time",
                    StringFormat::Password => "password",
                    StringFormat::Byte => "byte",
                    StringFormat::Binary => "binary",
                });
                v.enumeration = t
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|s| J::from(s.as_str()))
                    .collect();
            }
            SchemaKind::Type(Type::Number(t)) => {
                v.typ = Some("number");
                v.format = format_of(&t.format, |f| match f {
                    NumberFormat::Float => "float",
                    NumberFormat::Double => "double",
                });
            }
            SchemaKind::Type(Type::Integer(t)) => {
                v.typ = Some("integer");
                v.format = format_of(&t.format, |f| match f {
                    IntegerFormat::Int32 => "int32",
                    IntegerFormat::Int64 => "int64",
                });
                v.enumeration = t
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|i| J::from(*i))
                    .collect();
            }
            SchemaKind::Type(Type::Boolean(_)) => v.typ = Some("boolean"),
            SchemaKind::Type(Type::Object(t)) => {
                v.typ = Some("object");
                v.properties = Some(&t.properties);
                v.required = &t.required;
                v.additional = t.additional_properties.as_ref();
            }
            SchemaKind::Type(Type::Array(t)) => {
                v.typ = Some("array");
                v.items = t.items.as_ref();
            }
            SchemaKind::AllOf { all_of } => v.all_of = all_of,
            SchemaKind::OneOf { one_of } => (v.branches, v.union) = (one_of, Some("oneOf")),
            SchemaKind::AnyOf { any_of } => (v.branches, v.union) = (any_of, Some("anyOf")),
            SchemaKind::Not { .. } => v.unsupported = Some("not"),
            SchemaKind::Any(a) => {
                v.typ = a.typ.as_deref();
                v.format = a.format.clone();
                v.properties = Some(&a.properties);
                v.required = &a.required;
                v.additional = a.additional_properties.as_ref();
                v.items = a.items.as_ref();
                v.enumeration = a
                    .enumeration
                    .iter()
                    .filter(|e| !e.is_null())
                    .cloned()
                    .collect();
                v.all_of = &a.all_of;
                if !a.one_of.is_empty() {
                    (v.branches, v.union) = (&a.one_of, Some("oneOf"));
                } else if !a.any_of.is_empty() {
                    (v.branches, v.union) = (&a.any_of, Some("anyOf"));
                }
                v.unsupported = a.not.is_some().then_some("not");
            }
        }
        v
    }

    fn has_properties(&self) -> bool {
        self.properties.is_some_and(|p| !p.is_empty())
    }

    /// Whether this part of an `allOf` adds nothing to the other parts.
    fn adds_nothing(&self) -> bool {
        !self.has_properties()
            && self.additional.is_none()
            && self.items.is_none()
            && self.enumeration.is_empty()
            && self.all_of.is_empty()
            && self.union.is_none()
            && self.unsupported.is_none()
            && matches!(self.typ, None | Some("object"))
    }

    fn string_enum(&self) -> bool {
        matches!(self.typ, Some("string") | None)
            && !self.enumeration.is_empty()
            && self.enumeration.iter().all(J::is_string)
    }

    fn int_enum(&self) -> bool {
        self.typ == Some("integer")
            && !self.enumeration.is_empty()
            && self.enumeration.iter().all(J::is_i64)
    }
}

/// Whether a `oneOf`/`anyOf` branch stands for `null` alone (`type: "null"`,
/// or nothing but `nullable: true`).
fn is_null_branch(b: &ReferenceOr<Schema>) -> bool {
    let ReferenceOr::Item(s) = b else {
        return false;
    };
    match &s.schema_kind {
        SchemaKind::Any(a) => {
            a.typ.as_deref() == Some("null")
                || (a.typ.is_none() && is_nullable(s) && View::of(s).adds_nothing())
        }
        _ => false,
    }
}

/// Whether a `oneOf`/`anyOf` lets its value be `null`: a branch is `null`
/// or `nullable`, or the schema itself is.
fn union_nullable(s: &Schema, v: &View) -> bool {
    is_nullable(s)
        || v.branches.iter().any(|b| match b {
            ReferenceOr::Item(branch) => is_null_branch(b) || is_nullable(branch),
            ReferenceOr::Reference { .. } => false,
        })
}

/// The variant name of a branch without a `$ref`: its type, else its place.
fn branch_type_name(b: &Schema, i: usize) -> String {
    let v = View::of(b);
    match v.typ {
        Some("string") if v.string_enum() => "Enum".to_string(),
        Some("string") => "String".to_string(),
        Some("integer") => "Integer".to_string(),
        Some("number") => "Number".to_string(),
        Some("boolean") => "Boolean".to_string(),
        Some("array") => "Array".to_string(),
        Some("object") => "Object".to_string(),
        None if v.has_properties() => "Object".to_string(),
        _ => format!("Variant{i}"),
    }
}

fn is_nullable(s: &Schema) -> bool {
    s.schema_data.nullable
        || s.schema_data
            .extensions
            .get("x-nullable")
            .and_then(J::as_bool)
            == Some(true)
}

fn description(s: &Schema) -> Option<String> {
    s.schema_data
        .description
        .as_deref()
        .or(s.schema_data.title.as_deref())
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
}

/// A field before its Rust name is chosen.
struct Pending {
    wire: String,
    ty: TypeRef,
    nullable: bool,
    required: bool,
    doc: Option<String>,
}

#[derive(Default)]
struct ObjectParts {
    fields: Vec<Pending>,
    required: HashSet<String>,
    extra: Option<TypeRef>,
}

impl ObjectParts {
    fn push(&mut self, field: Pending) {
        match self.fields.iter_mut().find(|f| f.wire == field.wire) {
            Some(existing) => *existing = field,
            None => self.fields.push(field),
        }
    }
}

/// The state of lowering one spec.
pub(crate) struct Lower<'a> {
    pub(crate) api: &'a OpenAPI,
    root: &'a Node,
    map: &'a SourceMap,
    schemas: IndexMap<String, ReferenceOr<Schema>>,
    def_names: HashMap<String, String>,
    pub(crate) names: Names,
    pub(crate) types: BTreeMap<String, TypeDef>,
    in_progress: HashSet<String>,
    /// Component keys whose `oneOf`/`anyOf` lets them be `null`: a
    /// reference to one is nullable.
    nullable_defs: HashSet<String>,
}

impl<'a> Lower<'a> {
    pub(crate) fn new(api: &'a OpenAPI, root: &'a Node, map: &'a SourceMap) -> Self {
        let schemas = api
            .components
            .as_ref()
            .map(|c| c.schemas.clone())
            .unwrap_or_default();
        let nullable_defs = schemas
            .iter()
            .filter_map(|(key, s)| match s {
                ReferenceOr::Item(s) => {
                    let v = View::of(s);
                    (v.union.is_some() && union_nullable(s, &v)).then(|| key.clone())
                }
                ReferenceOr::Reference { .. } => None,
            })
            .collect();
        let mut names = Names::new();
        let mut def_names = HashMap::new();
        for key in schemas.keys() {
            let name = names.claim(&names::type_name(key));
            def_names.insert(key.clone(), name);
        }
        Lower {
            api,
            root,
            map,
            schemas,
            def_names,
            names,
            types: BTreeMap::new(),
            in_progress: HashSet::new(),
            nullable_defs,
        }
    }

    pub(crate) fn err(&self, pointer: &str, message: impl Into<String>) -> IrError {
        IrError::Unsupported {
            at: self.map.locate(self.root, pointer),
            message: message.into(),
        }
    }

    /// The component key a schema `$ref` names.
    fn ref_key(&self, reference: &str, ptr: &str) -> Result<String, IrError> {
        let key = reference
            .strip_prefix("#/components/schemas/")
            .map(|k| {
                crate::pointer::percent_decode(k)
                    .replace("~1", "/")
                    .replace("~0", "~")
            })
            .filter(|k| self.schemas.contains_key(k));
        key.ok_or_else(|| {
            self.err(
                ptr,
                format!("`$ref: {reference}` does not name a schema of this document (only local `#/definitions/...` or `#/components/schemas/...` references are supported)"),
            )
        })
    }

    fn ref_name(&self, reference: &str, ptr: &str) -> Result<String, IrError> {
        let key = self.ref_key(reference, ptr)?;
        Ok(self.def_names[&key].clone())
    }

    /// The type a `$ref` names, and whether it may be null (a component
    /// whose `oneOf`/`anyOf` allows `null`).
    fn ref_type(&self, reference: &str, ptr: &str) -> Result<(TypeRef, bool), IrError> {
        let key = self.ref_key(reference, ptr)?;
        let nullable = self.nullable_defs.contains(&key);
        Ok((TypeRef::Named(self.def_names[&key].clone()), nullable))
    }

    /// Lowers every component schema.
    pub(crate) fn definitions(&mut self) -> Result<(), IrError> {
        let keys: Vec<String> = self.schemas.keys().cloned().collect();
        for key in keys {
            self.definition(&key)?;
        }
        Ok(())
    }

    fn definition(&mut self, key: &str) -> Result<(), IrError> {
        let name = self.def_names[key].clone();
        if self.types.contains_key(&name) {
            return Ok(());
        }
        let ptr = join("/components/schemas", key);
        if !self.in_progress.insert(key.to_string()) {
            return Err(self.err(&ptr, format!("`{key}` includes itself through `allOf`")));
        }
        let (kind, doc) = match self.schemas[key].clone() {
            ReferenceOr::Reference { reference } => {
                let target = self.ref_name(&reference, &ptr)?;
                (TypeKind::Alias(TypeRef::Named(target)), None)
            }
            ReferenceOr::Item(schema) => {
                (self.named_kind(&schema, &name, &ptr)?, description(&schema))
            }
        };
        self.in_progress.remove(key);
        let source = self.map.source_pointer(&ptr);
        self.types.insert(
            name.clone(),
            TypeDef {
                name,
                doc,
                source,
                kind,
                default: false,
            },
        );
        Ok(())
    }

    /// The type a schema (or reference) stands for; inline objects and enums
    /// are hoisted under `hint`. The flag says whether it may be null.
    pub(crate) fn type_ref(
        &mut self,
        s: &ReferenceOr<Schema>,
        hint: &str,
        ptr: &str,
    ) -> Result<(TypeRef, bool), IrError> {
        match s {
            ReferenceOr::Reference { reference } => self.ref_type(reference, ptr),
            ReferenceOr::Item(schema) => self.inline(schema, hint, ptr),
        }
    }

    fn type_ref_boxed(
        &mut self,
        s: &ReferenceOr<Box<Schema>>,
        hint: &str,
        ptr: &str,
    ) -> Result<(TypeRef, bool), IrError> {
        match s {
            ReferenceOr::Reference { reference } => self.ref_type(reference, ptr),
            ReferenceOr::Item(schema) => self.inline(schema, hint, ptr),
        }
    }

    fn check(&self, v: &View, ptr: &str) -> Result<(), IrError> {
        if let Some(what) = v.unsupported {
            return Err(self.err(&join(ptr, what), format!("`{what}` schemas")));
        }
        if v.union.is_some() && (v.has_properties() || !v.all_of.is_empty()) {
            let what = v.union.unwrap_or("oneOf");
            return Err(self.err(
                &join(ptr, what),
                format!("`{what}` beside `properties` or `allOf` in one schema"),
            ));
        }
        if let Some(t) = v.typ {
            if !matches!(
                t,
                "string" | "number" | "integer" | "boolean" | "object" | "array"
            ) {
                return Err(self.err(ptr, format!("schema type `{t}` is not supported")));
            }
        }
        Ok(())
    }

    /// The single `$ref` an `allOf` reduces to, if it does.
    fn single_ref<'s>(&self, v: &View<'s>) -> Option<&'s str> {
        if v.all_of.is_empty() || v.has_properties() || v.additional.is_some() {
            return None;
        }
        let mut reference = None;
        for part in v.all_of {
            match part {
                ReferenceOr::Reference { reference: r } if reference.is_none() => {
                    reference = Some(r.as_str())
                }
                ReferenceOr::Item(s) if View::of(s).adds_nothing() => {}
                _ => return None,
            }
        }
        reference
    }

    fn inline(&mut self, s: &Schema, hint: &str, ptr: &str) -> Result<(TypeRef, bool), IrError> {
        let v = View::of(s);
        let nullable = if v.union.is_some() {
            union_nullable(s, &v)
        } else {
            is_nullable(s)
        };
        self.check(&v, ptr)?;
        if let Some(reference) = self.single_ref(&v) {
            let part_ptr = join(&join(ptr, "allOf"), "0");
            return Ok((
                TypeRef::Named(self.ref_name(reference, &part_ptr)?),
                nullable,
            ));
        }
        if v.union.is_some() {
            if let Some(only) = self.sole_branch(s, &v, hint, ptr)? {
                return Ok((only, nullable));
            }
        }
        if v.union.is_some()
            || v.string_enum()
            || v.int_enum()
            || v.has_properties()
            || !v.all_of.is_empty()
        {
            let name = self.names.claim(hint);
            let kind = self.named_kind(s, &name, ptr)?;
            let source = self.map.source_pointer(ptr);
            self.types.insert(
                name.clone(),
                TypeDef {
                    name: name.clone(),
                    doc: description(s),
                    source,
                    kind,
                    default: false,
                },
            );
            return Ok((TypeRef::Named(name), nullable));
        }
        Ok((self.expression(&v, hint, ptr)?, nullable))
    }

    /// Arrays, maps and scalars.
    fn expression(&mut self, v: &View, hint: &str, ptr: &str) -> Result<TypeRef, IrError> {
        let format = v.format.as_deref().unwrap_or("");
        let scalar = match v.typ {
            Some("array") => {
                let item = match v.items {
                    Some(items) => {
                        let (item, nullable) = self.type_ref_boxed(
                            items,
                            &names::join_type(hint, "Item"),
                            &join(ptr, "items"),
                        )?;
                        element(item, nullable, false)
                    }
                    None => TypeRef::Scalar(Scalar::Any),
                };
                return Ok(TypeRef::List(Box::new(item)));
            }
            Some("object") | None => match v.additional {
                Some(AdditionalProperties::Schema(s)) => {
                    let (value, nullable) = self.type_ref(
                        s,
                        &names::join_type(hint, "Value"),
                        &join(ptr, "additionalProperties"),
                    )?;
                    return Ok(TypeRef::Map(Box::new(element(value, nullable, true))));
                }
                Some(AdditionalProperties::Any(true)) => {
                    return Ok(TypeRef::Map(Box::new(TypeRef::Scalar(Scalar::Any))))
                }
                _ => Scalar::Any,
            },
            Some("boolean") => Scalar::Bool,
            Some("integer") => match format {
                "int8" => Scalar::I8,
                "int16" => Scalar::I16,
                "int32" => Scalar::I32,
                "uint8" => Scalar::U8,
                "uint16" => Scalar::U16,
                "uint32" => Scalar::U32,
                "uint64" => Scalar::U64,
                _ => Scalar::I64,
            },
            Some("number") => match format {
                "float" => Scalar::F32,
                _ => Scalar::F64,
            },
            Some("string") if format == "binary" => Scalar::Bytes,
            Some(_) => Scalar::String,
        };
        Ok(TypeRef::Scalar(scalar))
    }

    /// The kind of the named type `name` for `s` (a struct, an enum, or an
    /// alias of an expression).
    fn named_kind(&mut self, s: &Schema, name: &str, ptr: &str) -> Result<TypeKind, IrError> {
        let v = View::of(s);
        self.check(&v, ptr)?;
        if let Some(reference) = self.single_ref(&v) {
            let part_ptr = join(&join(ptr, "allOf"), "0");
            return Ok(TypeKind::Alias(TypeRef::Named(
                self.ref_name(reference, &part_ptr)?,
            )));
        }
        if v.union.is_some() {
            if let Some(only) = self.sole_branch(s, &v, name, ptr)? {
                return Ok(TypeKind::Alias(only));
            }
            return Ok(TypeKind::Union(self.union(s, &v, name, ptr)?));
        }
        if v.string_enum() {
            return Ok(TypeKind::StringEnum(string_enum(&v, s)));
        }
        if v.int_enum() {
            let repr = match self.expression(&v, name, ptr)? {
                TypeRef::Scalar(scalar) => scalar,
                _ => Scalar::I64,
            };
            return Ok(TypeKind::IntEnum(int_enum(&v, s, repr)));
        }
        if v.has_properties() || !v.all_of.is_empty() {
            return Ok(TypeKind::Struct(self.object(s, name, ptr)?));
        }
        Ok(TypeKind::Alias(self.expression(&v, name, ptr)?))
    }

    /// The type of a `oneOf`/`anyOf` that has one branch besides `null`
    /// ones (`Any` when it has none); `None` when it has several.
    fn sole_branch(
        &mut self,
        s: &Schema,
        v: &View,
        hint: &str,
        ptr: &str,
    ) -> Result<Option<TypeRef>, IrError> {
        let what = v.union.unwrap_or("oneOf");
        let mut real = v
            .branches
            .iter()
            .enumerate()
            .filter(|(_, b)| !is_null_branch(b));
        let (first, second) = (real.next(), real.next());
        match (first, second) {
            (None, _) => Ok(Some(TypeRef::Scalar(Scalar::Any))),
            (Some((i, b)), None) if s.schema_data.discriminator.is_none() => {
                let bptr = join(&join(ptr, what), &i.to_string());
                Ok(Some(self.type_ref(b, hint, &bptr)?.0))
            }
            _ => Ok(None),
        }
    }

    /// The enum of a `oneOf`/`anyOf` of several branches: untagged, or
    /// tagged by its `discriminator`'s property.
    fn union(&mut self, s: &Schema, v: &View, name: &str, ptr: &str) -> Result<Union, IrError> {
        let what = v.union.unwrap_or("oneOf");
        let discriminator = s.schema_data.discriminator.as_ref();
        let mut variant_names = Names::new();
        let fallback = discriminator.map(|_| {
            variant_names.reserve(FALLBACK_VARIANT);
            FALLBACK_VARIANT.to_string()
        });
        let mut variants = Vec::new();
        for (i, b) in v.branches.iter().enumerate() {
            if is_null_branch(b) {
                continue;
            }
            let bptr = join(&join(ptr, what), &i.to_string());
            let (base, key) = match b {
                ReferenceOr::Reference { reference } => {
                    let key = self.ref_key(reference, &bptr)?;
                    (self.def_names[&key].clone(), Some(key))
                }
                ReferenceOr::Item(branch) => (branch_type_name(branch, i), None),
            };
            let variant = variant_names.claim(&base);
            let (ty, _) = self.type_ref(b, &names::join_type(name, &variant), &bptr)?;
            let tags = match (discriminator, key) {
                (None, _) => Vec::new(),
                (Some(d), Some(key)) => tags_of(d, &key),
                (Some(_), None) => {
                    return Err(self.err(
                        &bptr,
                        format!("a `{what}` with a `discriminator` needs a `$ref` in every branch"),
                    ))
                }
            };
            variants.push(UnionVariant {
                name: variant,
                ty,
                tags,
            });
        }
        if let Some(d) = discriminator {
            for target in d.mapping.values() {
                let key = target.rsplit('/').next().unwrap_or(target);
                let listed = v.branches.iter().any(|b| {
                    matches!(b, ReferenceOr::Reference { reference } if reference.rsplit('/').next() == Some(key))
                });
                if !listed {
                    return Err(self.err(
                        &join(ptr, "discriminator"),
                        format!("the `discriminator` maps to `{target}`, which is not a branch of the `{what}`"),
                    ));
                }
            }
        }
        let tagging = match (discriminator, fallback) {
            (Some(d), Some(fallback)) => Tagging::Property {
                property: d.property_name.clone(),
                fallback,
            },
            _ => Tagging::Untagged,
        };
        Ok(Union { variants, tagging })
    }

    fn object(&mut self, s: &Schema, name: &str, ptr: &str) -> Result<Struct, IrError> {
        let mut parts = ObjectParts::default();
        self.collect(s, name, ptr, &mut parts)?;
        let mut field_names = Names::new();
        let mut fields = Vec::new();
        for p in parts.fields {
            let required = p.required || parts.required.contains(&p.wire);
            fields.push(Field {
                name: field_names.claim(&names::field_name(&p.wire)),
                wire: p.wire,
                presence: presence(required, p.nullable, &p.ty),
                ty: p.ty,
                doc: p.doc,
                boxed: false,
            });
        }
        let extra = parts.extra.map(|value| Extra {
            name: field_names.claim("additional_properties"),
            value,
        });
        Ok(Struct { fields, extra })
    }

    fn collect(
        &mut self,
        s: &Schema,
        name: &str,
        ptr: &str,
        acc: &mut ObjectParts,
    ) -> Result<(), IrError> {
        let v = View::of(s);
        self.check(&v, ptr)?;
        for (i, part) in v.all_of.iter().enumerate() {
            let part_ptr = join(&join(ptr, "allOf"), &i.to_string());
            match part {
                ReferenceOr::Reference { reference } => {
                    let key = self.ref_key(reference, &part_ptr)?;
                    self.definition(&key)?;
                    let target = self.def_names[&key].clone();
                    self.merge_named(&target, &part_ptr, acc)?;
                }
                ReferenceOr::Item(part) => self.collect(part, name, &part_ptr, acc)?,
            }
        }
        if let Some(props) = v.properties {
            for (prop, ps) in props {
                let pptr = join(&join(ptr, "properties"), prop);
                let hint = names::join_type(name, prop);
                let (ty, nullable) = self.type_ref_boxed(ps, &hint, &pptr)?;
                let doc = match ps {
                    ReferenceOr::Item(schema) => description(schema),
                    ReferenceOr::Reference { .. } => None,
                };
                acc.push(Pending {
                    wire: prop.clone(),
                    ty,
                    nullable,
                    required: false,
                    doc,
                });
            }
        }
        acc.required.extend(v.required.iter().cloned());
        match v.additional {
            Some(AdditionalProperties::Schema(extra)) => {
                let hint = names::join_type(name, "Value");
                let aptr = join(ptr, "additionalProperties");
                let (value, nullable) = self.type_ref(extra, &hint, &aptr)?;
                acc.extra = Some(element(value, nullable, true));
            }
            Some(AdditionalProperties::Any(true)) => acc.extra = Some(TypeRef::Scalar(Scalar::Any)),
            _ => {}
        }
        Ok(())
    }

    /// Copies the fields of the named struct `target` into an `allOf` merge.
    fn merge_named(
        &mut self,
        target: &str,
        ptr: &str,
        acc: &mut ObjectParts,
    ) -> Result<(), IrError> {
        let mut name = target.to_string();
        for _ in 0..64 {
            let kind = self.types.get(&name).map(|t| t.kind.clone());
            match kind {
                Some(TypeKind::Struct(st)) => {
                    for f in st.fields {
                        let (required, nullable) = match f.presence {
                            Presence::Required => (true, false),
                            Presence::RequiredNullable => (true, !f.ty.is_collection()),
                            Presence::Optional => (false, false),
                        };
                        acc.push(Pending {
                            wire: f.wire,
                            ty: f.ty,
                            nullable,
                            required,
                            doc: f.doc,
                        });
                    }
                    if let Some(extra) = st.extra {
                        acc.extra = Some(extra.value);
                    }
                    return Ok(());
                }
                Some(TypeKind::Alias(TypeRef::Named(next))) => name = next,
                Some(TypeKind::Alias(TypeRef::Scalar(Scalar::Any))) => return Ok(()),
                _ => break,
            }
        }
        Err(self.err(
            ptr,
            format!("`allOf` merges `{target}`, which is not an object"),
        ))
    }
}

/// An array item or map value: `Nullable` when the spec says it may be
/// null, and for arrays and maps in a map (which Go sends as `null` when
/// empty).
fn element(ty: TypeRef, nullable: bool, in_map: bool) -> TypeRef {
    if nullable || (in_map && ty.is_collection()) {
        TypeRef::Nullable(Box::new(ty))
    } else {
        ty
    }
}

/// The tag values of the branch that is the component `key`: the
/// `mapping` keys that name it, else the component's own name.
fn tags_of(d: &openapiv3::Discriminator, key: &str) -> Vec<String> {
    let named: Vec<String> = d
        .mapping
        .iter()
        .filter(|(_, target)| {
            target.as_str() == key
                || target
                    .strip_prefix("#/components/schemas/")
                    .is_some_and(|k| {
                        crate::pointer::percent_decode(k)
                            .replace("~1", "/")
                            .replace("~0", "~")
                            == key
                    })
        })
        .map(|(tag, _)| tag.clone())
        .collect();
    if named.is_empty() {
        vec![key.to_string()]
    } else {
        named
    }
}

fn presence(required: bool, nullable: bool, ty: &TypeRef) -> Presence {
    match (required, nullable || ty.is_collection()) {
        (false, _) => Presence::Optional,
        (true, true) => Presence::RequiredNullable,
        (true, false) => Presence::Required,
    }
}

fn string_enum(v: &View, s: &Schema) -> StringEnum {
    let mut names = Names::new();
    let mut seen = HashSet::new();
    let mut variants = Vec::new();
    for value in v.enumeration.iter().filter_map(J::as_str) {
        if !seen.insert(value) {
            continue;
        }
        let mut base = names::variant_name(value);
        if base == FALLBACK_VARIANT {
            base.push_str("Value");
        }
        variants.push(Variant {
            name: names.claim(&base),
            value: value.to_string(),
        });
    }
    let default = s
        .schema_data
        .default
        .as_ref()
        .and_then(J::as_str)
        .and_then(|d| variants.iter().position(|v| v.value == d));
    StringEnum {
        variants,
        fallback: FALLBACK_VARIANT.to_string(),
        default,
    }
}

fn int_enum(v: &View, s: &Schema, repr: Scalar) -> IntEnum {
    let mut seen = HashSet::new();
    let variants: Vec<IntVariant> = v
        .enumeration
        .iter()
        .filter_map(J::as_i64)
        .filter(|i| seen.insert(*i))
        .map(|value| IntVariant {
            name: names::int_variant_name(value),
            value,
        })
        .collect();
    let default = s
        .schema_data
        .default
        .as_ref()
        .and_then(J::as_i64)
        .and_then(|d| variants.iter().position(|v| v.value == d));
    IntEnum {
        repr,
        variants,
        fallback: FALLBACK_VARIANT.to_string(),
        default,
    }
}
