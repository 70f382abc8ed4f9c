//! `/openapi.json` stays true to the router: every route registered in `src/http` (read
//! from the source: `.nest` prefixes, `.merge`d modules and `.route` calls) is documented, every documented
//! operation is routed (it never reaches the router's fallback), and the served document is
//! the embedded one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::helpers::{Backend, TestApp, json};

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// The text of the call starting at `start` (an opening parenthesis), up to its match.
fn call_body(text: &str, start: usize) -> &str {
    let mut depth = 0;
    for (i, c) in text[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[start + 1..start + i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced call in router source")
}

fn first_string(text: &str) -> String {
    let start = text.find('"').unwrap() + 1;
    let end = start + text[start..].find('"').unwrap();
    text[start..end].to_owned()
}

/// The path a `.route(…)` names: a string literal, or a `const NAME: &str = "…"` of the file.
fn route_path(file_text: &str, route_body: &str) -> String {
    let first = route_body.split(',').next().unwrap().trim();
    if first.starts_with('"') {
        return first_string(first);
    }
    let declaration = format!("const {first}: &str = ");
    let at = file_text
        .find(&declaration)
        .unwrap_or_else(|| panic!("no const {first}"));
    first_string(&file_text[at..])
}

/// `(METHOD, path)` of every `.route(...)` in one file.
fn routes_in(file: &Path) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices(".route(") {
        let body = call_body(&text, at + ".route".len());
        let path = route_path(&text, body);
        let handlers = &body[body.find(',').unwrap()..];
        for method in METHODS {
            let called = handlers.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0
                    || !handlers.as_bytes()[i - 1].is_ascii_alphanumeric()
                        && handlers.as_bytes()[i - 1] != b'_'
            });
            if called {
                found.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    found
}

/// The file of module `name` declared next to `file` (`name.rs` or `name/mod.rs`).
fn module_file(file: &Path, name: &str) -> std::path::PathBuf {
    let dir = file.parent().unwrap();
    if dir.join(name).is_dir() {
        dir.join(name).join("mod.rs")
    } else {
        dir.join(format!("{name}.rs"))
    }
}

/// The module named in a call such as `.nest("/v2", v2::router())` or `.merge(user::routes())`.
fn called_module(body: &str) -> String {
    let before = body.split("::route").next().unwrap();
    before
        .rsplit([' ', ',', '('])
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

/// The routes of one module file, with those of the modules it `.merge`s.
fn module_routes(file: &Path) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut routes = routes_in(file);
    for (at, _) in text.match_indices(".merge(") {
        let body = call_body(&text, at + ".merge".len());
        routes.extend(module_routes(&module_file(file, &called_module(body))));
    }
    routes
}

/// The web console's pages: HTML for people, not API, so not in the API's description.
const CONSOLE: &str = "/console";

/// Every API route the router serves: those of `http/mod.rs` (and what it merges), and
/// those of each nested module under each of its prefixes; the console's pages left out.
fn registered_routes() -> BTreeSet<(String, String)> {
    let root_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/mod.rs");
    let root = std::fs::read_to_string(&root_file).unwrap();
    let mut routes = module_routes(&root_file);
    routes.retain(|(_, path)| !path.starts_with(CONSOLE));
    for (at, _) in root.match_indices(".nest(") {
        let body = call_body(&root, at + ".nest".len());
        let prefix = first_string(body);
        if prefix == CONSOLE {
            continue;
        }
        for (method, path) in module_routes(&module_file(&root_file, &called_module(body))) {
            routes.insert((method, format!("{prefix}{path}")));
        }
    }
    routes
}

fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(method).is_some() {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

fn document() -> Value {
    serde_json::from_str(iamd::http::openapi::DOCUMENT).expect("the embedded document is JSON")
}

#[test]
fn every_registered_route_is_documented_and_nothing_more() {
    let registered = registered_routes();
    assert!(
        registered.len() > 30,
        "the source scan found the routes: {registered:?}"
    );
    let documented = documented_routes(&document());
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&registered).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from crates/iamd/openapi/iamd.json: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented but not in the router: {unrouted:?}"
    );
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    let text = doc.to_string();
    let mut missing = BTreeMap::new();
    for (at, _) in text.match_indices("\"$ref\":\"#/components/") {
        let rest = &text[at + 21..];
        let reference = &rest[..rest.find('"').unwrap()];
        let mut node = &doc["components"];
        for part in reference.split('/') {
            node = &node[part];
        }
        if node.is_null() {
            missing.insert(reference.to_owned(), ());
        }
    }
    assert!(missing.is_empty(), "unresolved: {:?}", missing.keys());
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_the_document_is_served() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.create_account("xx1111-ovh").await.token;
    let doc = document();
    for (method, path) in documented_routes(&doc) {
        let concrete = path
            .replace("{policyId}", "6e1f2b7e-3a7d-4b8e-9d3c-1f2e3d4c5b6a")
            .replace("{groupId}", "6e1f2b7e-3a7d-4b8e-9d3c-1f2e3d4c5b6a")
            .replace(['{', '}'], "");
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = app
            .request(method.clone(), &concrete, Some(&token))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!(
            status != 405 && !text.contains("no such route"),
            "{method} {concrete} is not routed: {status} {text}"
        );
    }
    let (status, served) = json(app.get("/openapi.json", None).await).await;
    assert_eq!((status, served), (200, doc));
}
