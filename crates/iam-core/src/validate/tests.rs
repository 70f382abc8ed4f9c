//! Policy and permissions-group validation: seeds, field paths, limits, arbitrary input.

use serde_json::{Value, json};

use super::*;

fn base() -> Value {
    json!({
        "name": "vps-reboot-snapshot",
        "description": "VPS - reboot and create snapshot",
        "identities": ["urn:v1:eu:identity:user:xx1111-ovh/user1"],
        "resources": [{"urn": "urn:v1:eu:resource:vps:vps-5b48d78b.vps.ovh.net"}],
        "permissions": {"allow": [{"action": "vps:apiovh:reboot"}, {"action": "vps:apiovh:createSnapshot"}]}
    })
}

fn check(v: &Value) -> Result<(), ValidationError> {
    PolicyInput::from_json(&v.to_string()).map(drop)
}

fn err(v: &Value) -> ValidationError {
    check(v).err().unwrap_or_else(|| panic!("accepted: {v}"))
}

fn with(path: &[&str], value: Value) -> Value {
    let mut v = base();
    let mut at = &mut v;
    for (i, key) in path.iter().enumerate() {
        if i + 1 == path.len() {
            at[*key] = value;
            break;
        }
        at = &mut at[*key];
    }
    v
}

#[test]
fn the_seed_policies_validate() {
    assert_eq!(check(&base()), Ok(()));
    // Seed 000: a service account managing service accounts.
    let sa = json!({
        "description": "Demo for service account guide",
        "identities": ["urn:v1:eu:identity:credential:xx11111-ovh/oauth2-0f0f0f0f0f0f0f0f"],
        "name": "Demo-service-account",
        "permissions": {"allow": [
            {"action": "account:apiovh:me/api/oauth2/client/get"},
            {"action": "account:apiovh:me/api/oauth2/client/create"},
            {"action": "account:apiovh:me/api/oauth2/client/edit"},
            {"action": "account:apiovh:me/api/oauth2/client/delete"}]},
        "resources": [{"urn": "urn:v1:eu:resource:account:xx11111-ovh"}]
    });
    assert_eq!(check(&sa), Ok(()));
    // Seed 003: an OpenStack right.
    let os = json!({
        "description": "Demo for service account guide with openstack",
        "identities": ["urn:v1:eu:identity:credential:xx11111-ovh/oauth2-0f0f0f0f0f0f0f0f"],
        "name": "Demo-service-account",
        "permissions": {"allow": [{"action": "publicCloudProject:openstack:infrastructureSupervisor"}]},
        "resources": [{"urn": "urn:v1:eu:resource:publicCloudProject:0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"}]
    });
    assert_eq!(check(&os), Ok(()));
}

