//! The fuzz targets as a bounded property test that `cargo test` runs: the
//! same harness as `fuzz/` (included below), over random bytes, token soup,
//! mutations of the seed corpus and the fixture specs, and mutations of the
//! real swagger.yaml (windows of its definitions and paths wrapped as a
//! spec, and a few whole-file mutations). More than 100,000 cases in all
//! (with `codegen/tests/json_reader.rs`), none may panic.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::{select, Index};

#[path = "../../../fuzz/src/lib.rs"]
mod harness;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Every file of `dir`, as text.
fn texts(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// Small whole specs: the committed seed corpus and the fixture specs.
fn spec_seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds = texts(&root().join("fuzz/corpus/spec_pipeline"));
        seeds.extend(texts(&root().join("crates/test-support/fixtures/specs")));
        seeds
    })
}

fn request_seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| texts(&root().join("fuzz/corpus/request_decoding")))
}

fn swagger() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| std::fs::read_to_string(root().join("swagger.yaml")).unwrap())
}

/// The line numbers where swagger.yaml's definitions and paths begin (a
/// two-space key), with the section each is in.
fn swagger_starts() -> &'static [(usize, &'static str)] {
    static STARTS: OnceLock<Vec<(usize, &'static str)>> = OnceLock::new();
    STARTS.get_or_init(|| {
        let mut section = "";
        let mut out = Vec::new();
        for (i, line) in swagger().lines().enumerate() {
            if !line.starts_with(' ') && line.ends_with(':') {
                section = if line == "definitions:" {
                    "definitions"
                } else if line == "paths:" {
                    "paths"
                } else {
                    ""
                };
            } else if !section.is_empty()
                && line.len() > 2
                && line.starts_with("  ")
                && !line[2..].starts_with(' ')
            {
                out.push((i, section));
            }
        }
        assert!(out.len() > 100, "swagger.yaml has definitions and paths");
        out
    })
}

/// Pieces of Swagger/YAML/JSON text that mutations insert.
const SPEC_TOKENS: &[&str] = &[
    "\n",
    "  ",
    "    ",
    "- ",
    ": ",
    ":",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "<<: *a",
    "!",
    "!x",
    "!!str ",
    "|\n",
    ">-\n",
    "~",
    "null",
    "true",
    "0",
    "-1",
    "1e400",
    "01",
    "%",
    "%a\u{e9}",
    "\u{e9}",
    "\u{1F600}",
    "\t",
    "\r\n",
    "\\u",
    "$ref: ",
    "\"#/definitions/",
    "#/definitions/%aé",
    "#/components/schemas/",
    "~1",
    "~0",
    "type: object",
    "type: array",
    "type: string",
    "type: integer",
    "format: int64",
    "items:",
    "properties:",
    "required: [X]",
    "required: []",
    "allOf:",
    "- $ref: ",
    "additionalProperties: true",
    "additionalProperties:",
    "enum: [a, 1, null]",
    "x-nullable: true",
    "x-go-name: X",
    "in: path",
    "in: query",
    "in: body",
    "in: header",
    "in: formData",
    "name: id",
    "name: body",
    "schema:",
    "responses:",
    "200:",
    "default:",
    "description: d",
    "operationId: X",
    "operationId: ",
    "parameters:",
    "/x/{id}:",
    "get:",
    "post:",
    "produces: [application/json]",
    "consumes: [application/x-tar]",
    "collectionFormat: multi",
    "definitions:",
    "paths:",
    "swagger: \"2.0\"",
    "openapi: 3.0.0",
    "components:",
    "schemas:",
    "content:",
    "application/json:",
    "discriminator: Kind",
    "readOnly: true",
    "default: 1",
    "example: {a: 1}",
];

/// One edit of a text: insert a token, delete a span, replace a span with
/// a token, duplicate a span, or flip a byte into a (valid UTF-8) char.
#[derive(Clone, Debug)]
enum Edit {
    Insert(Index, &'static str),
    Delete(Index, usize),
    Replace(Index, usize, &'static str),
    Duplicate(Index, usize),
    Char(Index, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), select(SPEC_TOKENS)).prop_map(|(i, t)| Edit::Insert(i, t)),
        (any::<Index>(), 1..40usize).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<Index>(), 1..8usize, select(SPEC_TOKENS))
            .prop_map(|(i, n, t)| Edit::Replace(i, n, t)),
        (any::<Index>(), 1..80usize).prop_map(|(i, n)| Edit::Duplicate(i, n)),
        (any::<Index>(), any::<char>()).prop_map(|(i, c)| Edit::Char(i, c)),
    ]
}

/// The char boundary at or before `i`.
fn floor(text: &str, i: usize) -> usize {
    (0..=i.min(text.len()))
        .rev()
        .find(|&b| text.is_char_boundary(b))
        .unwrap_or(0)
}

