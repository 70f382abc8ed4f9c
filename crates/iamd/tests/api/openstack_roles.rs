//! OpenStack roles from IAM policies (seed 003): each of the eleven rights, combinations and
//! action globs, `except` and `deny`, scopes choosing projects, refusals without a right,
//! deleted and expired policies. The role adapter's endpoints are in `role_adapter.rs`.

use chrono::{Duration, Utc};
use iam_core::policy::Permissions;
use iamd::config::ConfigLayer;
use serde_json::Value;

use crate::helpers::{TestApp, backends, json};
use crate::role_adapter::{
    NIC, PROJECT, actions, allow, id_token, policy, project_urn, request, service_account, setup,
    sorted, strings, verify,
};

/// The seed's table, written out again: the test must not trust the code's copy.
pub const SEED_TABLE: [(&str, &[&str]); 11] = [
    (
        "openstack:administrator",
        &[
            "compute_manage",
            "compute_snapshot_manage",
            "compute_read",
            "objectstore_all",
            "image_manage",
            "image_read",
            "image_import",
            "volume_manage",
            "volume_snapshot_manage",
            "volume_read",
            "network_manage",
            "network_read",
            "network_secgroup_manage",
            "network_secgroup_read",
        ],
    ),
    (
        "openstack:backupOperator",
        &[
            "compute_snapshot_manage",
            "compute_read",
            "image_read",
            "image_import",
            "volume_snapshot_manage",
            "volume_read",
        ],
    ),
    (
        "openstack:computeOperator",
        &[
            "compute_manage",
            "compute_snapshot_manage",
            "compute_read",
            "image_read",
            "volume_read",
            "network_read",
            "network_secgroup_read",
        ],
    ),
    (
        "openstack:imageOperator",
        &["image_manage", "image_read", "image_import"],
    ),
    (
        "openstack:infrastructureSupervisor",
        &[
            "compute_read",
            "image_read",
            "volume_read",
            "network_read",
            "network_secgroup_read",
        ],
    ),
    (
        "openstack:networkOperator",
        &["network_manage", "network_read", "network_secgroup_read"],
    ),
    (
        "openstack:networkSecurityOperator",
        &["network_secgroup_manage", "network_secgroup_read"],
    ),
    ("openstack:objectstoreOperator", &["objectstore_all"]),
    (
        "openstack:volumeOperator",
        &["volume_manage", "volume_snapshot_manage", "volume_read"],
    ),
    (
        "ai:aiTrainingOperator",
        &["ai_training_all", "ai_training_read"],
    ),
    ("ai:aiTrainingRead", &["ai_training_read"]),
];

#[tokio::test]
async fn each_right_grants_exactly_its_roles() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        for (right, roles) in SEED_TABLE {
            let sa = service_account(&app, &root).await;
            let action = format!("publicCloudProject:{right}");
            policy(&app, &sa.urn, &[project_urn(PROJECT)], allow(&[&action])).await;
            let claims = id_token(&app, &sa, None).await;
            assert_eq!(strings(&claims["roles"]), sorted(roles), "{right}");
        }
    }
}

#[tokio::test]
async fn rights_combine_into_the_union_of_their_roles() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        let project = [project_urn(PROJECT)];
        let sa = service_account(&app, &root).await;
        let rights = [
            "publicCloudProject:openstack:infrastructureSupervisor",
            "publicCloudProject:openstack:objectstoreOperator",
        ];
        policy(&app, &sa.urn, &project, allow(&rights[..1])).await;
        policy(&app, &sa.urn, &project, allow(&rights[1..])).await;
        let mut expected: Vec<&str> = SEED_TABLE[4].1.to_vec();
        expected.push("objectstore_all");
        assert_eq!(
            strings(&id_token(&app, &sa, None).await["roles"]),
            sorted(&expected)
        );

        // Action globs: every OpenStack right, and nothing of AI Training.
        let sa = service_account(&app, &root).await;
        let glob = ["publicCloudProject:openstack:*"];
        policy(&app, &sa.urn, &project, allow(&glob)).await;
        assert_eq!(
            strings(&id_token(&app, &sa, None).await["roles"]),
            sorted(SEED_TABLE[0].1)
        );

        let sa = service_account(&app, &root).await;
        policy(
            &app,
            &sa.urn,
            &project,
            allow(&["publicCloudProject:ai:*", "vps:apiovh:*"]),
        )
        .await;
        let roles = strings(&id_token(&app, &sa, None).await["roles"]);
        assert_eq!(roles, ["ai_training_all", "ai_training_read"]);
    }
}

