//! The HTML API reference (`cargo xtask docs`), checked from the outside:
//! every in-page link lands on an id, every operation and definition of
//! swagger.yaml has its section, Markdown is rendered, output is
//! byte-identical run to run and fetches nothing from the internet; and a
//! real headless Chromium with JavaScript disabled opens the page at
//! `#operation/ContainerCreate` and shows that section (screenshots go to
//! target/docs-screenshot*.png). The browser test skips with a notice when
//! /usr/bin/chromium is absent.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use codegen::docs::{generate, render_site, Templates};
use codegen::load::{load_file, load_str};
use serde_json::{json, Value};

fn repo() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest)
        .to_path_buf()
}

fn templates() -> PathBuf {
    repo().join("templates").join("docs")
}

/// Generates the docs for swagger.yaml into target/docs-tests/<name>/ and
/// returns the folder and the page's text.
fn site(name: &str) -> (PathBuf, String) {
    let out = repo().join("target").join("docs-tests").join(name);
    let report = generate(&repo().join("swagger.yaml"), &templates(), &out).unwrap();
    assert!(
        report
            .site
            .warnings
            .iter()
            .all(|w| !w.contains("#section/")),
        "{:?}",
        report.site.warnings
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    (out, html)
}

/// What a small scan of our own (well-formed) HTML finds.
#[derive(Default)]
struct Scan {
    ids: Vec<String>,
    hrefs: Vec<String>,
    srcs: Vec<String>,
    /// Text outside <pre>, <code>, <script> and <style>, entity-decoded.
    texts: Vec<String>,
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(decode(&tag[start..end]))
}

fn scan(html: &str) -> Scan {
    let mut out = Scan::default();
    let mut raw_depth = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").expect("comment closes");
            rest = &after[end + 3..];
            continue;
        }
        if rest.starts_with('<') {
            let end = rest.find('>').expect("tag closes");
            let tag = &rest[..=end];
            rest = &rest[end + 1..];
            let closing = tag.starts_with("</");
            let name: String = tag
                .trim_start_matches('<')
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if ["pre", "code", "script", "style"].contains(&name.as_str()) {
                if closing {
                    raw_depth = raw_depth.saturating_sub(1);
                } else {
                    raw_depth += 1;
                }
            }
            if !closing {
                if let Some(id) = attr(tag, "id") {
                    out.ids.push(id);
                }
                if let Some(href) = attr(tag, "href") {
                    out.hrefs.push(href);
                }
                if let Some(src) = attr(tag, "src") {
                    out.srcs.push(src);
                }
            }
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        if raw_depth == 0 && !rest[..end].trim().is_empty() {
            out.texts.push(decode(&rest[..end]));
        }
        rest = &rest[end..];
    }
    out
}

#[test]
fn every_internal_link_resolves_to_an_id() {
    let (_, html) = site("links");
    let found = scan(&html);
    let ids: BTreeSet<&str> = found.ids.iter().map(String::as_str).collect();
    assert_eq!(ids.len(), found.ids.len(), "ids are unique");
    let internal: Vec<&str> = found
        .hrefs
        .iter()
        .filter_map(|h| h.strip_prefix('#'))
        .collect();
    assert!(
        internal.len() > 1000,
        "only {} internal links",
        internal.len()
    );
    let dangling: BTreeSet<&str> = internal
        .iter()
        .copied()
        .filter(|h| !ids.contains(h))
        .collect();
    assert!(dangling.is_empty(), "links to missing ids: {dangling:?}");
    // ReDoc's anchors that links in the wild use.
    for id in [
        "tag/Container",
        "operation/ContainerCreate",
        "tag/Container/operation/ContainerCreate",
        "section/Authentication",
        "section/Errors",
        "schema/ContainerConfig",
    ] {
        assert!(ids.contains(id), "no #{id}");
    }
}

