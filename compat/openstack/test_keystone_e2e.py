"""End to end with Debian's Keystone 22 behind Apache mod_auth_openidc, federated with iamd's
role adapter over HTTPS (scripts/openstack-e2e starts them): service accounts log in with
the `openstack` CLI (Debian's, keystoneauth1 5.0) and with openstacksdk and a clouds.yaml as
seed 003 shows, and get project-scoped Keystone tokens holding exactly the roles their IAM
policies grant.

Keystone maps the id_token's `project_roles` claim (`<projectId>/<role>`) to groups of that
name, each holding its one role on its one project (README, "OpenStack")."""

import json
import os
import subprocess

import openstack
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

ROLES = [
    "compute_manage", "compute_snapshot_manage", "compute_read", "objectstore_all",
    "image_manage", "image_read", "image_import", "volume_manage", "volume_snapshot_manage",
    "volume_read", "network_manage", "network_read", "network_secgroup_manage",
    "network_secgroup_read", "ai_training_all", "ai_training_read",
]
SUPERVISOR = {"compute_read", "image_read", "volume_read", "network_read", "network_secgroup_read"}
IDP = "ovhcloud-emea"

if not os.environ.get("IAMD_E2E_KEYSTONE_URL"):
    pytest.skip("no Keystone: scripts/openstack-e2e starts one", allow_module_level=True)


class Keystone:
    def __init__(self):
        self.url = os.environ["IAMD_E2E_KEYSTONE_URL"]
        auth = v3.Password(
            auth_url=self.url, username="admin", password=os.environ["IAMD_E2E_KEYSTONE_ADMIN_PASSWORD"],
            project_name="admin", user_domain_id="default", project_domain_id="default",
        )
        self.admin = ks_session.Session(auth=auth)

    def call(self, method, path, body=None, ok=(200, 201, 204)):
        r = self.admin.request(f"{self.url}{path}", method, json=body, raise_exc=False)
        assert r.status_code in ok, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.text else None

    def token(self, token_id):
        """Keystone's view of a token: its project and role names."""
        r = self.admin.get(f"{self.url}/auth/tokens", headers={"X-Subject-Token": token_id})
        token = r.json()["token"]
        return token.get("project", {}).get("id"), {role["name"] for role in token["roles"]}


@pytest.fixture(scope="module")
def keystone(iamd):
    """A project, the sixteen roles, one group per (project, role), and the federation."""
    ks = Keystone()
    project = ks.call("POST", "/projects", {"project": {"name": "pci-demo", "domain_id": "default"}})["project"]["id"]
    for role in ROLES:
        role_id = ks.call("POST", "/roles", {"role": {"name": role}})["role"]["id"]
        group = {"group": {"name": f"{project}/{role}", "domain_id": "default"}}
        group_id = ks.call("POST", "/groups", group)["group"]["id"]
        ks.call("PUT", f"/projects/{project}/groups/{group_id}/roles/{role_id}")
    ks.call("PUT", f"/OS-FEDERATION/identity_providers/{IDP}",
            {"identity_provider": {"remote_ids": [iamd.issuer], "enabled": True}})
    rules = [{
        "local": [{"user": {"name": "{0}", "type": "ephemeral"}},
                  {"groups": "{1}", "domain": {"name": "Default"}}],
        "remote": [{"type": "OIDC-sub"}, {"type": "OIDC-project_roles"}],
    }]
    ks.call("PUT", "/OS-FEDERATION/mappings/iamd_mapping", {"mapping": {"rules": rules}})
    ks.call("PUT", f"/OS-FEDERATION/identity_providers/{IDP}/protocols/openid",
            {"protocol": {"mapping_id": "iamd_mapping"}})
    ks.project = project
    return ks


