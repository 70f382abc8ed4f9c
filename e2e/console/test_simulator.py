"""The policy simulator in the console: the decision and the policies that made it, from
the same engine as every request."""

from playwright.sync_api import expect

PASSWORD = "Correct-Horse-42-battery"


def test_simulator_shows_allow_and_explicit_deny_with_their_policies(root_page, server, unique):
    urn = f"urn:v1:eu:resource:vps:sim-{unique}.example.net"
    server.resource(urn)
    user = server.user(f"sim-{unique}", PASSWORD)
    allow = server.policy(f"reboot-{unique}", [user], ["vps:apiovh:reboot"], [urn])
    deny = server.policy(f"no-snapshot-{unique}", [user], [], [urn],
                         deny=["vps:apiovh:createSnapshot"])
    page = root_page
    page.goto("/console/simulator")
    expect(page.locator("#actions option[value='vps:apiovh:reboot']")).to_have_count(1)
    page.get_by_label("Identity", exact=True).select_option(user)
    page.get_by_label("Resource", exact=True).select_option(urn)
    page.get_by_label("Action", exact=True).fill("vps:apiovh:reboot")
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_test_id("decision")).to_contain_text("ALLOW")
    expect(page.get_by_test_id("decision")).to_contain_text("ALLOWED")
    link = page.get_by_test_id("allow-policies").get_by_role("link", name=f"reboot-{unique}")
    expect(link).to_have_attribute("href", f"/console/policies/{allow['id']}")

    # The form keeps the question; change only the action.
    expect(page.get_by_label("Identity", exact=True)).to_have_value(user)
    page.get_by_label("Action", exact=True).fill("vps:apiovh:createSnapshot")
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_test_id("decision")).to_contain_text("DENY")
    expect(page.get_by_test_id("decision")).to_contain_text("EXPLICIT_DENY")
    link = page.get_by_test_id("deny-policies").get_by_role("link", name=f"no-snapshot-{unique}")
    expect(link).to_have_attribute("href", f"/console/policies/{deny['id']}")
    expect(page.get_by_test_id("allow-policies")).to_have_count(0)

    # Nothing grants this one: an implicit deny.
    page.get_by_label("Action", exact=True).fill("vps:apiovh:terminate")
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_test_id("decision")).to_contain_text("IMPLICIT_DENY")


def test_an_invalid_ip_is_shown_next_to_its_field(root_page):
    page = root_page
    page.goto("/console/simulator")
    page.get_by_label("Action", exact=True).fill("vps:apiovh:reboot")
    page.get_by_label("Client IP (optional)").fill("300.1.2.3")
    page.get_by_role("button", name="Simulate").click()
    expect(page.locator("#ip-error")).to_contain_text("is not an IPv4 or IPv6 address")
    expect(page.get_by_label("Client IP (optional)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Action", exact=True)).to_have_value("vps:apiovh:reboot")
    expect(page.get_by_test_id("result")).to_have_count(0)


def test_a_foreign_identity_is_shown_next_to_the_identity_field(root_page):
    page = root_page
    page.goto("/console/simulator")
    page.get_by_label("or identity URN").fill("urn:v1:eu:identity:account:zz9999-ovh")
    page.get_by_label("Action", exact=True).fill("vps:apiovh:reboot")
    page.get_by_role("button", name="Simulate").click()
    expect(page.locator("#identity-error")).to_contain_text("is not an identity of account")
