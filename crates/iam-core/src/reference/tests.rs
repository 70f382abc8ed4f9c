//! Property: for random policy sets (built at once, or through a random history of upserts
//! and removals on clones) and random requests, the index decides and explains exactly as
//! the naive scan does.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::catalog::Catalog;
use crate::condition::Condition;
use crate::evaluate::{evaluate_action, evaluate_batch};
use crate::index::PolicyIndex;
use crate::policy::{ActionRef, Permissions, PermissionsGroupRef, ResourceRef};
use crate::request::{Context, ResourceFacts};
use crate::role::Role;

const IDS: [&str; 7] = [
    "urn:v1:eu:identity:account:x-ovh",
    "urn:v1:eu:identity:user:x-ovh/u0",
    "urn:v1:eu:identity:user:x-ovh/u1",
    "urn:v1:eu:identity:user:x-ovh/u10",
    "urn:v1:eu:identity:group:x-ovh/g0",
    "urn:v1:eu:identity:group:x-ovh/g1",
    "urn:v1:eu:identity:credential:x-ovh/oauth2-c0",
];
const ID_PATTERNS: [&str; 8] = [
    "urn:v1:eu:identity:user:x-ovh/u*",
    "urn:v1:eu:identity:user:x-ovh/u1*",
    "urn:v1:eu:identity:*",
    "*/u1",
    "*u0",
    "*:group:*",
    "*x-ovh*",
    "urn:v1:eu:identity:group:x-ovh/g*",
];
const RESOURCES: [&str; 5] = [
    "urn:v1:eu:resource:vps:a",
    "urn:v1:eu:resource:vps:ab",
    "urn:v1:eu:resource:dnsZone:a",
    "urn:v1:eu:resource:dnsZone:a:b/c",
    "urn:v1:eu:resource:account:x-ovh",
];
const GROUPS: [&str; 2] = [
    "urn:v1:eu:resourceGroup:00000000-0000-0000-0000-0000000000a0",
    "urn:v1:eu:resourceGroup:00000000-0000-0000-0000-0000000000a1",
];
const RESOURCE_PATTERNS: [&str; 9] = [
    "urn:v1:eu:resource:vps:*",
    "urn:v1:eu:resource:vps:a*",
    "urn:v1:eu:resource:*",
    "urn:v1:eu:resourceGroup:*",
    "*:a",
    "*/c",
    "*b",
    "*Zone*",
    "*:vps:*",
];
const ACTIONS: [&str; 5] = [
    "vps:apiovh:get",
    "vps:apiovh:reboot",
    "dnsZone:apiovh:record/create",
    "account:apiovh:iam/policy/get",
    "account:apiovh:iam/policy/edit",
];
const ACTION_PATTERNS: [&str; 6] = [
    "*",
    "vps:*",
    "*:apiovh:*",
    "*/create",
    "*:get",
    "account:apiovh:iam/*",
];
const PERMISSIONS_GROUPS: [&str; 3] = [
    "urn:v1:eu:permissionsGroup:x-ovh:pg0",
    "urn:v1:eu:permissionsGroup:x-ovh:pg1",
    "urn:v1:eu:permissionsGroup:ovh:globalAdmin",
];

fn builtins() -> Arc<Builtins> {
    static B: OnceLock<Arc<Builtins>> = OnceLock::new();
    B.get_or_init(|| Builtins::new(&Catalog::builtin().unwrap_or_default()))
        .clone()
}

fn pick<const N: usize>(pool: [&'static str; N]) -> impl Strategy<Value = String> {
    (0..N).prop_map(move |i| pool[i].to_owned())
}

fn identity() -> impl Strategy<Value = String> {
    prop_oneof![3 => pick(IDS), 2 => pick(ID_PATTERNS)]
}

fn resource() -> impl Strategy<Value = String> {
    prop_oneof![3 => pick(RESOURCES), 1 => pick(GROUPS), 2 => pick(RESOURCE_PATTERNS)]
}

fn actions(max: usize) -> impl Strategy<Value = Vec<ActionRef>> {
    prop::collection::vec(
        prop_oneof![pick(ACTIONS), pick(ACTION_PATTERNS)].prop_map(ActionRef::new),
        0..=max,
    )
}

fn permissions() -> impl Strategy<Value = Permissions> {
    (actions(3), actions(2), actions(1)).prop_map(|(allow, except, deny)| Permissions {
        allow,
        except,
        deny,
    })
}

fn condition() -> impl Strategy<Value = Option<Condition>> {
    let m = |k: &str, v: &str| Condition::matching([(k, v)]);
    let not = |c| Condition::combine(crate::condition::ConditionOperator::Not, vec![c]);
    let options = [
        None,
        Some(m("request.IP.IN_RANGE", "192.0.2.0/24")),
        Some(not(m("request.IP.IN_RANGE", "192.0.2.0/24"))),
        Some(m("date(Europe/Paris).Hour.GE", "12")),
        Some(m("resource.Tag(env)", "prod")),
        Some(m("resource.Type.IN", "vps,account")),
    ];
    (0..options.len()).prop_map(move |i| options[i].clone())
}

fn expiry() -> impl Strategy<Value = Option<DateTime<Utc>>> {
    prop_oneof![Just(None), Just(Some(time(9))), Just(Some(time(11)))]
}

fn time(hour: u32) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_710_460_800 + i64::from(hour) * 3600, 0).unwrap_or_default()
}

