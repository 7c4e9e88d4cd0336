"""A big export in Chromium (issue 14): the Sekretaris asks for the member register as Excel, lands on the job's
page, watches its progress bar move without reloading, and downloads the file when it is done.

The test app runs jobs at once inside the request (immediate mode), which would leave nothing to watch. Here the
job is only recorded on the click, and this test plays the worker: it runs the job in a thread of its own, with a
pause after each progress note (the killed-worker tests' KKMP_JOBS_PAUSE_AFTER_PROGRESS), while the page polls.
"""
import io
import threading

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select


def test_a_big_member_export_shows_a_moving_progress_bar_and_ends_with_a_download(
        app, page, login, live_server, page_problems, sysdb, monkeypatch):
    from app.cooperatives.models import Cooperative
    from app.jobs import services as jobs
    from app.members import jobs as member_jobs
    from app.members.models import Member

    coop = sysdb.scalar(select(Cooperative).where(Cooperative.region_code == "31.73.05.1001"))
    members = sysdb.scalar(select(func.count(Member.id)).where(Member.cooperative_id == coop.id))
    assert members > 10
    queued = []
    monkeypatch.setattr(jobs, "enqueue", queued.append)  # recorded, not run: the thread below is the worker
    monkeypatch.setitem(app.config, "KKMP_EXPORT_JOB_ROWS", 5)  # the demo register counts as big
    monkeypatch.setattr(member_jobs, "PROGRESS_ROWS", max(1, members // 8))
    monkeypatch.setattr(jobs, "_PAUSE_AFTER_PROGRESS", 0.5)

    login("sekretaris.kebonjeruk")
    page.goto(live_server("/anggota/list/"))
    page.click("#kkmp-export-xlsx")
    page.wait_for_url("**/pekerjaan/**")
    expect(page.locator("#kkmp-job-status")).to_have_text("Menunggu")
    assert page.locator("#kkmp-job-bar").get_attribute("aria-valuenow") == "0"
    expect(page.locator("#kkmp-job-download")).to_be_hidden()
    assert len(queued) == 1

    def worker():
        with app.app_context():
            jobs.execute_job(queued[0])

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    seen = []
    for _ in range(300):  # up to 60 s
        value = int(page.locator("#kkmp-job-bar").get_attribute("aria-valuenow") or 0)
        if not seen or seen[-1] != value:
            seen.append(value)
        if page.locator("#kkmp-job-download").is_visible():
            break
        page.wait_for_timeout(200)
    thread.join(timeout=60)
    assert not thread.is_alive()
    # The bar moved on its own: values between 0 and 100 came, never backwards, and it ended full.
    assert any(0 < v < 100 for v in seen), seen
    assert seen == sorted(seen) and seen[-1] == 100, seen
    expect(page.locator("#kkmp-job-status")).to_have_text("Selesai")
    expect(page.locator("#kkmp-job-count")).to_have_text(f"({members} / {members})")

    with page.expect_download() as download:
        page.click("#kkmp-job-download")
    with open(download.value.path(), "rb") as f:
        sheet = load_workbook(io.BytesIO(f.read()), read_only=True).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if any(c not in (None, "") for c in r)]
    assert len(rows) - 2 == members  # the title line and the header row, then one row per member
    page_problems.assert_none("on the job page")
