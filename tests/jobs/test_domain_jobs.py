"""Savings and ledger imports, the year-end close, the SHU worksheet and the arrears reminders as background
jobs (immediate mode): the same services as the forms, all or nothing, refusals in Indonesian with the row and
column on the job's page, and each job's page and result for its starter only."""
import io
import json
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from app.cooperatives.models import Cooperative
from app.core.dates import local_today
from app.jobs.models import Job
from app.ledger.import_models import LedgerImport
from app.ledger.models import JournalEntry, LedgerYear
from app.savings.models import SavingsImport, SavingsTransaction
from app.shu.models import ShuWorksheet
from tests.ledger.test_imports import cash_book
from tests.ledger.test_imports import upload as ledger_upload
from tests.savings.test_import import _numbers, workbook
from tests.savings.test_import import upload as savings_upload

KEBON_JERUK = "31.73.05.1001"


@pytest.fixture()
def config(app):
    """Set app config values for one test (thresholds that send small work to a job)."""
    saved = {}

    def set_(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config[key])
            app.config[key] = value

    yield set_
    app.config.update(saved)


def _coop(sysdb, code=KEBON_JERUK):
    sysdb.expire_all()
    return sysdb.scalar(select(Cooperative).where(Cooperative.region_code == code))


def _job(response, sysdb):
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    location = response.headers["Location"]
    assert "/pekerjaan/" in location, location
    sysdb.expire_all()
    return sysdb.get(Job, int(location.rstrip("/").rsplit("/", 1)[1]))


def _count(sysdb, model, **where):
    sysdb.expire_all()
    stmt = select(func.count(model.id))
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return sysdb.scalar(stmt)


# -- savings import ----------------------------------------------------------------------------------------------

def test_a_big_deposits_import_runs_as_a_job_and_writes_every_row(app, login, sysdb, config):
    config(KKMP_IMPORT_JOB_ROWS=1)
    a, b = _numbers(sysdb, 2)
    today = local_today(_coop(sysdb))
    before = _count(sysdb, SavingsTransaction)
    job = _job(savings_upload(login("sekretaris.kebonjeruk"), workbook(
        [[a, "sukarela", 15000, today, f"job {uuid.uuid4().hex[:6]}"], [b, "sukarela", "20.000", today, None]])),
        sysdb)
    assert (job.kind, job.status, job.username) == ("savings_import", "done", "sekretaris.kebonjeruk")
    assert job.result_summary == "2 setoran diimpor."
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert _count(sysdb, SavingsTransaction) == before + 2


def test_a_refused_deposits_import_job_writes_nothing_and_names_the_row_and_column(app, login, sysdb, config):
    config(KKMP_IMPORT_JOB_ROWS=1)
    a, b = _numbers(sysdb, 2)
    today = local_today(_coop(sysdb))
    before = (_count(sysdb, SavingsTransaction), _count(sysdb, SavingsImport))
    s = login("sekretaris.kebonjeruk")
    job = _job(savings_upload(s, workbook([[a, "sukarela", 10000, today, "baik"],
                                           [b, "tabungan", 10000, today, None]])), sysdb)
    assert job.status == "failed"
    assert job.error_message == "Tidak ada yang disimpan: 1 kesalahan ditemukan."
    assert job.error_list == [[3, "Jenis Simpanan (pokok/wajib/sukarela)",
                               "Jenis simpanan harus pokok, wajib atau sukarela."]]
    assert (_count(sysdb, SavingsTransaction), _count(sysdb, SavingsImport)) == before
    page = s.get(f"/pekerjaan/{job.id}").get_data(as_text=True)
    assert 'id="kkmp-job-errors"' in page and "<td>3</td>" in page and "Jenis simpanan harus pokok" in page


def test_a_retried_deposits_import_whose_first_attempt_had_committed_imports_nothing_twice(
        app, login, sysdb, config):
    """The worker died after the import's commit but before the job was marked done: the retry adds nothing."""
    from app.jobs.services import execute_job, save_upload

    config(KKMP_IMPORT_JOB_ROWS=1)
    a, b = _numbers(sysdb, 2)
    today = local_today(_coop(sysdb))
    data = workbook([[a, "sukarela", 11000, today, f"ulang {uuid.uuid4().hex[:6]}"],
                     [b, "sukarela", 12000, today, None]])
    job = _job(savings_upload(login("sekretaris.kebonjeruk"), data), sysdb)
    assert job.status == "done"
    after_first = _count(sysdb, SavingsTransaction)
    with app.app_context():
        name = save_upload(data)
    sysdb.execute(update(Job).where(Job.id == job.id).values(
        status="running", heartbeat_at=job.created_at - timedelta(hours=1),
        params=json.dumps(dict(job.params_dict, upload=name))))
    sysdb.commit()
    with app.app_context():
        assert execute_job(job.id) == "done"
    sysdb.expire_all()
    again = sysdb.get(Job, job.id)
    assert again.attempts == 2 and again.result_summary == "Berkas ini sudah diimpor."
    assert _count(sysdb, SavingsTransaction) == after_first


# -- ledger import -----------------------------------------------------------------------------------------------

