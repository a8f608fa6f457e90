//! The shape of two JSON bodies compared: keys (recursively), JSON types,
//! and the format of each value (a 64-hex id, a `sha256:` digest, a time
//! as dockerd writes it, an integer), never the value itself.
//!
//! Arrays are compared element by element when they have the same length,
//! else by their first elements (an empty and a non-empty array differ).
//! The fields in [`HOST`] depend on the moment, not on the daemon: only
//! their JSON type is compared. [`MAPS`] are objects keyed by data. The
//! fields in [`INTENDED`] differ on purpose, each with the reason.

use serde_json::Value;

/// Pointers (a `*` stands for any array index or map key) whose value
/// depends on the host: compared by JSON type only. (Most host values,
/// such as the kernel, memory, names, ids and times, already compare by
/// format alone.)
pub const HOST: &[&str] = &[
    // How many descriptors and threads the daemon has open right now.
    "/NFd",
    "/NGoroutines",
];

/// Objects whose keys are data, not field names: each value is compared
/// with the fixture's first one, and which keys there are is not.
pub const MAPS: &[&str] = &[
    // The runtimes each daemon is configured with (dockerd adds its
    // containerd shims).
    "/Runtimes",
];

/// Intentional differences from dockerd 20.10: (pointer, reason). The
/// pointer's value is not compared at all.
pub const INTENDED: &[(&str, &str)] = &[
    (
        "/GraphDriver/Data",
        "the fixtures' dockerd runs the vfs driver, which has no data (null); engined \
         stacks overlayfs and names its dirs as dockerd's overlay2 does",
    ),
    (
        "/NetworkSettings/SandboxID",
        "engined has no libnetwork sandbox: the runtime makes the network namespace \
         with the container, so there is no sandbox id or key to show",
    ),
    ("/NetworkSettings/SandboxKey", "as SandboxID"),
    (
        "/NetworkSettings/Networks/*/NetworkID",
        "engined keeps no network objects (the network list is empty and a network \
         inspect is a 404), so an endpoint names none",
    ),
    ("/NetworkSettings/Networks/*/EndpointID", "as NetworkID"),
    (
        "/*/NetworkSettings/Networks/*/NetworkID",
        "as NetworkID, in the container list",
    ),
    (
        "/*/NetworkSettings/Networks/*/EndpointID",
        "as NetworkID, in the container list",
    ),
    (
        "/Containers/*/NetworkSettings/Networks/*/NetworkID",
        "as NetworkID, in system df",
    ),
    (
        "/Containers/*/NetworkSettings/Networks/*/EndpointID",
        "as NetworkID, in system df",
    ),
    (
        "/ContainerdCommit",
        "engined runs runc without containerd: the commit is sent empty, as dockerd \
         sends a commit it cannot read",
    ),
    (
        "/Platform/Name",
        "the product name: Debian's dockerd leaves it empty, Docker's builds send \
         their edition, engined sends its own name",
    ),
];

/// Every difference of `got` from `want`, one line each with its pointer.
pub fn differences(want: &Value, got: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(want, got, "", "", &mut out);
    out
}

/// Whether the pattern `pattern` (segments, `*` for any) names `ptr`.
pub fn matches(pattern: &str, ptr: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let q: Vec<&str> = ptr.split('/').collect();
    p.len() == q.len() && p.iter().zip(&q).all(|(a, b)| *a == "*" || a == b)
}

fn listed(table: &[&str], ptr: &str) -> bool {
    table.iter().any(|p| matches(p, ptr))
}