#[tokio::test]
async fn except_and_deny_remove_roles() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        let project = [project_urn(PROJECT)];
        let everything = SEED_TABLE.iter().flat_map(|(_, r)| r.iter().copied());
        let everything: Vec<&str> = everything.collect();

        let sa = service_account(&app, &root).await;
        let excepting = Permissions {
            allow: actions(&["publicCloudProject:*"]),
            except: actions(&[
                "publicCloudProject:openstack:administrator",
                "publicCloudProject:openstack:objectstoreOperator",
            ]),
            ..Default::default()
        };
        policy(&app, &sa.urn, &project, excepting).await;
        let roles = strings(&id_token(&app, &sa, None).await["roles"]);
        let expected: Vec<&str> = everything
            .iter()
            .copied()
            .filter(|r| *r != "objectstore_all")
            .collect();
        assert_eq!(roles, sorted(&expected));

        // A deny in another policy wins over the allow.
        let sa = service_account(&app, &root).await;
        policy(&app, &sa.urn, &project, allow(&["publicCloudProject:*"])).await;
        let denying = Permissions {
            deny: actions(&[
                "publicCloudProject:ai:*",
                "publicCloudProject:openstack:computeOperator",
            ]),
            ..Default::default()
        };
        policy(&app, &sa.urn, &project, denying).await;
        let roles = strings(&id_token(&app, &sa, None).await["roles"]);
        assert!(!roles.iter().any(|r| r.starts_with("ai_")), "{roles:?}");
        assert!(
            roles.contains(&"compute_manage".to_owned()),
            "administrator still grants it"
        );

        // Denying everything leaves nothing: no token.
        let deny_all = Permissions {
            deny: actions(&["publicCloudProject:*"]),
            ..Default::default()
        };
        policy(&app, &sa.urn, &project, deny_all).await;
        let (status, body) = json(request(&app, &sa, None).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope"))
        );
    }
}

#[tokio::test]
async fn scopes_choose_the_projects() {
    for backend in backends() {
        // Only p1 and p2 are registered (not `setup`'s project).
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let sa = service_account(&app, &root).await;
        // p1 by exact URN; p2 reached through a wildcard; both registered.
        register_project(&app, "p1").await;
        policy(
            &app,
            &sa.urn,
            &[project_urn("p1")],
            allow(&["publicCloudProject:ai:aiTrainingRead"]),
        )
        .await;
        register_project(&app, "p2").await;
        let wildcard = ["urn:v1:eu:resource:publicCloudProject:*".to_owned()];
        policy(
            &app,
            &sa.urn,
            &wildcard,
            allow(&["publicCloudProject:openstack:objectstoreOperator"]),
        )
        .await;

        let one = id_token(&app, &sa, Some("openid publicCloudProject/p1")).await;
        assert_eq!(
            strings(&one["roles"]),
            ["ai_training_read", "objectstore_all"]
        );
        assert_eq!(one["openstack_project"], "p1");

        for scope in [None, Some("openid profile email publicCloudProject/all")] {
            let all = id_token(&app, &sa, scope).await;
            assert!(
                all.get("roles").is_none(),
                "no union across projects: {all}"
            );
            assert!(all.get("openstack_project").is_none());
            assert_eq!(
                strings(&all["project_roles"]),
                [
                    "p1/ai_training_read",
                    "p1/objectstore_all",
                    "p2/objectstore_all"
                ]
            );
            let projects: Value =
                serde_json::from_str(all["projects_json"].as_str().unwrap()).unwrap();
            assert_eq!(projects.as_array().unwrap().len(), 2);
        }
        // Named, and reached by the wildcard, but not registered in the account: refused.
        let (status, body) = json(request(&app, &sa, Some("publicCloudProject/p3")).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope")),
            "{body}"
        );

        let other = service_account(&app, &root).await;
        policy(
            &app,
            &other.urn,
            &[project_urn("p1")],
            allow(&["publicCloudProject:ai:aiTrainingRead"]),
        )
        .await;
        for (scope, error) in [
            (Some("publicCloudProject/p2"), "invalid_scope"),
            (
                Some("publicCloudProject/all publicCloudProject/p1"),
                "invalid_scope",
            ),
            (Some("openid all"), "invalid_scope"),
        ] {
            let (status, body) = json(request(&app, &other, scope).await).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some(error)),
                "{scope:?}"
            );
        }
    }
}

