"""Fixtures for the console's end-to-end tests: one real iamd server (the binary named by
IAMD_BIN) on a random loopback port over a fresh data directory, an account made with the
CLI, and Playwright driving Debian's Chromium (never a downloaded browser). Every test saves
a screenshot of where it ended under CONSOLE_E2E_OUTPUT (default target/console-e2e)."""

import json
import os
import pathlib
import re
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
OUTPUT = pathlib.Path(os.environ.get("CONSOLE_E2E_OUTPUT", "target/console-e2e")).resolve()
NIC = "xx1111-ovh"
ACCOUNT_URN = f"urn:v1:eu:resource:account:{NIC}"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="iamd-console-")
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        created = subprocess.run(
            [binary, "--data-dir", self.dir, "account", "create", "--nic", NIC],
            check=True, capture_output=True, text=True,
        )
        self.account = json.loads(created.stdout)
        # A product owning a few resource types, to register test resources with.
        provider = subprocess.run(
            [binary, "--data-dir", self.dir, "provider", "create", "--name", "console-e2e",
             "--type", "vps", "--type", "dedicatedServer"],
            check=True, capture_output=True, text=True,
        )
        self.provider_secret = json.loads(provider.stdout)["secret"]
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

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    def api(self, method, path, body=None, token=None, expect=200):
        """Calls the API as root (or with `token`); asserts the status; returns the JSON."""
        headers = {"Authorization": "Bearer " + (token or self.account["token"])}
        response = requests.request(method, self.base + path, json=body, headers=headers, timeout=30)
        assert response.status_code == expect, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def user(self, login, password, group="UNPRIVILEGED"):
        """Creates a user with a password (as root); returns its URN."""
        self.api("POST", "/1.0/me/identity/user", {
            "login": login, "email": f"{login}@example.net", "description": "console e2e",
            "group": group, "password": password,
        })
        return self.api("GET", f"/1.0/me/identity/user/{login}")["urn"]

    def policy(self, name, identities, actions, resources=None, deny=None):
        permissions = {"allow": [{"action": a} for a in actions]} if actions else {}
        if deny:
            permissions["deny"] = [{"action": a} for a in deny]
        return self.api("POST", "/v2/iam/policy", {
            "name": name,
            "identities": identities,
            "resources": [{"urn": u} for u in (resources or [ACCOUNT_URN])],
            "permissions": permissions,
        })

    def resource(self, urn, name=None, display_name=None, tags=None):
        """Registers a resource of the account as its product would (provider API, types vps
        and dedicatedServer); returns it."""
        body = {k: v for k, v in
                {"name": name, "displayName": display_name, "tags": tags}.items() if v is not None}
        response = requests.put(f"{self.base}/provider/v1/account/{NIC}/resource/{urn}", json=body,
                                headers={"Authorization": "Bearer " + self.provider_secret},
                                timeout=30)
        assert response.status_code in (200, 201), (urn, response.status_code, response.text)
        return response.json()


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("IAMD_BIN")
    if not binary:
        pytest.fail("IAMD_BIN must name the iamd binary (scripts/console-e2e sets it)")
    s = Server(binary)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/console-e2e does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-default-apps", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server, request):
    """A fresh browser context (no cookies) per test; its last view is saved as a PNG."""
    context = browser.new_context(base_url=server.base, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    OUTPUT.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def unique():
    return uuid.uuid4().hex[:8]


def sign_in(page, name, password, expect_ok=True):
    page.goto("/console/login")
    page.get_by_label("Account or user").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if expect_ok:
        page.wait_for_url(re.compile(r".*/console/(?!login).*"))


@pytest.fixture
def root_page(page, server):
    sign_in(page, NIC, server.account["password"])
    return page
