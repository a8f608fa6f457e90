"""docker-py (PyPI `docker`) against an Engine API daemon, as a Python user
drives it: the high-level containers/images/volumes API (run attached,
detached and with remove=True, streamed logs, wait, archives in and out of
a named volume), the low-level APIClient's inspect, version, ping and
events (live, and bounded by since/until).

Run by daemon/tests/clients_py.rs: `python docker_py_e2e.py unix:///path.sock
IMAGE [API_VERSION]` (the API version the daemon must report, if given). Each check prints `ok <name>`; the first failure raises, which
exits non-zero with the traceback. Everything the script creates is
removed before it exits, failed or not.
"""

import io
import sys
import tarfile
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
    volumes = []
    tags = []
    try:
        run_checks(client, image, api, created)
        run_volume_image_archive_checks(client, image, created, volumes, tags)
        print("all ok", flush=True)
    finally:
        for c in created:
            try:
                client.api.remove_container(c, force=True)
            except docker.errors.NotFound:
                pass
        for v in volumes:
            try:
                client.api.remove_volume(v, force=True)
            except docker.errors.NotFound:
                pass
        for t in tags:
            try:
                client.api.remove_image(t)
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


def tar_of(name, data):
    """A tar archive holding one file `name` with `data`."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def run_volume_image_archive_checks(client, image, created, volumes, tags):
    since = int(time.time())

    # Streamed logs: the lines as the container writes them, then the end.
    c = client.containers.run(
        image,
        ["sh", "-c", "echo one; sleep 0.5; echo two"],
        name="py-stream",
        detach=True,
        network_mode="none",
    )
    created.append(c.id)
    chunks = list(c.logs(stream=True, follow=True))
    check("logs stream", b"".join(chunks) == b"one\ntwo\n", chunks)
    check("wait after stream", c.wait(timeout=30)["StatusCode"] == 0)

    # The low-level client's inspect: the fields dockerd always sends.
    raw = client.api.inspect_container(c.id)
    check("api inspect id", raw["Id"] == c.id, raw["Id"])
    check("api inspect name", raw["Name"] == "/py-stream", raw["Name"])
    check("api inspect state", raw["State"]["Status"] == "exited", raw["State"])
    check("api inspect exit", raw["State"]["ExitCode"] == 0, raw["State"])
    check(
        "api inspect cmd",
        raw["Config"]["Cmd"] == ["sh", "-c", "echo one; sleep 0.5; echo two"],
        raw["Config"],
    )
    check("api inspect mounts", raw["Mounts"] == [], raw["Mounts"])
    check(
        "api inspect network",
        "none" in raw["NetworkSettings"]["Networks"],
        raw["NetworkSettings"],
    )

    # Volumes: create, list, inspect, then use and remove.
    vol = client.volumes.create(name="py-vol", labels={"suite": "docker-py"})
    volumes.append(vol.name)
    check("volume create", vol.name == "py-vol", vol.attrs)
    listed = [v.name for v in client.volumes.list()]
    check("volume list", "py-vol" in listed, listed)
    filtered = [v.name for v in client.volumes.list(filters={"label": "suite=docker-py"})]
    check("volume list by label", filtered == ["py-vol"], filtered)
    got = client.volumes.get("py-vol")
    check("volume inspect", got.attrs["Driver"] == "local", got.attrs)
    check("volume labels", got.attrs["Labels"] == {"suite": "docker-py"}, got.attrs)
    check("volume mountpoint", got.attrs["Mountpoint"].startswith("/"), got.attrs)

    # Archives into and out of the named volume, through a running container.
    holder = client.containers.run(
        image,
        ["sleep", "60"],
        name="py-holder",
        detach=True,
        network_mode="none",
        volumes={"py-vol": {"bind": "/vol", "mode": "rw"}},
    )
    created.append(holder.id)
    ok = holder.put_archive("/vol", tar_of("hello.txt", b"hi from py\n"))
    check("put_archive", ok is True, ok)
    ok = holder.put_archive("/tmp", tar_of("plain.txt", b"in the rootfs\n"))
    check("put_archive rootfs", ok is True, ok)
    bits, stat = holder.get_archive("/vol/hello.txt")
    check("get_archive stat", stat["name"] == "hello.txt" and stat["size"] == 11, stat)
    with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as tar:
        member = tar.extractfile("hello.txt")
        content = member.read() if member else None
    check("get_archive content", content == b"hi from py\n", content)
    bits, stat = holder.get_archive("/tmp/plain.txt")
    with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as tar:
        member = tar.extractfile("plain.txt")
        content = member.read() if member else None
    check("get_archive rootfs", content == b"in the rootfs\n", content)
    holder.remove(force=True)
    created.remove(holder.id)
    # The file is in the volume: another container sees it.
    out = client.containers.run(
        image,
        ["cat", "/vol/hello.txt"],
        network_mode="none",
        volumes={"py-vol": {"bind": "/vol", "mode": "ro"}},
        remove=True,
    )
    check("volume keeps the file", out == b"hi from py\n", out)
    try:
        client.containers.get("py-holder")
        check("holder removed", False, "py-holder still there")
    except docker.errors.NotFound:
        check("holder removed", True)
    got.remove()
    volumes.remove("py-vol")
    check("volume remove", "py-vol" not in [v.name for v in client.volumes.list()])

    # Images: list, get, inspect, tag, remove the tag.
    img = client.images.get(image)
    check("image id", img.id.startswith("sha256:") and len(img.id) == 71, img.id)
    inspected = client.api.inspect_image(image)
    check("image inspect", inspected["Id"] == img.id, inspected["Id"])
    check("image inspect os", inspected["Os"] == "linux", inspected)
    check("image inspect rootfs", inspected["RootFS"]["Type"] == "layers", inspected)
    check("image tag", img.tag("py-repo", "v1") is True)
    tags.append("py-repo:v1")
    img.reload()
    check("image tags", "py-repo:v1" in img.tags, img.tags)
    check(
        "images list by name",
        [i.id for i in client.images.list(name="py-repo")] == [img.id],
        client.images.list(name="py-repo"),
    )
    client.images.remove("py-repo:v1")
    tags.remove("py-repo:v1")
    img.reload()
    check("image untag", "py-repo:v1" not in img.tags, img.tags)
    check("image kept", f"{image}:latest" in img.tags, img.tags)

    # A bounded event stream: it ends by itself at `until`.
    until = int(time.time()) + 1
    time.sleep(1.1)
    events = list(
        client.events(
            decode=True,
            since=since,
            until=until,
            filters={"type": "container", "container": "py-stream"},
        )
    )
    actions = [e["Action"] for e in events]
    check("bounded events", actions[:3] == ["create", "start", "die"], actions)
    die = [e for e in events if e["Action"] == "die"][0]
    attrs = die["Actor"]["Attributes"]
    check(
        "bounded die attributes",
        attrs.get("name") == "py-stream" and attrs.get("exitCode") == "0",
        attrs,
    )
    check("bounded event ids", all(e["Actor"]["ID"] == c.id for e in events), events)


if __name__ == "__main__":
    main()
