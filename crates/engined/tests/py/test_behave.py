"""docker-py (PyPI `docker`) against engined where dockerd's behaviour is
what a Python user relies on: exec output with a TTY and split by stream
(demux), attach sockets and their detach keys.

Run by daemon/tests/behave_cli.rs: `python test_behave.py unix:///path.sock
IMAGE`. Each check prints `ok <name>`; the first failure raises, which
exits non-zero with the traceback. Everything the script creates is
removed before it exits, failed or not.
"""

import sys

import docker


def check(name, cond, detail=""):
    if not cond:
        raise AssertionError(f"{name}: {detail!r}")
    print(f"ok {name}", flush=True)


def main():
    host, image = sys.argv[1], sys.argv[2]
    client = docker.DockerClient(base_url=host, version="auto", timeout=60)
    created = []
    try:
        run_checks(client, image, created)
    finally:
        for c in created:
            try:
                c.remove(force=True)
            except docker.errors.NotFound:
                pass
        client.close()
    print("all ok", flush=True)


def run_checks(client, image, created):
    c = client.containers.run(
        image, ["sleep", "300"], detach=True, network_mode="none"
    )
    created.append(c)

    # A TTY: a real terminal (tty names it), every byte, CRLF line ends.
    code, out = c.exec_run(["sh", "-c", "busybox tty; echo hello"], tty=True)
    check("exec tty exit code", code == 0, (code, out))
    lines = out.split(b"\r\n")
    check("exec tty is a pty", lines[0].startswith(b"/dev/pts/"), out)
    check("exec tty output", lines[1:] == [b"hello", b""], out)

    # demux: stdout and stderr apart, nothing lost.
    code, (out, err) = c.exec_run(
        ["sh", "-c", "echo out; echo err >&2; exit 4"], demux=True
    )
    check("exec demux exit code", code == 4, code)
    check("exec demux stdout", out == b"out\n", out)
    check("exec demux stderr", err == b"err\n", err)

    # Without demux the two streams arrive as one.
    code, out = c.exec_run(["sh", "-c", "echo one; echo two >&2"])
    check("exec combined", sorted(out.split()) == [b"one", b"two"], out)

    # An attach socket on a TTY container: the detach keys end it, the
    # container runs on.
    t = client.containers.run(
        image, ["cat"], detach=True, network_mode="none", stdin_open=True, tty=True
    )
    created.append(t)
    sock = client.api.attach_socket(
        t.id, params={"stdin": 1, "stdout": 1, "stream": 1, "detachKeys": "ctrl-a,x"}
    )
    raw = sock._sock
    raw.settimeout(10)
    raw.sendall(b"ping\n")
    got = b""
    while b"ping\r\nping\r\n" not in got:
        chunk = raw.recv(4096)
        if not chunk:
            break
        got += chunk
    check("attach socket relays", b"ping\r\nping\r\n" in got, got)
    raw.sendall(b"\x01x")
    rest = raw.recv(4096)
    check("attach socket detached", rest == b"", rest)
    sock.close()
    t.reload()
    check("container runs on after detach", t.status == "running", t.status)

    # Invalid keys: dockerd's 400.
    try:
        client.api.attach_socket(t.id, params={"stdin": 1, "stream": 1, "detachKeys": "nope"})
        check("invalid detach keys refused", False, "accepted")
    except docker.errors.APIError as e:
        check(
            "invalid detach keys refused",
            e.status_code == 400 and "Invalid detach keys (nope) provided" in str(e),
            str(e),
        )


if __name__ == "__main__":
    main()
