//! Debian's docker-compose 1.29 against engined: a two-service project
//! (busybox httpd serving a page from a named volume, and a client that
//! fetches it by the service name through the embedded DNS server),
//! `up -d`, `ps`, `logs`, `exec -T`, then `down -v` leaving no container,
//! network, volume, link, namespace file or rule; and a `build:` service
//! (built by compose through docker-py's classic build, cached on a
//! rebuild, run by `up -d`, and gone with its image after `down --rmi
//! local -v`).
//!
//! The daemon's `dns` is a [`FakeDns`] on the host's loopback, so nothing
//! a container asks leaves this machine. Subnet: the pool's first free
//! one (compose names none); the leak check follows the bridge it got.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use test_support::engined::Engined;
use test_support::netns::{self, FakeDns, HOST_NETWORKING};
use test_support::skip::{can_run, Need, COMPOSE};

const PROJECT: &str = "enginedcompose";

const COMPOSE_FILE: &str = r#"version: "3"
services:
  web:
    image: mini
    command: ["sh", "-c", "echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www"]
    volumes:
      - pages:/www
  client:
    image: mini
    depends_on: [web]
    command: ["sh", "-c", "until wget -qO- http://web/; do sleep 1; done; exec sleep 300"]
volumes:
  pages: {}
"#;

fn compose(d: &Engined, dir: &Path, args: &[&str]) -> Output {
    compose_project(d, dir, PROJECT, args)
}

/// docker-compose on the project `project` in `dir`, building through
/// docker-py (the classic builder), never the docker CLI.
fn compose_project(d: &Engined, dir: &Path, project: &str, args: &[&str]) -> Output {
    Command::new(COMPOSE)
        .current_dir(dir)
        .env("DOCKER_HOST", d.host())
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("COMPOSE_DOCKER_CLI_BUILD")
        .env_remove("DOCKER_BUILDKIT")
        .args(["-p", project, "-f", "docker-compose.yml"])
        .args(args)
        .output()
        .expect("running docker-compose")
}

/// `compose` that must succeed; its stdout.
fn compose_ok(d: &Engined, dir: &Path, args: &[&str]) -> String {
    compose_project_ok(d, dir, PROJECT, args)
}

