"""The real keystoneauth1 `v3oidcclientcredentials` plugin (PyPI) against iamd's role
adapter: discovery, the client credentials grant, and the id_token it would hand Keystone.
The plugin's last step (the call to Keystone) is replaced by a capture."""

import json

import jwt
import pytest
from keystoneauth1 import exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity.v3 import oidc

PROJECT = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"
SUPERVISOR = ["compute_read", "image_read", "network_read", "network_secgroup_read", "volume_read"]


class Captured(Exception):
    pass


class CapturingPlugin(oidc.OidcClientCredentials):
    def _get_keystone_token(self, session, access_token):
        raise Captured(access_token)


def obtain(iamd, client_id, secret, **options):
    """What keystoneauth1 would send Keystone as `Authorization: Bearer`."""
    options.setdefault("access_token_type", "id_token")
    plugin = CapturingPlugin(
        auth_url="https://keystone.invalid/v3",
        identity_provider="ovhcloud-emea",
        protocol="openid",
        client_id=client_id,
        client_secret=secret,
        discovery_endpoint=iamd.discovery,
        **options,
    )
    with pytest.raises(Captured) as captured:
        plugin.get_unscoped_auth_ref(ks_session.Session(verify=iamd.cacert))
    return captured.value.args[0]


def verified(iamd, token, audience):
    """The claims, after PyJWT checked signature (by kid, from the JWKS), iss, aud and exp."""
    jwks = iamd.http.get(f"{iamd.issuer}/jwks", timeout=30).json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid))
    return jwt.decode(token, key, algorithms=["RS256", "ES256"], audience=audience, issuer=iamd.issuer)


@pytest.fixture(scope="module")
def supervisor(iamd):
    client_id, secret, urn = iamd.service_account("supervisor")
    iamd.grant(urn, PROJECT, "publicCloudProject:openstack:infrastructureSupervisor")
    return client_id, secret, urn


def test_discovery_document(iamd):
    doc = iamd.http.get(iamd.discovery, timeout=30).json()
    assert doc["issuer"] == iamd.issuer
    assert doc["token_endpoint"] == f"{iamd.issuer}/token"
    assert doc["jwks_uri"] == f"{iamd.issuer}/jwks"
    assert "client_credentials" in doc["grant_types_supported"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]


def test_keystoneauth_gets_the_id_token_through_discovery(iamd, supervisor):
    client_id, secret, urn = supervisor
    token = obtain(iamd, client_id, secret)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = verified(iamd, token, client_id)
    assert claims["sub"] == urn
    assert claims["azp"] == client_id
    assert claims["roles"] == SUPERVISOR
    assert claims["openstack_project"] == PROJECT
    assert claims["project_roles"] == [f"{PROJECT}/{r}" for r in SUPERVISOR]
    projects = json.loads(claims["projects_json"])
    assert projects == [{"name": PROJECT, "roles": [{"name": r} for r in SUPERVISOR]}]
    assert claims["exp"] - claims["iat"] == 3600


def test_ovh_scope_and_a_named_project(iamd, supervisor):
    client_id, secret, _ = supervisor
    ovh = obtain(iamd, client_id, secret, scope="openid profile email publicCloudProject/all")
    assert verified(iamd, ovh, client_id)["roles"] == SUPERVISOR
    named = obtain(iamd, client_id, secret, scope=f"openid publicCloudProject/{PROJECT}")
    assert verified(iamd, named, client_id)["openstack_project"] == PROJECT


def test_the_default_access_token_type_carries_the_same_token(iamd, supervisor):
    client_id, secret, _ = supervisor
    token = obtain(iamd, client_id, secret, access_token_type="access_token")
    assert verified(iamd, token, client_id)["roles"] == SUPERVISOR


def test_refusals_reach_keystoneauth_as_http_errors(iamd, supervisor):
    client_id, secret, _ = supervisor
    with pytest.raises(exceptions.http.Unauthorized):
        obtain(iamd, client_id, "wrong-secret")
    with pytest.raises(exceptions.http.BadRequest) as refused:
        obtain(iamd, client_id, secret, scope="openid publicCloudProject/ffffffffffffffffffffffffffffffff")
    assert "invalid_scope" in str(refused.value.response.text)
    nobody, nobody_secret, _ = iamd.service_account("no-rights")
    with pytest.raises(exceptions.http.BadRequest) as refused:
        obtain(iamd, nobody, nobody_secret)
    body = refused.value.response.json()
    assert body["error"] == "invalid_scope"
    assert "no OpenStack right" in body["error_description"]


def test_another_accounts_service_account_never_gets_this_accounts_project(iamd, supervisor):
    """Account B's policy names A's registered project exactly and every project by
    wildcard: keystoneauth1 with B's service account is refused, for A's project by name and
    for every project (B has none registered), and never holds an id_token for A's."""
    other = iamd.other_account("yy2222-ovh")
    client_id, secret, urn = iamd.service_account("intruder", account=other)
    projects = [f"urn:v1:eu:resource:publicCloudProject:{PROJECT}", "urn:v1:eu:resource:publicCloudProject:*"]
    iamd.policy(other, urn, projects, ["publicCloudProject:openstack:*"])
    for options in [{"scope": f"openid publicCloudProject/{PROJECT}"}, {}]:
        with pytest.raises(exceptions.http.BadRequest) as refused:
            obtain(iamd, client_id, secret, **options)
        assert refused.value.response.json()["error"] == "invalid_scope", options
    named = refused_description(iamd, client_id, secret, f"openid publicCloudProject/{PROJECT}")
    assert "not registered in account yy2222-ovh" in named


def refused_description(iamd, client_id, secret, scope):
    """The token endpoint's reason, read as curl would (keystoneauth1 hides it)."""
    r = iamd.http.post(
        f"{iamd.issuer}/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(client_id, secret),
        headers={"Authorization": None},
        timeout=30,
    )
    assert r.status_code == 400, r.text
    return r.json()["error_description"]


def test_other_resource_types_have_no_role_adapter(iamd):
    url = iamd.discovery.replace(iamd.adapter, "urn:v1:eu:resource:vps:pci")
    r = iamd.http.get(url, timeout=30)
    assert r.status_code == 404
    assert r.json()["class"] == "Client::NotFound"
