//! Decisions over HTTP: the seed's `vps-reboot-snapshot` example end to end, changes
//! enforced by the very next request, permissions groups, the multi-resource check, the
//! policy simulator and the reference.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, backends, expect_error, json};
use crate::v2_support::{check, register, user_token};

const NIC: &str = "xx1111-ovh";
const USER1: &str = "urn:v1:eu:identity:user:xx1111-ovh/user1";
const VPS: &str = "urn:v1:eu:resource:vps:vps-5b48d78b.vps.ovh.net";
const OTHER_VPS: &str = "urn:v1:eu:resource:vps:vps-other.vps.ovh.net";

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

async fn policy(app: &TestApp, root: &str, body: Value) -> Value {
    let (status, created) = json(app.post("/v2/iam/policy", Some(root), &body).await).await;
    assert_eq!(status, 200, "{created}");
    created
}

/// An account with a role-less group `nobody` and `user1` in it.
async fn setup(backend: Backend) -> (TestApp, String, String) {
    let app = TestApp::spawn(backend).await;
    let root = app.create_account(NIC).await.token;
    let (status, _) = json(
        app.post(
            "/1.0/me/identity/group",
            Some(&root),
            &json!({"name": "nobody", "role": "NONE"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let user1 = user_token(&app, NIC, "user1", "nobody").await;
    register(&app, NIC, VPS, &[("env", "prod")]).await;
    register(&app, NIC, OTHER_VPS, &[("env", "dev")]).await;
    (app, root, user1)
}

#[tokio::test]
async fn the_seed_example_end_to_end() {
    for backend in backends() {
        let (app, root, user1) = setup(backend).await;
        let actions = [
            "vps:apiovh:reboot",
            "vps:apiovh:createSnapshot",
            "vps:apiovh:delete",
        ];
        let (allowed, _) = check(&app, &user1, VPS, &actions).await;
        assert!(allowed.is_empty(), "nothing is allowed by default");

        // A user allowed to reboot and snapshot one VPS, and nothing else.
        policy(&app, &root, json!({
            "name": "vps-reboot-snapshot", "identities": [USER1],
            "permissions": {"allow": [{"action": "vps:apiovh:reboot"}, {"action": "vps:apiovh:createSnapshot"}]},
            "resources": [{"urn": VPS}]
        })).await;
        let (allowed, denied) = check(&app, &user1, VPS, &actions).await;
        assert_eq!(
            (allowed, denied),
            (strings(&actions[..2]), strings(&actions[2..])),
            "enforced by the very next request"
        );
        let (allowed, _) = check(&app, &user1, OTHER_VPS, &actions).await;
        assert!(allowed.is_empty(), "another VPS: {allowed:?}");
        expect_error(
            app.get("/v2/iam/policy", Some(&user1)).await,
            403,
            "Client::Forbidden",
        )
        .await;

        // A wildcard resource with an except inside a wildcard allow.
        policy(&app, &root, json!({
            "name": "all-vps-but-delete", "identities": [USER1], "resources": [{"urn": "urn:v1:eu:resource:vps:*"}],
            "permissions": {"allow": [{"action": "vps:apiovh:*"}], "except": [{"action": "vps:apiovh:delete"}]}
        })).await;
        let (allowed, denied) = check(
            &app,
            &user1,
            OTHER_VPS,
            &["vps:apiovh:stop", "vps:apiovh:delete"],
        )
        .await;
        assert_eq!(
            (allowed, denied),
            (
                strings(&["vps:apiovh:stop"]),
                strings(&["vps:apiovh:delete"])
            )
        );

        // A deny in another policy overrides the allows.
        let deny = policy(
            &app,
            &root,
            json!({
                "name": "no-reboot", "identities": [USER1], "resources": [{"urn": VPS}],
                "permissions": {"deny": [{"action": "vps:apiovh:reboot"}]}
            }),
        )
        .await;
        let (allowed, denied) = check(
            &app,
            &user1,
            VPS,
            &["vps:apiovh:reboot", "vps:apiovh:createSnapshot"],
        )
        .await;
        assert_eq!(
            (allowed, denied),
            (
                strings(&["vps:apiovh:createSnapshot"]),
                strings(&["vps:apiovh:reboot"])
            )
        );
        let gone = app
            .delete(
                &format!("/v2/iam/policy/{}", deny["id"].as_str().unwrap()),
                Some(&root),
            )
            .await;
        assert_eq!(gone.status(), 200);
        let (allowed, _) = check(&app, &user1, VPS, &["vps:apiovh:reboot"]).await;
        assert_eq!(
            allowed,
            strings(&["vps:apiovh:reboot"]),
            "the deletion is enforced at once"
        );
    }
}

#[tokio::test]
async fn resource_groups_and_tag_conditions_decide() {
    for backend in backends() {
        let (app, root, user1) = setup(backend).await;
        let (_, group) = json(
            app.post(
                "/v2/iam/resourceGroup",
                Some(&root),
                &json!({"name": "fleet", "resources": [{"urn": VPS}]}),
            )
            .await,
        )
        .await;
        policy(
            &app,
            &root,
            json!({
                "name": "fleet-reader", "identities": [USER1], "resources": [{"urn": group["urn"]}],
                "permissions": {"allow": [{"action": "vps:apiovh:get"}]}
            }),
        )
        .await;
        assert_eq!(
            check(&app, &user1, VPS, &["vps:apiovh:get"]).await.0,
            strings(&["vps:apiovh:get"])
        );
        assert!(
            check(&app, &user1, OTHER_VPS, &["vps:apiovh:get"])
                .await
                .0
                .is_empty()
        );
        // Membership changes are enforced at once.
        let path = format!("/v2/iam/resourceGroup/{}", group["id"].as_str().unwrap());
        app.put(
            &path,
            Some(&root),
            &json!({"name": "fleet", "resources": [{"urn": OTHER_VPS}]}),
        )
        .await;
        assert!(
            check(&app, &user1, VPS, &["vps:apiovh:get"])
                .await
                .0
                .is_empty()
        );
        assert_eq!(
            check(&app, &user1, OTHER_VPS, &["vps:apiovh:get"]).await.0,
            strings(&["vps:apiovh:get"])
        );

        policy(&app, &root, json!({
            "name": "prod-only", "identities": [USER1], "resources": [{"urn": "urn:v1:eu:resource:vps:*"}],
            "permissions": {"allow": [{"action": "vps:apiovh:reboot"}]},
            "conditions": {"operator": "MATCH", "values": {"resource.Tag(env)": "prod"}}
        })).await;
        assert_eq!(
            check(&app, &user1, VPS, &["vps:apiovh:reboot"]).await.0,
            strings(&["vps:apiovh:reboot"])
        );
        assert!(
            check(&app, &user1, OTHER_VPS, &["vps:apiovh:reboot"])
                .await
                .0
                .is_empty()
        );
        // A tag change moves the decision on the next request.
        let tag = format!("/v2/iam/resource/{}", crate::v2_support::enc(OTHER_VPS));
        app.put(&tag, Some(&root), &json!({"tags": {"env": "prod"}}))
            .await;
        assert_eq!(
            check(&app, &user1, OTHER_VPS, &["vps:apiovh:reboot"])
                .await
                .0,
            strings(&["vps:apiovh:reboot"])
        );
    }
}

#[tokio::test]
async fn permissions_groups_are_judged_on_their_own() {
    let (app, root, user1) = setup(Backend::Sqlite).await;
    let group = json!({"name": "vpsOps", "description": "VPS operations", "permissions": {"allow": [{"action": "vps:apiovh:*"}], "except": [{"action": "vps:apiovh:delete"}]}});
    let (status, _) = json(
        app.post("/v2/iam/permissionsGroup", Some(&root), &group)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    policy(
        &app,
        &root,
        json!({
            "name": "ops", "identities": [USER1], "resources": [{"urn": VPS}],
            "permissions": {"allow": [{"action": "vps:apiovh:delete"}]},
            "permissionsGroups": [{"urn": "urn:v1:eu:permissionsGroup:xx1111-ovh:vpsOps"}]
        }),
    )
    .await;
    // The group's except does not reach the policy's own allow.
    let (allowed, _) = check(&app, &user1, VPS, &["vps:apiovh:stop", "vps:apiovh:delete"]).await;
    assert_eq!(allowed, strings(&["vps:apiovh:stop", "vps:apiovh:delete"]));
    policy(&app, &root, json!({
        "name": "admin-on-other", "identities": [USER1], "resources": [{"urn": OTHER_VPS}],
        "permissions": {}, "permissionsGroups": [{"urn": "urn:v1:eu:permissionsGroup:ovh:globalAdmin"}]
    })).await;
    assert_eq!(
        check(&app, &user1, OTHER_VPS, &["vps:apiovh:delete"])
            .await
            .0,
        strings(&["vps:apiovh:delete"])
    );
    // Editing the group is enforced at once.
    let path = "/v2/iam/permissionsGroup/urn:v1:eu:permissionsGroup:xx1111-ovh:vpsOps";
    let edit = json!({"name": "vpsOps", "description": "x", "permissions": {"allow": [{"action": "vps:apiovh:get"}]}});
    assert_eq!(app.put(path, Some(&root), &edit).await.status(), 200);
    assert!(
        check(&app, &user1, VPS, &["vps:apiovh:stop"])
            .await
            .0
            .is_empty()
    );
}

#[tokio::test]
async fn the_multi_resource_check_answers_each_resource() {
    let (app, root, user1) = setup(Backend::Sqlite).await;
    policy(
        &app,
        &root,
        json!({
            "name": "one", "identities": [USER1], "resources": [{"urn": VPS}],
            "permissions": {"allow": [{"action": "vps:apiovh:reboot"}]}
        }),
    )
    .await;
    let body = json!({"actions": ["vps:apiovh:reboot", "vps:apiovh:get"], "resourceURNs": [VPS, OTHER_VPS]});
    let (status, answer) = json(
        app.post("/v2/iam/authorization/check", Some(&user1), &body)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!([
            {"resourceURN": VPS, "authorizedActions": ["vps:apiovh:reboot"], "unauthorizedActions": ["vps:apiovh:get"]},
            {"resourceURN": OTHER_VPS, "authorizedActions": [], "unauthorizedActions": ["vps:apiovh:reboot", "vps:apiovh:get"]}
        ])
    );
    let (_, root_answer) = json(
        app.post("/v2/iam/authorization/check", Some(&root), &body)
            .await,
    )
    .await;
    assert_eq!(
        root_answer[1]["authorizedActions"],
        json!(["vps:apiovh:reboot", "vps:apiovh:get"]),
        "ovh-default gives root everything"
    );
    expect_error(
        app.post(
            "/v2/iam/authorization/check",
            Some(&user1),
            &json!({"actions": []}),
        )
        .await,
        400,
        "Client::BadRequest",
    )
    .await;
    expect_error(
        app.post("/v2/iam/authorization/check", None, &body).await,
        401,
        "Client::Unauthorized",
    )
    .await;
}

#[tokio::test]
async fn the_simulator_explains_decisions() {
    for backend in backends() {
        let (app, root, user1) = setup(backend).await;
        let allow = policy(&app, &root, json!({
            "name": "reboot", "identities": [USER1], "resources": [{"urn": "urn:v1:eu:resource:vps:*"}],
            "permissions": {"allow": [{"action": "vps:apiovh:*"}], "except": [{"action": "vps:apiovh:delete"}]}
        })).await;
        let deny = policy(&app, &root, json!({
            "name": "office-hours", "identities": ["urn:v1:eu:identity:group:xx1111-ovh/nobody"], "resources": [{"urn": VPS}],
            "permissions": {"deny": [{"action": "vps:apiovh:reboot"}]},
            "conditions": {"operator": "MATCH", "values": {"request.IP.IN_RANGE": "203.0.113.0/24"}}
        })).await;
        let simulate = |action: &str, ip: Option<&str>| {
            let mut body = json!({"identity": USER1, "resourceURN": VPS, "action": action});
            if let Some(ip) = ip {
                body["context"] = json!({"ip": ip, "date": "2024-05-06T10:00:00Z"});
            }
            body
        };
        let (status, result) = json(
            app.post(
                "/v2/iam/authorization/simulate",
                Some(&root),
                &simulate("vps:apiovh:reboot", Some("198.51.100.7")),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(
            (result["decision"].as_str(), result["outcome"].as_str()),
            (Some("ALLOW"), Some("ALLOWED"))
        );
        assert_eq!(
            result["identities"],
            json!([USER1, "urn:v1:eu:identity:group:xx1111-ovh/nobody"])
        );
        assert_eq!(
            result["explanation"]["allowedBy"],
            json!([{"policyId": allow["id"], "policyName": "reboot"}])
        );
        assert_eq!(result["resource"]["tags"]["env"], "prod");
        assert_eq!(result["date"], "2024-05-06T10:00:00Z");

        let (_, result) = json(
            app.post(
                "/v2/iam/authorization/simulate",
                Some(&root),
                &simulate("vps:apiovh:reboot", Some("203.0.113.9")),
            )
            .await,
        )
        .await;
        assert_eq!(
            (result["decision"].as_str(), result["outcome"].as_str()),
            (Some("DENY"), Some("EXPLICIT_DENY"))
        );
        assert_eq!(result["explanation"]["deniedBy"][0]["policyId"], deny["id"]);
        let (_, result) = json(
            app.post(
                "/v2/iam/authorization/simulate",
                Some(&root),
                &simulate("vps:apiovh:delete", None),
            )
            .await,
        )
        .await;
        assert_eq!(result["outcome"], "IMPLICIT_DENY");
        assert_eq!(
            result["explanation"]["exceptedBy"][0]["policyName"],
            "reboot"
        );

        let forbidden = app
            .post(
                "/v2/iam/authorization/simulate",
                Some(&user1),
                &simulate("vps:apiovh:get", None),
            )
            .await;
        expect_error(forbidden, 403, "Client::Forbidden").await;
        let foreign = json!({"identity": "urn:v1:eu:identity:user:yy2222-ovh/x", "resourceURN": VPS, "action": "a:b:c"});
        expect_error(
            app.post("/v2/iam/authorization/simulate", Some(&root), &foreign)
                .await,
            400,
            "Client::BadRequest::INVALID_IDENTITY_URN",
        )
        .await;
        let ghost = json!({"identity": "urn:v1:eu:identity:user:xx1111-ovh/ghost", "resourceURN": VPS, "action": "a:b:c"});
        expect_error(
            app.post("/v2/iam/authorization/simulate", Some(&root), &ghost)
                .await,
            404,
            "Client::NotFound",
        )
        .await;
    }
}

#[tokio::test]
async fn the_reference_lists_the_builtin_catalog() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.create_account(NIC).await.token;
    let token = Some(token.as_str());
    let (status, types) = json(app.get("/v2/iam/reference/resource/type", token).await).await;
    assert_eq!(status, 200);
    let types: Vec<&str> = types
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"account")
            && types.contains(&"vps")
            && types.contains(&"publicCloudProject")
    );
    assert!(types.windows(2).all(|w| w[0] < w[1]), "sorted");
    let (_, actions) = json(
        app.get(
            "/v2/iam/reference/action?resourceType=publicCloudProject",
            token,
        )
        .await,
    )
    .await;
    let supervisor = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "publicCloudProject:openstack:infrastructureSupervisor");
    assert_eq!(
        supervisor.unwrap()["categories"],
        json!(["READ"]),
        "the OpenStack rights of the seed"
    );
    assert_eq!(actions.as_array().unwrap().len(), 27);
    let (_, all) = json(app.get("/v2/iam/reference/action", token).await).await;
    assert!(all.as_array().unwrap().len() >= 2253, "the whole catalog");
    let (_, two) = json(
        app.get(
            "/v2/iam/reference/action?resourceType=vps&resourceType=account",
            token,
        )
        .await,
    )
    .await;
    assert!(
        two.as_array()
            .unwrap()
            .iter()
            .all(|a| a["resourceType"] == "vps" || a["resourceType"] == "account")
    );
    let response = app
        .request(reqwest::Method::GET, "/v2/iam/reference/action", token)
        .header("X-Pagination-Size", "100")
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("x-pagination-cursor-next"));
    let (_, page) = json(response).await;
    assert_eq!(page.as_array().unwrap().len(), 100);
}

/// `n` distinct action names (the check does not require them to exist).
fn many_actions(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("vps:apiovh:action{i}")).collect()
}

/// `n` distinct resource URNs.
fn many_resources(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("urn:v1:eu:resource:vps:vps-{i}.vps.ovh.net"))
        .collect()
}