#[test]
fn names_are_checked_and_ovh_is_reserved() {
    for bad in ["", "two words", "tab\there", "ovh-default", "OVH-mine"] {
        let e = err(&with(&["name"], json!(bad)));
        assert_eq!(
            (e.field(), e.code()),
            ("name", "INVALID_NAME"),
            "{bad}: {e}"
        );
    }
    assert_eq!(
        err(&with(&["name"], json!("x".repeat(MAX_NAME_LEN + 1)))).code(),
        "INVALID_NAME"
    );
    let system: PolicyInput = serde_json::from_value(with(&["name"], json!("ovh-default")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(system.validate_as_system(), Ok(()));
    assert!(system.validate().is_err());
    assert_eq!(check(&with(&["name"], json!("ovh_not-reserved"))), Ok(()));
}

#[test]
fn errors_carry_json_paths() {
    let ids = json!([
        "urn:v1:eu:identity:account:xx1-ovh",
        "urn:v1:eu:identity:user:xx1-ovh/a",
        "urn:v1:eu:identity:nobody"
    ]);
    let e = err(&with(&["identities"], ids));
    assert_eq!(
        (e.field(), e.code()),
        ("identities[2]", "INVALID_IDENTITY_URN")
    );

    let e = err(&with(&["resources"], json!([{"urn": "*"}])));
    assert_eq!(
        (e.field(), e.code()),
        ("resources[0].urn", "INVALID_RESOURCE_URN")
    );
    assert!(
        e.to_string()
            .starts_with("field \"resources[0].urn\": \"*\" is malformed"),
        "{e}"
    );
    assert!(e.message().contains(
        "expected urn:v1:(eu|ca|us):(resource:<resourceType>:<resourceName>|resourceGroup:<uuid>)"
    ));

    let e = err(&with(
        &["permissions", "allow"],
        json!([{"action": "vps:apiovh:reboot"}, {"action": "vps reboot"}]),
    ));
    assert_eq!(
        (e.field(), e.code()),
        ("permissions.allow[1].action", "INVALID_ACTION")
    );
    let e = err(&with(&["permissions", "except"], json!([{"action": ""}])));
    assert_eq!(e.field(), "permissions.except[0].action");
    let e = err(&with(&["permissions", "deny"], json!([{"action": "a?"}])));
    assert_eq!(e.field(), "permissions.deny[0].action");

    let e = err(&with(
        &["permissionsGroups"],
        json!([{"urn": "urn:v1:eu:permissionsGroup:ovh"}]),
    ));
    assert_eq!(
        (e.field(), e.code()),
        ("permissionsGroups[0].urn", "INVALID_PERMISSIONS_GROUP_URN")
    );

    let cond = json!({"operator": "AND", "conditions": [{"operator": "MATCH", "values": {"request.IP": "10.0.0.300"}}]});
    let e = err(&with(&["conditions"], cond));
    assert_eq!(
        (e.field(), e.code()),
        (
            "conditions.conditions[0].values[\"request.IP\"]",
            "INVALID_CONDITION"
        )
    );
}

#[test]
fn required_lists_and_limits() {
    let e = err(&with(&["identities"], json!([])));
    assert_eq!((e.field(), e.code()), ("identities", "MISSING_FIELD"));
    let e = err(&with(&["resources"], json!([])));
    assert_eq!((e.field(), e.code()), ("resources", "MISSING_FIELD"));
    let many: Vec<String> = (0..=MAX_IDENTITIES)
        .map(|i| format!("urn:v1:eu:identity:user:xx1-ovh/u{i}"))
        .collect();
    assert_eq!(
        err(&with(&["identities"], json!(many))).code(),
        "TOO_MANY_ITEMS"
    );
    let many: Vec<Value> = (0..=MAX_RESOURCES)
        .map(|i| json!({"urn": format!("urn:v1:eu:resource:vps:v{i}")}))
        .collect();
    assert_eq!(
        err(&with(&["resources"], json!(many))).code(),
        "TOO_MANY_ITEMS"
    );
    let many: Vec<Value> = (0..=MAX_ACTIONS)
        .map(|i| json!({"action": format!("vps:apiovh:a{i}")}))
        .collect();
    let e = err(&with(&["permissions", "allow"], json!(many)));
    assert_eq!(
        (e.field(), e.code()),
        ("permissions.allow", "TOO_MANY_ITEMS")
    );
    let many: Vec<Value> = (0..=MAX_PERMISSIONS_GROUPS)
        .map(|i| json!({"urn": format!("urn:v1:eu:permissionsGroup:xx1-ovh:g{i}")}))
        .collect();
    assert_eq!(
        err(&with(&["permissionsGroups"], json!(many))).code(),
        "TOO_MANY_ITEMS"
    );
    let e = err(&with(
        &["description"],
        json!("d".repeat(MAX_DESCRIPTION_LEN + 1)),
    ));
    assert_eq!(
        (e.field(), e.code()),
        ("description", "INVALID_DESCRIPTION")
    );
}

#[test]
fn a_policy_must_grant_or_deny_something() {
    let e = err(&with(
        &["permissions"],
        json!({"allow": null, "except": [{"action": "*"}]}),
    ));
    assert_eq!(
        (e.field(), e.code()),
        ("permissions", "INVALID_PERMISSIONS")
    );
    assert_eq!(
        check(&with(&["permissions"], json!({"deny": [{"action": "*"}]}))),
        Ok(())
    );
    let only_groups = with(&["permissions"], json!({}));
    let mut only_groups = only_groups;
    only_groups["permissionsGroups"] =
        json!([{"urn": "urn:v1:eu:permissionsGroup:ovh:globalAdmin"}]);
    assert_eq!(check(&only_groups), Ok(()));
}

#[test]
fn bodies_that_are_not_policies() {
    assert_eq!(
        PolicyInput::from_json("{").err().map(|e| e.code()),
        Some("INVALID_BODY")
    );
    assert_eq!(
        PolicyInput::from_json("{\"name\":\"x\"}")
            .err()
            .map(|e| e.code()),
        Some("INVALID_BODY")
    );
}

#[test]
fn permissions_groups_validate() {
    let ok = r#"{"name":"vpsOps","description":"reboot VPS","permissions":{"allow":[{"action":"vps:apiovh:reboot"}]}}"#;
    assert!(PermissionsGroupInput::from_json(ok).is_ok());
    let bad_name =
        r#"{"name":"vps ops","description":"","permissions":{"allow":[{"action":"*"}]}}"#;
    assert_eq!(
        PermissionsGroupInput::from_json(bad_name)
            .err()
            .map(|e| e.code()),
        Some("INVALID_NAME")
    );
    let empty = r#"{"name":"x","description":"","permissions":{"except":[{"action":"*"}]}}"#;
    assert_eq!(
        PermissionsGroupInput::from_json(empty)
            .err()
            .map(|e| e.code()),
        Some("INVALID_PERMISSIONS")
    );
    let bad_action = r#"{"name":"x","description":"","permissions":{"allow":[{"action":"a b"}]}}"#;
    let e = PermissionsGroupInput::from_json(bad_action).err();
    assert_eq!(
        e.map(|e| e.field().to_owned()).as_deref(),
        Some("permissions.allow[0].action")
    );
}

mod arbitrary_input {
    //! The parsers never panic, whatever the input (the fuzz target does the same, longer).
    use proptest::prelude::*;

    use crate::action::ActionPattern;
    use crate::condition::Condition;
    use crate::pattern::UrnPattern;
    use crate::policy::{PermissionsGroupInput, PolicyInput};
    use crate::urn::{Urn, UrnFamily};

    fn urnish() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[*]?urn:v1:(eu|ca|us|xx):(identity|resource|resourceGroup|permissionsGroup):[a-zA-Z0-9:/*._é-]{0,40}[*]?",
        ]
    }

    proptest! {
        #[test]
        fn urn_and_action_parsers_never_panic(s in urnish()) {
            if let Ok(urn) = Urn::parse(&s) {
                prop_assert_eq!(Urn::parse(&urn.to_string()).ok(), Some(urn));
            }
            for family in [UrnFamily::Any, UrnFamily::Identity, UrnFamily::Resource, UrnFamily::PermissionsGroup] {
                if let Ok(p) = UrnPattern::parse(&s, family) {
                    let _ = p.matches(&s);
                }
            }
            if let Ok(a) = ActionPattern::parse(&s) {
                prop_assert!(a.matches(&a.to_string()) || a.to_string().contains('*'));
            }
        }

        #[test]
        fn condition_keys_never_panic(key in "(resource|request|date)[.(A-Za-z/_)]{0,30}", value in any::<String>()) {
            let _ = Condition::matching([(key, value)]).compile("conditions");
        }

        #[test]
        fn json_bodies_never_panic(s in any::<String>()) {
            let _ = PolicyInput::from_json(&s);
            let _ = PermissionsGroupInput::from_json(&s);
        }
    }
}
