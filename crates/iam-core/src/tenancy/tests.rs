//! Property: whatever policies account B holds (any identity and resource patterns, exact
//! URNs of account A's resources, `*`, permissions groups, group roles), no principal of B is
//! ever allowed anything on a resource of A; on B's own resources the decision is exactly the
//! engine's.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::catalog::Catalog;
use crate::policy::{ActionRef, Permissions, PermissionsGroupRef, Policy, ResourceRef};
use crate::role::Role;
use crate::system::{Builtins, RoleBinding};

const B_ROOT: &str = "urn:v1:eu:identity:account:bb2222-ovh";
const B_USER: &str = "urn:v1:eu:identity:user:bb2222-ovh/alice";
const B_GROUP: &str = "urn:v1:eu:identity:group:bb2222-ovh/ADMIN";
const B_CLIENT: &str = "urn:v1:eu:identity:credential:bb2222-ovh/oauth2-EU.0b0b0b0b0b0b0b0b";
const B_DEFAULT_RG: &str = "urn:v1:eu:resourceGroup:00000000-0000-0000-0000-0000000000bb";
const B_RESOURCES: [&str; 4] = [
    "urn:v1:eu:resource:account:bb2222-ovh",
    "urn:v1:eu:resource:vps:b-vps.example.net",
    "urn:v1:eu:resource:publicCloudProject:0b0b0b0b",
    "urn:v1:eu:resource:dnsZone:b.example.net",
];
/// Resource types A's resources are drawn from (A's `account` resource is always there).
const TYPES: [&str; 4] = ["vps", "publicCloudProject", "dnsZone", "account"];
const A_ACCOUNT: &str = "urn:v1:eu:resource:account:aa1111-ovh";

/// What B's policies may name as identities: B's principals, and patterns.
const IDENTITIES: [&str; 6] = [
    B_ROOT,
    B_USER,
    B_GROUP,
    B_CLIENT,
    "urn:v1:eu:identity:*",
    "*bb2222-ovh*",
];
/// What B's policies may name as resources besides A's exact URNs.
const RESOURCE_PATTERNS: [&str; 7] = [
    "urn:v1:eu:resource:*",
    "urn:v1:eu:resource:vps:*",
    "urn:v1:eu:resource:publicCloudProject:*",
    "*aa1111-ovh",
    "*:account:*",
    A_ACCOUNT,
    B_DEFAULT_RG,
];
const ACTIONS: [&str; 6] = [
    "*",
    "vps:apiovh:reboot",
    "publicCloudProject:openstack:*",
    "account:apiovh:iam/policy/create",
    "account:apiovh:*",
    "dnsZone:apiovh:record/create",
];
const GLOBAL_ADMIN: &str = "urn:v1:eu:permissionsGroup:ovh:globalAdmin";

fn builtins() -> Arc<Builtins> {
    static B: OnceLock<Arc<Builtins>> = OnceLock::new();
    B.get_or_init(|| Builtins::new(&Catalog::builtin().unwrap_or_default()))
        .clone()
}

fn pick<const N: usize>(pool: [&'static str; N]) -> impl Strategy<Value = String> {
    (0..N).prop_map(move |i| pool[i].to_owned())
}

/// A resource URN of account A: never one of B's (a URN lives in one account).
fn a_resource() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(A_ACCOUNT.to_owned()),
        4 => (pick(TYPES), "a[a-z0-9.-]{0,12}")
            .prop_map(|(t, name)| format!("urn:v1:eu:resource:{t}:{name}")),
    ]
}

fn actions(min: usize, max: usize) -> impl Strategy<Value = Vec<ActionRef>> {
    prop::collection::vec(pick(ACTIONS).prop_map(ActionRef::new), min..=max)
}

fn policy(id: u128, identities: Vec<String>, resources: Vec<String>, p: Permissions) -> Policy {
    Policy {
        id: Uuid::from_u128(id),
        name: format!("p{id}"),
        description: None,
        identities,
        resources: resources
            .into_iter()
            .map(|urn| ResourceRef { urn })
            .collect(),
        permissions: p,
        permissions_groups: Vec::new(),
        conditions: None,
        expired_at: None,
        read_only: false,
        owner: "bb2222-ovh".into(),
        created_at: DateTime::default(),
        updated_at: None,
    }
}

