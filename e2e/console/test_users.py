"""Users and their personal access tokens in the console, checked in a real browser and
against the API the same server serves."""

import re

import requests
from playwright.sync_api import expect

from conftest import NIC, sign_in

PASSWORD = "Correct-Horse-42-battery"


def open_menu(page, name):
    row = page.locator(f"tr[data-login='{name}']")
    row.get_by_label(f"Actions for {name}").click()
    return row


def test_create_edit_disable_enable_and_delete_a_user(root_page, server, unique):
    page = root_page
    login = f"alice-{unique}"
    page.goto("/console/users")
    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("Login", exact=True).fill(login)
    page.get_by_label("E-mail").fill(f"{login}@example.net")
    page.get_by_label("Description").fill("Operations")
    page.get_by_label("Group").select_option("UNPRIVILEGED")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_have_text("Created.")
    row = page.locator(f"tr[data-login='{login}']")
    expect(row).to_contain_text("UNPRIVILEGED")
    expect(row).to_contain_text("Enabled")
    user = server.api("GET", f"/1.0/me/identity/user/{login}")
    assert (user["email"], user["description"], user["group"]) == \
        (f"{login}@example.net", "Operations", "UNPRIVILEGED")

    open_menu(page, login).get_by_role("link", name="Edit").click()
    expect(page.get_by_label("E-mail")).to_have_value(f"{login}@example.net")
    page.get_by_label("E-mail").fill("")
    page.get_by_label("Description").fill("Operations, on call")
    page.get_by_label("Group").select_option("DEFAULT")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your changes were saved.")
    user = server.api("GET", f"/1.0/me/identity/user/{login}")
    assert (user["email"], user["description"], user["group"]) == \
        (None, "Operations, on call", "DEFAULT")

    open_menu(page, login).get_by_role("button", name="Disable").click()
    expect(page.get_by_role("status")).to_contain_text("The user is disabled")
    expect(row).to_contain_text("Disabled")
    assert server.api("GET", f"/1.0/me/identity/user/{login}")["status"] == "DISABLED"
    open_menu(page, login).get_by_role("button", name="Enable").click()
    expect(page.get_by_role("status")).to_have_text("The user is enabled.")
    expect(row).to_contain_text("Enabled")
    assert server.api("GET", f"/1.0/me/identity/user/{login}")["status"] == "OK"

    open_menu(page, login).get_by_role("link", name="Delete").click()
    expect(page.get_by_role("dialog")).to_contain_text("personal access tokens stop working")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text("Deleted.")
    expect(page.locator(f"tr[data-login='{login}']")).to_have_count(0)
    server.api("GET", f"/1.0/me/identity/user/{login}", expect=404)


