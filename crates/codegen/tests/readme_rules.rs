//! The README's rule table is the catalog's: this fails when a rule was
//! added, renamed or re-graded without regenerating the table.

use std::path::{Path, PathBuf};

use codegen::validate::{render_readme, README_BEGIN};

/// The workspace README: the nearest one above this crate that holds the
/// rule table (the crate may sit one or two levels below the root).
fn readme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("README.md"))
        .find(|p| std::fs::read_to_string(p).is_ok_and(|text| text.contains(README_BEGIN)))
        .expect("a README.md with the rule table above the codegen crate")
}

#[test]
fn readme_rule_table_is_fresh() {
    let path = readme();
    let text = std::fs::read_to_string(&path).unwrap();
    let fresh = render_readme(&text).unwrap();
    assert!(
        fresh == text,
        "the rule table in {} is stale: run `cargo xtask validate-swagger --rules-markdown`",
        path.display()
    );
}
