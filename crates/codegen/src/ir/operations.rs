//! Lowering operations: parameters, request bodies and responses, with their
//! inline schemas hoisted under names derived from the operation
//! (`ContainerCreateBody`, `SystemInfoResponse`, `ImageBuildVersion`).

use openapiv3::{
    Header, Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr, RequestBody,
    Response as OasResponse, StatusCode,
};

use super::error::IrError;
use super::model::*;
use super::names::{self, Names};
use super::payload;
use super::schema::Lower;
use crate::pointer::join;

/// Follows a `#/components/<kind>/<name>` reference.
fn component<'c, T>(
    map: Option<&'c indexmap::IndexMap<String, ReferenceOr<T>>>,
    kind: &str,
    reference: &str,
) -> Option<(&'c T, String)> {
    let name = reference.strip_prefix(&format!("#/components/{kind}/"))?;
    let name = crate::pointer::percent_decode(name)
        .replace("~1", "/")
        .replace("~0", "~");
    match map?.get(&name)? {
        ReferenceOr::Item(item) => Some((item, join(&join("/components", kind), &name))),
        ReferenceOr::Reference { .. } => None,
    }
}

impl<'a> Lower<'a> {
    pub(crate) fn operations(&mut self) -> Result<Vec<Operation>, IrError> {
        let api = self.api;
        let mut out = Vec::new();
        let mut op_names = Names::new();
        for (path, item) in api.paths.iter() {
            let item_ptr = join("/paths", path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    return Err(self.err(&item_ptr, "path item `$ref`s are not supported yet"))
                }
            };
            for (method, op) in item.iter() {
                let ptr = join(&item_ptr, method);
                let operation_id = op
                    .operation_id
                    .clone()
                    .unwrap_or_else(|| format!("{method} {path}"));
                let name = op_names.claim(&names::type_name(&operation_id));

                let mut params = Vec::new();
                let mut param_names = Names::new();
                let shared = item
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, join(&join(&item_ptr, "parameters"), &i.to_string())));
                let own = op
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, join(&join(&ptr, "parameters"), &i.to_string())));
                let mut all: Vec<(&Parameter, String)> = Vec::new();
                for (p, pptr) in shared.chain(own) {
                    let (p, pptr) = self.parameter(p, &pptr)?;
                    let key = |q: &Parameter| {
                        let d = q.parameter_data_ref();
                        (d.name.clone(), std::mem::discriminant(q))
                    };
                    all.retain(|(q, _)| key(q) != key(p));
                    all.push((p, pptr));
                }
                for (p, pptr) in all {
                    params.push(self.param(p, &pptr, &name, &mut param_names)?);
                }

                let body = match &op.request_body {
                    None => None,
                    Some(b) => Some(self.body(b, &join(&ptr, "requestBody"), &name)?),
                };

                let mut responses = Vec::new();
                let first_success = op
                    .responses
                    .responses
                    .keys()
                    .filter_map(|code| match code {
                        StatusCode::Code(c) if (200..300).contains(c) => Some(*c),
                        _ => None,
                    })
                    .min();
                let mut listed: Vec<(String, &ReferenceOr<OasResponse>)> = op
                    .responses
                    .responses
                    .iter()
                    .map(|(code, r)| (code.to_string(), r))
                    .collect();
                if let Some(d) = &op.responses.default {
                    listed.push(("default".to_string(), d));
                }
                for (status, r) in listed {
                    let hint = if first_success.is_some_and(|c| c.to_string() == status) {
                        format!("{name}Response")
                    } else {
                        names::join_type(&format!("{name}Response"), &status)
                    };
                    let rptr = join(&join(&ptr, "responses"), &status);
                    let mut response = self.response(r, &rptr, status, &hint)?;
                    payload::add_undeclared_headers(&name, &mut response);
                    responses.push(response);
                }

                out.push(Operation {
                    name,
                    operation_id,
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    summary: op.summary.clone(),
                    description: op.description.clone(),
                    tags: op.tags.clone(),
                    deprecated: op.deprecated,
                    params,
                    body,
                    responses,
                });
            }
        }
        Ok(out)
    }

    fn parameter<'p>(
        &self,
        p: &'p ReferenceOr<Parameter>,
        ptr: &str,
    ) -> Result<(&'p Parameter, String), IrError>
    where
        'a: 'p,
    {
        match p {
            ReferenceOr::Item(p) => Ok((p, ptr.to_string())),
            ReferenceOr::Reference { reference } => component(
                self.api.components.as_ref().map(|c| &c.parameters),
                "parameters",
                reference,
            )
            .ok_or_else(|| {
                self.err(
                    ptr,
                    format!("`$ref: {reference}` does not name a parameter of this document"),
                )
            }),
        }
    }

    fn param(
        &mut self,
        p: &Parameter,
        ptr: &str,
        op: &str,
        names_taken: &mut Names,
    ) -> Result<Param, IrError> {
        let data = p.parameter_data_ref();
        let (location, explode_default) = match p {
            Parameter::Path { .. } => (ParamLocation::Path, false),
            Parameter::Query { style, .. } => {
                (ParamLocation::Query, matches!(style, QueryStyle::Form))
            }
            Parameter::Header { .. } => (ParamLocation::Header, false),
            Parameter::Cookie { .. } => (ParamLocation::Cookie, true),
        };
        let schema = match &data.format {
            ParameterSchemaOrContent::Schema(s) => s,
            ParameterSchemaOrContent::Content(_) => {
                return Err(self.err(
                    ptr,
                    "parameters with `content` are not supported yet; use `schema`",
                ))
            }
        };
        let hint = names::join_type(op, &data.name);
        let (ty, _) = self.type_ref(schema, &hint, &join(ptr, "schema"))?;
        let default = match schema {
            ReferenceOr::Item(s) => s.schema_data.default.clone(),
            ReferenceOr::Reference { .. } => None,
        };
        let explode = data.explode.unwrap_or(explode_default)
            || (location == ParamLocation::Query && super::payload::repeated_query(op, &data.name));
        let encoding = super::encoding::decide(&self.types, location, &data.name, &ty, explode);
        Ok(Param {
            name: names_taken.claim(&names::field_name(&data.name)),
            wire: data.name.clone(),
            location,
            required: data.required,
            ty,
            doc: data.description.clone(),
            default,
            encoding,
        })
    }

    fn body(&mut self, b: &ReferenceOr<RequestBody>, ptr: &str, op: &str) -> Result<Body, IrError> {
        let (b, ptr) = match b {
            ReferenceOr::Item(b) => (b, ptr.to_string()),
            ReferenceOr::Reference { reference } => component(
                self.api.components.as_ref().map(|c| &c.request_bodies),
                "requestBodies",
                reference,
            )
            .ok_or_else(|| {
                self.err(
                    ptr,
                    format!("`$ref: {reference}` does not name a request body of this document"),
                )
            })?,
        };
        let mut ty = None;
        if let Some((ct, media)) = b.content.iter().next() {
            if let Some(schema) = &media.schema {
                let sptr = join(&join(&join(&ptr, "content"), ct), "schema");
                ty = Some(self.type_ref(schema, &format!("{op}Body"), &sptr)?.0);
            }
        }
        Ok(Body {
            required: b.required,
            doc: b.description.clone(),
            content_types: b.content.keys().cloned().collect(),
            ty,
        })
    }

    fn response(
        &mut self,
        r: &ReferenceOr<OasResponse>,
        ptr: &str,
        status: String,
        hint: &str,
    ) -> Result<Response, IrError> {
        let (r, ptr) = match r {
            ReferenceOr::Item(r) => (r, ptr.to_string()),
            ReferenceOr::Reference { reference } => component(
                self.api.components.as_ref().map(|c| &c.responses),
                "responses",
                reference,
            )
            .ok_or_else(|| {
                self.err(
                    ptr,
                    format!("`$ref: {reference}` does not name a response of this document"),
                )
            })?,
        };
        let mut ty = None;
        if let Some((ct, media)) = r.content.iter().next() {
            if let Some(schema) = &media.schema {
                let sptr = join(&join(&join(&ptr, "content"), ct), "schema");
                ty = Some(self.type_ref(schema, hint, &sptr)?.0);
            }
        }
        let mut headers = Vec::new();
        for (name, h) in &r.headers {
            let hptr = join(&join(&ptr, "headers"), name);
            let h: &Header = match h {
                ReferenceOr::Item(h) => h,
                ReferenceOr::Reference { reference } => component(
                    self.api.components.as_ref().map(|c| &c.headers),
                    "headers",
                    reference,
                )
                .map(|(h, _)| h)
                .ok_or_else(|| {
                    self.err(
                        &hptr,
                        format!("`$ref: {reference}` does not name a header of this document"),
                    )
                })?,
            };
            let ty = match &h.format {
                ParameterSchemaOrContent::Schema(s) => {
                    self.type_ref(s, &names::join_type(hint, name), &join(&hptr, "schema"))?
                        .0
                }
                ParameterSchemaOrContent::Content(_) => {
                    return Err(self.err(
                        &hptr,
                        "headers with `content` are not supported yet; use `schema`",
                    ))
                }
            };
            headers.push(ResponseHeader {
                name: name.clone(),
                ty,
                doc: h.description.clone(),
            });
        }
        Ok(Response {
            status,
            doc: r.description.clone(),
            content_types: r.content.keys().cloned().collect(),
            ty,
            headers,
        })
    }
}
