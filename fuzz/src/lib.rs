//! The fuzz harness: one function per target, taking arbitrary bytes. The
//! cargo-fuzz targets (`fuzz_targets/`) call it, and so does the bounded
//! property test that CI runs (`tests/tests/codegen_fuzz.rs`, which
//! includes this file as a module). A panic anywhere is a bug; so is a
//! broken round trip, which the functions assert.

use codegen::{docs, emit, load, validate};
use engine_api::rt::query::{self, Filters, Query, QueryBuilder};
use engine_api::rt::server::route::{Found, Route, RouteTable};
use engine_api::rt::server::{auth, request, version_prefix};
use engine_api::types;

/// A spec file: validated as YAML and as JSON; when it loads and has no
/// errors, lowered to the IR, emitted (types, client, server) and laid out
/// as the docs page.
pub fn spec_pipeline(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["fuzz.yaml", "fuzz.json"] {
        let _ = validate::validate_str(name, text);
        let Ok(doc) = load::load_str(name, text) else {
            continue;
        };
        if let Ok(api) = emit::api_from_document(&doc) {
            let _ = emit::project_files(&api);
            let _ = docs::page(&doc.root);
        }
    }
}

/// Templates like the generated router's: literal segments, parameters,
/// and a parameter that may span segments (`{name}` of an image).
static ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/_ping",
    },
    Route {
        method: "GET",
        path: "/containers/json",
    },
    Route {
        method: "GET",
        path: "/containers/{id}/json",
    },
    Route {
        method: "POST",
        path: "/containers/{id}/start",
    },
    Route {
        method: "GET",
        path: "/images/{name}/json",
    },
    Route {
        method: "DELETE",
        path: "/images/{name}",
    },
    Route {
        method: "GET",
        path: "/{any}/x",
    },
];

/// Query names the decoders are asked for (the accessors take `'static`).
const NAMES: &[&str] = &["all", "size", "filters", "limit", "since", "", "a b"];

/// What a client sends, decoded every way the server decodes it: the
/// bytes as a query string (each accessor), as `filters` JSON, as an
/// `X-Registry-Auth` header, as a path (version prefix, then routing) and
/// as a JSON body. Asserts the encoders' round trips on the same text.
pub fn request_decoding(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    let q = Query::parse(text);
    for &name in NAMES {
        let _ = q.first(name);
        let _ = q.all(name);
        let _ = q.bool(name);
        let _ = q.int::<i64>(name);
        let _ = q.int::<u16>(name);
        let _ = q.filters(name);
    }

    if let Ok(filters) = Filters::from_json(text) {
        let again = Filters::from_json(&filters.to_json());
        assert_eq!(
            again.as_ref(),
            Ok(&filters),
            "filters round trip of {text:?}"
        );
    }

    let _ = auth::decode::<types::AuthConfig>(text);
    let _ = auth::decode::<serde_json::Value>(text);
    let _ = request::decode_json::<types::ContainerConfig>(data);
    let _ = request::decode_json::<types::AuthConfig>(data);

    let table = RouteTable::new(ROUTES);
    let path = match version_prefix::split(text) {
        Ok((_, rest)) => rest,
        Err(_) => text,
    };
    for method in ["GET", "HEAD", "POST", "DELETE"] {
        if let Found::Route(i, params) = table.find(method, path) {
            assert!(i < ROUTES.len(), "route {i} of {path:?}");
            let _ = params;
        }
    }

    // Encoding then decoding gives the text back, in a path segment and
    // as a query pair.
    let encoded = query::encode(text);
    assert_eq!(query::percent_decode(&encoded), text, "path round trip");
    assert_eq!(query::decode(&encoded), text, "query round trip");
    let mut builder = QueryBuilder::default();
    builder.push(text, text).push("k", text);
    let parsed = Query::parse(&builder.finish());
    assert_eq!(parsed.first("k"), Some(text), "query pair round trip");
    assert_eq!(parsed.all(text).first().copied(), Some(text));
}
