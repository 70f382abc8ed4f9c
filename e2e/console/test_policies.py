"""Policies in the console, checked in a real browser and against the API the same server
serves: what the form saves is what the API enforces."""

import json
import re

import requests
from playwright.sync_api import expect

from conftest import ACCOUNT_URN, NIC, OUTPUT, sign_in

ACTION = "account:apiovh:me/api/oauth2/client/get"


def _service_account(server, name):
    """A service account made through the API, and a bearer token for it."""
    created = server.api("POST", "/1.0/me/api/oauth2/client", {
        "name": name, "description": "console e2e", "flow": "CLIENT_CREDENTIALS",
        "callbackUrls": [],
    })
    client_id, secret = created["clientId"], created["clientSecret"]
    token = requests.post(server.base + "/auth/oauth2/token",
                          data={"grant_type": "client_credentials"},
                          auth=(client_id, secret), timeout=10)
    assert token.status_code == 200, token.text
    identity = server.api("GET", f"/1.0/me/api/oauth2/client/{client_id}")["identity"]
    return identity, token.json()["access_token"]


def _list_clients_status(server, token):
    return requests.get(server.base + "/1.0/me/api/oauth2/client",
                        headers={"Authorization": "Bearer " + token}, timeout=10).status_code


def _policy_names(server):
    return [p["name"] for p in server.api("GET", "/v2/iam/policy")]


def test_a_policy_made_with_the_form_is_enforced_then_edited_and_deleted(root_page, server, unique):
    page = root_page
    identity, token = _service_account(server, f"reader-{unique}")
    assert _list_clients_status(server, token) == 403

    page.goto("/console/policies")
    page.get_by_role("link", name="Create a policy").click()
    name = f"sa-reader-{unique}"
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Description").fill("Lets the CI read service accounts")
    page.locator(f"input[name=identity][value='{identity}']").check()
    page.locator(f"input[name=resource][value='{ACCOUNT_URN}']").check()
    # The catalog shows the account's actions first; the filter (script) narrows it.
    page.get_by_label("Filter these actions").fill("oauth2/client/get")
    page.get_by_label(f"Allow {ACTION}", exact=True).check()
    page.get_by_role("button", name="Create").click()

    expect(page.get_by_role("status")).to_have_text("Created.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_test_id("actions")).to_contain_text(ACTION)
    policy_id = page.url.rsplit("/", 1)[1].split("?")[0]
    stored = server.api("GET", f"/v2/iam/policy/{policy_id}")
    assert stored["identities"] == [identity]
    assert stored["resources"] == [{"urn": ACCOUNT_URN}]
    assert stored["permissions"]["allow"] == [{"action": ACTION}]
    assert _list_clients_status(server, token) == 200

    # The service accounts page links its count to the policies naming the account.
    page.goto("/console/service-accounts")
    page.get_by_role("link", name=f"1 policy naming reader-{unique}").click()
    expect(page.get_by_label("Identity")).to_have_value(identity)
    expect(page.get_by_test_id("policies").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("policies")).to_contain_text(name)
    page.get_by_role("link", name=name).click()

    # Edit: the same action denied as well; the form keeps what was there.
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label(f"Allow {ACTION}", exact=True)).to_be_checked()
    expect(page.locator(f"input[name=identity][value='{identity}']")).to_be_checked()
    page.get_by_label(f"Deny {ACTION}", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your changes were saved.")
    expect(page.get_by_test_id("actions").locator(".badge.deny")).to_have_count(1)
    assert server.api("GET", f"/v2/iam/policy/{policy_id}")["permissions"]["deny"] == \
        [{"action": ACTION}]
    assert _list_clients_status(server, token) == 403
    page.screenshot(path=str(OUTPUT / "policy_view.png"), full_page=True)

    # Delete, after a confirmation.
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("dialog")).to_contain_text(f"Delete the policy {name}?")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text("Deleted.")
    server.api("GET", f"/v2/iam/policy/{policy_id}", expect=404)