def cli_env(iamd, keystone, client_id, secret):
    """The seed's environment variables, pointed at the loopback servers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({
        "OS_AUTH_TYPE": "v3oidcclientcredentials",
        "OS_PROTOCOL": "openid",
        "OS_ACCESS_TOKEN_TYPE": "id_token",
        "OS_AUTH_URL": keystone.url,
        "OS_IDENTITY_PROVIDER": IDP,
        "OS_DISCOVERY_ENDPOINT": iamd.discovery,
        "OS_PROJECT_ID": keystone.project,
        "OS_CLIENT_ID": client_id,
        "OS_CLIENT_SECRET": secret,
        "OS_CACERT": iamd.cacert,
        "OS_IDENTITY_API_VERSION": "3",
    })
    return env


def cli_token(iamd, keystone, client_id, secret, **extra_env):
    """`openstack token issue` (Debian's CLI): (returncode, token id or output)."""
    env = cli_env(iamd, keystone, client_id, secret)
    env.update(extra_env)
    done = subprocess.run(
        ["/usr/bin/openstack", "token", "issue", "-f", "json"],
        env=env, capture_output=True, text=True, timeout=180,
    )
    if done.returncode != 0:
        return done.returncode, done.stdout + done.stderr
    return 0, json.loads(done.stdout)["id"]


def sdk_token(iamd, keystone, client_id, secret, tmp_path):
    """openstacksdk with the seed's clouds.yaml."""
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(f"""clouds:
  ovhcloud:
    auth_type: 'v3oidcclientcredentials'
    region_name: RegionOne
    cacert: '{iamd.cacert}'
    auth:
      protocol: 'openid'
      access_token_type: 'id_token'
      auth_url: '{keystone.url}'
      identity_provider: '{IDP}'
      discovery_endpoint: '{iamd.discovery}'
      project_id: '{keystone.project}'
      client_id: '{client_id}'
      client_secret: '{secret}'
""")
    config = openstack.config.OpenStackConfig(config_files=[str(clouds)])
    conn = openstack.connection.Connection(config=config.get_one("ovhcloud"))
    return conn.session.get_token(), conn.session.get_project_id()


def test_infrastructure_supervisor_gets_exactly_its_roles(iamd, keystone, tmp_path):
    client_id, secret, urn = iamd.service_account("supervisor")
    iamd.grant(urn, keystone.project, "publicCloudProject:openstack:infrastructureSupervisor")
    rc, token = cli_token(iamd, keystone, client_id, secret)
    assert rc == 0, token
    assert keystone.token(token) == (keystone.project, SUPERVISOR)

    token, project = sdk_token(iamd, keystone, client_id, secret, tmp_path)
    assert project == keystone.project
    assert keystone.token(token) == (keystone.project, SUPERVISOR)


def test_objectstore_operator_gets_objectstore_all_and_nothing_else(iamd, keystone, tmp_path):
    client_id, secret, urn = iamd.service_account("swift")
    iamd.grant(urn, keystone.project, "publicCloudProject:openstack:objectstoreOperator")
    # The scope of OVHcloud's French guide.
    scope = "openid profile email publicCloudProject/all"
    rc, token = cli_token(iamd, keystone, client_id, secret, OS_OPENID_SCOPE=scope)
    assert rc == 0, token
    assert keystone.token(token) == (keystone.project, {"objectstore_all"})
    token, _ = sdk_token(iamd, keystone, client_id, secret, tmp_path)
    assert keystone.token(token) == (keystone.project, {"objectstore_all"})


def test_a_service_account_without_rights_is_refused(iamd, keystone, tmp_path):
    client_id, secret, _ = iamd.service_account("nobody")
    rc, output = cli_token(iamd, keystone, client_id, secret)
    assert rc != 0
    assert "400" in output or "Bad Request" in output, output
    with pytest.raises(Exception) as refused:
        sdk_token(iamd, keystone, client_id, secret, tmp_path)
    # keystoneauth1 reads only Keystone's error shape ("Unrecognized schema in response body"),
    # but the response it raises with is iamd's RFC 6749 §5.2 answer.
    assert refused.value.response.json()["error"] == "invalid_scope"


def test_after_its_policy_is_deleted_a_new_login_gets_no_roles(iamd, keystone):
    client_id, secret, urn = iamd.service_account("revoked")
    policy = iamd.grant(urn, keystone.project, "publicCloudProject:openstack:volumeOperator")
    rc, token = cli_token(iamd, keystone, client_id, secret)
    assert rc == 0, token
    _, roles = keystone.token(token)
    assert roles == {"volume_manage", "volume_snapshot_manage", "volume_read"}
    iamd.revoke(policy)
    rc, output = cli_token(iamd, keystone, client_id, secret)
    assert rc != 0, "a login after the policy was deleted must not succeed"
    assert "400" in output or "Bad Request" in output, output


def test_the_adapter_issuer_is_the_identity_providers_remote_id(iamd, keystone):
    idp = keystone.call("GET", f"/OS-FEDERATION/identity_providers/{IDP}")["identity_provider"]
    assert idp["remote_ids"] == [iamd.issuer]
    assert iamd.adapter in iamd.issuer
