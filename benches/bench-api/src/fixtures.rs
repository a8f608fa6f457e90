//! The fixed data every server in the benchmark answers with: a
//! docker-like `GET /version` and a `GET /containers/json` of 200 entries
//! (ports, labels, networks, mounts: what `docker ps -a` lists on a busy
//! host). Both clients must decode it into their typed models.

use serde_json::{json, Value};

/// How many containers `GET /containers/json` lists.
pub const CONTAINERS: usize = 200;

pub fn version() -> Value {
    json!({
        "Platform": {"Name": "Docker Engine - Community"},
        "Components": [{
            "Name": "Engine",
            "Version": "20.10.24+dfsg1",
            "Details": {
                "ApiVersion": "1.44", "Arch": "amd64", "BuildTime": "2023-05-18T08:38:34.000000000+00:00",
                "Experimental": "false", "GitCommit": "5d6db84", "GoVersion": "go1.19.8",
                "KernelVersion": "6.1.0-18-amd64", "MinAPIVersion": "1.24", "Os": "linux"
            }
        }],
        "Version": "20.10.24+dfsg1",
        "ApiVersion": "1.44",
        "MinAPIVersion": "1.24",
        "GitCommit": "5d6db84",
        "GoVersion": "go1.19.8",
        "Os": "linux",
        "Arch": "amd64",
        "KernelVersion": "6.1.0-18-amd64",
        "BuildTime": "2023-05-18T08:38:34.000000000+00:00"
    })
}

pub fn containers() -> Value {
    Value::Array((0..CONTAINERS).map(container).collect())
}

fn container(i: usize) -> Value {
    let id = format!("{i:04x}{}", "3f5c9a0b1d2e".repeat(5));
    json!({
        "Id": id,
        "Names": [format!("/web-{i}")],
        "Image": "registry.local:5000/team/web:1.4.2",
        "ImageID": format!("sha256:{}", "9e1f0c3b5a7d".repeat(5) + "abcd"),
        "Command": "/docker-entrypoint.sh nginx -g 'daemon off;'",
        "Created": 1_700_000_000 + i as i64,
        "Ports": [
            {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8000 + i as i64, "Type": "tcp"},
            {"PrivatePort": 443, "Type": "tcp"}
        ],
        "Labels": {
            "com.docker.compose.project": "shop",
            "com.docker.compose.service": "web",
            "com.example.team": "storefront",
            "env": "prod"
        },
        "State": "running",
        "Status": "Up 3 hours (healthy)",
        "HostConfig": {"NetworkMode": "shop_default"},
        "NetworkSettings": {"Networks": {"shop_default": {
            "IPAMConfig": null, "Links": null, "Aliases": null,
            "NetworkID": "7b0a".repeat(16),
            "EndpointID": "c3d2".repeat(16),
            "Gateway": "172.18.0.1",
            "IPAddress": format!("172.18.{}.{}", i / 250, 2 + i % 250),
            "IPPrefixLen": 16,
            "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
            "MacAddress": "02:42:ac:12:00:02",
            "DriverOpts": null
        }}},
        "Mounts": [{
            "Type": "volume", "Name": format!("shop_data_{i}"),
            "Source": format!("/var/lib/docker/volumes/shop_data_{i}/_data"),
            "Destination": "/usr/share/nginx/html", "Driver": "local",
            "Mode": "z", "RW": true, "Propagation": ""
        }]
    })
}
