//! The decision corpus: `tests/corpus/*.json`, one theme per file, each a list of suites
//! (policies, permissions groups, group roles) with requests and their expected decisions
//! and explanations. Every case is also checked against the naive reference evaluator and
//! through the batch API, so the corpus documents behaviour and guards the index alike.
//!
//! Conventions of the files: a policy gets id `00000000-0000-0000-0000-00000000000N` (N = its
//! position, from 1) unless it gives one; the request time defaults to
//! 2024-03-15T10:30:00Z (a Friday); resource name and type come from the resource URN.
//! Explanations list policy names, and `name via <permissions group URN>` for a group's
//! permissions; a missing list means it must be empty.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use iam_core::PolicyIndex;
use iam_core::catalog::Catalog;
use iam_core::evaluate::{Attribution, Decision, evaluate_action, evaluate_batch};
use iam_core::policy::{PermissionsGroup, Policy};
use iam_core::reference::NaiveEvaluator;
use iam_core::request::{Context, RequestFacts, ResourceFacts};
use iam_core::role::Role;
use iam_core::system::{Builtins, RoleBinding};
use serde::Deserialize;
use serde_json::{Value, json};

const DEFAULT_NOW: &str = "2024-03-15T10:30:00Z";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    description: String,
    suites: Vec<Suite>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Suite {
    description: String,
    #[serde(default)]
    policies: Vec<Value>,
    #[serde(default)]
    permissions_groups: Vec<Value>,
    #[serde(default)]
    roles: Vec<RoleEntry>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RoleEntry {
    group: String,
    role: Role,
    default_resource_group: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Case {
    name: String,
    identities: Vec<String>,
    resource: Value,
    #[serde(default)]
    now: Option<String>,
    #[serde(default)]
    ip: Option<String>,
    action: String,
    expect: Expect,
    #[serde(default)]
    allowed_by: Vec<String>,
    #[serde(default)]
    denied_by: Vec<String>,
    #[serde(default)]
    excepted_by: Vec<String>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Expect {
    Allow,
    Deny,
}

fn builtins() -> Arc<Builtins> {
    Builtins::new(&Catalog::builtin().unwrap_or_else(|e| panic!("catalog: {e}")))
}

fn policy(i: usize, mut v: Value) -> Policy {
    let fields = v
        .as_object_mut()
        .unwrap_or_else(|| panic!("policy {i} is not an object"));
    let id = format!("00000000-0000-0000-0000-{:012}", i + 1);
    fields.entry("id").or_insert(json!(id));
    fields.entry("readOnly").or_insert(json!(false));
    fields.entry("owner").or_insert(json!("xx1111-ovh"));
    fields
        .entry("createdAt")
        .or_insert(json!("2024-01-01T00:00:00Z"));
    serde_json::from_value(v).unwrap_or_else(|e| panic!("policy {i}: {e}"))
}

fn permissions_group(mut v: Value) -> PermissionsGroup {
    let fields = v
        .as_object_mut()
        .unwrap_or_else(|| panic!("permissions group is not an object"));
    fields
        .entry("id")
        .or_insert(json!("00000000-0000-0000-0000-000000000000"));
    fields.entry("description").or_insert(json!(""));
    fields.entry("owner").or_insert(json!("xx1111-ovh"));
    fields
        .entry("createdAt")
        .or_insert(json!("2024-01-01T00:00:00Z"));
    serde_json::from_value(v).unwrap_or_else(|e| panic!("permissions group: {e}"))
}

fn facts(case: &Case) -> RequestFacts {
    let resource: ResourceFacts = match &case.resource {
        Value::String(urn) => ResourceFacts::from_urn(urn),
        other => serde_json::from_value::<ResourceFacts>(other.clone())
            .unwrap_or_else(|e| panic!("{}: resource: {e}", case.name))
            .with_urn_defaults(),
    };
    let now = case.now.as_deref().unwrap_or(DEFAULT_NOW);
    let mut context: Context = serde_json::from_value(json!({ "now": now }))
        .unwrap_or_else(|e| panic!("{}: now: {e}", case.name));
    context.ip = case.ip.as_ref().map(|ip| {
        ip.parse()
            .unwrap_or_else(|e| panic!("{}: ip: {e}", case.name))
    });
    RequestFacts {
        identities: case.identities.clone(),
        resource,
        context,
    }
}

fn label(a: &Attribution) -> String {
    match &a.permissions_group {
        Some(group) => format!("{} via {group}", a.policy_name),
        None => a.policy_name.to_string(),
    }
}

fn sorted(v: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = v.into_iter().collect();
    v.sort();
    v
}

/// Checks one case; returns the failures it found.
fn check(case: &Case, index: &PolicyIndex, naive: &NaiveEvaluator) -> Vec<String> {
    let facts = facts(case);
    let decision = evaluate_action(index, &facts, &case.action);
    let mut failures = Vec::new();
    let got = if decision.allowed {
        Expect::Allow
    } else {
        Expect::Deny
    };
    if got != case.expect {
        failures.push(format!(
            "{}: decided {got:?}, expected {:?}",
            case.name, case.expect
        ));
    }
    let e = &decision.explanation;
    for (what, got, want) in [
        ("allowedBy", &e.allowed_by, &case.allowed_by),
        ("deniedBy", &e.denied_by, &case.denied_by),
        ("exceptedBy", &e.excepted_by, &case.excepted_by),
    ] {
        let (got, want) = (sorted(got.iter().map(label)), sorted(want.iter().cloned()));
        if got != want {
            failures.push(format!(
                "{}: {what}: got {got:?}, expected {want:?}",
                case.name
            ));
        }
    }
    let reference: Decision = naive.evaluate(&facts, &case.action);
    if reference != decision {
        failures.push(format!(
            "{}: the naive scan disagrees: {reference:?} vs {decision:?}",
            case.name
        ));
    }
    if evaluate_batch(index, &facts, &[case.action.as_str()]) != [decision] {
        failures.push(format!("{}: the batch answer differs", case.name));
    }
    failures
}

fn run_suite(file: &str, suite: &Suite, builtins: &Arc<Builtins>) -> (usize, Vec<String>) {
    let policies: Vec<Policy> = suite
        .policies
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, v)| policy(i, v))
        .collect();
    let groups: Vec<PermissionsGroup> = suite
        .permissions_groups
        .iter()
        .cloned()
        .map(permissions_group)
        .collect();
    let roles: Vec<RoleBinding> = suite
        .roles
        .iter()
        .map(|r| RoleBinding {
            group: r.group.clone(),
            role: r.role,
            default_resource_group: r.default_resource_group.clone(),
        })
        .collect();
    let built = PolicyIndex::build(builtins, &policies, &groups, &roles);
    let context = format!("{file} / {}", suite.description);
    if !built.skipped.is_empty() {
        return (0, vec![format!("{context}: skipped {:?}", built.skipped)]);
    }
    let naive = NaiveEvaluator::build(builtins, &policies, &groups, &roles);
    let failures = suite
        .cases
        .iter()
        .flat_map(|c| check(c, &built.index, &naive))
        .map(|f| format!("{context}: {f}"))
        .collect();
    (suite.cases.len(), failures)
}

#[test]
fn corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    let builtins = builtins();
    let mut total = 0;
    let mut per_file = BTreeMap::new();
    let mut failures = Vec::new();
    for path in &entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let file: File = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        for suite in &file.suites {
            let (cases, mut f) = run_suite(&name, suite, &builtins);
            total += cases;
            *per_file.entry(name.clone()).or_insert(0) += cases;
            failures.append(&mut f);
        }
    }
    println!("{total} corpus cases: {per_file:?}");
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total >= 150, "the corpus has only {total} cases");
}