#[tokio::test]
async fn a_check_is_bounded_to_ten_thousand_decisions() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let batch = |actions: usize, resources: usize| json!({"actions": many_actions(actions), "resourceURNs": many_resources(resources)});
        // 100 × 100 = 10,000: exactly the bound.
        let (status, answer) = json(
            app.post("/v2/iam/authorization/check", Some(&root), &batch(100, 100))
                .await,
        )
        .await;
        assert_eq!(status, 200, "{backend:?}");
        assert_eq!(answer.as_array().unwrap().len(), 100);
        // 73 × 137 = 10,001: one over, though each list is well under its own bound.
        let refused = expect_error(
            app.post("/v2/iam/authorization/check", Some(&root), &batch(73, 137))
                .await,
            400,
            "Client::BadRequest::TOO_MANY_ITEMS",
        )
        .await;
        assert!(
            refused["message"].as_str().unwrap().contains("10000"),
            "{refused}"
        );
        // The one-resource route: at most 1,000 actions.
        let path = format!(
            "/v2/iam/resource/{}/authorization/check",
            crate::v2_support::enc(VPS)
        );
        let (status, _) = json(
            app.post(&path, Some(&root), &json!({"actions": many_actions(1000)}))
                .await,
        )
        .await;
        assert_eq!(status, 200);
        expect_error(
            app.post(&path, Some(&root), &json!({"actions": many_actions(1001)}))
                .await,
            400,
            "Client::BadRequest::TOO_MANY_ITEMS",
        )
        .await;
    }
}