/// `ptr` is the concrete pointer (for messages), `pat` the same with
/// array indexes as `*` (for the tables).
fn walk(want: &Value, got: &Value, ptr: &str, pat: &str, out: &mut Vec<String>) {
    if INTENDED.iter().any(|(p, _)| matches(p, pat)) {
        return;
    }
    if kind(want) != kind(got) {
        out.push(format!(
            "{ptr}: {} instead of {} (dockerd: {want}, engined: {got})",
            kind(got),
            kind(want)
        ));
        return;
    }
    if listed(HOST, pat) {
        return;
    }
    match (want, got) {
        (Value::Object(w), Value::Object(g)) if listed(MAPS, pat) => {
            if let Some(first) = w.values().next() {
                for (k, gv) in g {
                    walk(first, gv, &format!("{ptr}/{k}"), &format!("{pat}/*"), out);
                }
            }
        }
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let (p, q) = (format!("{ptr}/{k}"), format!("{pat}/{k}"));
                match g.get(k) {
                    Some(gv) => walk(wv, gv, &p, &q, out),
                    None if INTENDED.iter().any(|(i, _)| matches(i, &q)) => {}
                    None => out.push(format!("{p}: missing (dockerd: {wv})")),
                }
            }
            for (k, gv) in g.iter().filter(|(k, _)| !w.contains_key(*k)) {
                let q = format!("{pat}/{k}");
                if !INTENDED.iter().any(|(i, _)| matches(i, &q)) {
                    out.push(format!("{ptr}/{k}: not sent by dockerd (engined: {gv})"));
                }
            }
        }
        (Value::Array(w), Value::Array(g)) => match (w.first(), g.first()) {
            (Some(_), Some(_)) if w.len() == g.len() => {
                for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                    walk(wv, gv, &format!("{ptr}/{i}"), &format!("{pat}/*"), out);
                }
            }
            (Some(wv), Some(gv)) => walk(wv, gv, &format!("{ptr}/0"), &format!("{pat}/*"), out),
            (None, None) => {}
            _ => out.push(format!(
                "{ptr}: {} items instead of {} (dockerd: {want}, engined: {got})",
                g.len(),
                w.len()
            )),
        },
        (Value::String(w), Value::String(g)) if format(w) != format(g) => out.push(format!(
            "{ptr}: {} instead of {} (dockerd: {w:?}, engined: {g:?})",
            format(g),
            format(w)
        )),
        _ => {}
    }
}

/// The JSON type of `v`, integers apart from other numbers.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "float",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A time as Go's RFC3339Nano writes a UTC time: seconds, then at most
/// nine fraction digits without trailing zeros, then `Z`.
fn go_utc_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let head = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !head || !s.ends_with('Z') {
        return false;
    }
    match &s[19..s.len() - 1] {
        "" => true,
        frac => {
            let f = frac.as_bytes();
            f[0] == b'.'
                && (2..=10).contains(&f.len())
                && f[1..].iter().all(u8::is_ascii_digit)
                && !frac.ends_with('0')
        }
    }
}

/// The format of a string value.
pub fn format(s: &str) -> &'static str {
    if s.is_empty() {
        "empty string"
    } else if hex64(s) {
        "64-hex id"
    } else if s.strip_prefix("sha256:").is_some_and(hex64) {
        "sha256 digest"
    } else if s == "0001-01-01T00:00:00Z" {
        "zero time"
    } else if go_utc_time(s) {
        "RFC 3339 UTC time"
    } else if s.len() > 19 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T' {
        "time in another form"
    } else {
        "text"
    }
}

/// The events of a stream keyed by `Type/Action` (the first of each), so
/// a `create` is compared with a `create`.
pub fn by_action(events: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for e in events.as_array().into_iter().flatten() {
        let key = format!(
            "{}:{}",
            e["Type"].as_str().unwrap_or_default(),
            e["Action"].as_str().unwrap_or_default()
        );
        out.entry(key).or_insert_with(|| e.clone());
    }
    Value::Object(out)
}

/// The `name Action` sequence of an event stream.
pub fn actions(events: &Value) -> Vec<String> {
    events
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{} {}",
                e["Actor"]["Attributes"]["name"]
                    .as_str()
                    .unwrap_or_default(),
                e["Action"].as_str().unwrap_or_default()
            )
        })
        .collect()
}
