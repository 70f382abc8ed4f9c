//! Rows to store, built the way the server builds them (times truncated to the microsecond,
//! the store's precision), and small assertions shared by the contract tests.

use std::collections::BTreeMap;
use std::fmt::Debug;

use chrono::{DateTime, Duration, TimeZone, Utc};
use iam_core::condition::{Condition, ConditionOperator};
use iam_core::policy::{
    ActionRef, Permissions, PermissionsGroup, PermissionsGroupRef, Policy, ResourceRef,
};
use iam_core::role::Role;
use iam_store::*;
use uuid::Uuid;

pub const NIC: &str = "aa1111-ovh";
pub const OTHER: &str = "bb2222-ovh";

/// A fixed instant with microseconds, `n` seconds later: deterministic creation order.
pub fn t(n: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000, 123_456_000).unwrap() + Duration::seconds(n)
}

pub fn random_bytes() -> Vec<u8> {
    [Uuid::new_v4().into_bytes(), Uuid::new_v4().into_bytes()].concat()
}

pub fn account(nic: &str) -> NewAccount {
    let resource = resource(nic, &format!("urn:v1:eu:resource:account:{nic}"), t(0));
    let rg_id = Uuid::new_v4();
    let default_resource_group = ResourceGroup {
        id: rg_id,
        urn: format!("urn:v1:eu:resourceGroup:{rg_id}"),
        account: nic.to_owned(),
        name: "ovh-default".to_owned(),
        read_only: true,
        members: vec![resource.id],
        created_at: t(0),
        updated_at: None,
    };
    let mut default_policy = policy(nic, "ovh-default", t(0));
    default_policy.identities = vec![format!("urn:v1:eu:identity:account:{nic}")];
    default_policy.resources = vec![ResourceRef {
        urn: default_resource_group.urn.clone(),
    }];
    default_policy.read_only = true;
    NewAccount {
        account: Account {
            nic: nic.to_owned(),
            plate: "eu".to_owned(),
            root_password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            created_at: t(0),
            revision: 0,
        },
        default_groups: [
            ("ADMIN", Role::Admin),
            ("DEFAULT", Role::Regular),
            ("UNPRIVILEGED", Role::Unprivileged),
        ]
        .into_iter()
        .map(|(name, role)| Group {
            default_group: true,
            ..group(nic, name, role, t(0))
        })
        .collect(),
        account_resource: resource,
        default_resource_group,
        default_policy,
        root_token: token(nic, None, "root", t(0)),
    }
}

/// Creates the account and returns what `create_account` returned.
pub async fn setup(store: &dyn Store, nic: &str) -> (NewAccount, Account) {
    let new = account(nic);
    let created = store.create_account(&new).await.unwrap();
    (new, created)
}

pub fn group(nic: &str, name: &str, role: Role, at: DateTime<Utc>) -> Group {
    Group {
        account: nic.to_owned(),
        name: name.to_owned(),
        description: Some(format!("the {name} group")),
        role,
        default_group: false,
        created_at: at,
        updated_at: at,
    }
}

pub fn user(nic: &str, login: &str, group: &str, at: DateTime<Utc>) -> User {
    User {
        id: uuid::Uuid::new_v4(),
        account: nic.to_owned(),
        login: login.to_owned(),
        email: Some(format!("{login}@example.com")),
        description: format!("user {login}"),
        group: group.to_owned(),
        status: UserStatus::Ok,
        user_type: "USER".to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$dXNlcg".to_owned(),
        created_at: at,
        updated_at: at,
        password_updated_at: Some(at),
    }
}

pub fn client(nic: &str, id: &str, at: DateTime<Utc>) -> OAuthClient {
    OAuthClient {
        client_id: id.to_owned(),
        account: nic.to_owned(),
        name: format!("client {id}"),
        description: "a service account".to_owned(),
        flow: ClientFlow::ClientCredentials,
        callback_urls: vec![
            "https://b.example/cb".to_owned(),
            "https://a.example/cb".to_owned(),
        ],
        secret_hash: random_bytes(),
        created_at: at,
        updated_at: at,
    }
}