prop_compose! {
    fn policy()(
        id in 0u128..12,
        identities in prop::collection::vec(identity(), 1..=3),
        resources in prop::collection::vec(resource(), 1..=3),
        permissions in permissions(),
        groups in prop::collection::vec(pick(PERMISSIONS_GROUPS), 0..=2),
        conditions in condition(),
        expired_at in expiry(),
    ) -> Policy {
        Policy {
            id: Uuid::from_u128(id),
            name: format!("p{id}"),
            description: None,
            identities,
            resources: resources.into_iter().map(|urn| ResourceRef { urn }).collect(),
            permissions,
            permissions_groups: groups.into_iter().map(|urn| PermissionsGroupRef { urn }).collect(),
            conditions,
            expired_at,
            read_only: false,
            owner: "x-ovh".into(),
            created_at: DateTime::default(),
            updated_at: None,
        }
    }
}

fn permissions_group(urn: &str, permissions: Permissions) -> PermissionsGroup {
    PermissionsGroup {
        id: Uuid::nil(),
        urn: urn.into(),
        name: urn.rsplit(':').next().unwrap_or_default().into(),
        description: String::new(),
        owner: "x-ovh".into(),
        permissions,
        created_at: DateTime::default(),
        updated_at: None,
    }
}

fn role() -> impl Strategy<Value = RoleBinding> {
    (4usize..6, 0usize..4).prop_map(|(g, r)| RoleBinding {
        group: IDS[g].into(),
        role: Role::ALL[r],
        default_resource_group: GROUPS[0].into(),
    })
}

prop_compose! {
    fn facts()(
        identities in prop::collection::vec(pick(IDS), 1..=3),
        resource in pick(RESOURCES),
        groups in prop::collection::vec(pick(GROUPS), 0..=2),
        tagged in any::<bool>(),
        ip in prop_oneof![Just(None), Just(Some([192, 0, 2, 9])), Just(Some([198, 51, 100, 9]))],
        hour in prop_oneof![Just(10u32), Just(13u32)],
    ) -> RequestFacts {
        let mut resource = ResourceFacts::from_urn(&resource).with_groups(groups);
        if tagged {
            resource = resource.with_tag("env", "prod");
        }
        let mut context = Context::at(time(hour));
        context.ip = ip.map(std::net::IpAddr::from);
        RequestFacts { identities, resource, context }
    }
}

#[derive(Debug, Clone)]
enum Step {
    Upsert(Box<Policy>),
    Remove(u128),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![3 => policy().prop_map(|p| Step::Upsert(Box::new(p))), 1 => (0u128..12).prop_map(Step::Remove)]
}

fn assert_same(
    index: &PolicyIndex,
    naive: &NaiveEvaluator,
    requests: &[RequestFacts],
) -> Result<(), TestCaseError> {
    for facts in requests {
        let batch = evaluate_batch(index, facts, &ACTIONS);
        for (action, from_batch) in ACTIONS.iter().zip(batch) {
            let indexed = evaluate_action(index, facts, action);
            prop_assert_eq!(
                &indexed,
                &naive.evaluate(facts, action),
                "{:?} {}",
                facts,
                action
            );
            prop_assert_eq!(&indexed, &from_batch);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn index_matches_the_naive_scan(
        policies in prop::collection::vec(policy(), 0..12),
        pg0 in permissions(),
        pg1 in permissions(),
        roles in prop::collection::vec(role(), 0..3),
        requests in prop::collection::vec(facts(), 1..8),
    ) {
        let groups = [permissions_group(PERMISSIONS_GROUPS[0], pg0), permissions_group(PERMISSIONS_GROUPS[1], pg1)];
        let index = PolicyIndex::build(&builtins(), &policies, &groups, &roles).index;
        let naive = NaiveEvaluator::build(&builtins(), &policies, &groups, &roles);
        prop_assert_eq!(index.len(), naive.len());
        assert_same(&index, &naive, &requests)?;
    }

    #[test]
    fn incremental_updates_on_clones_match_a_fresh_scan(
        initial in prop::collection::vec(policy(), 0..8),
        steps in prop::collection::vec(step(), 0..12),
        requests in prop::collection::vec(facts(), 1..6),
    ) {
        let original = PolicyIndex::build(&builtins(), &initial, &[], &[]).index;
        let mut index = original.clone();
        let mut state: BTreeMap<u128, Policy> = initial.iter().filter(|p| p.validate().is_ok()).map(|p| (p.id.as_u128(), p.clone())).collect();
        for step in steps {
            index = index.clone();
            match step {
                Step::Upsert(p) => {
                    if index.upsert(&p).is_ok() {
                        state.insert(p.id.as_u128(), *p);
                    }
                }
                Step::Remove(id) => {
                    prop_assert_eq!(index.remove(Uuid::from_u128(id)), state.remove(&id).is_some());
                }
            }
        }
        let naive = NaiveEvaluator::build(&builtins(), state.values(), &[], &[]);
        assert_same(&index, &naive, &requests)?;
        let before = NaiveEvaluator::build(&builtins(), &initial, &[], &[]);
        assert_same(&original, &before, &requests)?;
    }
}
