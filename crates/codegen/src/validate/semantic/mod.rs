//! Rules the object model cannot express: references resolve, operationIds
//! are unique, path templates and path parameters agree, bodies are not
//! doubled, response codes are real, values fit their schemas, `required`
//! names real properties, arrays say what they hold, no path is declared
//! twice, and every definition is used.
//!
//! The document is gathered once ([`context::Context`]); each rule is one
//! function over it, and [`check`] only runs them in turn.

mod context;
mod document;
mod operations;
mod values;

use std::path::Path;

use super::{Diagnostic, Rule, SpecVersion};
use context::Context;

/// A semantic rule: reads the gathered document, pushes its findings.
type Check = fn(&Context, &mut Vec<Diagnostic>);

/// Every semantic rule with the function that checks it.
pub(super) const RULES: &[(Rule, Check)] = &[
    (Rule::RefUnresolved, document::ref_unresolved),
    (
        Rule::OperationIdDuplicate,
        operations::operation_id_duplicate,
    ),
    (Rule::PathParamUndeclared, operations::path_param_undeclared),
    (Rule::PathParamUnused, operations::path_param_unused),
    (
        Rule::PathParamNotRequired,
        operations::path_param_not_required,
    ),
    (Rule::BodyMultiple, operations::body_multiple),
    (Rule::BodyAndFormdata, operations::body_and_formdata),
    (Rule::ParamDuplicate, operations::param_duplicate),
    (Rule::ParamFileLocation, operations::param_file_location),
    (
        Rule::ParamCollectionFormat,
        operations::param_collection_format,
    ),
    (Rule::ResponseCode, operations::response_code),
    (Rule::DefaultType, values::default_type),
    (Rule::EnumType, values::enum_type),
    (Rule::ExampleType, values::example_type),
    (
        Rule::RequiredUnknownProperty,
        values::required_unknown_property,
    ),
    (Rule::ArrayItems, values::array_items),
    (Rule::PathDuplicate, document::path_duplicate),
    (Rule::DefinitionUnused, document::definition_unused),
];

pub fn check(
    version: SpecVersion,
    root: &crate::load::Node,
    base: &Path,
    out: &mut Vec<Diagnostic>,
) {
    let ctx = Context::new(version, root, base);
    for (_, rule) in RULES {
        rule(&ctx, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Family;

    #[test]
    fn every_semantic_rule_of_the_catalog_has_one_function() {
        for rule in Rule::ALL.iter().filter(|r| r.family() == Family::Semantic) {
            let n = RULES.iter().filter(|(r, _)| r == rule).count();
            assert_eq!(n, 1, "{rule} has {n} functions");
        }
        assert!(RULES.iter().all(|(r, _)| r.family() == Family::Semantic));
    }
}
