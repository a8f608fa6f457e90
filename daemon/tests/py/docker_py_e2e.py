"""docker-py (PyPI `docker`) against an Engine API daemon, as a Python user
drives it: the high-level containers/images API, version, ping and events.

Run by daemon/tests/clients_py.rs: `python docker_py_e2e.py unix:///path.sock
IMAGE [API_VERSION]` (the API version the daemon must report, if given). Each check prints `ok <name>`; the first failure raises, which
exits non-zero with the traceback. Everything the script creates is
removed before it exits, failed or not.
"""

import sys
import threading
import time

import docker


def check(name, cond, detail=""):
    if not cond:
        raise AssertionError(f"{name}: {detail}")
    print(f"ok {name}", flush=True)


def main():
    host, image = sys.argv[1], sys.argv[2]
    api = sys.argv[3] if len(sys.argv) > 3 else None
    client = docker.DockerClient(base_url=host, version="auto", timeout=60)
    created = []
    try:
        run_checks(client, image, api, created)
    finally:
        for c in created:
            try:
                client.api.remove_container(c, force=True)
            except docker.errors.NotFound:
                pass
        client.close()


def run_checks(client, image, api, created):
    check("ping", client.ping() is True)

    version = client.version()
    check("version", api is None or version["ApiVersion"] == api, version)
    check("version GoVersion", isinstance(version["GoVersion"], str), version)
    check(
        "version components",
        version["Components"][0]["Name"] == "Engine",
        version,
    )

    # The event stream, read in the background from now on.
    since = int(time.time()) - 1
    events = []
    stream = client.events(decode=True, since=since, filters={"type": "container"})

    def read_events():
        try:
            for event in stream:
                events.append(event)
        except Exception:  # closed at the end of the script
            pass

    reader = threading.Thread(target=read_events, daemon=True)
    reader.start()

    # The exact call: default network, the container stays.
    before = {c.id for c in client.containers.list(all=True)}
    out = client.containers.run(image, ["echo", "hi"])
    check("run as documented", out == b"hi\n", repr(out))
    left = [c.id for c in client.containers.list(all=True) if c.id not in before]
    created.extend(left)
    check("run leaves its container", len(left) == 1, left)

    # run() in the foreground: the output, then the container is removed.
    out = client.containers.run(
        image, ["echo", "hi"], name="py-fg", network_mode="none", remove=True
    )
    check("run foreground", out == b"hi\n", repr(out))

    # A failing command: ContainerError with its exit status and stderr.
    try:
        client.containers.run(
            image,
            ["sh", "-c", "echo bad >&2; exit 4"],
            name="py-fails",
            network_mode="none",
            remove=True,
        )
        check("run failure", False, "no ContainerError")
    except docker.errors.ContainerError as e:
        check("run failure", e.exit_status == 4 and e.stderr == b"bad\n", e)

    # run(detach=True), logs, wait, remove.
    c = client.containers.run(
        image,
        ["sh", "-c", "echo out; echo err >&2; exit 3"],
        name="py-bg",
        detach=True,
        network_mode="none",
        labels={"suite": "docker-py"},
    )
    created.append(c.id)
    result = c.wait(timeout=30)
    check("wait", result["StatusCode"] == 3, result)
    # Two pipes: their lines may interleave either way.
    logs = c.logs()
    check("logs", sorted(logs.splitlines()) == [b"err", b"out"], repr(logs))
    check(
        "logs stderr only",
        c.logs(stdout=False) == b"err\n",
        repr(c.logs(stdout=False)),
    )
    check(
        "logs stdout only",
        c.logs(stderr=False) == b"out\n",
        repr(c.logs(stderr=False)),
    )
    c.reload()
    check("reload status", c.status == "exited", c.status)
    check("name", c.name == "py-bg", c.name)
    check("labels", c.labels == {"suite": "docker-py"}, c.labels)
    check("image", c.image.id.startswith("sha256:"), c.image.id)
    check("health without healthcheck", c.health == "unknown", c.health)
    check(
        "log config",
        c.attrs["HostConfig"]["LogConfig"]["Type"] == "json-file",
        c.attrs["HostConfig"],
    )

    # A running one for list() and stop.
    running = client.containers.run(
        image, ["sleep", "60"], name="py-run", detach=True, network_mode="none"
    )
    created.append(running.id)
    listed = {x.name for x in client.containers.list()}
    check("list running", "py-run" in listed and "py-bg" not in listed, listed)
    listed_all = {x.name for x in client.containers.list(all=True)}
    check("list all", {"py-run", "py-bg"} <= listed_all, listed_all)
    filtered = client.containers.list(all=True, filters={"label": "suite=docker-py"})
    check("list by label", [x.name for x in filtered] == ["py-bg"], filtered)
    limited = client.containers.list(all=True, limit=1)
    check("list limit", [x.name for x in limited] == ["py-run"], limited)
    running.stop(timeout=1)
    running.reload()
    check("stop", running.status == "exited", running.status)

    c.remove()
    created.remove(c.id)
    try:
        client.containers.get("py-bg")
        check("remove", False, "py-bg still there")
    except docker.errors.NotFound:
        check("remove", True)

    images = client.images.list()
    tags = [t for i in images for t in i.tags]
    check("images list", f"{image}:latest" in tags, tags)
    got = client.images.get(image)
    listed_ids = [i.id for i in images if f"{image}:latest" in i.tags]
    check("image get", [got.id] == listed_ids, (got.id, listed_ids))

    # The events of py-fg: create, start, die (with name and exitCode).
    deadline = time.time() + 10
    def fg_actions():
        return [
            e for e in events
            if e.get("Actor", {}).get("Attributes", {}).get("name") == "py-fg"
        ]
    while time.time() < deadline and "destroy" not in [e["Action"] for e in fg_actions()]:
        time.sleep(0.1)
    actions = [e["Action"] for e in fg_actions()]
    for want in ["create", "start", "die", "destroy"]:
        check(f"event {want}", want in actions, actions)
    die = [e for e in fg_actions() if e["Action"] == "die"][0]
    attrs = die["Actor"]["Attributes"]
    check("die exitCode", attrs.get("exitCode") == "0", attrs)
    check("die image", attrs.get("image") == image, attrs)
    bg_die = [
        e for e in events
        if e["Action"] == "die" and e["Actor"]["Attributes"].get("name") == "py-bg"
    ]
    check("die exitCode 3", bg_die and bg_die[0]["Actor"]["Attributes"]["exitCode"] == "3", bg_die)
    stream.close()
    print("all ok", flush=True)


if __name__ == "__main__":
    main()
