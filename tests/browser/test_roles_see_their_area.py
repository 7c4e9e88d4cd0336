"""Each demo role logs in through the form and opens the cooperative list: what the browser shows is the user's
area and nothing else. The region codes are read from the list's own table cells.

Expectations are derived from the demo registry (app.demo.COOPS): a user must see every demo cooperative of the
area and none outside it. Cooperatives other tests add inside the area are allowed (same session database).
"""
import re

import pytest

from app.demo import COOPS

DEMO_CODES = [code for code, *_ in COOPS]
PAGE_SIZE = 25  # KkmpModelView.page_size

# username -> (how the area is matched, the area)
AREAS = {
    "sudin.jakbar": ("prefix", "31.73."),
    "camat.kebonjeruk": ("prefix", "31.73.05."),
    "lurah.kebonjeruk": ("exact", "31.73.05.1001"),
    "pengurus.kebonjeruk": ("exact", "31.73.05.1001"),
    "sekretaris.kebonjeruk": ("exact", "31.73.05.1001"),
    "sekretaris.lempake": ("exact", "64.72.05.1003"),
}


def _in_area(code, how, area):
    return code.startswith(area) if how == "prefix" else code == area


@pytest.mark.parametrize("username", list(AREAS))
def test_role_sees_only_the_cooperatives_of_its_area(username, page, login, live_server, page_problems,
                                                     list_column):
    how, area = AREAS[username]
    login(username)
    response = page.goto(live_server("/koperasi/list/"))
    assert response.status == 200, f"{username}: /koperasi/list/ answered HTTP {response.status}"

    codes = list_column("region_code")
    assert codes is not None, f"{username}: no 'region_code' column in the cooperative list table"
    outside = sorted(c for c in codes if not _in_area(c, how, area))
    expected = sorted(c for c in DEMO_CODES if _in_area(c, how, area))
    missing = sorted(set(expected) - set(codes))
    body = page.locator("body").inner_text()

    assert not outside, f"{username} ({area}) sees cooperatives outside the area: {outside}; all rows: {codes}"
    assert not missing, f"{username} ({area}) does not see {missing}; all rows: {codes}"
    assert len(codes) == len(set(codes)), f"{username}: a cooperative listed twice: {codes}"
    if username == "sudin.jakbar":
        assert "31.73.05.1001" in codes, f"sudin.jakbar does not see KKMP Kebon Jeruk: {codes}"
    assert "Cemorokandang" not in body, f"{username} sees 'Cemorokandang' on /koperasi/list/"
    page_problems.assert_none(f"for {username} on /koperasi/list/")
    # The "Record Count: N" above the table is part of what the user reads: it must agree with the rows.
    # (A count query that escapes the scope layer tells every user how many cooperatives exist elsewhere.)
    count_text = page.locator(".well .pull-right").first.inner_text()
    count = int(re.search(r"(\d+)", count_text).group(1))
    assert len(codes) == min(count, PAGE_SIZE), (
        f"{username} ({area}): the list shows {len(codes)} rows {codes} but says '{count_text.strip()}'")
