"""The audit rows of a transaction's flushes are written when it commits (one INSERT), and only for what it kept:
a change undone by a rolled-back savepoint or a rolled-back transaction leaves no row in the log."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.cooperatives.models import OrganMember
from app.core.audit import AuditEvent
from app.core.scope import system_scope
from app.extensions import db


def _events_after(sysdb, before, record_id):
    sysdb.rollback()  # a fresh snapshot: what other connections committed
    return [(e.action, e.record_id) for e in sysdb.scalars(
        select(AuditEvent).where(AuditEvent.id > before, AuditEvent.table_name == "organ_member",
                                 AuditEvent.record_id == str(record_id)).order_by(AuditEvent.id))]


def _last_id(sysdb):
    sysdb.rollback()
    return sysdb.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) or 0


def test_a_change_undone_by_a_rolled_back_savepoint_leaves_no_audit_row_and_the_kept_one_does(app, sysdb):
    with app.app_context(), system_scope():
        members = db.session.scalars(select(OrganMember).order_by(OrganMember.id).limit(2)).all()
        kept, undone = members
        old_kept, old_undone = kept.phone, undone.phone
        before = _last_id(sysdb)
        try:
            kept.phone = "0811000111"
            db.session.flush()
            savepoint = db.session.begin_nested()
            undone.phone = "0811000222"
            db.session.flush()
            savepoint.rollback()
            # Nothing is in the log before the commit, seen from another connection ...
            assert _events_after(sysdb, before, kept.id) == []
            db.session.commit()
            # ... and after it the kept change is, the undone one is not.
            assert _events_after(sysdb, before, kept.id) == [("update", str(kept.id))]
            assert _events_after(sysdb, before, undone.id) == []
            row = sysdb.scalar(select(AuditEvent).where(AuditEvent.id > before,
                                                        AuditEvent.record_id == str(kept.id)))
            assert "0811000111" in row.after and "0811000222" not in (row.after or "")
        finally:
            db.session.rollback()
            for m, phone in ((kept, old_kept), (undone, old_undone)):
                db.session.get(OrganMember, m.id).phone = phone
            db.session.commit()


def test_a_flush_refused_inside_a_savepoint_keeps_the_audit_rows_of_what_came_before(app, sysdb):
    """A savepoint whose flush the database refuses (a name left empty) is rolled back and the transaction goes on:
    the change made before the savepoint is still committed with its audit row."""
    with app.app_context(), system_scope():
        kept, broken = db.session.scalars(select(OrganMember).order_by(OrganMember.id).limit(2)).all()
        old_phone = kept.phone
        before = _last_id(sysdb)
        try:
            kept.phone = "0811000555"
            db.session.flush()
            savepoint = db.session.begin_nested()
            broken.name = None
            with pytest.raises(IntegrityError):
                db.session.flush()
            savepoint.rollback()
            db.session.commit()
            assert _events_after(sysdb, before, kept.id) == [("update", str(kept.id))]
            assert _events_after(sysdb, before, broken.id) == []
        finally:
            db.session.rollback()
            db.session.get(OrganMember, kept.id).phone = old_phone
            db.session.commit()


def test_a_change_before_a_savepoint_keeps_its_audit_row_when_the_savepoint_wrote_the_log_and_was_undone(app, sysdb):
    """An event logged inside a savepoint writes the rows held so far there; the savepoint rolled back undoes that
    INSERT, and the change made before the savepoint is still committed with its audit row (the event is not)."""
    from app.core.audit import record_event

    with app.app_context(), system_scope():
        kept = db.session.scalars(select(OrganMember).order_by(OrganMember.id).limit(1)).one()
        old_phone = kept.phone
        before = _last_id(sysdb)
        try:
            kept.phone = "0811000666"
            db.session.flush()
            savepoint = db.session.begin_nested()
            record_event(db.session, "nik_reveal", table_name="organ_member", record_id=kept.id)
            savepoint.rollback()
            db.session.commit()
            assert _events_after(sysdb, before, kept.id) == [("update", str(kept.id))]
        finally:
            db.session.rollback()
            db.session.get(OrganMember, kept.id).phone = old_phone
            db.session.commit()


def test_a_rolled_back_transaction_leaves_no_audit_row_even_after_its_flush(app, sysdb):
    with app.app_context(), system_scope():
        member = db.session.scalars(select(OrganMember).order_by(OrganMember.id).limit(1)).one()
        before = _last_id(sysdb)
        member.phone = "0811000333"
        db.session.flush()
        db.session.rollback()
        db.session.commit()  # a later commit must not write the held rows of the transaction rolled back
        assert _events_after(sysdb, before, member.id) == []


def test_a_read_of_the_audit_log_inside_the_transaction_sees_its_own_changes(app):
    with app.app_context(), system_scope():
        member = db.session.scalars(select(OrganMember).order_by(OrganMember.id).limit(1)).one()
        before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) or 0
        try:
            member.phone = "0811000444"
            db.session.flush()
            seen = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before,
                                                               AuditEvent.record_id == str(member.id))).all()
            assert [e.action for e in seen] == ["update"]
        finally:
            db.session.rollback()
