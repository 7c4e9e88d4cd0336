"""What the SHU verbs share: roles, the cooperative, percent parsing, the actor's name."""
from decimal import Decimal, InvalidOperation

from flask import current_app, has_app_context
from flask_babel import gettext

from app.cooperatives.models import Cooperative
from app.core.errors import DomainError, NotFound, ValidationFailed

BOARD_ROLES = {"Pengurus"}
PAYING_ROLES = {"Pengurus", "Sekretaris"}
SUDIN_ROLES = {"Sudin"}
HUNDRED = Decimal("100.00")
CENT = Decimal("0.01")
RUPIAH = Decimal("1")
EXACT = Decimal("0.000001")


def role_names(user):
    return {r.name for r in getattr(user, "roles", None) or []}


def require_role(user, allowed, message):
    admin = current_app.config.get("AUTH_ROLE_ADMIN", "Admin") if has_app_context() else "Admin"
    names = role_names(user)
    if user is None or not (admin in names or names & allowed):
        raise DomainError(message)


def actor_name(user):
    from app.members.services import _who

    return _who(user)[1] or ("system" if user is not None else None)


def coop_of(session, cooperative_id):
    if isinstance(cooperative_id, Cooperative):
        return cooperative_id
    try:
        coop = session.get(Cooperative, int(cooperative_id)) if cooperative_id is not None else None
    except (TypeError, ValueError):
        coop = None
    if coop is None:
        raise NotFound(gettext("Koperasi tidak ditemukan."), "cooperative")
    return coop


def check_year(year):
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed(gettext("Tahun buku tidak valid."), "year") from None
    if not 2000 <= year <= 2200:
        raise ValidationFailed(gettext("Tahun buku tidak valid."), "year")
    return year


def parse_percent(value, field="percent", label=""):
    """A percentage with at most two decimals between 0 and 100 (``12,5`` and ``12.50`` alike); floats are
    refused because 0.1 + 0.2 is not 0.3 in binary."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationFailed(gettext("Persentase %(n)s harus ditulis sebagai teks atau bilangan tepat, bukan "
                                       "pecahan biner.", n=label), field)
    text = str(value if value is not None else "").strip().replace("%", "").strip()
    if text == "":
        return Decimal("0.00")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(gettext("%(n)s: \"%(v)s\" bukan persentase.", n=label, v=text), field) from None
    if not percent.is_finite():
        raise ValidationFailed(gettext("%(n)s: \"%(v)s\" bukan persentase.", n=label, v=text), field)
    if percent < 0:
        raise ValidationFailed(gettext("%(n)s tidak boleh negatif.", n=label), field)
    if percent != percent.quantize(CENT):
        raise ValidationFailed(gettext("%(n)s: paling banyak dua angka desimal.", n=label), field)
    if percent > HUNDRED:
        raise ValidationFailed(gettext("%(n)s tidak boleh lebih dari 100%%.", n=label), field)
    return percent.quantize(CENT)