pub fn token(nic: &str, user: Option<&str>, name: &str, at: DateTime<Utc>) -> AccessTokenRecord {
    AccessTokenRecord {
        id: Uuid::new_v4(),
        account: nic.to_owned(),
        user: user.map(str::to_owned),
        name: name.to_owned(),
        description: format!("token {name}"),
        token_hash: random_bytes(),
        created_at: at,
        expires_at: Some(at + Duration::days(30)),
        last_used: None,
    }
}

pub fn actions(list: &[&str]) -> Vec<ActionRef> {
    list.iter().map(|a| ActionRef::new(*a)).collect()
}

/// A plain policy: one identity, one resource, one allowed action.
pub fn policy(nic: &str, name: &str, at: DateTime<Utc>) -> Policy {
    Policy {
        id: Uuid::new_v4(),
        name: name.to_owned(),
        description: None,
        identities: vec![format!("urn:v1:eu:identity:user:{nic}/alice")],
        resources: vec![ResourceRef {
            urn: "urn:v1:eu:resource:vps:*".to_owned(),
        }],
        permissions: Permissions {
            allow: actions(&["vps:apiovh:*"]),
            ..Default::default()
        },
        permissions_groups: Vec::new(),
        conditions: None,
        expired_at: None,
        read_only: false,
        owner: nic.to_owned(),
        created_at: at,
        updated_at: None,
    }
}

/// A policy using every field, with lists in a deliberately unsorted order.
pub fn rich_policy(nic: &str, name: &str, at: DateTime<Utc>) -> Policy {
    let tag = Condition {
        operator: ConditionOperator::Match,
        values: Some(BTreeMap::from([(
            "resource.Tag(env)".to_owned(),
            "prod".to_owned(),
        )])),
        conditions: None,
    };
    let hour = Condition {
        operator: ConditionOperator::Match,
        values: Some(BTreeMap::from([(
            "date(Europe/Paris).Hour.GE".to_owned(),
            "8".to_owned(),
        )])),
        conditions: None,
    };
    Policy {
        description: Some("everything but reinstall, never delete".to_owned()),
        identities: vec![
            format!("urn:v1:eu:identity:user:{nic}/zed"),
            format!("urn:v1:eu:identity:group:{nic}/ADMIN"),
            format!("urn:v1:eu:identity:account:{nic}"),
        ],
        resources: vec![
            ResourceRef {
                urn: "urn:v1:eu:resource:vps:vps-2".to_owned(),
            },
            ResourceRef {
                urn: "urn:v1:eu:resourceGroup:0b7a3c9e-0000-4000-8000-000000000001".to_owned(),
            },
        ],
        permissions: Permissions {
            allow: actions(&[
                "vps:apiovh:*",
                "account:apiovh:me/get",
                "dnsZone:apiovh:record/*",
            ]),
            except: actions(&["vps:apiovh:reinstall", "vps:apiovh:delete"]),
            deny: actions(&["*:apiovh:delete", "account:apiovh:iam/policy/delete"]),
        },
        permissions_groups: vec![
            PermissionsGroupRef {
                urn: format!("urn:v1:eu:permissionsGroup:{nic}:ops"),
            },
            PermissionsGroupRef {
                urn: "urn:v1:eu:permissionsGroup:ovh:vpsAdmin".to_owned(),
            },
        ],
        conditions: Some(Condition {
            operator: ConditionOperator::And,
            values: None,
            conditions: Some(vec![
                tag,
                Condition {
                    operator: ConditionOperator::Not,
                    values: None,
                    conditions: Some(vec![hour]),
                },
            ]),
        }),
        expired_at: Some(at + Duration::days(365)),
        read_only: true,
        updated_at: Some(at + Duration::seconds(1)),
        ..policy(nic, name, at)
    }
}

