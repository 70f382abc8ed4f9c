"""The real `ovh` Python SDK (PyPI) against iamd, logged in as a service account with the
OAuth2 client-credentials flow: service accounts, users and groups, and the SDK's own
exception classes for iamd's errors."""

import ovh.exceptions
import pytest

IDENTITY_ADMIN = [
    "account:apiovh:me/api/oauth2/client/*",
    "account:apiovh:me/identity/*",
    "account:apiovh:iam/policy/get",
]


def test_service_accounts_through_the_sdk(server, unique):
    client_id, secret, identity = server.service_account("sdk-" + unique, IDENTITY_ADMIN)
    assert identity == f"urn:v1:eu:identity:credential:xx1111-ovh/oauth2-{client_id}"
    client = server.sdk(client_id, secret)

    created = client.post("/me/api/oauth2/client", name="child-" + unique, description="made by the SDK",
                          flow="CLIENT_CREDENTIALS", callbackUrls=[])
    assert set(created) == {"clientId", "clientSecret"}
    child = created["clientId"]
    assert child in client.get("/me/api/oauth2/client")

    details = client.get("/me/api/oauth2/client/" + child)
    assert details["name"] == "child-" + unique
    assert details["flow"] == "CLIENT_CREDENTIALS"
    assert details["identity"].endswith("/oauth2-" + child)
    assert "clientSecret" not in details, "the secret is shown once only"

    assert client.put("/me/api/oauth2/client/" + child, name="renamed", description="d", callbackUrls=[]) is None
    assert client.get("/me/api/oauth2/client/" + child)["name"] == "renamed"
    assert client.delete("/me/api/oauth2/client/" + child) is None
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.get("/me/api/oauth2/client/" + child)


def test_users_and_groups_through_the_sdk(server, unique):
    client = server.sdk(*server.service_account("people-" + unique, IDENTITY_ADMIN)[:2])
    group = "team-" + unique
    made = client.post("/me/identity/group", name=group, description="a team", role="REGULAR")
    assert made["name"] == group and made["role"] == "REGULAR"
    assert group in client.get("/me/identity/group")

    login = "user-" + unique
    client.post("/me/identity/user", login=login, email=login + "@example.com", description="someone",
                group=group, password="Correct-horse-battery-9")
    assert login in client.get("/me/identity/user")
    user = client.get("/me/identity/user/" + login)
    assert user["urn"] == f"urn:v1:eu:identity:user:xx1111-ovh/{login}"
    assert user["group"] == group and user["status"] == "OK"

    client.put("/me/identity/user/" + login, email=login + "@example.org", description="moved", group="DEFAULT")
    assert client.get("/me/identity/user/" + login)["group"] == "DEFAULT"
    client.post("/me/identity/user/" + login + "/disable")
    assert client.get("/me/identity/user/" + login)["status"] == "DISABLED"
    client.delete("/me/identity/user/" + login)
    client.delete("/me/identity/group/" + group)
    assert group not in client.get("/me/identity/group")


def test_v2_paths_go_through_the_same_client(server, unique):
    client = server.sdk(*server.service_account("v2-" + unique, IDENTITY_ADMIN)[:2])
    policies = client.get("/v2/iam/policy")
    assert any(p["name"] == "ovh-default" and p["readOnly"] for p in policies)


def test_sdk_exceptions_for_iamd_errors(server, unique):
    client = server.sdk(*server.service_account("errors-" + unique, IDENTITY_ADMIN)[:2])
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.get("/me/identity/user/nobody-" + unique)
    with pytest.raises(ovh.exceptions.BadParametersError):
        client.post("/me/identity/group", name="has space")
    client.post("/me/identity/group", name="dup-" + unique)
    with pytest.raises(ovh.exceptions.ResourceConflictError):
        client.post("/me/identity/group", name="dup-" + unique)


def test_a_service_account_without_policy_is_not_granted(server, unique):
    client = server.sdk(*server.service_account("bare-" + unique)[:2])
    with pytest.raises(ovh.exceptions.NotGrantedCall) as denied:
        client.get("/me/identity/user")
    assert "account:apiovh:me/identity/user/get" in str(denied.value)


def test_a_wrong_secret_fails_the_oauth2_login(server, unique):
    client_id, _, _ = server.service_account("wrong-" + unique)
    client = server.sdk(client_id, "not-the-secret")
    with pytest.raises(ovh.exceptions.OAuth2FailureError):
        client.get("/me")