#[test]
fn every_operation_tag_and_definition_has_its_section() {
    let (_, html) = site("sections");
    let doc = load_file(&repo().join("swagger.yaml")).unwrap();
    let sections: BTreeMap<String, usize> = html
        .match_indices("<section id=\"")
        .map(|(at, m)| {
            let start = at + m.len();
            let end = html[start..].find('"').unwrap() + start;
            (decode(&html[start..end]), start)
        })
        .collect();
    let section_text = |id: &str| -> &str {
        let start = sections[id];
        let end = html[start..]
            .find("</section>")
            .map_or(html.len(), |e| e + start);
        &html[start..end]
    };
    let mut operations = 0;
    for path in doc.root.get("paths").unwrap().entries().unwrap() {
        for method in path.value.entries().unwrap() {
            let Some(op_id) = method.value.get("operationId").and_then(|v| v.as_str()) else {
                continue;
            };
            let id = format!("operation/{op_id}");
            assert!(sections.contains_key(&id), "no section for {id}");
            let text = section_text(&id);
            let upper = method.key.to_uppercase();
            assert!(text.contains(&format!(">{upper}</span>")), "{id}: method");
            assert!(text.contains(&decode_path(&path.key)), "{id}: path");
            operations += 1;
        }
    }
    assert!(operations > 100, "only {operations} operations");
    let definitions = doc.root.get("definitions").unwrap().entries().unwrap();
    for def in definitions {
        let id = format!("schema/{}", def.key);
        assert!(sections.contains_key(&id), "no section for {id}");
        assert!(section_text(&id).contains(&format!(">{}</a>", def.key)));
    }
    for tag in doc.root.get("tags").unwrap().items().unwrap() {
        let name = tag.get("name").and_then(|n| n.as_str()).unwrap();
        assert!(
            sections.contains_key(&format!("tag/{name}")),
            "no tag/{name}"
        );
    }
    // Parameter facts of ContainerCreate: location, type, default, enum.
    let create = section_text("operation/ContainerCreate");
    for needle in [
        "Query parameters",
        "<code>platform</code>",
        "in query",
        "Default: <code>&quot;&quot;</code>",
        "Request body",
        "href=\"#schema/HostConfig\"",
        "<span class=\"code\">201</span>",
        "&quot;Hostname&quot;: &quot;api-1&quot;",
    ] {
        assert!(create.contains(needle), "ContainerCreate lacks {needle}");
    }
    let logs = section_text("operation/ContainerLogs");
    assert!(
        logs.contains("Default: <code>false</code>"),
        "ContainerLogs defaults"
    );
}

/// The text inside `<pre class="{class}"><code>` of a section.
fn pre_text(section: &str, class: &str) -> Option<String> {
    let open = format!("<pre class=\"{class}\"><code>");
    let start = section.find(&open)? + open.len();
    let end = section[start..].find("</code></pre>")? + start;
    Some(decode(&section[start..end]))
}