/// A random policy of B; `targets` are URNs of A's resources it may name exactly.
fn b_policy(targets: Vec<String>) -> impl Strategy<Value = Policy> {
    let resource = prop_oneof![
        pick(RESOURCE_PATTERNS),
        (0..targets.len().max(1)).prop_map(move |i| targets.get(i).cloned().unwrap_or_default())
    ];
    (
        1u128..1000,
        prop::collection::vec(pick(IDENTITIES), 1..=3),
        prop::collection::vec(resource, 1..=3),
        (actions(1, 3), actions(0, 1), actions(0, 1)),
        any::<bool>(),
    )
        .prop_map(
            |(id, identities, resources, (allow, except, deny), admin)| {
                let mut p = policy(
                    id,
                    identities,
                    resources,
                    Permissions {
                        allow,
                        except,
                        deny,
                    },
                );
                if admin {
                    p.permissions_groups.push(PermissionsGroupRef {
                        urn: GLOBAL_ADMIN.into(),
                    });
                }
                p
            },
        )
}

/// The attack: B's service account allowed every action on A's resource by exact URN, and
/// on every resource by a wildcard.
fn attack(target: &str) -> Policy {
    let allow = vec![ActionRef::new("*")];
    policy(
        0,
        vec![B_CLIENT.into()],
        vec![target.into(), "urn:v1:eu:resource:*".into()],
        Permissions {
            allow,
            ..Permissions::default()
        },
    )
}

/// B's registered resources, each in B's default resource group.
fn b_resources() -> AccountResources {
    AccountResources::new(
        B_RESOURCES
            .iter()
            .map(|urn| ResourceFacts::from_urn(urn).with_groups([B_DEFAULT_RG])),
    )
}

fn b_index(policies: &[Policy]) -> PolicyIndex {
    let roles = [RoleBinding {
        group: B_GROUP.into(),
        role: Role::Admin,
        default_resource_group: B_DEFAULT_RG.into(),
    }];
    let built = PolicyIndex::build(&builtins(), policies, &[], &roles);
    assert!(built.skipped.is_empty(), "{:?}", built.skipped);
    built.index
}

fn principals() -> [Vec<String>; 3] {
    [
        vec![B_ROOT.into()],
        vec![B_USER.into(), B_GROUP.into()],
        vec![B_CLIENT.into()],
    ]
}

fn now() -> Context {
    Context::at(DateTime::<Utc>::from_timestamp(1_710_460_800, 0).unwrap_or_default())
}

fn scenario() -> impl Strategy<Value = (Vec<String>, Vec<Policy>)> {
    prop::collection::vec(a_resource(), 1..6).prop_flat_map(|targets| {
        let policies = prop::collection::vec(b_policy(targets.clone()), 0..10);
        (Just(targets), policies)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn policies_of_b_never_allow_anything_on_resources_of_a((targets, mut policies) in scenario()) {
        policies.push(attack(&targets[0]));
        let index = b_index(&policies);
        let resources = b_resources();
        for identities in principals() {
            for urn in &targets {
                let decisions = decide_in_account(&index, &resources, &identities, urn, &ACTIONS, now());
                prop_assert_eq!(decisions.len(), ACTIONS.len());
                for decision in decisions {
                    prop_assert_eq!(&decision, &Decision::not_in_account(), "{} on {}", identities[0], urn);
                }
            }
            // Inside B nothing changes: the engine's own answer on the registered facts.
            for urn in B_RESOURCES {
                let facts = RequestFacts {
                    identities: identities.clone(),
                    resource: resources.get(urn).cloned().unwrap_or_default(),
                    context: now(),
                };
                prop_assert_eq!(
                    decide_in_account(&index, &resources, &identities, urn, &ACTIONS, now()),
                    evaluate_batch(&index, &facts, &ACTIONS)
                );
            }
        }
    }
}

#[test]
fn the_attack_allowed_by_the_bare_engine_is_refused_in_the_account() {
    let project = "urn:v1:eu:resource:publicCloudProject:a0a0a0a0";
    let index = b_index(&[attack(project)]);
    let identities = vec![B_CLIENT.to_owned()];
    let action = ["publicCloudProject:openstack:operate"];
    // What the URN alone tells is enough for the bare engine: the threat is real...
    let bare = RequestFacts {
        identities: identities.clone(),
        resource: ResourceFacts::from_urn(project),
        context: now(),
    };
    assert!(evaluate_batch(&index, &bare, &action)[0].allowed);
    // ...and the account's decision refuses it, saying why.
    let decided = decide_in_account(&index, &b_resources(), &identities, project, &action, now());
    assert_eq!(decided, vec![Decision::not_in_account()]);
    assert_eq!(
        serde_json::to_value(&decided[0].explanation).ok(),
        Some(
            serde_json::json!({"allowedBy": [], "deniedBy": [], "exceptedBy": [], "resourceNotInAccount": true})
        )
    );
    // B's own project is decided as before.
    let own = B_RESOURCES[2];
    assert!(decide_in_account(&index, &b_resources(), &identities, own, &action, now())[0].allowed);
}
