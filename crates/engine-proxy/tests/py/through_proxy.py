# docker-py through engine-proxy: allowed work behaves as direct, and a
# denial is an APIError 403 carrying the rule and the field.
import sys

import docker

client = docker.DockerClient(base_url=sys.argv[1])
assert client.ping()
out = client.containers.run("mini", ["echo", "hi"], remove=True, network_mode="none")
assert out == b"hi\n", out
box = client.containers.run(
    "mini", ["sh", "-c", "echo ready; sleep 30"], detach=True, network_mode="none", name="py-box"
)
try:
    result = box.exec_run(["echo", "inside"])
    assert result.exit_code == 0 and result.output == b"inside\n", result
    names = [c.name for c in client.containers.list()]
    assert "py-box" in names, names
    for line in box.logs(stream=True, follow=False):
        assert line == b"ready\n", line
    try:
        client.containers.create("mini", ["true"], privileged=True, network_mode="none")
        raise SystemExit("a privileged container was allowed")
    except docker.errors.APIError as e:
        assert e.status_code == 403, e
        assert "denied by rule no-privileged: HostConfig.Privileged is true" in str(e), e
finally:
    box.remove(force=True)
print("all ok")