#[test]
fn every_operation_shows_its_client_call_and_curl_line() {
    let (_, html) = site("calls");
    let api = codegen::emit::load_api(&repo().join("swagger.yaml")).unwrap();
    let client =
        std::fs::read_to_string(repo().join("crates/engine-api/src/generated/client.rs")).unwrap();
    assert!(api.operations.len() > 100, "only {}", api.operations.len());
    assert_eq!(
        html.matches("<pre class=\"call-rust\">").count(),
        api.operations.len(),
        "one client call per operation of the IR"
    );
    assert_eq!(
        html.matches("<pre class=\"call-curl\">").count(),
        api.operations.len(),
        "one curl line per operation of the IR"
    );
    for op in &api.operations {
        let id = format!("<section id=\"operation/{}\"", op.operation_id);
        let start = html.find(&id).unwrap_or_else(|| panic!("no {id}"));
        let end = html[start..].find("</section>").unwrap() + start;
        let section = &html[start..end];
        let rust = pre_text(section, "call-rust").unwrap_or_else(|| panic!("{id}: no call"));
        let curl = pre_text(section, "call-curl").unwrap_or_else(|| panic!("{id}: no curl"));
        // The method the generated client really has, and the fields of
        // its params struct.
        let method = codegen::emit::client::method_name(op);
        assert!(rust.starts_with(&format!("client.{method}(")), "{rust}");
        assert!(
            client.contains(&format!("pub async fn {method}(")),
            "{method}"
        );
        if let Some(at) = rust.find("Params { ") {
            let struct_name: String = rust[..at].rsplit('&').next().unwrap_or("").to_string();
            let field = rust[at + "Params { ".len()..]
                .split(':')
                .next()
                .unwrap_or("");
            let decl = format!("pub struct {struct_name}Params {{");
            let body_at = client.find(&decl).unwrap_or_else(|| panic!("no {decl}"));
            let body_end = client[body_at..].find("\n}").unwrap() + body_at;
            assert!(
                client[body_at..body_end].contains(&format!("pub {field}: Option<")),
                "{struct_name}Params has no field {field}"
            );
        }
        assert!(
            curl.starts_with("curl --unix-socket /var/run/docker.sock "),
            "{curl}"
        );
        let path_start = op.path.split('{').next().unwrap_or("");
        assert!(curl.contains(path_start), "{curl} lacks {path_start}");
        assert!(
            curl.contains(&format!("-X {} ", op.method.to_uppercase()))
                || ["GET", "HEAD"].contains(&op.method.to_uppercase().as_str()),
            "{curl}"
        );
    }
    // The shapes the issue asks for, as the reader sees them.
    let create = &html[html
        .find("<section id=\"operation/ContainerCreate\"")
        .unwrap()..];
    let rust = pre_text(create, "call-rust").unwrap();
    assert!(rust.starts_with("client.container_create(&ContainerCreateBody { ..Default::default() }, &ContainerCreateParams { name: Some("), "{rust}");
    let curl = pre_text(create, "call-curl").unwrap();
    assert!(curl.starts_with("curl --unix-socket /var/run/docker.sock -X POST 'http://localhost/v1.44/containers/create?name="), "{curl}");
    assert!(
        curl.contains("-H 'Content-Type: application/json' -d '{\"Hostname\":\"api-1\""),
        "{curl}"
    );
}

fn decode_path(p: &str) -> String {
    p.replace('&', "&amp;")
}

#[test]
fn descriptions_markdown_is_rendered() {
    let (_, html) = site("markdown");
    let found = scan(&html);
    let raw: Vec<&String> = found
        .texts
        .iter()
        .filter(|t| t.contains("**") || t.contains('`'))
        .collect();
    assert!(
        raw.is_empty(),
        "raw Markdown in text: {:?}",
        &raw[..raw.len().min(5)]
    );
    assert!(html.contains("<strong>v1.44</strong>"), "intro emphasis");
    assert!(html.contains("<code>dockerd</code>"), "intro code span");
    assert!(
        html.contains("<pre><code class=\"language-json\">"),
        "intro code block"
    );
}

#[test]
fn output_is_deterministic_and_self_contained() {
    let (a, _) = site("same-a");
    let (b, _) = site("same-b");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&a).unwrap() {
        let name = entry.unwrap().file_name();
        let left = std::fs::read(a.join(&name)).unwrap();
        let right = std::fs::read(b.join(&name)).unwrap();
        assert!(left == right, "{name:?} differs between runs");
        names.push(name.to_string_lossy().into_owned());
    }
    names.sort();
    assert_eq!(
        names,
        ["docs.css", "index.html", "search-index.js", "search.js"]
    );
    let html = std::fs::read_to_string(a.join("index.html")).unwrap();
    let found = scan(&html);
    // Assets are local files; the only absolute URLs are ordinary links
    // (<a href>) to further reading.
    for src in &found.srcs {
        assert!(!src.contains("//"), "fetches {src}");
    }
    for tag in html.split('<').filter(|t| t.starts_with("link ")) {
        assert!(!tag.contains("//"), "fetches <{tag}");
    }
    let css = std::fs::read_to_string(a.join("docs.css")).unwrap();
    assert!(
        !css.contains("url(") && !css.contains("@import"),
        "CSS fetches"
    );
    assert!(css.contains("prefers-color-scheme: dark"), "dark theme");
    assert!(
        !html.contains(&repo().display().to_string()),
        "machine path in output"
    );
}

