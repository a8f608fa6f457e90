//! Images made from containers and Dockerfiles, end to end with the real
//! docker CLI against engined on real runc: `docker commit` (with
//! `--change`, `--message`, `--author`, paused or not, of a running or a
//! stopped container), the new image run to see its files, `docker
//! history` showing the step with its size and `created_by`, and the
//! committed layer holding exactly what `docker diff` listed (whiteouts for
//! deletions); and `DOCKER_BUILDKIT=0 docker build` (the classic builder):
//! meta ARGs, ENV with a continuation, WORKDIR, COPY of a file and a
//! directory, RUN on runc with a `--build-arg`, LABEL, CMD, two stages with
//! `COPY --from`, `--target`, `-t`, `-q`, `--iidfile`, the cache (`Using
//! cache`, `--no-cache`, `builder prune --all`), and bad input: a failing RUN
//! (dockerd's message, no tag), an unknown instruction and a COPY from
//! outside the context (each naming the line).

mod hostile;
mod intermediates;
mod prune;
mod pull;
mod reuse;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};

use test_support::docker_cli::DOCKER;

use test_support::engined::Engined;
use test_support::skip::can_run_containers as can_run;

/// A started engined with the busybox image `mini`; `None` (after a
/// notice) where containers cannot run.
fn setup(test: &str) -> Option<Engined> {
    if !can_run() {
        return None;
    }
    let d = Engined::start(&Engined::test_dir(test));
    d.import_mini();
    Some(d)
}

/// The entry names of the top layer of `image`, read from `docker save`.
fn top_layer_entries(d: &Engined, image: &str) -> Vec<String> {
    let out = d.docker_output(&["save", image]);
    assert!(out.status.success(), "{out:?}");
    let mut files = std::collections::BTreeMap::new();
    let mut archive = tar::Archive::new(&out.stdout[..]);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(name, bytes);
    }
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let layers = manifest[0]["Layers"].as_array().unwrap();
    let top = layers.last().unwrap().as_str().unwrap();
    let mut layer = tar::Archive::new(&files[top][..]);
    layer
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            String::from_utf8_lossy(&e.path_bytes())
                .trim_end_matches('/')
                .to_string()
        })
        .collect()
}

#[test]
fn commit_makes_an_image_of_the_changes() {
    let Some(d) = setup("build_cli_commit") else {
        return;
    };
    d.docker(&[
        "run",
        "-d",
        "--name",
        "src",
        "--network",
        "none",
        "mini",
        "sleep",
        "1000",
    ]);
    d.docker(&[
        "exec",
        "src",
        "sh",
        "-c",
        "echo hello > /hello && busybox rm /etc/group && busybox mkdir -p /d/e && echo x > /d/e/f",
    ]);
    let diff = d.docker(&["diff", "src"]);

    let id = d.docker(&[
        "commit",
        "--change",
        r#"CMD ["cat", "/hello"]"#,
        "--change",
        "ENV MODE=snap",
        "--change",
        "WORKDIR /d",
        "-m",
        "first commit",
        "-a",
        "Ada <ada@example.org>",
        "src",
        "snap:1",
    ]);
    let id = id.trim();
    assert!(id.starts_with("sha256:") && id.len() == 71, "{id}");
    // The paused container runs on afterwards.
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.Status}}", "src"])
            .trim(),
        "running"
    );

    let run = |args: &[&str]| {
        let mut all = vec!["run", "--rm", "--network", "none", "snap:1"];
        all.extend_from_slice(args);
        d.docker(&all)
    };
    assert_eq!(run(&[]), "hello\n");
    assert_eq!(run(&["cat", "/d/e/f"]), "x\n");
    assert_eq!(
        run(&[
            "sh",
            "-c",
            "test -e /etc/group && echo present || echo gone"
        ]),
        "gone\n"
    );
    assert_eq!(
        d.docker(&[
            "image",
            "inspect",
            "-f",
            "{{.Author}}|{{.Comment}}|{{json .Config.Cmd}}",
            "snap:1"
        ])
        .trim(),
        r#"Ada <ada@example.org>|first commit|["cat","/hello"]"#
    );
    // Every `--change` applies (the CLI repeats `changes=`).
    assert_eq!(run(&["sh", "-c", "echo $MODE; pwd"]), "snap\n/d\n");

    let history = d.docker(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}",
        "snap:1",
    ]);
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert_eq!(
        lines[0],
        format!("{id}|sleep 1000|8B|first commit"),
        "{history}"
    );
    assert!(lines[1].starts_with("<missing>|"), "{history}");

    // `docker diff` parity: the layer holds each listed path, deletions
    // as whiteouts, and nothing else.
    let mut want = BTreeSet::new();
    for line in diff.lines() {
        let (kind, path) = line.split_once(' ').unwrap();
        let path = path.trim_start_matches('/');
        want.insert(if kind == "D" {
            match path.rsplit_once('/') {
                Some((parent, last)) => format!("{parent}/.wh.{last}"),
                None => format!(".wh.{path}"),
            }
        } else {
            path.to_string()
        });
    }
    let got: BTreeSet<String> = top_layer_entries(&d, "snap:1").into_iter().collect();
    assert_eq!(got, want, "diff:\n{diff}");
    assert!(
        got.contains("etc/.wh.group") && got.contains("hello"),
        "{got:?}"
    );
}