def test_the_resource_type_picker_keeps_what_was_typed(root_page, unique):
    page = root_page
    page.goto("/console/policies/new")
    page.get_by_label("Name", exact=True).fill(f"keep-{unique}")
    # Enter in a field saves (and here is refused: no identity), it does not switch types.
    page.get_by_label("Name", exact=True).press("Enter")
    expect(page.locator("#identities-error")).to_contain_text("identities")
    page.get_by_label(f"Allow {ACTION}", exact=True).check()
    page.get_by_label("Resource type").select_option("vps")
    expect(page.get_by_label("Resource type")).to_have_value("vps")
    expect(page.get_by_label("Name", exact=True)).to_have_value(f"keep-{unique}")
    # The account's action, no longer in the shown catalog, moved to a free-text row.
    expect(page.locator("#allow-other")).to_have_value(ACTION)
    expect(page.get_by_test_id("catalog")).to_contain_text("vps:apiovh:")


def test_bad_json_is_refused_next_to_the_textarea_and_nothing_is_created(root_page, server, unique):
    page = root_page
    page.goto("/console/policies")
    page.get_by_role("link", name="Create a policy").click()
    page.get_by_role("link", name="Write it as JSON instead").click()
    editor = page.get_by_label("Policy (JSON)")
    expect(editor).to_have_value(re.compile(re.escape(ACCOUNT_URN)))

    broken = '{\n  "name": "json-' + unique + '",\n  "identities": [\n}'
    editor.fill(broken)
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#policy-json-error")).to_contain_text("line 4, column 1")
    expect(editor).to_have_value(broken)
    expect(editor).to_have_attribute("aria-invalid", "true")

    bad_urn = json.dumps({
        "name": f"json-{unique}",
        "identities": [f"urn:v1:eu:identity:account:{NIC}"],
        "resources": [{"urn": "urn:v1:eu:resource:vps"}],
        "permissions": {"allow": [{"action": "vps:apiovh:reboot"}]},
    }, indent=2)
    editor.fill(bad_urn)
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#policy-json-error")).to_contain_text("resources[0].urn")
    expect(editor).to_have_value(bad_urn)
    assert f"json-{unique}" not in _policy_names(server)


def test_a_malformed_identity_is_shown_next_to_its_row(root_page, server, unique):
    page = root_page
    page.goto("/console/policies/new")
    page.get_by_label("Name", exact=True).fill(f"bad-identity-{unique}")
    page.locator("#identities-other").fill("nobody@example")
    page.locator(f"input[name=resource][value='{ACCOUNT_URN}']").check()
    page.get_by_label(f"Allow {ACTION}", exact=True).check()
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#identities-error")).to_contain_text("identities[0]")
    row = page.locator("#identities-other")
    expect(row).to_have_value("nobody@example")
    expect(row).to_have_attribute("aria-invalid", "true")
    expect(row).to_have_attribute("aria-describedby", "identities-error")
    # What was ticked stays ticked.
    expect(page.get_by_label(f"Allow {ACTION}", exact=True)).to_be_checked()
    assert f"bad-identity-{unique}" not in _policy_names(server)


def test_a_read_only_policy_has_a_badge_and_no_edit_or_delete(root_page, server):
    page = root_page
    default = next(p for p in server.api("GET", "/v2/iam/policy") if p["name"] == "ovh-default")
    assert default["readOnly"]
    page.goto("/console/policies")
    row = page.locator(f"tr[data-policy-id='{default['id']}']")
    expect(row.locator(".badge.readonly")).to_have_text("Read-only")
    expect(row.locator("details.menu")).to_have_count(0)
    row.get_by_role("link", name="ovh-default").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ovh-default")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    page.get_by_text("JSON", exact=True).click()
    expect(page.get_by_test_id("policy-json")).to_contain_text('"readOnly": true')
    # Asked for directly, the edit and delete pages refuse.
    for path in ("edit", "edit?mode=json", "delete"):
        response = page.goto(f"/console/policies/{default['id']}/{path}")
        assert response.status == 403
        expect(page.get_by_test_id("failure")).to_contain_text("read-only")
    # A forged delete (with a valid CSRF token) is refused by the service itself.
    csrf = page.locator("input[name=_csrf]").first.input_value()
    refused = page.request.post(f"/console/policies/{default['id']}/delete", form={"_csrf": csrf})
    assert refused.status == 403
    assert "read-only" in refused.text()
    server.api("GET", f"/v2/iam/policy/{default['id']}")