pub fn resource(nic: &str, urn: &str, at: DateTime<Utc>) -> Resource {
    let name = urn.rsplit(':').next().unwrap_or(urn).to_owned();
    Resource {
        id: Uuid::new_v4(),
        urn: urn.to_owned(),
        account: nic.to_owned(),
        display_name: format!("{name} (display)"),
        name,
        resource_type: urn.split(':').nth(4).unwrap_or("vps").to_owned(),
        tags: BTreeMap::from([
            ("env".to_owned(), "prod".to_owned()),
            ("team".to_owned(), "a".to_owned()),
        ]),
        created_at: at,
        updated_at: at,
    }
}

pub fn resource_group(
    nic: &str,
    name: &str,
    members: Vec<Uuid>,
    at: DateTime<Utc>,
) -> ResourceGroup {
    let id = Uuid::new_v4();
    ResourceGroup {
        id,
        urn: format!("urn:v1:eu:resourceGroup:{id}"),
        account: nic.to_owned(),
        name: name.to_owned(),
        read_only: false,
        members,
        created_at: at,
        updated_at: Some(at),
    }
}

pub fn permissions_group(nic: &str, name: &str, at: DateTime<Utc>) -> PermissionsGroup {
    PermissionsGroup {
        id: Uuid::new_v4(),
        urn: format!("urn:v1:eu:permissionsGroup:{nic}:{name}"),
        name: name.to_owned(),
        description: format!("the {name} permissions"),
        owner: nic.to_owned(),
        permissions: Permissions {
            allow: actions(&["vps:apiovh:reboot", "vps:apiovh:get"]),
            except: actions(&["vps:apiovh:get"]),
            deny: actions(&["vps:apiovh:delete"]),
        },
        created_at: at,
        updated_at: None,
    }
}

pub fn signing_key(kid: &str, usage: &str, at: DateTime<Utc>) -> SigningKey {
    SigningKey {
        kid: kid.to_owned(),
        algorithm: KeyAlgorithm::EdDSA,
        usage: KeyUsage::parse(usage).unwrap(),
        private_key_encrypted: random_bytes(),
        public_jwk: serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": kid, "kid": kid}),
        created_at: at,
        retired_at: None,
        expires_at: None,
    }
}

pub fn audit(nic: &str, at: DateTime<Utc>, outcome: &str) -> AuditEntry {
    AuditEntry {
        id: Uuid::new_v4(),
        account: nic.to_owned(),
        at,
        actor: Some(format!("urn:v1:eu:identity:account:{nic}")),
        action: "account:apiovh:iam/policy/create".to_owned(),
        target: Some("urn:v1:eu:resource:account:x".to_owned()),
        outcome: outcome.to_owned(),
        ip: Some("192.0.2.7".to_owned()),
        details: serde_json::json!({"policies": {"allowed": ["p1"], "denied": []}, "n": 1}),
    }
}

#[track_caller]
pub fn assert_not_found<T: Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::NotFound(found)) => {
            assert_eq!(found, what, "NotFound names the wrong thing")
        }
        other => panic!("expected NotFound({what}), got {other:?}"),
    }
}

#[track_caller]
pub fn assert_conflict<T: Debug>(result: Result<T, StoreError>, words: &str) {
    match result {
        Err(StoreError::Conflict(text)) => assert!(
            text.contains(words),
            "conflict text {text:?} lacks {words:?}"
        ),
        other => panic!("expected Conflict({words}), got {other:?}"),
    }
}

/// Asserts the account's revision moved by exactly `by` since `before`.
pub async fn assert_bumped(store: &dyn Store, nic: &str, before: i64, by: i64) -> i64 {
    let now = store.account_revision(nic).await.unwrap();
    assert_eq!(now, before + by, "revision of {nic}");
    now
}