async fn register_project(app: &TestApp, id: &str) {
    let now = Utc::now();
    let resource = iam_store::Resource {
        id: uuid::Uuid::new_v4(),
        urn: project_urn(id),
        account: NIC.into(),
        name: id.into(),
        display_name: format!("project {id}"),
        resource_type: "publicCloudProject".into(),
        tags: Default::default(),
        created_at: now,
        updated_at: now,
    };
    app.state.store.upsert_resource(&resource).await.unwrap();
    app.state.authorizer.invalidate(NIC);
}

#[tokio::test]
async fn no_right_is_a_clear_refusal_and_deleting_the_policy_takes_the_roles_away() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        let sa = service_account(&app, &root).await;
        let (status, body) = json(request(&app, &sa, None).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope")),
            "{body}"
        );
        let description = body["error_description"].as_str().unwrap();
        assert!(description.contains(&sa.urn) && description.contains("no OpenStack right"));

        // A right on something else is no right on a project.
        let account = format!("urn:v1:eu:resource:account:{NIC}");
        policy(&app, &sa.urn, &[account], allow(&["*"])).await;
        let (status, _) = json(request(&app, &sa, None).await).await;
        assert_eq!(status, 400);

        let right = ["publicCloudProject:openstack:objectstoreOperator"];
        let id = policy(&app, &sa.urn, &[project_urn(PROJECT)], allow(&right)).await;
        assert_eq!(
            strings(&id_token(&app, &sa, None).await["roles"]),
            ["objectstore_all"]
        );
        app.state.store.delete_policy(NIC, id).await.unwrap();
        app.state.authorizer.invalidate(NIC);
        let (status, body) = json(request(&app, &sa, None).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope"))
        );
    }
}

#[tokio::test]
async fn expired_policies_grant_nothing_and_tokens_expire_after_the_ttl() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        crate::v2_support::register(&app, NIC, &project_urn(PROJECT), &[]).await;
        let sa = service_account(&app, &root).await;
        let right = ["publicCloudProject:openstack:objectstoreOperator"];
        let id = policy(&app, &sa.urn, &[project_urn(PROJECT)], allow(&right)).await;
        let mut expired = app.state.store.get_policy(NIC, id).await.unwrap();
        expired.expired_at = Some(Utc::now() - Duration::seconds(1));
        app.state.store.delete_policy(NIC, id).await.unwrap();
        app.state.store.create_policy(&expired).await.unwrap();
        app.state.authorizer.invalidate(NIC);
        let (status, _) = json(request(&app, &sa, None).await).await;
        assert_eq!(status, 400, "an expired policy grants no role");

        let short = ConfigLayer {
            access_token_ttl_secs: Some(120),
            ..Default::default()
        };
        let node = app.another_node(short).await;
        let right = ["publicCloudProject:openstack:imageOperator"];
        policy(&node, &sa.urn, &[project_urn(PROJECT)], allow(&right)).await;
        let (status, body) = json(request(&node, &sa, None).await).await;
        assert_eq!((status, body["expires_in"].as_u64()), (200, Some(120)));
        let claims = verify(&node, body["id_token"].as_str().unwrap()).await;
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            120
        );
    }
}
