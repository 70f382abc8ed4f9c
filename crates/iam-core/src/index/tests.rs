//! The index through its public operations: seeds, semantics, updates, clones, roles.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::*;
use crate::catalog::Catalog;
use crate::evaluate::{Decision, Outcome, evaluate_action, evaluate_batch};
use crate::reference::NaiveEvaluator;
use crate::request::{Context, ResourceFacts};
use crate::role::Role;

const ACCOUNT: &str = "urn:v1:eu:identity:account:xx1111-ovh";
const USER1: &str = "urn:v1:eu:identity:user:xx1111-ovh/user1";
const OPS: &str = "urn:v1:eu:identity:group:xx1111-ovh/ops";
const SA: &str = "urn:v1:eu:identity:credential:xx1111-ovh/oauth2-0f0f0f0f0f0f0f0f";
const DEFAULT_RG: &str = "urn:v1:eu:resourceGroup:aa0713ab-ed13-4f1a-89a5-32aa0cb936d8";
const VPS: &str = "urn:v1:eu:resource:vps:vps-5b48d78b.vps.ovh.net";
const ACCOUNT_RES: &str = "urn:v1:eu:resource:account:xx1111-ovh";

fn builtins() -> Arc<Builtins> {
    Builtins::new(&Catalog::builtin().unwrap_or_else(|e| panic!("{e}")))
}

