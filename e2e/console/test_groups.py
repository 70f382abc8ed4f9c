"""User groups in the console: the default groups are read-only; others are created, edited
and deleted through the same service as the API."""

from playwright.sync_api import expect


def test_default_groups_are_read_only(root_page):
    page = root_page
    page.goto("/console/groups")
    for name in ["ADMIN", "DEFAULT", "UNPRIVILEGED"]:
        row = page.locator(f"tr[data-group='{name}']")
        expect(row).to_contain_text("Read-only")
        expect(row.locator("details.menu")).to_have_count(0)
    page.goto("/console/groups/ADMIN/edit")
    expect(page.get_by_test_id("failure")).to_contain_text("default group")


def test_create_edit_and_delete_a_group(root_page, server, unique):
    page = root_page
    name = f"ops-{unique}"
    page.goto("/console/groups")
    page.get_by_role("link", name="Add a group").click()
    page.get_by_label("Group name").fill(name)
    page.get_by_label("Description").fill("Operators")
    page.get_by_label("Role").select_option("REGULAR")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_have_text("Created.")
    row = page.locator(f"tr[data-group='{name}']")
    expect(row).to_contain_text("REGULAR")
    expect(row).to_contain_text("Operators")
    group = server.api("GET", f"/1.0/me/identity/group/{name}")
    assert (group["role"], group["description"]) == ("REGULAR", "Operators")

    row.get_by_label(f"Actions for {name}").click()
    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Role")).to_have_value("REGULAR")
    page.get_by_label("Description").fill("Read-only operators")
    page.get_by_label("Role").select_option("UNPRIVILEGED")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your changes were saved.")
    expect(row).to_contain_text("UNPRIVILEGED")
    group = server.api("GET", f"/1.0/me/identity/group/{name}")
    assert (group["role"], group["description"]) == ("UNPRIVILEGED", "Read-only operators")

    row.get_by_label(f"Actions for {name}").click()
    row.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("dialog")).to_contain_text("cannot be deleted")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text("Deleted.")
    expect(page.locator(f"tr[data-group='{name}']")).to_have_count(0)
    server.api("GET", f"/1.0/me/identity/group/{name}", expect=404)


def test_a_bad_group_name_is_shown_next_to_the_field(root_page):
    page = root_page
    page.goto("/console/groups/new")
    page.get_by_label("Group name").fill("no spaces")
    page.get_by_label("Description").fill("kept")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#name-error")).to_contain_text("is malformed")
    expect(page.get_by_label("Group name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Description")).to_have_value("kept")


def test_a_group_with_users_cannot_be_deleted(root_page, server, unique):
    page = root_page
    name = f"busy-{unique}"
    server.api("POST", "/1.0/me/identity/group", {"name": name, "role": "NONE"})
    server.user(f"member-{unique}", "Correct-Horse-42-battery", group=name)
    page.goto(f"/console/groups/{name}/delete")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("failure")).to_contain_text("still has users")
    server.api("GET", f"/1.0/me/identity/group/{name}")
