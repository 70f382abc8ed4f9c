"""Fixtures for the compatibility suite: one real iamd server (the binary named by IAMD_BIN)
on a random loopback port over a fresh data directory, an account created with the CLI, and
helpers to build `ovh.Client` objects pointed at it (reference/ovh-api.md §7)."""

import json
import os
import socket
import subprocess
import tempfile
import time
import uuid

import ovh
import ovh.client
import pytest
import requests

# python-ovh refuses OAuth2 over plain HTTP unless told; the server here is on loopback.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="iamd-compat-")
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        created = subprocess.run(
            [binary, "--data-dir", self.dir, "account", "create", "--nic", "xx1111-ovh"],
            check=True, capture_output=True, text=True,
        )
        self.account = json.loads(created.stdout)
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.process = subprocess.Popen(
            [binary, "--data-dir", self.dir, "serve", "--listen", f"127.0.0.1:{self.port}"],
            stdout=self.log, stderr=self.log,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError("iamd did not become ready")
        # Register the local server under an endpoint name, as python-ovh needs (§7).
        ovh.client.ENDPOINTS["iamd-local"] = self.base + "/1.0"
        ovh.client.OAUTH2_TOKEN_URLS["iamd-local"] = self.base + "/auth/oauth2/token"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    # Root calls go through plain requests: the SDK has no bearer-token mode.
    def root(self, method, path, body=None):
        headers = {"Authorization": "Bearer " + self.account["token"]}
        response = requests.request(method, self.base + path, json=body, headers=headers, timeout=30)
        assert response.status_code == 200, (method, path, response.status_code, response.text)
        return response.json()

    def service_account(self, name, policy_actions=None):
        """Creates a service account as root; with `policy_actions`, also a policy granting them
        on the account resource. Returns (client_id, client_secret, identity URN)."""
        created = self.root("POST", "/1.0/me/api/oauth2/client", {
            "name": name, "description": "compat " + name, "flow": "CLIENT_CREDENTIALS", "callbackUrls": [],
        })
        identity = self.root("GET", "/1.0/me/api/oauth2/client/" + created["clientId"])["identity"]
        if policy_actions:
            self.root("POST", "/v2/iam/policy", {
                "name": "compat-" + uuid.uuid4().hex[:12],
                "identities": [identity],
                "resources": [{"urn": "urn:v1:eu:resource:account:xx1111-ovh"}],
                "permissions": {"allow": [{"action": a} for a in policy_actions]},
            })
        return created["clientId"], created["clientSecret"], identity

    def sdk(self, client_id, client_secret):
        return ovh.Client(endpoint="iamd-local", client_id=client_id, client_secret=client_secret)


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("IAMD_BIN")
    if not binary:
        pytest.fail("IAMD_BIN must name the iamd binary (scripts/compat sets it)")
    s = Server(binary)
    yield s
    s.stop()


@pytest.fixture
def unique():
    return uuid.uuid4().hex[:10]
