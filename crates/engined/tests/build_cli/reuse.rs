//! A rebuild of the same context reuses the unpacked context and the
//! COPY digests made from it; a changed file, a changed `.dockerignore`
//! or another Dockerfile name is a new context, so the build copies what
//! the context holds now, never what a kept one held.

use super::{build, s, setup, text};

#[test]
fn a_changed_context_is_never_served_from_the_kept_one() {
    let Some(d) = setup("build_cli_reuse") else {
        return;
    };
    let ctx = d.dir.join("ctx-reuse");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM mini\nCOPY . /in/\nCMD [\"cat\", \"/in/data\"]\n",
    )
    .unwrap();
    std::fs::write(ctx.join("Dockerfile.other"), "FROM mini\nCOPY data /data\n").unwrap();
    std::fs::write(ctx.join("data"), "one\n").unwrap();
    let built = |file: &str, tag: &str| {
        let path = ctx.join(file);
        let out = build(&d, &["-f", s(&path), "-t", tag, s(&ctx)]);
        assert!(out.status.success(), "{}", text(&out));
        text(&out)
    };
    let run = |image: &str, args: &[&str]| {
        let mut all = vec!["run", "--rm", "--network", "none", image];
        all.extend_from_slice(args);
        d.docker(&all).trim().to_string()
    };
    built("Dockerfile", "r:1");
    assert_eq!(run("r:1", &[]), "one");
    // The same context: every step from the cache.
    assert!(built("Dockerfile", "r:1").contains("Using cache"));
    // Changed content: a new COPY layer with it.
    std::fs::write(ctx.join("data"), "two\n").unwrap();
    let out = built("Dockerfile", "r:2");
    assert!(!out.contains("Using cache"), "{out}");
    assert_eq!(run("r:2", &[]), "two");
    // A .dockerignore added: the file is no longer copied.
    std::fs::write(ctx.join(".dockerignore"), "data\n").unwrap();
    built("Dockerfile", "r:3");
    assert_eq!(run("r:3", &["ls", "/in"]), "Dockerfile\nDockerfile.other");
    // Another Dockerfile of the same tar.
    std::fs::remove_file(ctx.join(".dockerignore")).unwrap();
    built("Dockerfile", "r:4");
    built("Dockerfile.other", "r:5");
    assert_eq!(run("r:5", &["cat", "/data"]), "two");
}