#[test]
fn commit_of_a_stopped_container_without_pause_and_of_a_missing_one() {
    let Some(d) = setup("build_cli_commit_stopped") else {
        return;
    };
    d.docker(&[
        "run",
        "--name",
        "once",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "echo 1 > /one",
    ]);
    // Untagged, from an exited container.
    let id = d.docker(&["commit", "once"]);
    let id = id.trim();
    let out = d.docker(&["run", "--rm", "--network", "none", id, "cat", "/one"]);
    assert_eq!(out, "1\n");
    let tags = d.docker(&["image", "inspect", "-f", "{{len .RepoTags}}", id]);
    assert_eq!(tags.trim(), "0");

    // A running container, not paused; a commit of that commit's image
    // stacks one more layer and history line.
    d.docker(&[
        "run",
        "-d",
        "--name",
        "live",
        "--network",
        "none",
        id,
        "sleep",
        "1000",
    ]);
    d.docker(&["exec", "live", "sh", "-c", "echo 2 > /two"]);
    d.docker(&["commit", "--pause=false", "live", "stack"]);
    let out = d.docker(&[
        "run",
        "--rm",
        "--network",
        "none",
        "stack",
        "cat",
        "/one",
        "/two",
    ]);
    assert_eq!(out, "1\n2\n");
    let layers = d.docker(&["image", "inspect", "-f", "{{len .RootFS.Layers}}", "stack"]);
    assert_eq!(layers.trim(), "3");
    let history = d.docker(&["history", "-q", "stack"]);
    assert_eq!(history.lines().count(), 3, "{history}");

    let err = d.docker_fails(&["commit", "nope", "x"]);
    assert!(err.contains("No such container: nope"), "{err}");
    // Nothing was tagged by the failure.
    assert!(!d
        .docker(&["images", "--format", "{{.Repository}}"])
        .contains('x'));
}

