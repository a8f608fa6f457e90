//! The generator works on any valid spec: for our swagger.yaml, Docker's
//! reference specs (v1.41, v1.44, v1.50) and the small fixture specs (every
//! schema shape), it writes a standalone crate (types, client and server on
//! this workspace's `engine-api-rt`) under `target/codegen-tests/`, and each
//! crate must pass `cargo clippy --all-targets -- -D warnings` with both
//! features (the default); the fixture crates also without features. The
//! shapes and unions crates also run a behaviour test against their
//! generated types, and the operations crate one of its generated client
//! against its generated server. The golden files of
//! `crates/codegen/tests/golden/` (types, server and client of each
//! fixture) are built into a crate each on the same runtime.

use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::emit::standalone::{self, Runtime};
use codegen::emit::{self, write_generated, Mode};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn work_dir() -> PathBuf {
    root().join("target").join("codegen-tests")
}

/// Generates the standalone crate of `spec` into `target/codegen-tests/<name>`.
fn generate(spec: &Path, name: &str) -> PathBuf {
    let api = emit::load_api(spec).unwrap_or_else(|e| panic!("{e}"));
    let dir = work_dir().join(name);
    let source = spec.file_name().unwrap().to_string_lossy().into_owned();
    let runtime = Runtime::Path(root().join("crates").join("engine-api-rt"));
    let files =
        standalone::standalone_crate(&api, &standalone::crate_name_for(&dir), &source, &runtime)
            .unwrap_or_else(|e| panic!("{e}"));
    for file in files {
        write_generated(&dir.join(&file.path), &file.text, &Mode::Write).unwrap();
    }
    // The workspace's lock file pins the same serde the workspace builds.
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// Runs `cargo <args>` in `dir` with a target directory shared by all the
/// generated crates; panics with cargo's output when it fails.
fn cargo(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", work_dir().join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "`cargo {}` failed in {}:\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Clippy with the default features (client and server), warnings as errors.
fn clippy(dir: &Path) {
    cargo(
        dir,
        &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"],
    );
}

/// [`clippy`], then the types alone (no features), warnings as errors too.
fn clippy_all_feature_sets(dir: &Path) {
    clippy(dir);
    cargo(
        dir,
        &[
            "clippy",
            "--quiet",
            "--no-default-features",
            "--",
            "-D",
            "warnings",
        ],
    );
}

fn fixture(name: &str) -> PathBuf {
    root()
        .join("crates/test-support/fixtures/specs")
        .join(format!("{name}.yaml"))
}

#[test]
fn swagger_yaml_types_compile_without_warnings() {
    clippy(&generate(&root().join("swagger.yaml"), "swagger"));
}

/// Generates and clippy-checks the crate of Docker's reference spec of
/// API `version`, when the shared folder beside the checkout has it.
fn reference_compiles(version: &str, name: &str) {
    let spec = root().join(format!("../shared/reference/engine-api-v{version}.yaml"));
    if !spec.exists() {
        eprintln!("skipped: {} is absent", spec.display());
        return;
    }
    clippy(&generate(&spec, name));
}

#[test]
fn reference_spec_types_compile_without_warnings() {
    reference_compiles("1.44", "reference");
}

#[test]
fn older_reference_spec_v1_41_compiles_without_warnings() {
    reference_compiles("1.41", "reference-v1-41");
}

/// v1.50 has a `required` name without a property
/// (`ImageManifestSummary.ImageData`): a warning, and it still generates.
#[test]
fn newer_reference_spec_v1_50_compiles_without_warnings() {
    reference_compiles("1.50", "reference-v1-50");
}

#[test]
fn fixture_specs_compile_without_warnings() {
    clippy_all_feature_sets(&generate(&fixture("openapi3"), "openapi3"));
}

/// Written beside the generated shapes crate (not by the generator): what
/// the generated types do with JSON.
const SHAPES_BEHAVIOUR: &str = r#"//! Behaviour of the types generated from tests/fixtures/specs/shapes.yaml.

use serde_json::json;
use shapes::*;

#[test]
fn unknown_enum_values_are_kept() {
    let s: Status = serde_json::from_value(json!("paused-by-newer-daemon")).unwrap();
    assert_eq!(s, Status::Other("paused-by-newer-daemon".into()));
    assert_eq!(serde_json::to_value(&s).unwrap(), json!("paused-by-newer-daemon"));
    assert_eq!(Status::from("other"), Status::OtherValue);
    assert_eq!(Status::from(""), Status::Empty);
    assert_eq!(Status::default(), Status::Unknown);
    assert_eq!(Status::MobyPluginsHttpV1.to_string(), "moby.plugins.http/v1");
    let l: Level = serde_json::from_value(json!(7)).unwrap();
    assert_eq!((l, l.value()), (Level::Other(7), 7));
    assert_eq!(serde_json::to_value(Level::V2).unwrap(), json!(2));
}

#[test]
fn optional_fields_are_skipped_and_null_arrays_read() {
    let h: Holder = serde_json::from_value(json!({"Status": "running", "Level": 1, "Items": null})).unwrap();
    assert_eq!(h.items, None);
    assert_eq!(h.mode, None);
    assert_eq!(
        serde_json::to_value(&h).unwrap(),
        json!({"Status": "running", "Level": 1, "Items": null})
    );
    let e: Holder = serde_json::from_value(json!({
        "Status": "", "Level": 0, "Items": ["a"], "Extras": {"k": null, "l": ["x"]}
    })).unwrap();
    let extras = e.extras.unwrap();
    assert_eq!(extras["k"], None);
    assert_eq!(extras["l"], Some(vec!["x".to_string()]));
}

#[test]
fn merged_recursive_and_keyword_types_round_trip() {
    let ext = json!({"Id": "a", "Size": 18446744073709551615u64, "Nested": {"Deeper": {"Flag": true}}});
    let e: Extended = serde_json::from_value(ext.clone()).unwrap();
    assert_eq!(e.size, u64::MAX);
    assert_eq!(serde_json::to_value(&e).unwrap(), ext);

    let tree = json!({"Name": "root", "Children": [{"Name": "kid"}], "Parent": {"Name": "up"},
                      "Partner": {"Node": {"Name": "p"}}});
    let t: TreeNode = serde_json::from_value(tree.clone()).unwrap();
    assert_eq!(t.parent.as_ref().unwrap().name.as_deref(), Some("up"));
    assert_eq!(serde_json::to_value(&t).unwrap(), tree);

    let kw = json!({"type": "t", "self": "s", "fn": true, "match": 3, "ID": "a", "Id": "b",
                    "com.example.label": "c", "2fa": false});
    let k: Keywords = serde_json::from_value(kw.clone()).unwrap();
    assert_eq!((k.r#type.as_deref(), k.id.as_deref(), k.id2.as_deref()), (Some("t"), Some("a"), Some("b")));
    assert_eq!(serde_json::to_value(&k).unwrap(), kw);

    let w: WithExtra = serde_json::from_value(json!({"Known": "k", "a": 1, "b": 2})).unwrap();
    assert_eq!(w.additional_properties.len(), 2);
    assert_eq!(serde_json::to_value(&w).unwrap(), json!({"Known": "k", "a": 1, "b": 2}));

    let m: Matrix = serde_json::from_value(json!({"Rows": [[1.5, 2.0], []], "Cells": {"a": {"Value": "v"}}})).unwrap();
    assert_eq!(m.rows.unwrap()[0], vec![1.5, 2.0]);
    let _: OptionType = OptionType::default();
}
"#;

#[test]
fn shapes_fixture_compiles_and_behaves() {
    let dir = generate(&fixture("shapes"), "shapes");
    let tests = dir.join("tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::write(tests.join("behaviour.rs"), SHAPES_BEHAVIOUR).unwrap();
    clippy_all_feature_sets(&dir);
    cargo(&dir, &["test", "--quiet"]);
}

/// Written beside the generated operations crate (not by the generator):
/// its client and its server, talking over a unix socket.
const OPERATIONS_BEHAVIOUR: &str = r#"//! The client and server generated from tests/fixtures/specs/operations.yaml,
//! talking to each other over a unix socket.

use std::sync::Arc;

use operations::rt::error::ApiError;
use operations::rt::host::Host;
use operations::rt::version::ApiVersion;
use operations::server::{
    OtherApi, Router, ThingCreateReply, ThingCreateRequest, ThingListOkHeaders, ThingListReply,
    ThingListRequest,
};
use operations::{
    serve, Client, Listener, ServerInfo, ThingCreateBody, ThingCreateResponse,
    ThingCreateResponse409, ThingListResponseItem, ThingListResponseXMode,
};

struct Things;

impl OtherApi for Things {
    async fn thing_list(&self, req: ThingListRequest) -> Result<ThingListReply, ApiError> {
        let name = req.x_trace.unwrap_or_else(|| "untraced".into());
        Ok(ThingListReply::Ok {
            body: vec![ThingListResponseItem {
                name,
                ..Default::default()
            }],
            headers: ThingListOkHeaders {
                x_total: Some(1),
                x_mode: Some("partial".into()),
            },
        })
    }

    async fn thing_create(&self, req: ThingCreateRequest) -> Result<ThingCreateReply, ApiError> {
        if req.body.name == "taken" {
            return Ok(ThingCreateReply::Conflict(ThingCreateResponse409 {
                message: Some("name taken".into()),
                ..Default::default()
            }));
        }
        Ok(ThingCreateReply::Created(ThingCreateResponse {
            id: Some(format!("id-{}", req.body.name)),
            ..Default::default()
        }))
    }
}

#[tokio::test]
async fn the_generated_client_talks_to_the_generated_server() {
    let socket = std::env::temp_dir().join(format!("operations-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&socket);
    let listener = Listener::bind(&Host::Unix(socket.clone()), None).await.unwrap();
    let info = ServerInfo {
        server: "things/1".into(),
        os_type: "linux".into(),
        experimental: false,
    };
    let router = Arc::new(Router::new(Things, info));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, router, async {
        let _ = stopped.await;
    }));

    let client = Client::builder(Host::Unix(socket.clone()))
        .version(ApiVersion::new(1, 44))
        .build()
        .unwrap();
    let body = |name: &str| ThingCreateBody {
        name: name.into(),
        ..Default::default()
    };
    let created = client.thing_create(&body("box")).await;
    let conflict = client.thing_create(&body("taken")).await;
    let listed = client.thing_list(&Default::default()).await;

    // Stop and clean up before asserting, so a failure leaves nothing behind.
    let _ = stop.send(());
    let _ = server.await;
    let _ = std::fs::remove_file(&socket);

    assert_eq!(created.unwrap().id.as_deref(), Some("id-box"));
    let err = conflict.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(err.to_string().contains("name taken"), "{err}");
    let listed = listed.unwrap();
    assert_eq!(listed.body.len(), 1);
    assert_eq!(listed.body[0].name, "untraced");
    assert_eq!(listed.x_total, Some(1));
    assert_eq!(listed.x_mode, Some(ThingListResponseXMode::Partial));
}
"#;

#[test]
fn operations_fixture_client_talks_to_its_server() {
    let dir = generate(&fixture("operations"), "operations");
    // The behaviour test runs on tokio; the generated manifest has no
    // dev-dependencies of its own.
    let manifest = dir.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(
        "\n[dev-dependencies]\ntokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"sync\"] }\n",
    );
    std::fs::write(&manifest, text).unwrap();
    let tests = dir.join("tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::write(tests.join("behaviour.rs"), OPERATIONS_BEHAVIOUR).unwrap();
    clippy_all_feature_sets(&dir);
    cargo(&dir, &["test", "--quiet"]);
}

/// Written beside the generated unions crate (not by the generator): each
/// branch of each `oneOf`/`anyOf` decodes into its variant and encodes back.
const UNIONS_BEHAVIOUR: &str = r#"//! Behaviour of the types generated from tests/fixtures/specs/unions.yaml.

use serde_json::{json, Value};
use unions::*;

fn round_trip<T>(sample: Value) -> T
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let decoded: T = serde_json::from_value(sample.clone()).unwrap();
    assert_eq!(serde_json::to_value(&decoded).unwrap(), sample);
    decoded
}

#[test]
fn one_of_refs_picks_the_branch_that_fits() {
    let cat: Pet = round_trip(json!({"petType": "cat", "Lives": 9}));
    assert!(matches!(&cat, Pet::Cat(c) if c.lives == 9), "{cat:?}");
    let dog: Pet = round_trip(json!({"Bark": "woof", "Tail": true}));
    assert!(matches!(&dog, Pet::Dog(d) if d.bark == "woof"), "{dog:?}");
    let err = serde_json::from_value::<Pet>(json!({"Lives": 1})).unwrap_err();
    assert!(err.to_string().contains("matches no branch of Pet"), "{err}");
    assert!(serde_json::from_value::<Pet>(json!("cat")).is_err());
}

#[test]
fn any_of_primitives_keeps_each_kind() {
    assert_eq!(round_trip::<Scalar>(json!("x")), Scalar::String("x".into()));
    assert_eq!(round_trip::<Scalar>(json!(-3)), Scalar::Integer(-3));
    assert_eq!(round_trip::<Scalar>(json!(1.5)), Scalar::Number(1.5));
    assert_eq!(round_trip::<Scalar>(json!(true)), Scalar::Boolean(true));
    assert_eq!(round_trip::<Scalar>(json!(["a", "b"])), Scalar::Array(vec!["a".into(), "b".into()]));
    assert!(serde_json::from_value::<Scalar>(json!({"a": 1})).is_err());
    assert!(serde_json::from_value::<Scalar>(json!(null)).is_err());
}

#[test]
fn nullable_one_of_is_an_option() {
    let owner: Owner = round_trip(json!({
        "Pet": {"Bark": "arf"}, "Tag": null, "Maybe": null, "Nickname": null, "Only": null
    }));
    assert_eq!((owner.maybe, owner.nickname, owner.only), (None, None, None));
    assert_eq!(owner.tag, None);
    let owner: Owner = round_trip(json!({
        "Pet": {"Bark": "arf"}, "Tag": "t", "Maybe": {"petType": "cat", "Lives": 3}, "Nickname": 7,
        "Either": {"Name": "n"}, "Only": {"Bark": "b"}
    }));
    assert_eq!(owner.tag, Some(OwnerTag::String("t".into())));
    assert!(matches!(owner.maybe, Some(MaybePet::Cat(_))));
    assert_eq!(owner.nickname, Some(OwnerNickname::Integer(7)));
    assert!(matches!(owner.either, Some(OwnerEither::Object(ref o)) if o.name.as_deref() == Some("n")));
    assert_eq!(owner.only.map(|d| d.bark), Some("b".to_string()));
    let owner: Owner = round_trip(json!({"Pet": {"Bark": "arf"}, "Tag": 4, "Either": "plain"}));
    assert_eq!(owner.tag, Some(OwnerTag::Integer(4)));
    assert_eq!(owner.either, Some(OwnerEither::String("plain".into())));
    assert!(serde_json::from_value::<Owner>(json!({"Pet": null, "Tag": null})).is_err());
    assert!(serde_json::from_value::<Owner>(json!({"Pet": {"Bark": "a"}, "Tag": true})).is_err());
}

#[test]
fn a_union_that_holds_itself_through_an_object_nests() {
    let e: Expr = round_trip(json!({"Not": {"Not": 3}}));
    let Expr::Neg(outer) = &e else { panic!("{e:?}") };
    let Expr::Neg(inner) = &*outer.not else { panic!("{e:?}") };
    assert_eq!(*inner.not, Expr::Integer(3));
    assert!(serde_json::from_value::<Expr>(json!({"Not": {"Not": "x"}})).is_err());
    let owner: Owner = round_trip(json!({"Pet": {"Bark": "a"}, "Tag": null, "Expr": {"Not": 1}}));
    assert!(matches!(owner.expr, Some(Expr::Neg(_))));
}

#[test]
fn discriminator_chooses_by_its_property() {
    let cat: Tagged = round_trip(json!({"petType": "kitten", "Lives": 2}));
    assert!(matches!(&cat, Tagged::Cat(c) if c.pet_type == "kitten"), "{cat:?}");
    let dog: Tagged = round_trip(json!({"petType": "dog", "Bark": "woof"}));
    assert!(matches!(&dog, Tagged::Dog(d) if d.bark == "woof"), "{dog:?}");
    let newer: Tagged = round_trip(json!({"petType": "parrot", "Words": 12}));
    assert!(matches!(newer, Tagged::Other(_)));
    // The tag decides: a dog's shape under the cat's tag is a broken cat.
    let err = serde_json::from_value::<Tagged>(json!({"petType": "cat", "Bark": "woof"})).unwrap_err();
    assert!(err.to_string().contains("Tagged::Cat"), "{err}");
    let err = serde_json::from_value::<Tagged>(json!({"Bark": "woof"})).unwrap_err();
    assert!(err.to_string().contains("petType"), "{err}");
    // A value built in Rust whose type does not declare the tag gets it.
    let built = Tagged::Dog(Dog { bark: "grr".into(), rest: Default::default() });
    assert_eq!(serde_json::to_value(&built).unwrap(), json!({"petType": "dog", "Bark": "grr"}));
}
"#;

#[test]
fn unions_fixture_compiles_and_behaves() {
    let dir = generate(&fixture("unions"), "unions");
    let tests = dir.join("tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::write(tests.join("behaviour.rs"), UNIONS_BEHAVIOUR).unwrap();
    clippy_all_feature_sets(&dir);
    cargo(&dir, &["test", "--quiet"]);
}

/// A crate of one golden set (`crates/codegen/tests/golden/<name>/`): the
/// standalone crate of its spec, with the committed golden files in place
/// of the freshly generated ones (the golden test keeps them equal), plus
/// a test that uses `default_handlers!` from outside the crate.
fn golden_crate(golden: &Path) -> PathBuf {
    let name = golden.file_name().unwrap().to_string_lossy().into_owned();
    let dir = generate(&golden.join("spec.yaml"), &format!("golden-{name}"));
    for file in ["types.rs", "server.rs", "client.rs"] {
        std::fs::copy(golden.join(file), dir.join("src").join(file)).unwrap();
    }
    // A server of nothing but 501 defaults is a whole `Api`.
    let krate = standalone::crate_name_for(&dir).replace('-', "_");
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(
        dir.join("tests/defaults.rs"),
        format!(
            "//! The generated `default_handlers!`, used from outside.\n\n\
             struct Defaults;\n\n{krate}::default_handlers!(Defaults);\n\n\
             #[test]\nfn a_server_of_defaults_is_an_api() {{\n    \
             fn serves<A: {krate}::server::Api>() {{}}\n    serves::<Defaults>();\n}}\n"
        ),
    )
    .unwrap();
    dir
}

#[test]
fn golden_files_compile_without_warnings() {
    let goldens = root().join("crates/codegen/tests/golden");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&goldens)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("spec.yaml").is_file())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 3,
        "no golden sets under {}",
        goldens.display()
    );
    for golden in dirs {
        clippy(&golden_crate(&golden));
    }
}