fn policy(n: u128, name: &str, body: Value) -> Policy {
    let mut v = body;
    v["id"] = json!(Uuid::from_u128(n));
    v["name"] = json!(name);
    v["readOnly"] = json!(false);
    v["owner"] = json!("xx1111-ovh");
    v["createdAt"] = json!("2024-01-01T00:00:00Z");
    serde_json::from_value(v).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn simple(n: u128, identity: &str, resource: &str, allow: &[&str]) -> Policy {
    let allow: Vec<Value> = allow.iter().map(|a| json!({"action": a})).collect();
    policy(
        n,
        &format!("p{n}"),
        json!({"identities": [identity], "resources": [{"urn": resource}], "permissions": {"allow": allow}}),
    )
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-03-15T10:30:00Z")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default()
}

fn facts(identities: &[&str], resource: &str) -> RequestFacts {
    RequestFacts {
        identities: identities.iter().map(|s| s.to_string()).collect(),
        resource: ResourceFacts::from_urn(resource).with_groups([DEFAULT_RG]),
        context: Context::at(now()),
    }
}

fn index_of(policies: &[Policy]) -> PolicyIndex {
    let built = PolicyIndex::build(&builtins(), policies, &[], &[]);
    assert!(built.skipped.is_empty(), "{:?}", built.skipped);
    built.index
}

fn attribution_names(v: &[crate::evaluate::Attribution]) -> Vec<&str> {
    v.iter().map(|a| &*a.policy_name).collect()
}

fn names(d: &Decision) -> (Vec<&str>, Vec<&str>, Vec<&str>) {
    let e = &d.explanation;
    (
        attribution_names(&e.allowed_by),
        attribution_names(&e.denied_by),
        attribution_names(&e.excepted_by),
    )
}

#[test]
fn the_seed_policies_evaluate() {
    let default: Policy = serde_json::from_str(
        r#"{"id":"69470db1-5372-4e32-acf1-edc2afd84c12","owner":"xx1111-ovh","name":"ovh-default","readOnly":true,
        "identities":["urn:v1:eu:identity:account:xx1111-ovh"],
        "resources":[{"urn":"urn:v1:eu:resourceGroup:aa0713ab-ed13-4f1a-89a5-32aa0cb936d8"}],
        "permissions":{"allow":[{"action":"*"}]},
        "createdAt":"2023-01-27T11:29:22.197537Z","updatedAt":"2023-01-27T11:29:22.197537Z"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let vps = simple(
        2,
        USER1,
        VPS,
        &["vps:apiovh:reboot", "vps:apiovh:createSnapshot"],
    );
    let sa = simple(
        3,
        SA,
        ACCOUNT_RES,
        &[
            "account:apiovh:me/api/oauth2/client/get",
            "account:apiovh:me/api/oauth2/client/create",
        ],
    );
    let project = "urn:v1:eu:resource:publicCloudProject:0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";
    let os = simple(
        4,
        SA,
        project,
        &["publicCloudProject:openstack:infrastructureSupervisor"],
    );
    let index = index_of(&[default, vps, sa, os]);
    let allowed = |ids: &[&str], res: &str, action: &str| {
        evaluate_action(&index, &facts(ids, res), action).allowed
    };

    assert!(allowed(&[ACCOUNT], VPS, "vps:apiovh:reboot"));
    assert!(allowed(
        &[ACCOUNT],
        ACCOUNT_RES,
        "account:apiovh:iam/policy/create"
    ));
    assert!(allowed(&[USER1, OPS], VPS, "vps:apiovh:reboot"));
    assert!(allowed(&[USER1], VPS, "vps:apiovh:createSnapshot"));
    assert!(!allowed(&[USER1], VPS, "vps:apiovh:delete"));
    assert!(!allowed(
        &["urn:v1:eu:identity:user:xx1111-ovh/user2"],
        VPS,
        "vps:apiovh:reboot"
    ));
    assert!(allowed(
        &[SA],
        ACCOUNT_RES,
        "account:apiovh:me/api/oauth2/client/get"
    ));
    assert!(!allowed(&[SA], ACCOUNT_RES, "account:apiovh:me/get"));
    assert!(allowed(
        &[SA],
        project,
        "publicCloudProject:openstack:infrastructureSupervisor"
    ));
    assert!(!allowed(
        &[SA],
        project,
        "publicCloudProject:openstack:objectstoreOperator"
    ));
    let d = evaluate_action(&index, &facts(&[ACCOUNT], VPS), "vps:apiovh:reboot");
    assert_eq!(names(&d).0, ["ovh-default"]);
}

#[test]
fn deny_wins_and_except_stays_in_its_policy() {
    let allow_all = simple(1, USER1, VPS, &["vps:apiovh:*"]);
    let mut excepting = simple(2, USER1, VPS, &["vps:apiovh:*"]);
    excepting.permissions.except = vec![crate::policy::ActionRef::new("vps:apiovh:reboot")];
    let mut denying = simple(3, USER1, "urn:v1:eu:resource:vps:*", &[]);
    denying.permissions.deny = vec![crate::policy::ActionRef::new("vps:apiovh:delete")];
    let index = index_of(&[allow_all, excepting, denying]);
    let d = evaluate_action(&index, &facts(&[USER1], VPS), "vps:apiovh:reboot");
    assert!(d.allowed);
    assert_eq!(names(&d), (vec!["p1"], vec![], vec!["p2"]));
    let d = evaluate_action(&index, &facts(&[USER1], VPS), "vps:apiovh:delete");
    assert_eq!((d.allowed, d.outcome()), (false, Outcome::ExplicitDeny));
    assert_eq!(names(&d), (vec!["p1", "p2"], vec!["p3"], vec![]));
    let d = evaluate_action(&index, &facts(&[USER1], VPS), "dnsZone:apiovh:get");
    assert_eq!(d.outcome(), Outcome::ImplicitDeny);
}

#[test]
fn unknown_facts_grant_nothing_but_still_deny() {
    let office = json!({"operator": "MATCH", "values": {"request.IP.IN_RANGE": "192.0.2.0/24"}});
    let allow = policy(
        1,
        "office-only",
        json!({"identities": [USER1], "resources": [{"urn": VPS}],
        "permissions": {"allow": [{"action": "*"}]}, "conditions": office}),
    );
    let outside = json!({"operator": "NOT", "conditions": [office]});
    let deny = policy(
        2,
        "deny-outside",
        json!({"identities": [USER1], "resources": [{"urn": VPS}],
        "permissions": {"deny": [{"action": "vps:apiovh:delete"}]}, "conditions": outside}),
    );
    let index = index_of(&[allow, deny]);
    let mut f = facts(&[USER1], VPS);
    assert!(!evaluate_action(&index, &f, "vps:apiovh:reboot").allowed);
    assert_eq!(
        names(&evaluate_action(&index, &f, "vps:apiovh:delete")).1,
        ["deny-outside"]
    );
    f.context = f.context.with_ip(IpAddr::from([192, 0, 2, 7]));
    assert!(evaluate_action(&index, &f, "vps:apiovh:delete").allowed);
    f.context = f.context.with_ip(IpAddr::from([198, 51, 100, 7]));
    assert!(!evaluate_action(&index, &f, "vps:apiovh:reboot").allowed);
}

#[test]
fn group_roles_act_as_system_policies() {
    let role = |group: &str, role| RoleBinding {
        group: group.into(),
        role,
        default_resource_group: DEFAULT_RG.into(),
    };
    let groups = ["admins", "regular", "readers", "nobody"]
        .map(|g| format!("urn:v1:eu:identity:group:xx1111-ovh/{g}"));
    let roles = [
        role(&groups[0], Role::Admin),
        role(&groups[1], Role::Regular),
        role(&groups[2], Role::Unprivileged),
        role(&groups[3], Role::None),
    ];
    let built = PolicyIndex::build(&builtins(), &[], &[], &roles);
    assert!(built.skipped.is_empty());
    let index = built.index;
    assert_eq!(index.len(), 3);
    let check = |g: &str, res: &str, action: &str| {
        let d = evaluate_action(&index, &facts(&[USER1, g], res), action);
        (d.allowed, names(&d).0.first().map(|s| s.to_string()))
    };
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        check(&groups[0], ACCOUNT_RES, "account:apiovh:iam/policy/create"),
        (true, some("ovh-role-ADMIN"))
    );
    assert_eq!(
        check(&groups[1], VPS, "vps:apiovh:reboot"),
        (true, some("ovh-role-REGULAR"))
    );
    assert!(!check(&groups[1], ACCOUNT_RES, "account:apiovh:iam/policy/create").0);
    assert!(
        !check(
            &groups[1],
            ACCOUNT_RES,
            "account:apiovh:me/identity/user/create"
        )
        .0
    );
    assert!(
        !check(
            &groups[1],
            ACCOUNT_RES,
            "account:apiovh:me/api/oauth2/client/delete"
        )
        .0
    );
    assert_eq!(
        check(&groups[1], ACCOUNT_RES, "account:apiovh:iam/policy/get"),
        (true, some("ovh-role-REGULAR"))
    );
    assert_eq!(
        check(&groups[2], VPS, "vps:apiovh:get"),
        (true, some("ovh-role-UNPRIVILEGED"))
    );
    assert!(!check(&groups[2], VPS, "vps:apiovh:reboot").0);
    assert!(!check(&groups[3], VPS, "vps:apiovh:get").0);
    // A resource outside the default group is outside the role.
    let d = evaluate_action(
        &index,
        &RequestFacts {
            resource: ResourceFacts::from_urn(VPS),
            ..facts(&[&groups[0]], VPS)
        },
        "vps:apiovh:get",
    );
    assert!(!d.allowed);
}

#[test]
fn updates_replace_remove_and_leave_clones_alone() {
    let mut index = index_of(&[simple(1, USER1, VPS, &["vps:apiovh:reboot"])]);
    let before = index.clone();
    let size_one = index.heap_size();
    assert!(
        index
            .upsert(&simple(1, USER1, VPS, &["vps:apiovh:get"]))
            .is_ok()
    );
    let f = facts(&[USER1], VPS);
    assert!(!evaluate_action(&index, &f, "vps:apiovh:reboot").allowed);
    assert!(evaluate_action(&index, &f, "vps:apiovh:get").allowed);
    assert!(evaluate_action(&before, &f, "vps:apiovh:reboot").allowed);
    assert!(
        index
            .upsert(&simple(
                2,
                "urn:v1:eu:identity:user:xx1111-ovh/*",
                "*.ovh.net",
                &["*"]
            ))
            .is_ok()
    );
    assert!(index.heap_size() > size_one);
    assert!(evaluate_action(&index, &f, "anything").allowed);
    assert!(index.remove(Uuid::from_u128(2)));
    assert!(!index.remove(Uuid::from_u128(2)));
    assert!(!evaluate_action(&index, &f, "anything").allowed);
    assert!(index.remove(Uuid::from_u128(1)));
    assert!(index.is_empty());
    assert!(!evaluate_action(&index, &f, "vps:apiovh:get").allowed);
    assert!(evaluate_action(&before, &f, "vps:apiovh:reboot").allowed);
    let mut invalid = simple(3, USER1, "*", &["*"]);
    assert!(index.upsert(&invalid).is_err());
    invalid.resources[0].urn = VPS.into();
    assert!(index.upsert(&invalid).is_ok());
}

#[test]
fn permissions_groups_are_resolved_at_decision_time() {
    let group_urn = "urn:v1:eu:permissionsGroup:xx1111-ovh:vpsOps";
    let p = policy(
        1,
        "uses-group",
        json!({"identities": [USER1], "resources": [{"urn": VPS}],
        "permissions": {"allow": [{"action": "vps:apiovh:*"}], "except": [{"action": "vps:apiovh:reboot"}]},
        "permissionsGroups": [{"urn": group_urn}, {"urn": "urn:v1:eu:permissionsGroup:ovh:globalAdmin"}]}),
    );
    let group: PermissionsGroup = serde_json::from_value(
        json!({"id": Uuid::from_u128(9), "urn": group_urn, "name": "vpsOps",
        "description": "", "owner": "xx1111-ovh", "createdAt": "2024-01-01T00:00:00Z",
        "permissions": {"deny": [{"action": "vps:apiovh:delete"}]}}),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut index = index_of(&[p]);
    let f = facts(&[USER1], VPS);
    // globalAdmin allows reboot: the policy's own except does not reach into the group.
    let d = evaluate_action(&index, &f, "vps:apiovh:reboot");
    assert!(d.allowed);
    assert_eq!(
        d.explanation.allowed_by[0].permissions_group.as_deref(),
        Some("urn:v1:eu:permissionsGroup:ovh:globalAdmin")
    );
    assert_eq!(names(&d).2, ["uses-group"]);
    assert!(evaluate_action(&index, &f, "vps:apiovh:delete").allowed);
    assert!(index.upsert_permissions_group(&group).is_ok());
    let d = evaluate_action(&index, &f, "vps:apiovh:delete");
    assert!(!d.allowed);
    assert_eq!(
        d.explanation.denied_by[0].permissions_group.as_deref(),
        Some(group_urn)
    );
    assert!(index.remove_permissions_group(group_urn));
    assert!(evaluate_action(&index, &f, "vps:apiovh:delete").allowed);
    let mut builtin = group.clone();
    builtin.urn = "urn:v1:eu:permissionsGroup:ovh:globalAdmin".into();
    assert!(index.upsert_permissions_group(&builtin).is_err());
}

#[test]
fn build_skips_and_reports_what_does_not_validate() {
    let good = simple(1, USER1, VPS, &["*"]);
    let bad = simple(2, USER1, "*", &["*"]);
    let built = PolicyIndex::build(&builtins(), &[good, bad], &[], &[]);
    assert_eq!(built.index.len(), 1);
    assert!(
        matches!(&built.skipped[..], [Skipped::Policy { name, error, .. }] if name == "p2" && error.field() == "resources[0].urn")
    );
}

#[test]
fn batches_answer_like_single_decisions() {
    let index = index_of(&[simple(1, USER1, VPS, &["vps:apiovh:re*"])]);
    let f = facts(&[USER1], VPS);
    let actions = [
        "vps:apiovh:reboot",
        "vps:apiovh:get",
        "vps:apiovh:reinstall",
    ];
    let batch = evaluate_batch(&index, &f, &actions);
    let single: Vec<Decision> = actions
        .iter()
        .map(|a| evaluate_action(&index, &f, a))
        .collect();
    assert_eq!(batch, single);
    assert_eq!(
        batch.iter().map(|d| d.allowed).collect::<Vec<_>>(),
        [true, false, true]
    );
}

#[test]
fn the_index_agrees_with_the_naive_scan_on_wildcards() {
    let policies = [
        simple(
            1,
            "urn:v1:eu:identity:user:xx1111-ovh/*",
            "urn:v1:eu:resource:vps:*",
            &["vps:apiovh:get"],
        ),
        simple(2, "*/user1", "*.vps.ovh.net", &["*:apiovh:reboot"]),
        simple(3, "*:xx1111-ovh/*", "*:vps:*", &["*"]),
        simple(4, OPS, DEFAULT_RG, &["vps:*"]),
    ];
    let index = index_of(&policies);
    let naive = NaiveEvaluator::build(&builtins(), &policies, &[], &[]);
    for ids in [&[USER1][..], &[OPS], &[ACCOUNT], &[USER1, OPS]] {
        for res in [VPS, ACCOUNT_RES, "urn:v1:eu:resource:vps:other"] {
            for action in ["vps:apiovh:get", "vps:apiovh:reboot", "dnsZone:apiovh:get"] {
                let f = facts(ids, res);
                assert_eq!(
                    evaluate_action(&index, &f, action),
                    naive.evaluate(&f, action),
                    "{ids:?} {res} {action}"
                );
            }
        }
    }
}

#[test]
fn decisions_serialize_in_camel_case() {
    let index = index_of(&[simple(1, USER1, VPS, &["*"])]);
    let d = evaluate_action(&index, &facts(&[USER1], VPS), "vps:apiovh:get");
    let json = serde_json::to_value(&d).unwrap_or_default();
    assert_eq!(
        json,
        json!({"allowed": true, "explanation": {"allowedBy": [{"policyId": Uuid::from_u128(1), "policyName": "p1"}], "deniedBy": [], "exceptedBy": []}})
    );
}

#[test]
fn the_index_is_shareable() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<PolicyIndex>();
}
