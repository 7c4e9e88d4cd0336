"""Issue 11.12: the Panduan, with pictures that never go stale.

As each demo role, the test opens the screens the guides talk about and saves them as
app/static/panduan/<name>.jpg (1366 px wide, cut to the top of the page, a few tens of KB); then every role
opens "Panduan" from the menu, lands on the guide of their own role, and every picture of it loads. Running the
browser tests therefore redraws the pictures from the app as it is; commit them with the change that moved a
screen.
"""
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.members.models import Member
from app.panduan.shots import SHOTS

STATIC = Path(__file__).resolve().parents[2] / "app" / "static" / "panduan"
WIDTH, HEIGHT = 1366, 680
MAX_BYTES = 150_000
ROLE_OF = {"sekretaris.kebonjeruk": "Sekretaris", "pengurus.kebonjeruk": "Pengurus", "lurah.kebonjeruk": "Lurah",
           "camat.kebonjeruk": "Camat", "sudin.jakbar": "Sudin"}


def _logout(page, live_server):
    page.goto(live_server("/logout/"))
    page.context.clear_cookies()


def _save_shot(page, name):
    """The top of the page at 1366 px as a JPEG (Chromium's own encoder; a PNG of a screen is several times
    larger)."""
    STATIC.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(STATIC / f"{name}.jpg"), type="jpeg", quality=55,
                    clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT})


def test_every_role_opens_its_panduan_and_its_pictures_are_drawn_from_todays_screens(
        page, login, live_server, page_problems, sysdb, shots_dir):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    coop_id = sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == "31.73.05.1001"))
    member = sysdb.scalar(select(Member.id).where(Member.cooperative_id == coop_id, Member.status == "aktif")
                          .order_by(Member.id))
    by_user = {}
    for shot in SHOTS:
        by_user.setdefault(shot.username, []).append(shot)
    assert set(by_user) == set(ROLE_OF), "every role's guide has pictures"

    for username, shots in by_user.items():
        login(username)
        for shot in shots:
            response = page.goto(live_server(shot.path.format(member=member)))
            assert response.status == 200, f"{shot.name}: {shot.path} answered {response.status}"
            page.wait_for_load_state("networkidle")
            _save_shot(page, shot.name)
            page.screenshot(path=str(shots_dir / f"panduan-{shot.name}.png"))  # to look at while debugging
            size = (STATIC / f"{shot.name}.jpg").stat().st_size
            assert size < MAX_BYTES, f"{shot.name}.jpg is {size} bytes"
        page_problems.assert_none(f"while {username} opens the screens of the guide")

        # "Panduan" in the menu leads to this role's own guide, whose pictures all load
        page.goto(live_server("/"))
        with page.expect_navigation():
            page.locator(".navbar a", has_text="Panduan").first.click()
        assert urlsplit(page.url).path.rstrip("/") == "/panduan"
        role = ROLE_OF[username]
        expect(page.locator(f"#panduan-{role.lower()}")).to_be_visible()
        expect(page.locator("#panduan-roles li.active")).to_contain_text(role)
        images = page.locator(".kkmp-panduan-shot img")
        assert images.count() == len(shots)
        for i in range(images.count()):
            img = images.nth(i)
            img.scroll_into_view_if_needed()
            page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
            src = img.get_attribute("src")
            assert src.rsplit("/", 1)[-1][:-4] in {s.name for s in shots}
        page_problems.assert_none(f"on the Panduan of {role}")
        _logout(page, live_server)
