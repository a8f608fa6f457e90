//! Images made from containers and Dockerfiles, end to end with the real
//! docker CLI against engined on real runc: `docker commit` (with
//! `--change`, `--message`, `--author`, paused or not, of a running or a
//! stopped container), the new image run to see its files, `docker
//! history` showing the step with its size and `created_by`, and the
//! committed layer holding exactly what `docker diff` listed (whiteouts for
//! deletions).

use std::collections::BTreeSet;
use std::io::Read;

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