#[test]
fn odd_specs_render_without_panicking() {
    let templates = Templates::read(&templates()).unwrap();
    for text in [
        "swagger: '2.0'\n",
        "swagger: '2.0'\ninfo: {title: 3}\npaths: {'/a': {get: {responses: {200: {schema: {$ref: '#/definitions/Nope'}}}}}}\n",
        "definitions:\n  A: {type: array, items: {$ref: '#/definitions/A'}}\n  B: {properties: {x: {properties: {y: {properties: {z: {}}}}}}}\n",
        "info:\n  description: \"<script>alert(1)</script> # not a heading\"\n",
    ] {
        let doc = load_str("odd.yaml", text).unwrap();
        let site = render_site(&doc, "odd.yaml", &templates).unwrap();
        let html = String::from_utf8(site.files[0].bytes.clone()).unwrap();
        assert!(!html.contains("<script>alert"), "raw HTML passed through");
    }
}

// ---------------------------------------------------------------------
// The page in a real browser.

const CHROMIUM: &str = "/usr/bin/chromium";

/// Serves files of `dir` on 127.0.0.1 (GET only, one connection at a time)
/// until the test process ends.
fn serve(dir: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut reader = BufReader::new(match stream.try_clone() {
                Ok(s) => s,
                Err(_) => continue,
            });
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                match reader.read_line(&mut header) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if header.trim().is_empty() => break,
                    Ok(_) => {}
                }
            }
            let target = line.split_whitespace().nth(1).unwrap_or("/");
            let path = target.split(['?', '#']).next().unwrap_or("/");
            let name = path.trim_start_matches('/');
            let name = if name.is_empty() { "index.html" } else { name };
            let file = (!name.contains("..") && !name.contains('/'))
                .then(|| std::fs::read(dir.join(name)).ok())
                .flatten();
            let response = match file {
                Some(body) => {
                    let kind = match name.rsplit('.').next() {
                        Some("html") => "text/html; charset=utf-8",
                        Some("css") => "text/css",
                        Some("js") => "text/javascript",
                        _ => "application/octet-stream",
                    };
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    port
}

/// Chromium driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: we write fd 3, it answers on fd 4).
struct Browser {
    child: Child,
    to_browser: std::process::ChildStdin,
    from_browser: Receiver<Value>,
    next_id: u64,
    events: Vec<Value>,
    deadline: Instant,
    profile: PathBuf,
}

impl Browser {
    fn launch(deadline: Instant) -> Browser {
        let profile = repo()
            .join("target")
            .join(format!("docs-chromium-profile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        // The shell hands our pipes to Chromium as fds 3 and 4.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>/dev/null")
            .arg(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        let to_browser = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 65536];
            loop {
                let n = match stdout.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                buf.extend_from_slice(&chunk[..n]);
                while let Some(end) = buf.iter().position(|b| *b == 0) {
                    let message: Vec<u8> = buf.drain(..=end).collect();
                    if let Ok(value) = serde_json::from_slice(&message[..end]) {
                        if tx.send(value).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Browser {
            child,
            to_browser,
            from_browser: rx,
            next_id: 0,
            events: Vec::new(),
            deadline,
            profile,
        }
    }

    fn recv(&mut self) -> Value {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match self.from_browser.recv_timeout(left) {
            Ok(v) => v,
            Err(e) => panic!("no answer from chromium in time: {e}"),
        }
    }

    /// Sends a command (to the browser, or to a page's session) and waits
    /// for its result; events that arrive meanwhile are kept.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to_browser.write_all(&bytes).unwrap();
        self.to_browser.flush().unwrap();
        loop {
            let reply = self.recv();
            if reply.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(error) = reply.get("error") {
                    panic!("{method} failed: {error}");
                }
                return reply["result"].clone();
            }
            self.events.push(reply);
        }
    }

    fn wait_event(&mut self, method: &str) -> Value {
        if let Some(at) = self.events.iter().position(|e| e["method"] == method) {
            return self.events.remove(at);
        }
        loop {
            let message = self.recv();
            if message["method"] == method {
                return message;
            }
            self.events.push(message);
        }
    }
}

impl Browser {
    /// A new blank tab, attached, with page events on; its session id.
    fn open_tab(&mut self) -> String {
        let target = self.call(None, "Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        let session = attached["sessionId"].as_str().unwrap().to_string();
        self.call(Some(&session), "Page.enable", json!({}));
        session
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn browser_without_javascript_shows_container_create() {
    if !Path::new(CHROMIUM).exists() {
        println!("skipped: {CHROMIUM} is absent (apt-get install chromium)");
        return;
    }
    let started = Instant::now();
    let (out, _) = site("browser");
    let port = serve(out);
    let mut browser = Browser::launch(started + Duration::from_secs(30));

    let session = browser.open_tab();
    let s = Some(session.as_str());
    browser.call(
        s,
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    );
    browser.call(
        s,
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false }),
    );
    browser.call(
        s,
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-color-scheme", "value": "light" }] }),
    );
    let url = format!("http://127.0.0.1:{port}/index.html#operation/ContainerCreate");
    browser.call(s, "Page.navigate", json!({ "url": url }));
    browser.wait_event("Page.loadEventFired");

    let doc = browser.call(s, "DOM.getDocument", json!({ "depth": 0 }));
    let root = doc["root"]["nodeId"].clone();
    let query = |b: &mut Browser, selector: &str| -> u64 {
        let found = b.call(
            s,
            "DOM.querySelector",
            json!({ "nodeId": root, "selector": selector }),
        );
        found["nodeId"].as_u64().unwrap_or(0)
    };
    let section = query(&mut browser, r#"section[id="operation/ContainerCreate"]"#);
    assert_ne!(section, 0, "the section is in the DOM");
    // The fragment selected it (CSS :target works without scripts).
    assert_eq!(
        query(&mut browser, ":target"),
        section,
        ":target is the section"
    );
    // Scripts really were off: search.js would have marked <html data-js>.
    assert_eq!(query(&mut browser, "html[data-js]"), 0, "a script ran");
    assert_eq!(query(&mut browser, "#search-slot input"), 0, "a script ran");
    assert_eq!(query(&mut browser, "#search-results"), 0, "a script ran");

    let outer = browser.call(s, "DOM.getOuterHTML", json!({ "nodeId": section }));
    let outer = outer["outerHTML"].as_str().unwrap_or("");
    for needle in [
        "POST",
        "/containers/create",
        "Create a new container",
        "platform",
        "Request body",
        "201",
        "client.container_create(",
        "curl --unix-socket /var/run/docker.sock -X POST",
    ] {
        assert!(outer.contains(needle), "section lacks {needle}");
    }
    // It is on screen: scrolled to the top of the viewport, and laid out.
    let boxes = browser.call(s, "DOM.getBoxModel", json!({ "nodeId": section }));
    let quad = &boxes["model"]["border"];
    let top = quad[1].as_f64().unwrap();
    let height = boxes["model"]["height"].as_f64().unwrap();
    assert!(
        (-2.0..100.0).contains(&top),
        "section top at {top}px, not in view"
    );
    assert!(height > 400.0, "section only {height}px tall");
    let metrics = browser.call(s, "Page.getLayoutMetrics", json!({}));
    let scrolled = metrics["cssVisualViewport"]["pageY"]
        .as_f64()
        .unwrap_or(0.0);
    assert!(
        scrolled > 1000.0,
        "page did not scroll to the fragment ({scrolled})"
    );

    let shots = [
        ("light", "docs-screenshot.png"),
        ("dark", "docs-screenshot-dark.png"),
    ];
    for (scheme, file) in shots {
        browser.call(
            s,
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
        let shot = browser.call(s, "Page.captureScreenshot", json!({ "format": "png" }));
        let png = base64_decode(shot["data"].as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        assert!(
            png.len() > 20_000,
            "screenshot of {} bytes looks blank",
            png.len()
        );
        let path = repo().join("target").join(file);
        std::fs::write(&path, &png).unwrap();
        println!("screenshot: {}", path.display());
    }
    // A definition, reached by a link inside the page: nested tables.
    let url = format!("http://127.0.0.1:{port}/index.html#schema/HostConfig");
    browser.call(s, "Page.navigate", json!({ "url": url }));
    browser.wait_event("Page.navigatedWithinDocument");
    let definition = query(&mut browser, r#"section[id="schema/HostConfig"]"#);
    assert_ne!(definition, 0, "the definition is in the DOM");
    assert_eq!(
        query(&mut browser, ":target"),
        definition,
        ":target is the definition"
    );
    assert_ne!(
        query(
            &mut browser,
            r#"section[id="schema/HostConfig"] tr.sub table.props"#
        ),
        0,
        "nested property table"
    );
    let shot = browser.call(s, "Page.captureScreenshot", json!({ "format": "png" }));
    let path = repo().join("target").join("docs-screenshot-definition.png");
    std::fs::write(&path, base64_decode(shot["data"].as_str().unwrap())).unwrap();
    println!("screenshot: {}", path.display());

    let _ = browser.call(None, "Browser.close", json!({}));
    println!("browser test took {} ms", started.elapsed().as_millis());
}

/// Lower-cased words of at least four letters.
fn long_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// A word of `wanted` that appears (as a substring, which covers the
/// search's prefix match) fewer than `at_most` times in the whole page, so
/// the result list (50 shown) must hold the entry it came from.
fn rare_word(wanted: &BTreeSet<String>, page: &str, at_most: usize) -> Option<String> {
    wanted
        .iter()
        .map(|w| (page.matches(w.as_str()).count(), w))
        .filter(|(n, _)| *n > 0 && *n < at_most)
        .min()
        .map(|(_, w)| w.clone())
}

#[test]
fn browser_search_finds_descriptions_and_field_names() {
    if !Path::new(CHROMIUM).exists() {
        println!("skipped: {CHROMIUM} is absent (apt-get install chromium)");
        return;
    }
    let started = Instant::now();
    let (out, html) = site("search");
    let lower = html.to_ascii_lowercase();
    let doc = load_file(&repo().join("swagger.yaml")).unwrap();
    let index = std::fs::read_to_string(out.join("search-index.js")).unwrap();
    println!("search index: {} bytes", index.len());
    assert!(index.len() < 150_000, "index of {} bytes", index.len());

    // An operation by a word only its description has (not its summary,
    // operationId, path or parameter names).
    let mut by_description = None;
    'ops: for path in doc.root.get("paths").unwrap().entries().unwrap() {
        for method in path.value.entries().unwrap() {
            let op = &method.value;
            let (Some(id), Some(description)) = (
                op.get("operationId").and_then(|v| v.as_str()),
                op.get("description").and_then(|v| v.as_str()),
            ) else {
                continue;
            };
            let mut elsewhere =
                long_words(op.get("summary").and_then(|v| v.as_str()).unwrap_or(""));
            elsewhere.extend(long_words(id));
            elsewhere.extend(long_words(&path.key));
            for p in op
                .get("parameters")
                .and_then(|p| p.items())
                .unwrap_or_default()
            {
                elsewhere.extend(long_words(
                    p.get("name").and_then(|v| v.as_str()).unwrap_or(""),
                ));
            }
            let only: BTreeSet<String> = long_words(description)
                .into_iter()
                .filter(|w| !elsewhere.iter().any(|e| e.starts_with(w.as_str())))
                .collect();
            if let Some(word) = rare_word(&only, &lower, 6) {
                by_description = Some((format!("#operation/{id}"), word));
                break 'ops;
            }
        }
    }
    let (op_href, op_word) = by_description.expect("an operation with a rare description word");

    // A definition by one of its property names (not in its name or
    // description).
    let mut by_field = None;
    for def in doc.root.get("definitions").unwrap().entries().unwrap() {
        let Some(props) = def.value.get("properties").and_then(|p| p.entries()) else {
            continue;
        };
        let mut elsewhere = long_words(&def.key);
        elsewhere.extend(long_words(
            def.value
                .get("description")
                .and_then(|v| v.as_str())
                .unwrap_or(""),
        ));
        let names: BTreeSet<String> = props
            .iter()
            .map(|p| p.key.to_ascii_lowercase())
            .filter(|k| k.len() >= 6 && k.chars().all(|c| c.is_ascii_alphanumeric()))
            .filter(|k| !elsewhere.iter().any(|e| e.starts_with(k.as_str())))
            .collect();
        if let Some(word) = rare_word(&names, &lower, 12) {
            by_field = Some((format!("#schema/{}", def.key), word));
            break;
        }
    }
    let (def_href, def_word) = by_field.expect("a definition with a rare field name");
    println!("searching {op_word:?} for {op_href}, {def_word:?} for {def_href}");

    let port = serve(out);
    let mut browser = Browser::launch(started + Duration::from_secs(40));
    let session = browser.open_tab();
    let s = Some(session.as_str());
    let url = format!("http://127.0.0.1:{port}/index.html");
    browser.call(s, "Page.navigate", json!({ "url": url }));
    browser.wait_event("Page.loadEventFired");
    let search = |b: &mut Browser, query: &str| -> Value {
        let expression = format!(
            r##"(function () {{
                var input = document.querySelector("#search-slot input");
                input.value = {query};
                input.dispatchEvent(new Event("input"));
                var links = Array.prototype.map.call(
                    document.querySelectorAll("#search-results a"),
                    function (a) {{ return a.getAttribute("href"); }});
                var navShown = Array.prototype.filter.call(
                    document.querySelectorAll("nav.side details li"),
                    function (li) {{ return !li.hidden; }}).length;
                return JSON.stringify({{ links: links, navShown: navShown,
                    hidden: document.getElementById("search-results").hidden }});
            }})()"##,
            query = json!(query)
        );
        let result = b.call(
            s,
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        let text = result["result"]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("{result}"));
        serde_json::from_str(text).unwrap()
    };
    let nav_total = html.matches("<li data-k=").count();
    for (word, href) in [(&op_word, &op_href), (&def_word, &def_href)] {
        let found = search(&mut browser, word);
        let links: Vec<&str> = found["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            links.contains(&href.as_str()),
            "{word}: {href} not in {links:?}"
        );
        assert_eq!(found["hidden"], json!(false), "{word}: results hidden");
        let shown = found["navShown"].as_u64().unwrap() as usize;
        assert!(
            shown > 0 && shown < nav_total,
            "{word}: nav shows {shown} of {nav_total}"
        );
    }
    // Several words narrow (all must match); nonsense finds nothing.
    let both = format!("{op_word} {def_word}");
    let found = search(&mut browser, &both);
    assert!(
        found["links"].as_array().unwrap().len() <= 1,
        "{both}: {found}"
    );
    let found = search(&mut browser, "zzqxnotaword");
    assert!(found["links"].as_array().unwrap().is_empty());
    // Clearing the box brings the whole navigation back.
    let found = search(&mut browser, "");
    assert_eq!(found["hidden"], json!(true));

    let _ = browser.call(None, "Browser.close", json!({}));
    println!("search test took {} ms", started.elapsed().as_millis());
}