def test_bad_fields_are_shown_next_to_them_keeping_what_was_typed(root_page, server, unique):
    page = root_page
    page.goto("/console/users/new")
    page.get_by_label("Login", exact=True).fill("has space")
    page.get_by_label("E-mail").fill("kept@example.net")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#login-error")).to_contain_text("login \"has space\" is malformed")
    expect(page.get_by_label("Login", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("E-mail")).to_have_value("kept@example.net")

    page.get_by_label("Login", exact=True).fill(f"weak-{unique}")
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#password-error")).to_contain_text("password must be")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    server.api("GET", f"/1.0/me/identity/user/weak-{unique}", expect=404)


def test_a_disabled_user_is_signed_out_at_once(page, browser, server, unique):
    login = f"bob-{unique}"
    server.user(login, PASSWORD)
    sign_in(page, f"{NIC}/{login}", PASSWORD)
    expect(page.get_by_test_id("who")).to_have_text(f"{NIC}/{login}")

    # Root, in another browser, disables them.
    root = browser.new_context(base_url=server.base)
    try:
        root_tab = root.new_page()
        sign_in(root_tab, NIC, server.account["password"])
        root_tab.goto("/console/users")
        open_menu(root_tab, login).get_by_role("button", name="Disable").click()
        expect(root_tab.get_by_role("status")).to_contain_text("The user is disabled")
    finally:
        root.close()

    # Their very next page is the login page, and signing in again is refused.
    page.goto("/console/")
    page.wait_for_url(re.compile(r".*/console/login.*"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    sign_in(page, f"{NIC}/{login}", PASSWORD, expect_ok=False)
    expect(page.locator("#login-error")).to_be_visible()
    assert "/console/login" in page.url


def test_a_token_is_shown_once_and_works_against_the_api(root_page, server, unique):
    page = root_page
    login = f"carol-{unique}"
    server.user(login, PASSWORD)
    page.goto("/console/users")
    open_menu(page, login).get_by_role("link", name="Access tokens").click()
    expect(page.get_by_role("heading", name=f"Personal access tokens of {login}")).to_be_visible()
    page.get_by_role("link", name="Add a token").click()
    page.get_by_label("Token name").fill("ci")
    page.get_by_label("Description").fill("CI pipeline")
    page.get_by_label("or valid for (days)").fill("30")
    page.get_by_role("button", name="Create").click()

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("You will no longer have access to this token")
    token = page.get_by_test_id("token-value").inner_text()
    assert len(token) >= 32
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    dialog.get_by_role("button", name="Copy").click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == token

    details = requests.get(server.base + "/1.0/auth/details",
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert details.status_code == 200, details.text
    assert login in details.text

    page.get_by_role("link", name="Close").click()
    expect(page.get_by_role("status")).to_have_text("Created.")
    row = page.locator("tr[data-token='ci']")
    expect(row).to_contain_text("CI pipeline")
    expect(row.locator("td").nth(2)).to_contain_text("UTC")
    assert token not in page.content()
    page.reload()
    expect(row.locator("td").nth(3)).not_to_contain_text("Never")
    assert token not in page.content()

    row.get_by_role("link", name="Delete ci").click()
    expect(page.get_by_role("dialog")).to_contain_text("will be refused from now on")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text("Deleted.")
    expect(page.locator("tr[data-token='ci']")).to_have_count(0)
    refused = requests.get(server.base + "/1.0/auth/details",
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert refused.status_code == 401


def test_a_bad_expiry_is_shown_next_to_its_field(root_page, server, unique):
    page = root_page
    login = f"dave-{unique}"
    server.user(login, PASSWORD)
    page.goto(f"/console/users/{login}/tokens/new")
    page.get_by_label("Token name").fill("old")
    page.get_by_label("Expires at (UTC)").fill("2001-01-01T00:00")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#expires_at-error")).to_contain_text("must be in the future")
    expect(page.get_by_label("Expires at (UTC)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Token name")).to_have_value("old")


def test_a_user_who_may_only_read_users_sees_no_buttons_and_no_other_sections(page, server, unique):
    login = f"reader-{unique}"
    # A group whose role grants nothing: only the policy speaks.
    server.api("POST", "/1.0/me/identity/group", {"name": f"none-{unique}", "role": "NONE"})
    urn = server.user(login, PASSWORD, group=f"none-{unique}")
    server.policy(f"read-users-{unique}", [urn], ["account:apiovh:me/identity/user/get"])
    sign_in(page, f"{NIC}/{login}", PASSWORD)
    nav = page.get_by_role("navigation", name="Sections")
    expect(nav.get_by_role("link", name="Users")).to_be_visible()
    for hidden in ["Groups", "Resource groups", "Policy simulator"]:
        expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)

    page.goto("/console/users")
    expect(page.locator(f"tr[data-login='{login}']")).to_be_visible()
    expect(page.get_by_role("link", name="Add a user")).to_have_count(0)
    expect(page.locator("details.menu")).to_have_count(0)
    for verb in ["Edit", "Delete", "Enable", "Disable"]:
        expect(page.get_by_role("link", name=verb)).to_have_count(0)
        expect(page.get_by_role("button", name=verb)).to_have_count(0)

    page.goto("/console/groups")
    expect(page.get_by_test_id("failure")).to_contain_text("do not allow this")
    expect(page.get_by_test_id("groups")).to_have_count(0)
    for path in ["/console/resource-groups", "/console/simulator"]:
        page.goto(path)
        expect(page.get_by_test_id("failure")).to_contain_text("do not allow this")
