"""Service accounts in the console, as seed 001 describes them, checked in a real browser
and against the API the same server serves."""

import re

import requests
from playwright.sync_api import expect

from conftest import NIC, sign_in


def test_login_refuses_wrong_credentials_without_saying_which_part(page, server):
    sign_in(page, NIC, "not the password", expect_ok=False)
    expect(page.locator("#login-error")).to_have_text("Wrong account, login or password.")
    sign_in(page, "nobody-here", "not the password", expect_ok=False)
    expect(page.locator("#login-error")).to_have_text("Wrong account, login or password.")
    sign_in(page, NIC + "/ghost", server.account["password"], expect_ok=False)
    expect(page.locator("#login-error")).to_have_text("Wrong account, login or password.")


def test_session_cookie_is_httponly_and_strict_and_logout_ends_it(page, server):
    sign_in(page, NIC, server.account["password"])
    cookie = next(c for c in page.context.cookies() if c["name"] == "iamd_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/console"
    assert page.evaluate("document.cookie") == "", "scripts cannot read the session"
    expect(page.get_by_test_id("who")).to_have_text(NIC)
    stolen = cookie["value"]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/console/login\?done=logged-out"))
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    # The old cookie, replayed, no longer opens a page: the session was revoked.
    replay = requests.get(server.base + "/console/service-accounts",
                          cookies={"iamd_console": stolen}, allow_redirects=False, timeout=10)
    assert replay.status_code == 303 and "/console/login" in replay.headers["location"]


def test_a_form_without_the_csrf_token_is_refused(root_page, server):
    cookies = {c["name"]: c["value"] for c in root_page.context.cookies()}
    forged = requests.post(server.base + "/console/service-accounts",
                           data={"name": "forged", "description": "x"},
                           cookies=cookies, allow_redirects=False, timeout=10)
    assert forged.status_code == 403
    names = [server.api("GET", f"/1.0/me/api/oauth2/client/{c}")["name"]
             for c in server.api("GET", "/1.0/me/api/oauth2/client")]
    assert "forged" not in names


def test_create_read_secret_once_edit_and_delete(root_page, server, unique):
    page = root_page
    page.goto("/console/service-accounts")
    page.get_by_role("link", name="Add a service account").click()
    name = f"ci-deployer-{unique}"
    page.get_by_label("Service account name").fill(name)
    page.get_by_label("Description").fill("Deploys from CI")
    page.get_by_role("button", name="Create").click()

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("You will no longer have access")
    client_id = page.get_by_test_id("client-id").inner_text()
    secret = page.get_by_test_id("client-secret").inner_text()
    assert re.fullmatch(r"EU\.[0-9a-f]{16}", client_id)
    assert len(secret) >= 32
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    dialog.get_by_role("button", name="Copy").nth(1).click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    # The credentials work at the token endpoint: they are real.
    token = requests.post(server.base + "/auth/oauth2/token",
                          data={"grant_type": "client_credentials"},
                          auth=(client_id, secret), timeout=10)
    assert token.status_code == 200, token.text

    # Closed, the window is gone for good: no page shows the secret again.
    page.get_by_role("link", name="Close").click()
    expect(page.get_by_role("status")).to_have_text("Created.")
    row = page.locator(f"tr[data-client-id='{client_id}']")
    expect(row).to_contain_text(name)
    expect(row).to_contain_text("Deploys from CI")
    assert secret not in page.content()
    expect(row.locator("td").nth(2)).to_have_text("0")

    # A policy naming it: the Associated policies column counts it.
    identity = server.api("GET", f"/1.0/me/api/oauth2/client/{client_id}")["identity"]
    server.policy(f"sa-{unique}", [identity], ["account:apiovh:me/api/oauth2/client/get"])
    page.reload()
    expect(row.locator("td").nth(2)).to_have_text("1")

    # Edit from the … menu.
    row.get_by_label(f"Actions for {name}").click()
    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_text("cannot be retrieved or regenerated")).to_be_visible()
    page.get_by_label("Service account name").fill(name + "-renamed")
    page.get_by_label("Description").fill("Deploys from CI, renamed")
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_role("status")).to_have_text("Your changes were saved.")
    expect(row).to_contain_text(name + "-renamed")
    assert server.api("GET", f"/1.0/me/api/oauth2/client/{client_id}")["description"] == \
        "Deploys from CI, renamed"

    # Delete, after a confirmation that gives the seed's advice.
    row.get_by_label(f"Actions for {name}-renamed").click()
    row.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("dialog")).to_contain_text("detaching all access policies")
    expect(page.get_by_role("dialog")).to_contain_text("named by 1 access policy")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text("Deleted.")
    expect(page.locator(f"tr[data-client-id='{client_id}']")).to_have_count(0)
    server.api("GET", f"/1.0/me/api/oauth2/client/{client_id}", expect=404)
    refused = requests.post(server.base + "/auth/oauth2/token",
                            data={"grant_type": "client_credentials"},
                            auth=(client_id, secret), timeout=10)
    assert refused.status_code in (400, 401)


def test_a_bad_name_is_shown_next_to_the_field(root_page):
    page = root_page
    page.goto("/console/service-accounts/new")
    page.get_by_label("Service account name").fill("x" * 129)
    page.get_by_label("Service account name").evaluate("e => e.removeAttribute('maxlength')")
    page.get_by_label("Service account name").fill("x" * 129)
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#name-error")).to_contain_text("name must be 1 to 128 characters")
    expect(page.get_by_label("Service account name")).to_have_attribute("aria-invalid", "true")