/// `DOCKER_BUILDKIT=0 docker -H ... build args...`.
fn build(d: &Engined, args: &[&str]) -> Output {
    Command::new(DOCKER)
        .env("DOCKER_BUILDKIT", "0")
        .arg("-H")
        .arg(d.host())
        .arg("build")
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const DOCKERFILE: &str = r#"# a comment
ARG BASE=mini
FROM ${BASE} AS base
ARG GREETING=hello
ENV TARGET=/srv \
    MODE=test
WORKDIR $TARGET
COPY greet.txt ./
COPY dir/ /data/
RUN echo "$GREETING from RUN" > /run.txt && cat greet.txt
LABEL team=core
CMD ["cat", "/run.txt"]

FROM mini AS final
COPY --from=base /run.txt /copied.txt
CMD ["cat", "/copied.txt"]
"#;

/// A context directory with the Dockerfile and its files.
fn context(d: &Engined) -> std::path::PathBuf {
    let ctx = d.dir.join("ctx");
    std::fs::create_dir_all(ctx.join("dir")).unwrap();
    std::fs::write(ctx.join("Dockerfile"), DOCKERFILE).unwrap();
    std::fs::write(ctx.join("greet.txt"), "greet\n").unwrap();
    std::fs::write(ctx.join("dir/inner.txt"), "inner\n").unwrap();
    std::fs::write(ctx.join("Dockerfile.fail"), "FROM mini\nRUN false\n").unwrap();
    std::fs::write(ctx.join("Dockerfile.unknown"), "FROM mini\n\nFROB x\n").unwrap();
    std::fs::write(ctx.join("Dockerfile.outside"), "FROM mini\nCOPY ../x /x\n").unwrap();
    ctx
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn build_stages_cache_and_failures() {
    let Some(d) = setup("build_cli_build") else {
        return;
    };
    let ctx = context(&d);
    let iid = d.dir.join("iid");
    let out = build(
        &d,
        &[
            "--network",
            "none",
            "-t",
            "built:1",
            "-t",
            "built:2",
            "--build-arg",
            "GREETING=hi",
            "--iidfile",
            s(&iid),
            s(&ctx),
        ],
    );
    let shown = text(&out);
    assert!(out.status.success(), "{shown}\n{}", d.log());
    assert!(
        shown.contains("Step 1/12 : FROM ${BASE} AS base"),
        "{shown}"
    );
    assert!(shown.contains(" ---> Running in "), "{shown}");
    assert!(shown.contains("Successfully tagged built:1"), "{shown}");
    let id = d.docker(&["image", "inspect", "-f", "{{.Id}}", "built:1"]);
    // Every `-t` names the same image (the CLI repeats `t=`).
    assert!(shown.contains("Successfully tagged built:2"), "{shown}");
    assert_eq!(
        d.docker(&["image", "inspect", "-f", "{{.Id}}", "built:2"]),
        id
    );
    assert_eq!(std::fs::read_to_string(&iid).unwrap().trim(), id.trim());
    assert!(
        shown.contains(&format!("Successfully built {}", &id.trim()[7..19])),
        "{shown}"
    );
    let run = |image: &str, args: &[&str]| {
        let mut all = vec!["run", "--rm", "--network", "none", image];
        all.extend_from_slice(args);
        d.docker(&all)
    };
    assert_eq!(run("built:1", &[]), "hi from RUN\n");
    // No intermediate container is left.
    assert_eq!(d.docker(&["ps", "-aq"]), "");

    // --target stops at the first stage; -q prints the ID alone.
    let out = build(
        &d,
        &[
            "-q",
            "--network",
            "none",
            "--target",
            "base",
            "-t",
            "base:1",
            "--build-arg",
            "GREETING=hi",
            s(&ctx),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let quiet = String::from_utf8_lossy(&out.stdout);
    assert!(
        quiet.trim().starts_with("sha256:") && quiet.lines().count() == 1,
        "{quiet}"
    );
    assert_eq!(
        run(
            "base:1",
            &[
                "sh",
                "-c",
                "pwd; cat greet.txt /data/inner.txt /run.txt; echo $MODE"
            ]
        ),
        "/srv\ngreet\ninner\nhi from RUN\ntest\n"
    );
    let labels = d.docker(&[
        "image",
        "inspect",
        "-f",
        "{{.Config.Labels.team}}",
        "base:1",
    ]);
    assert_eq!(labels.trim(), "core");

    // The same build again comes from the cache, to the same image.
    let again = build(
        &d,
        &["--network", "none", "--build-arg", "GREETING=hi", s(&ctx)],
    );
    let again_text = text(&again);
    assert!(again_text.contains(" ---> Using cache"), "{again_text}");
    assert!(
        again_text.contains(&format!("Successfully built {}", &id.trim()[7..19])),
        "{again_text}"
    );
    let fresh = build(
        &d,
        &[
            "--no-cache",
            "--network",
            "none",
            "--build-arg",
            "GREETING=hi",
            s(&ctx),
        ],
    );
    assert!(
        fresh.status.success() && !text(&fresh).contains("Using cache"),
        "{}",
        text(&fresh)
    );
    // The records under standing images are shared: `--all` takes them.
    let pruned = d.docker(&["builder", "prune", "-f", "--all"]);
    assert!(pruned.contains("Total reclaimed space"), "{pruned}");
    let after = build(
        &d,
        &["--network", "none", "--build-arg", "GREETING=hi", s(&ctx)],
    );
    assert!(!text(&after).contains("Using cache"), "{}", text(&after));

    // A failing RUN: dockerd's message, no tag.
    let fail = build(
        &d,
        &[
            "--network",
            "none",
            "-f",
            s(&ctx.join("Dockerfile.fail")),
            "-t",
            "broken",
            s(&ctx),
        ],
    );
    assert!(!fail.status.success());
    assert!(
        text(&fail).contains("The command '/bin/sh -c false' returned a non-zero code: 1"),
        "{}",
        text(&fail)
    );
    assert!(!d
        .docker_output(&["image", "inspect", "broken"])
        .status
        .success());
    let unknown = build(&d, &["-f", s(&ctx.join("Dockerfile.unknown")), s(&ctx)]);
    assert!(
        text(&unknown).contains("dockerfile parse error on line 3: unknown instruction: FROB"),
        "{}",
        text(&unknown)
    );
    let outside = build(&d, &["-f", s(&ctx.join("Dockerfile.outside")), s(&ctx)]);
    assert!(
        text(&outside).contains("line 2: forbidden path outside the build context: ../x"),
        "{}",
        text(&outside)
    );
}
