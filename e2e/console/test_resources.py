"""Resources (browsed by type, tagged) and resource groups in the console. Resources are
registered through the provider API, as a product would."""

from playwright.sync_api import expect

from conftest import NIC


def vps(unique, n):
    return f"urn:v1:eu:resource:vps:vps-{n}-{unique}.example.net"


def test_browse_by_type_and_name(root_page, server, unique):
    server.resource(vps(unique, 1), tags={"env": "prod", "ovh:region": "gra"})
    server.resource(vps(unique, 2), display_name=f"Second VPS {unique}")
    server.resource(f"urn:v1:eu:resource:dedicatedServer:ns-{unique}.example.net")
    page = root_page
    page.goto("/console/resources")
    expect(page.locator(f"tr[data-urn='{vps(unique, 1)}']")).to_be_visible()
    page.get_by_label("Resource type").select_option("dedicatedServer")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(f"tr[data-urn='{vps(unique, 1)}']")).to_have_count(0)
    expect(page.locator(f"tr[data-urn='urn:v1:eu:resource:dedicatedServer:ns-{unique}.example.net']")).to_be_visible()

    page.get_by_label("Resource type").select_option("vps")
    page.get_by_label("Name").fill(f"vps-1-{unique}.example.net")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("resources").locator("tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator(".tag")).to_have_text(["env=prod", "ovh:region=gra"])
    expect(row).to_contain_text(vps(unique, 1))


def test_add_and_remove_a_tag_with_errors_beside_the_fields(root_page, server, unique):
    urn = vps(unique, 3)
    server.resource(urn, tags={"ovh:region": "gra"})
    page = root_page
    page.goto("/console/resources")
    page.get_by_label("Name").fill(f"vps-3-{unique}.example.net")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=f"vps-3-{unique}.example.net").click()
    expect(page.get_by_test_id("urn")).to_have_text(urn)
    computed = page.locator("tr[data-key='ovh:region']")
    expect(computed).to_contain_text("Computed")
    expect(computed.get_by_role("button")).to_have_count(0)

    page.get_by_label("Key").fill("ovh:mine")
    page.get_by_label("Value").fill("x")
    page.get_by_role("button", name="Add the tag").click()
    expect(page.locator("#key-error")).to_contain_text("is computed")
    expect(page.get_by_label("Key")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Value")).to_have_value("x")

    page.get_by_label("Key").fill("team")
    page.get_by_label("Value").fill("has space")
    page.get_by_role("button", name="Add the tag").click()
    expect(page.locator("#value-error")).to_contain_text("the value of tag")

    page.get_by_label("Value").fill("blue")
    page.get_by_role("button", name="Add the tag").click()
    expect(page.get_by_role("status")).to_have_text("Your changes were saved.")
    expect(page.locator("tr[data-key='team']")).to_contain_text("blue")
    tags = server.api("GET", f"/v2/iam/resource/{urn}")["tags"]
    assert tags == {"ovh:region": "gra", "team": "blue"}

    page.get_by_role("button", name="Remove the tag team").click()
    expect(page.get_by_role("status")).to_have_text("Your changes were saved.")
    expect(page.locator("tr[data-key='team']")).to_have_count(0)
    assert server.api("GET", f"/v2/iam/resource/{urn}")["tags"] == {"ovh:region": "gra"}


def test_resource_groups_create_view_edit_and_delete(root_page, server, unique):
    first, second = vps(unique, 4), vps(unique, 5)
    a = server.resource(first)
    b = server.resource(second)
    page = root_page
    page.goto("/console/resource-groups")
    default = page.locator("tr", has_text="Read-only")
    expect(default).to_have_count(1)
    expect(default.locator("details.menu")).to_have_count(0)

    page.get_by_role("link", name="Add a resource group").click()
    page.get_by_label("Name").fill(f"web-{unique}")
    page.get_by_label(f"vps-4-{unique}.example.net").check()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_have_text("Created.")
    row = page.locator("tr", has_text=f"web-{unique}")
    expect(row.locator("td.num")).to_have_text("1")
    group_id = row.get_attribute("data-group-id")
    group = server.api("GET", f"/v2/iam/resourceGroup/{group_id}")
    assert [r["id"] for r in group["resources"]] == [a["id"]]

    row.get_by_role("link", name=f"web-{unique}").click()
    expect(page.get_by_test_id("members").locator("tbody tr")).to_have_count(1)
    expect(page.locator(f"tr[data-urn='{first}']")).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label(f"vps-4-{unique}.example.net")).to_be_checked()
    page.get_by_label("Name").fill(f"web-{unique}-2")
    page.get_by_label(f"vps-4-{unique}.example.net").uncheck()
    page.get_by_label(f"vps-5-{unique}.example.net").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your changes were saved.")
    expect(page.get_by_role("heading", name=f"web-{unique}-2")).to_be_visible()
    expect(page.locator(f"tr[data-urn='{second}']")).to_be_visible()
    group = server.api("GET", f"/v2/iam/resourceGroup/{group_id}")
    assert [r["id"] for r in group["resources"]] == [b["id"]]

    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("dialog")).to_contain_text("the resources themselves are kept")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text("Deleted.")
    server.api("GET", f"/v2/iam/resourceGroup/{group_id}", expect=404)


def test_the_default_resource_group_offers_no_change(root_page, server):
    page = root_page
    page.goto("/console/resource-groups")
    page.locator("tr", has_text="Read-only").get_by_role("link").first.click()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    group_id = page.url.rstrip("/").rsplit("/", 1)[1]
    page.goto(f"/console/resource-groups/{group_id}/edit")
    expect(page.get_by_test_id("failure")).to_contain_text("read-only")


def test_a_resource_group_without_a_name_keeps_the_picked_resources(root_page, server, unique):
    server.resource(vps(unique, 6))
    page = root_page
    page.goto("/console/resource-groups/new")
    page.get_by_label("Name", exact=True).evaluate("e => e.removeAttribute('required')")
    page.get_by_label(f"vps-6-{unique}.example.net").check()
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#name-error")).to_contain_text("expected 1 to 128 characters")
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(f"vps-6-{unique}.example.net")).to_be_checked()
