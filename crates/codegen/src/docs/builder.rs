//! The state every part of the page is built with: the spec and the
//! anchors taken so far, with the two helpers all of them need (Markdown
//! and schema views). `model` builds the page with it and `operation` each
//! operation, so it sits below both.

use crate::load::Node;

use super::anchors::Anchors;
use super::markdown::{self, Headings};
use super::schema::{SchemaBuilder, SchemaView};
use super::spec::Spec;

pub(super) struct Builder<'s, 'a> {
    pub(super) spec: &'s Spec<'a>,
    pub(super) anchors: &'s mut Anchors,
}

impl<'a> Builder<'_, 'a> {
    pub(super) fn md(&mut self, source: &str, id_prefix: &str, top_level: u8) -> String {
        markdown::render(
            source,
            Headings {
                id_prefix,
                top_level,
            },
            self.anchors,
        )
    }

    pub(super) fn schema_view(
        &mut self,
        schema: &'a Node,
        place: &str,
        expand_refs: bool,
    ) -> SchemaView {
        SchemaBuilder {
            spec: self.spec,
            anchors: self.anchors,
            id_prefix: format!("{place}/section/"),
        }
        .view(schema, expand_refs)
    }
}
