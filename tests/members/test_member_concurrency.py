"""Under concurrent entry one NIK still holds at most one live membership, and member numbers stay gapless
(real PostgreSQL: separate connections, threads released together by a barrier)."""
import os
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.errors import ValidationFailed
from app.members import services
from app.members.models import Member, NikRegistry

from .helpers import CEMOROKANDANG, KEBON_JERUK, full_width, make_nik, new_member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                       reason="needs DATABASE_URL=postgresql://..."),
]


def _run_together(app, jobs):
    """Run ``jobs`` [(username, fn(session, user))] in threads, each in its own app context and session."""
    from flask import g

    from app.extensions import db
    from app.security.models import KkmpUser

    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def work(i, username, fn):
        with app.test_request_context():
            try:
                g.user = db.session.scalar(select(KkmpUser).where(KkmpUser.username == username))
                results[i] = fn(db.session, g.user, barrier)
            except Exception as e:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                results[i] = e
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i, u, fn)) for i, (u, fn) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _register(code, nik):
    def fn(session, user, barrier):
        member = new_member(session, code, nik=nik, born=date(1985, 3, 12), sex="L")
        barrier.wait()
        # Both pass the friendly pre-check at the same moment; the registry's primary key decides (the second
        # insert waits for the first transaction, then fails).
        services.register_member(session, member, user)
        services.commit_or_refuse(session)
        return member.id
    return fn


@pytest.mark.parametrize("variant", ["same digits", "full-width digits"])
def test_the_same_nik_registered_in_two_cooperatives_at_once_succeeds_exactly_once(app, sysdb, variant,
                                                                                   english_messages):
    nik = make_nik(date(1985, 3, 12), "L")
    other = nik if variant == "same digits" else full_width(nik)
    results = _run_together(app, [("sekretaris.kebonjeruk", _register(KEBON_JERUK, nik)),
                                  ("sekretaris.cemorokandang", _register(CEMOROKANDANG, other))])
    ok = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(ok) == 1 and len(refused) == 1, results
    with app.app_context():  # the message in the language the workers used (a lazy string outside it is its msgid)
        # Both passed the pre-check together: the registry's key refuses the second (NIK_TAKEN). On a loaded
        # machine the second may reach the pre-check after the first committed, and the pre-check names the
        # other cooperative's application: the same refusal, told more precisely.
        expected = {str(services.NIK_TAKEN), str(services.NIK_APPLIED_ELSEWHERE)}
    assert refused[0].field == "nik" and str(refused[0]) in expected
    sysdb.expire_all()
    with app.app_context():
        digest = services.nik_hmac(nik)
    assert sysdb.scalar(select(func.count()).select_from(Member).where(Member.nik == nik)) == 1
    assert sysdb.scalar(select(NikRegistry.member_id).where(NikRegistry.nik_hmac == digest)) == ok[0]


def test_approvals_at_the_same_moment_get_consecutive_member_numbers(app, sysdb):
    from app.core.scope import system_scope
    from app.extensions import db

    with app.app_context(), system_scope():
        ids = []
        for _ in range(4):
            m = services.register_member(db.session, new_member(db.session), services.SYSTEM_ACTOR)
            db.session.flush()
            ids.append(m.id)
        db.session.commit()
        db.session.remove()

    def approve(member_id):
        def fn(session, user, barrier):
            member = session.get(Member, member_id)
            barrier.wait()
            services.do_approve(session, member, user)
            session.commit()
            return member.member_seq
        return fn

    results = _run_together(app, [("pengurus.kebonjeruk", approve(i)) for i in ids])
    assert all(isinstance(r, int) for r in results), results
    assert sorted(results) == list(range(min(results), min(results) + 4))