def test_a_big_cash_book_import_runs_as_a_job_all_or_nothing_with_the_sheet_row_and_column(
        app, login, sysdb, config):
    config(KKMP_IMPORT_JOB_ROWS=1)
    coop = _coop(sysdb)
    tag = uuid.uuid4().hex[:8]
    day = local_today(coop).replace(day=1)
    s = login("pengurus.kebonjeruk")
    before = (_count(sysdb, JournalEntry, cooperative_id=coop.id), _count(sysdb, LedgerImport))
    bad = cash_book({"Kas": [[day, f"Setoran {tag}", "BKM-J1", "312000", "250.000", None, None, None],
                             [day, f"Tanpa lawan {tag}", "BKK-J1", None, None, "75.000", None, None]]})
    job = _job(ledger_upload(s, "/impor-pembukuan/buku-kas", bad, cash_account="111000"), sysdb)
    assert (job.kind, job.status) == ("ledger_import", "failed")
    assert job.error_message == "Tidak ada yang disimpan: 1 kesalahan ditemukan."
    [[row, column, message]] = job.error_list
    assert (row, column) == (5, "Kas: Kode akun lawan") and message.startswith("Kode akun lawan belum diisi")
    assert (_count(sysdb, JournalEntry, cooperative_id=coop.id), _count(sysdb, LedgerImport)) == before

    good = cash_book({"Kas": [[day, f"Setoran {tag}", "BKM-J2", "312000", "250.000", None, None, None],
                              [day, f"Beli ATK {tag}", "BKK-J2", "529000", None, "75.000", None, None]]})
    job = _job(ledger_upload(s, "/impor-pembukuan/buku-kas", good, cash_account="111000"), sysdb)
    assert job.status == "done", job.error_message
    assert job.result_summary == "2 transaksi kas diimpor sebagai jurnal."
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert (_count(sysdb, JournalEntry, cooperative_id=coop.id), _count(sysdb, LedgerImport)) == (
        before[0] + 2, before[1] + 1)


# -- year-end close and SHU --------------------------------------------------------------------------------------

def test_a_year_end_close_job_shows_why_it_was_refused_in_indonesian_and_closes_nothing(
        app, login, sysdb, config):
    config(KKMP_YEAR_END_JOB_LINES=-1)  # every cooperative counts as big
    coop = _coop(sysdb)
    s = login("pengurus.kebonjeruk")
    closed = _count(sysdb, LedgerYear, cooperative_id=coop.id)
    this_year = local_today(coop).year
    job = _job(s.post("/periode/tutup-tahun", {"year": str(this_year), "cooperative_id": str(coop.id)},
                      form_url="/periode/list/"), sysdb)
    assert (job.kind, job.status, job.cooperative_id) == ("ledger_year_close", "failed", coop.id)
    assert job.error_message == f"Tahun buku {this_year} belum berakhir."
    page = s.get(f"/pekerjaan/{job.id}").get_data(as_text=True)
    assert f"Tahun buku {this_year} belum berakhir." in page and "Tutup buku akhir tahun" in page
    assert _count(sysdb, LedgerYear, cooperative_id=coop.id) == closed


def test_an_shu_job_for_a_year_not_closed_fails_with_the_reason_and_writes_no_worksheet(
        app, login, sysdb, config):
    config(KKMP_SHU_JOB_MEMBERS=-1)
    coop = _coop(sysdb)
    year = local_today(coop).year  # the running year (the demo closes last year's books)
    s = login("pengurus.kebonjeruk")
    job = _job(s.post(f"/shu/{coop.id}/{year}/hitung", {}, form_url=f"/shu/{coop.id}/{year}"), sysdb)
    assert (job.kind, job.status) == ("shu_compute", "failed")
    assert job.error_message.startswith(f"Tahun buku {year} belum ditutup")
    assert f"Tahun buku {year} belum ditutup" in s.get(f"/pekerjaan/{job.id}").get_data(as_text=True)
    assert _count(sysdb, ShuWorksheet, cooperative_id=coop.id, year=year) == 0


def test_the_lurah_cannot_start_the_shu_job(app, login, sysdb, config):
    config(KKMP_SHU_JOB_MEMBERS=-1)
    coop = _coop(sysdb)
    year = local_today(coop).year - 1
    before = _count(sysdb, Job)
    r = login("lurah.kebonjeruk").post(f"/shu/{coop.id}/{year}/hitung", {}, form_url=f"/shu/{coop.id}/{year}")
    assert r.status_code in (302, 403) and "/pekerjaan/" not in r.headers.get("Location", "")
    assert _count(sysdb, Job) == before


# -- reminders of arrears ----------------------------------------------------------------------------------------

def test_the_secretary_gets_the_reminders_list_with_the_ready_whatsapp_text_and_only_her_cooperative(
        app, login, sysdb):
    coop = _coop(sysdb)
    s = login("sekretaris.kebonjeruk")
    page = s.get("/simpanan/transaksi/tunggakan").get_data(as_text=True)
    assert 'id="arrears-reminders"' in page
    job = _job(s.post("/simpanan/transaksi/tunggakan/pengingat", {}, form_url="/simpanan/transaksi/tunggakan"),
               sysdb)
    assert (job.kind, job.status) == ("arrears_reminders", "done"), job.error_message
    assert job.result_summary.startswith("Daftar pengingat siap:")
    r = s.get(f"/pekerjaan/{job.id}/unduh")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data), read_only=True).active
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if any(c is not None for c in row)]
    assert rows, "the demo cooperative has members in arrears"
    assert len(rows) == job.progress_total
    assert {row[0] for row in rows} == {coop.name}
    for name, phone, months, amount, text, link in ((r[2], r[3], r[4], r[5], r[7], r[8]) for r in rows):
        assert text.startswith(f"Yth. Bapak/Ibu {name},") and f"selama {months} bulan" in text
        assert months >= 1 and amount > 0
        assert (link or "").startswith("https://wa.me/") == bool(link)
    assert any(row[8] for row in rows)
    for other in ("sekretaris.lempake", "sudin.jakbar", "pengurus.kebonjeruk"):
        o = login(other)
        for url in (f"/pekerjaan/{job.id}", f"/pekerjaan/{job.id}/status", f"/pekerjaan/{job.id}/unduh"):
            assert o.get(url).status_code == 404, (other, url)