def test_a_user_without_policy_rights_sees_no_policies(page, server, unique):
    # A group with the role NONE: its members get nothing but what policies name.
    group = f"nothing{unique}"
    server.api("POST", "/1.0/me/identity/group", {"name": group, "role": "NONE"})
    login, password = f"viewer{unique}", "Correct-Horse-42-battery"
    urn = server.user(login, password, group=group)
    server.policy(f"only-clients-{unique}", [urn], [ACTION])
    sign_in(page, f"{NIC}/{login}", password)
    nav = page.get_by_role("navigation", name="Sections")
    expect(nav.get_by_role("link", name="Service accounts")).to_be_visible()
    expect(nav.get_by_role("link", name="Policies")).to_have_count(0)
    response = page.goto("/console/policies")
    assert response.status == 403
    expect(page.get_by_test_id("failure")).to_contain_text("iam/policy/get")
    assert "ovh-default" not in page.content()
    assert f"only-clients-{unique}" not in page.content()

    # Allowed to read policies but not to create them: the list, without the button.
    server.policy(f"read-policies-{unique}", [urn], ["account:apiovh:iam/policy/get"])
    page.goto("/console/policies")
    expect(page.get_by_test_id("policies")).to_contain_text(f"only-clients-{unique}")
    expect(page.get_by_role("link", name="Create a policy")).to_have_count(0)
    expect(page.locator("details.menu")).to_have_count(0)
    assert page.goto("/console/policies/new").status == 403


def test_conditions_and_expiry_in_the_form_and_editing_as_json(root_page, server, unique):
    page = root_page
    name = f"conditional-{unique}"
    created = server.policy(name, [f"urn:v1:eu:identity:account:{NIC}"], [ACTION])
    page.goto(f"/console/policies/{created['id']}/edit")
    conditions = page.get_by_label("Conditions (JSON)")
    conditions.fill('{"operator": "MATCH",\n "values": }')
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#conditions-error")).to_contain_text("line 2, column")
    expect(conditions).to_have_attribute("aria-invalid", "true")

    conditions.fill('{"operator": "MATCH", "values": {"resource.Tag(env)": "prod"}}')
    page.get_by_label("Expires (UTC)").fill("2031-05-04T03:02:01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your changes were saved.")
    expect(page.get_by_test_id("expiry")).to_have_text("2031-05-04 03:02:01 UTC")
    expect(page.get_by_test_id("conditions")).to_contain_text("resource.Tag(env)")
    stored = server.api("GET", f"/v2/iam/policy/{created['id']}")
    assert stored["expiredAt"].startswith("2031-05-04T03:02:01")
    assert stored["conditions"] == {"operator": "MATCH", "values": {"resource.Tag(env)": "prod"}}

    # The JSON editor opens with the policy as the API takes it, and saves it back.
    page.get_by_role("link", name="Edit as JSON").click()
    editor = page.get_by_label("Policy (JSON)")
    body = json.loads(editor.input_value())
    assert body["name"] == name and body["conditions"] == stored["conditions"]
    body["description"] = "edited as JSON"
    editor.fill(json.dumps(body, indent=2))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your changes were saved.")
    assert server.api("GET", f"/v2/iam/policy/{created['id']}")["description"] == "edited as JSON"