fn span(text: &str, at: &Index, len: usize) -> (usize, usize) {
    let start = floor(text, at.index(text.len() + 1));
    (start, floor(text, start.saturating_add(len)))
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = text.to_string();
    for e in edits {
        out = match e {
            Edit::Insert(at, token) => {
                let (s, _) = span(&out, at, 0);
                format!("{}{token}{}", &out[..s], &out[s..])
            }
            Edit::Delete(at, n) => {
                let (s, e) = span(&out, at, *n);
                format!("{}{}", &out[..s], &out[e..])
            }
            Edit::Replace(at, n, token) => {
                let (s, e) = span(&out, at, *n);
                format!("{}{token}{}", &out[..s], &out[e..])
            }
            Edit::Duplicate(at, n) => {
                let (s, e) = span(&out, at, *n);
                format!("{}{}", &out[..e], &out[s..])
            }
            Edit::Char(at, c) => {
                let (s, e) = span(&out, at, 1);
                format!("{}{c}{}", &out[..s], &out[e..])
            }
        };
    }
    out
}

/// A window of swagger.yaml (`lines` lines from a definition or path
/// start) inside a minimal spec, so that it reaches the later stages.
fn swagger_window(start: &Index, lines: usize) -> String {
    let starts = swagger_starts();
    let (first, section) = starts[start.index(starts.len())];
    let body: Vec<&str> = swagger().lines().skip(first).take(lines).collect();
    let other = if section == "paths" {
        "definitions: {}"
    } else {
        "paths: {}"
    };
    format!(
        "swagger: \"2.0\"\ninfo:\n  title: \"W\"\n  version: \"1\"\n{other}\n{section}:\n{}\n",
        body.join("\n")
    )
}

/// Pieces of what clients send.
const REQUEST_TOKENS: &[&str] = &[
    "&",
    "=",
    "+",
    "%",
    "%2",
    "%zz",
    "%20",
    "%2B",
    "%e9",
    "%C3%A9",
    "%ff",
    "%7B",
    "%22",
    "all",
    "filters",
    "limit",
    "size",
    "1",
    "0",
    "-1",
    "true",
    "yes",
    "none",
    "99999999999999999999",
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "\"status\"",
    "\"running\"",
    "true",
    "null",
    "{\"a\":",
    "eyJ",
    "e30",
    "=",
    "==",
    "-",
    "_",
    "/",
    "/v1.44",
    "/v1.",
    "/v0.1",
    "/v9.99",
    "/v1.2.3",
    "/containers",
    "/images",
    "/json",
    "/start",
    "/_ping",
    "//",
    "\u{e9}",
    "\u{0}",
    " ",
    "\\",
];

// Case counts: 101,504 in this file, about 50 s of one core in debug
// (the whole-file mutations of swagger.yaml cost over a second each).
proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(data in prop::collection::vec(any::<u8>(), 0..160)) {
        harness::spec_pipeline(&data);
        harness::request_decoding(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn spec_token_soup(parts in prop::collection::vec(select(SPEC_TOKENS), 0..16)) {
        harness::spec_pipeline(parts.concat().as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_as_requests(data in prop::collection::vec(any::<u8>(), 0..96)) {
        harness::request_decoding(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 62_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn request_token_soup(parts in prop::collection::vec(select(REQUEST_TOKENS), 0..12)) {
        harness::request_decoding(parts.concat().as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_request_seeds(seed in any::<Index>(), edits in prop::collection::vec(edit(), 1..4)) {
        let seeds = request_seeds();
        let text = apply(&seeds[seed.index(seeds.len())], &edits);
        harness::request_decoding(text.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_seed_specs(seed in any::<Index>(), edits in prop::collection::vec(edit(), 0..4)) {
        let seeds = spec_seeds();
        let text = apply(&seeds[seed.index(seeds.len())], &edits);
        harness::spec_pipeline(text.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_swagger_windows(start in any::<Index>(), lines in 1..60usize, edits in prop::collection::vec(edit(), 0..3)) {
        let text = apply(&swagger_window(&start, lines), &edits);
        harness::spec_pipeline(text.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_whole_swagger(edits in prop::collection::vec(edit(), 1..3)) {
        harness::spec_pipeline(apply(swagger(), &edits).as_bytes());
    }
}

/// The seeds themselves go through the whole pipeline, and the ones meant
/// to be valid generate code (so the mutations start from specs that reach
/// the emitters).
#[test]
fn seeds_reach_the_emitters() {
    for seed in spec_seeds() {
        harness::spec_pipeline(seed.as_bytes());
    }
    let generated = spec_seeds()
        .iter()
        .filter(|s| {
            ["fuzz.yaml", "fuzz.json"].iter().any(|name| {
                codegen::load::load_str(name, s)
                    .ok()
                    .and_then(|doc| codegen::emit::api_from_document(&doc).ok())
                    .is_some()
            })
        })
        .count();
    assert!(generated >= 5, "only {generated} seeds generate code");
    for seed in request_seeds() {
        harness::request_decoding(seed.as_bytes());
    }
}
