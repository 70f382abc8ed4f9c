//! Feeds arbitrary input to every parser of iam-core: URNs, URN patterns, actions, condition
//! keys, and policy / permissions-group JSON. None may panic. Input that validates as a
//! policy is also compiled into an index and evaluated.
#![no_main]

use std::collections::BTreeMap;

use iam_core::catalog::Catalog;
use iam_core::condition::Condition;
use iam_core::evaluate::evaluate_action;
use iam_core::policy::{PermissionsGroupInput, Policy, PolicyInput};
use iam_core::request::{Context, RequestFacts, ResourceFacts};
use iam_core::system::Builtins;
use iam_core::urn::{Urn, UrnFamily};
use iam_core::PolicyIndex;
use iam_core::{action::ActionPattern, pattern::UrnPattern};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Urn::parse(text).map(|u| u.to_string());
    for family in [UrnFamily::Any, UrnFamily::Identity, UrnFamily::Resource, UrnFamily::PermissionsGroup] {
        if let Ok(p) = UrnPattern::parse(text, family) {
            let _ = p.matches(text);
        }
    }
    if let Ok(a) = ActionPattern::parse(text) {
        let _ = a.matches(text);
    }
    let (key, value) = text.split_once('=').unwrap_or((text, ""));
    let _ = Condition::matching(BTreeMap::from([(key, value)])).compile("conditions");
    let _ = PermissionsGroupInput::from_json(text);
    if let Ok(input) = PolicyInput::from_json(text) {
        evaluate(input);
    }
});

fn evaluate(input: PolicyInput) {
    let policy = Policy {
        id: uuid::Uuid::nil(),
        name: input.name,
        description: input.description,
        identities: input.identities,
        resources: input.resources,
        permissions: input.permissions,
        permissions_groups: input.permissions_groups,
        conditions: input.conditions,
        expired_at: input.expired_at,
        read_only: false,
        owner: "xx1111-ovh".into(),
        created_at: Default::default(),
        updated_at: None,
    };
    let builtins = Builtins::new(&Catalog::default());
    let built = PolicyIndex::build(&builtins, [&policy], [], &[]);
    assert!(built.skipped.is_empty(), "a valid policy was skipped");
    let urn = policy.resources[0].urn.trim_matches('*');
    let facts = RequestFacts {
        identities: policy.identities.iter().map(|i| i.trim_matches('*').to_owned()).collect(),
        resource: ResourceFacts::from_urn(urn),
        context: Context::at(Default::default()),
    };
    let _ = evaluate_action(&built.index, &facts, "vps:apiovh:reboot");
}
