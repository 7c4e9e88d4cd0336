"""The monthly review chain's rules: submit (Pengurus), approve or send back (Lurah, then Camat, then Sudin), and
the reset when the month is reopened in the ledger.

Every verb takes ``acting_user``, checks in this order and writes nothing on a refusal:

1. the report (or the cooperative) must be visible to the user: the scope layer hides the others, and an invisible
   one is ``NotFound`` (404), exactly like a missing one;
2. the user's role must be one that acts in the chain for this verb, else ``ReviewForbidden`` (403);
3. it must be that role's turn (the report's status), else ``ReviewConflict`` (409).

Lurah and Camat never write anywhere else (the scope layer gives them an empty write scope). Their approval is
the one write they own, so, after the three checks above passed, the report row and its step are flushed inside
``system_scope()``: a narrow, deliberate elevation for exactly these two rows of a report the user can see. The
audit rows are still written by ``app.core.audit`` in the same flush, under the real user's name.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.core.dates import utc_now
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.scope import read_condition, system_scope

from .models import NEXT_STATUS, RESUBMITTABLE, REVIEWER_OF, MonthlyReport, MonthlyReportStep

REVIEWER_ROLES = ("Lurah", "Camat", "Sudin")
SUBMITTER_ROLES = ("Pengurus",)
MIN_COMMENT = 5


class ReviewForbidden(DomainError):
    """The user's role takes no part in this step of the chain (403)."""


class ReviewConflict(DomainError):
    """The report is not at the step this user acts on (409): not their turn, already done, or not submittable."""


def _roles(user):
    return {r.name for r in getattr(user, "roles", [])} if user is not None else set()


def _who(user):
    if user is None:
        return "system", "system"
    name = user.get_full_name() if hasattr(user, "get_full_name") else str(user)
    return user.username, name


def _now():
    return utc_now().replace(tzinfo=None)


def _step(session, report, action, role, acting_user, comment=None):
    username, full_name = _who(acting_user)
    session.add(MonthlyReportStep(cooperative_id=report.cooperative_id, report_id=report.id, action=action,
                                  role=role, username=username, full_name=full_name, at=_now(), comment=comment,
                                  status_after=report.status))


def _period_status(session, cooperative_id, year, month):
    from app.ledger.models import Period

    return session.scalar(select(Period.status).where(Period.cooperative_id == cooperative_id,
                                                      Period.year == year, Period.month == month))


def report_for(session, cooperative_id, year, month):
    return session.scalar(select(MonthlyReport).where(MonthlyReport.cooperative_id == cooperative_id,
                                                      MonthlyReport.year == year, MonthlyReport.month == month))


def do_submit(session, *, cooperative_id, year, month, acting_user):
    """The Pengurus submits a closed month for review (first time, after a send-back, or after a reopen)."""
    try:
        cooperative_id, year, month = int(cooperative_id), int(year), int(month)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Choose a month and a year."), "month") from None
    if not 1 <= month <= 12:
        raise ValidationFailed(_l("Choose a month and a year."), "month")
    coop = session.get(Cooperative, cooperative_id)
    if coop is None:
        raise NotFound(_l("Not found."))
    if not _roles(acting_user) & set(SUBMITTER_ROLES):
        raise ReviewForbidden(_l("Only the Pengurus of the cooperative submits its monthly report."))
    label = f"{month:02d}/{year}"
    if _period_status(session, coop.id, year, month) != "closed":
        raise ReviewConflict(_l("The month %(p)s is not closed yet: close it in Pembukuan > Periode akuntansi "
                                "first.", p=label))
    report = report_for(session, coop.id, year, month)
    if report is not None and report.status not in RESUBMITTABLE:
        raise ReviewConflict(_l("The report of %(p)s has already been submitted (%(s)s).", p=label,
                                s=report.status_label))
    username, _name = _who(acting_user)
    if report is None:
        report = MonthlyReport(cooperative_id=coop.id, year=year, month=month)
        session.add(report)
    report.status = "submitted"
    report.submitted_at, report.submitted_by = _now(), username
    report.lurah_at = report.lurah_by = report.camat_at = report.camat_by = None
    report.sudin_at = report.sudin_by = None
    session.flush()
    _step(session, report, "submit", "Pengurus", acting_user)
    session.flush()
    return report


def _check_turn(report, acting_user):
    """The role whose turn it is, after the 403 and 409 checks."""
    if report is None:
        raise NotFound(_l("Not found."))
    roles = _roles(acting_user) & set(REVIEWER_ROLES)
    if not roles:
        raise ReviewForbidden(_l("Only the Lurah, the Camat and the Sudin review monthly reports."))
    turn = REVIEWER_OF.get(report.status)
    if turn is None or turn not in roles:
        raise ReviewConflict(_l("This report is not waiting for you: %(s)s.", s=report.status_label))
    return turn


def _flush_review(session):
    # See the module docstring: the reviewer's one write, after every check passed.
    with system_scope():
        session.flush()


def do_approve(session, report, acting_user, comment=None):
    """The reviewer whose turn it is approves; the report moves to the next reviewer (or is done after Sudin)."""
    role = _check_turn(report, acting_user)
    username, _name = _who(acting_user)
    field = {"Lurah": "lurah", "Camat": "camat", "Sudin": "sudin"}[role]
    setattr(report, f"{field}_at", _now())
    setattr(report, f"{field}_by", username)
    report.status = NEXT_STATUS[report.status]
    comment = (comment or "").strip() or None
    _step(session, report, "approve", role, acting_user, comment)
    _flush_review(session)
    return report


def do_send_back(session, report, comment, acting_user):
    """The reviewer whose turn it is sends the month back to the cooperative, saying why (required)."""
    role = _check_turn(report, acting_user)
    comment = (comment or "").strip()
    if len(comment) < MIN_COMMENT:
        raise ValidationFailed(_l("Write what the cooperative must fix (at least %(n)s characters).",
                                  n=MIN_COMMENT), "comment")
    report.status = "sent_back"
    report.last_comment = comment
    _step(session, report, "send_back", role, acting_user, comment)
    _flush_review(session)
    return report


def reset_on_reopen(session, period, reason, acting_user):
    """Called by the ledger when a closed month is reopened: a report of that month starts its review again (the
    books it showed may change), and its history says so, with the reopen reason."""
    report = report_for(session, period.cooperative_id, period.year, period.month)
    if report is None or report.status == "reopened":
        return None
    report.status = "reopened"
    report.last_comment = reason
    report.lurah_at = report.lurah_by = report.camat_at = report.camat_by = None
    report.sudin_at = report.sudin_by = None
    role = next(iter(_roles(acting_user) & {"Sudin", "Admin"}), None)
    _step(session, report, "reset", role, acting_user, reason)
    session.flush()
    return report


def waiting_statuses(user):
    """The statuses at which a report waits for this user (empty for a role that reviews nothing)."""
    roles = _roles(user)
    out = [status for status, role in REVIEWER_OF.items() if role in roles]
    if roles & set(SUBMITTER_ROLES):
        out += sorted(RESUBMITTABLE)
    return out


def waiting_count(session, user):
    """One COUNT over the index (status, cooperative_id), within the user's scope. The scope is written out: the
    session listener's loader criteria do not reach a bare ``count()`` select."""
    statuses = waiting_statuses(user)
    if not statuses:
        return 0
    stmt = select(func.count(MonthlyReport.id)).where(MonthlyReport.status.in_(statuses))
    condition = read_condition(MonthlyReport)
    if condition is not None:
        stmt = stmt.where(condition)
    return session.scalar(stmt)