/// `compose_project` that must succeed; its stdout.
fn compose_project_ok(d: &Engined, dir: &Path, project: &str, args: &[&str]) -> String {
    let out = compose_project(d, dir, project, args);
    assert!(
        out.status.success(),
        "docker-compose {args:?}: {}\n{}\nengined log:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        d.log()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `down -v` even when the test fails.
struct Down<'a>(&'a Engined, &'a Path);

impl Drop for Down<'_> {
    fn drop(&mut self) {
        let _ = compose(self.0, self.1, &["down", "-v", "-t", "1"]);
    }
}

#[test]
fn a_two_service_project_comes_up_talks_by_name_and_goes_down_clean() {
    if !can_run(Need::Compose) {
        return;
    }
    let _one = HOST_NETWORKING.lock().unwrap_or_else(|e| e.into_inner());
    let fake = FakeDns::start(Ipv4Addr::new(127, 0, 53, 5), &[])
        .expect("the fake upstream on 127.0.53.5:53");
    let dir = Engined::test_dir("compose_cli");
    std::fs::write(
        dir.join("daemon.json"),
        format!(r#"{{"dns": ["{}"], "dns-search": ["."]}}"#, fake.address),
    )
    .unwrap();
    let d = Engined::start(&dir);
    d.import_mini();
    let project = dir.join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("docker-compose.yml"), COMPOSE_FILE).unwrap();
    let down = Down(&d, &project);

    compose_ok(&d, &project, &["up", "-d"]);
    let network = format!("{PROJECT}_default");
    let network_id = d
        .docker(&["network", "inspect", "-f", "{{.Id}}", &network])
        .trim()
        .to_string();
    let bridge = format!("br-{}", &network_id[..12]);
    let veths: BTreeSet<String> = netns::bridge_ports(&bridge);
    assert_eq!(veths.len(), 2, "{veths:?}");

    // ps: both services up.
    let ps = compose_ok(&d, &project, &["ps"]);
    for name in [format!("{PROJECT}_web_1"), format!("{PROJECT}_client_1")] {
        let line = ps.lines().find(|l| l.starts_with(&name));
        assert!(line.is_some_and(|l| l.contains("Up")), "{name}: {ps}");
    }

    // The client fetched the page by the service's name (its log says so).
    let deadline = Instant::now() + Duration::from_secs(30);
    let logs = loop {
        let logs = compose_ok(&d, &project, &["logs", "--no-color", "client"]);
        if logs.contains("hello-from-web") || Instant::now() > deadline {
            break logs;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(logs.contains("hello-from-web"), "{logs}");

    // exec -T: again, on demand.
    let page = compose_ok(
        &d,
        &project,
        &["exec", "-T", "client", "wget", "-qO-", "http://web/"],
    );
    assert_eq!(page.trim(), "hello-from-web");
    // The service name was answered by engined, not forwarded.
    let asked = fake.asked();
    assert!(!asked.iter().any(|n| n.starts_with("web")), "{asked:?}");

    // down -v: nothing of the project stays.
    drop(down);
    let containers = d.docker(&["ps", "-aq"]);
    assert!(containers.trim().is_empty(), "{containers}");
    let networks = d.docker(&["network", "ls", "--format", "{{.Name}}"]);
    assert!(!networks.contains(PROJECT), "{networks}");
    let volumes = d.docker(&["volume", "ls", "-q"]);
    assert!(!volumes.contains(PROJECT), "{volumes}");
    let left = netns::leftovers(&[bridge], &veths, &dir.join("exec"));
    assert!(left.is_empty(), "{left:?}");
}

const BUILD_PROJECT: &str = "enginedcomposebuild";

/// A service compose builds (docker-py's classic build: a build arg, the
/// build's network `none`), with a named volume; no network at all.
const BUILD_COMPOSE_FILE: &str = r#"version: "3.4"
services:
  app:
    build:
      context: ./app
      network: none
      args:
        GREETING: hello-from-build
    network_mode: none
    volumes:
      - data:/data
    command: ["sh", "-c", "cat /greeting > /data/seen && cat /greeting && exec sleep 300"]
volumes:
  data: {}
"#;

const BUILD_DOCKERFILE: &str = "FROM mini
ARG GREETING=none
COPY motd /motd
RUN echo \"$GREETING\" > /greeting
CMD [\"cat\", \"/greeting\"]
";

#[test]
fn a_build_service_is_built_run_and_removed_with_its_image() {
    if !can_run(Need::Compose) {
        return;
    }
    let dir = Engined::test_dir("compose_cli_build");
    let d = Engined::start(&dir);
    d.import_mini();
    let project = dir.join("project");
    std::fs::create_dir_all(project.join("app")).unwrap();
    std::fs::write(project.join("docker-compose.yml"), BUILD_COMPOSE_FILE).unwrap();
    std::fs::write(project.join("app/Dockerfile"), BUILD_DOCKERFILE).unwrap();
    std::fs::write(project.join("app/motd"), "motd\n").unwrap();
    let images_before = d.docker(&["images", "-aq", "--no-trunc"]);
    // `down` even when the test fails.
    struct BuildDown<'a>(&'a Engined, &'a Path);
    impl Drop for BuildDown<'_> {
        fn drop(&mut self) {
            let args = ["down", "--rmi", "local", "-v", "-t", "1"];
            let _ = compose_project(self.0, self.1, BUILD_PROJECT, &args);
        }
    }
    let down = BuildDown(&d, &project);

    let built = compose_project_ok(&d, &project, BUILD_PROJECT, &["build"]);
    let image = format!("{BUILD_PROJECT}_app");
    assert!(
        built.contains(&format!("Successfully tagged {image}:latest")),
        "{built}"
    );
    assert_eq!(
        d.docker(&["run", "--rm", "--network", "none", &image])
            .trim(),
        "hello-from-build"
    );
    // Built again: from the cache.
    let again = compose_project_ok(&d, &project, BUILD_PROJECT, &["build"]);
    assert_eq!(again.matches("Using cache").count(), 4, "{again}");

    compose_project_ok(&d, &project, BUILD_PROJECT, &["up", "-d"]);
    let ps = compose_project_ok(&d, &project, BUILD_PROJECT, &["ps"]);
    let name = format!("{BUILD_PROJECT}_app_1");
    let line = ps.lines().find(|l| l.starts_with(&name));
    assert!(line.is_some_and(|l| l.contains("Up")), "{ps}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let logs = loop {
        let logs = compose_project_ok(&d, &project, BUILD_PROJECT, &["logs", "--no-color"]);
        if logs.contains("hello-from-build") || Instant::now() > deadline {
            break logs;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(logs.contains("hello-from-build"), "{logs}");

    // down --rmi local -v: no container, volume, network or image of the
    // project; the build's intermediate images went with its image.
    drop(down);
    assert_eq!(d.docker(&["ps", "-aq"]).trim(), "");
    let volumes = d.docker(&["volume", "ls", "-q"]);
    assert!(!volumes.contains(BUILD_PROJECT), "{volumes}");
    let networks = d.docker(&["network", "ls", "--format", "{{.Name}}"]);
    assert!(!networks.contains(BUILD_PROJECT), "{networks}");
    assert_eq!(
        d.docker(&["images", "-aq", "--no-trunc"]),
        images_before,
        "{}",
        d.docker(&["images", "-a"])
    );
}
