"""docker-py (PyPI `docker`) building images against an Engine API daemon
with the classic builder, as a Python user does: `images.build(path=...)`
with a tag, build args, a .dockerignore, labels, another Dockerfile and a
target stage, the returned (image, logs) pair and its logs generator; the
cache on a rebuild and `nocache`; `fileobj=` (a Dockerfile alone); the
low-level `api.build` of a gzipped custom context streamed and decoded;
`rm=False` leaving the step's container; and a failing RUN raising
BuildError with dockerd's message, tagging nothing, its container gone
with `forcerm`.

Run by crates/engined/tests/clients_py.rs: `python docker_py_build.py
unix:///path.sock IMAGE`. Each check prints `ok <name>`; the first failure
raises, which exits non-zero with the traceback. Everything the script
creates is removed before it exits, failed or not.
"""

import io
import os
import shutil
import sys
import tarfile
import tempfile

import docker

DOCKERFILE = """FROM {base} AS base
ARG WHO=nobody
COPY . /ctx/
RUN echo "built by $WHO" > /who
CMD ["cat", "/who"]

FROM base AS extra
RUN echo extra > /extra
"""


def check(name, cond, detail=""):
    if not cond:
        raise AssertionError(f"{name}: {detail}")
    print(f"ok {name}", flush=True)


def streams(logs):
    """The `stream` texts of a build's log entries, joined."""
    return "".join(entry.get("stream", "") for entry in logs)


def main():
    host, base = sys.argv[1], sys.argv[2]
    client = docker.DockerClient(base_url=host, version="auto", timeout=120)
    ctx = tempfile.mkdtemp(prefix="docker-py-build-")
    made = []
    try:
        build_checks(client, base, ctx, made)
        print("all ok", flush=True)
    finally:
        for c in client.containers.list(all=True):
            c.remove(force=True)
        for name in reversed(made):
            try:
                client.images.remove(name, force=True)
            except docker.errors.ImageNotFound:
                pass
        shutil.rmtree(ctx, ignore_errors=True)
        client.close()


def run(client, image, *command):
    out = client.containers.run(
        image, list(command) or None, remove=True, network_mode="none"
    )
    return out.decode().strip()


def build_checks(client, base, ctx, made):
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write(DOCKERFILE.format(base=base))
    with open(os.path.join(ctx, "hello.txt"), "w") as f:
        f.write("hello\n")
    with open(os.path.join(ctx, "secret.key"), "w") as f:
        f.write("not for the image\n")
    with open(os.path.join(ctx, ".dockerignore"), "w") as f:
        f.write("*.key\n")

    # path=, tag, buildargs, labels, target: (image, logs generator).
    made.append("pybuild:1")
    image, logs = client.images.build(
        path=ctx,
        tag="pybuild:1",
        buildargs={"WHO": "docker-py"},
        labels={"made.by": "docker-py"},
        target="base",
        rm=True,
        network_mode="none",
    )
    logs = list(logs)
    text = streams(logs)
    check("build returns the tagged image", "pybuild:1" in image.tags, image.tags)
    check("logs stream the steps", "Step 1/" in text and "Successfully built" in text, text)
    check("the target stage's steps only", "extra" not in text, text)
    check(
        "aux carries the image ID",
        any(e.get("aux", {}).get("ID") == image.id for e in logs),
        logs,
    )
    check("build arg in RUN", run(client, "pybuild:1") == "built by docker-py")
    listing = run(client, "pybuild:1", "ls", "/ctx")
    check(".dockerignore applied", listing.split() == ["Dockerfile", "hello.txt"], listing)
    check("labels", image.labels.get("made.by") == "docker-py", image.labels)
    check("no step container left (rm=True)", client.containers.list(all=True) == [])

    # The same build again: every step from the cache, the same image.
    again, logs = client.images.build(
        path=ctx, tag="pybuild:1", buildargs={"WHO": "docker-py"},
        labels={"made.by": "docker-py"}, target="base", rm=True,
        network_mode="none",
    )
    text = streams(logs)
    check("rebuild uses the cache", text.count("Using cache") >= 3, text)
    check("rebuild gives the same image", again.id == image.id, (again.id, image.id))

    # nocache: every step runs again.
    fresh, logs = client.images.build(
        path=ctx, tag="pybuild:1", buildargs={"WHO": "docker-py"},
        target="base", nocache=True, rm=True, network_mode="none",
    )
    text = streams(logs)
    check("nocache runs every step", "Using cache" not in text, text)
    check("nocache makes a new image", fresh.id != image.id)

    # Another Dockerfile in the context, the whole file (last stage).
    with open(os.path.join(ctx, "other.Dockerfile"), "w") as f:
        f.write(f"FROM {base}\nENV MODE=other\nCMD [\"sh\", \"-c\", \"echo $MODE\"]\n")
    made.append("pybuild:other")
    other, _ = client.images.build(
        path=ctx, dockerfile="other.Dockerfile", tag="pybuild:other", rm=True
    )
    check("dockerfile= picks the file", run(client, "pybuild:other") == "other")

    # fileobj=: a Dockerfile alone, docker-py makes the context.
    made.append("pybuild:fileobj")
    dockerfile = io.BytesIO(
        f"FROM {base}\nRUN echo from-fileobj > /f\nCMD [\"cat\", \"/f\"]\n".encode()
    )
    _, _ = client.images.build(
        fileobj=dockerfile, tag="pybuild:fileobj", rm=True, network_mode="none"
    )
    check("fileobj= builds", run(client, "pybuild:fileobj") == "from-fileobj")

    # The low-level API: a gzipped custom context, the stream decoded.
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name, body in [
            ("Dockerfile", f"FROM {base}\nCOPY data /data\n".encode()),
            ("data", b"gzipped context\n"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    raw.seek(0)
    made.append("pybuild:gz")
    entries = list(
        client.api.build(
            fileobj=raw, custom_context=True, encoding="gzip", tag="pybuild:gz",
            rm=True, decode=True,
        )
    )
    check(
        "api.build decodes the stream",
        all(isinstance(e, dict) for e in entries) and "Successfully tagged pybuild:gz" in streams(entries),
        entries,
    )
    check("gzip context", run(client, "pybuild:gz", "cat", "/data") == "gzipped context")

    # rm=False: dockerd keeps the RUN step's container.
    made.append("pybuild:kept")
    kept = io.BytesIO(f"FROM {base}\nRUN echo kept > /k\n".encode())
    client.images.build(fileobj=kept, tag="pybuild:kept", rm=False, network_mode="none")
    left = client.containers.list(all=True)
    check("rm=False keeps the step container", len(left) == 1, left)
    for c in left:
        c.remove(force=True)

    # A failing RUN: BuildError with dockerd's message, nothing tagged.
    failing = io.BytesIO(f"FROM {base}\nRUN exit 3\n".encode())
    try:
        client.images.build(
            fileobj=failing, tag="pybuild:failed", forcerm=True, network_mode="none"
        )
        raise AssertionError("a failing RUN built")
    except docker.errors.BuildError as e:
        check("failing RUN raises BuildError", "returned a non-zero code: 3" in e.msg, e.msg)
    try:
        client.images.get("pybuild:failed")
        raise AssertionError("the failed build was tagged")
    except docker.errors.ImageNotFound:
        check("failed build tags nothing", True)
    check("forcerm removes the failed step's container", client.containers.list(all=True) == [])


if __name__ == "__main__":
    main()
