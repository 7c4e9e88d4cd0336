"""The tables of the home pages, each with its xlsx/CSV export (``/beranda/tabel/<key>/unduh/xlsx|csv``).

A table is a title, the roles whose home page shows it, its headers and a ``rows(scope)`` function returning the
rows (lists) in the reader's area; the page shows the first ``SHOWN`` rows, the export all of them. Other domains
add theirs with ``register_table(...)`` as they add figures with ``home.register_figure``; the figures' own lists
(``/beranda/rincian/<key>``) export the same way (``/beranda/rincian/<key>/unduh/xlsx|csv``).
"""
from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from .home import AREA_ROLES, COOP_ROLES, COUNTER_ROLES

SHOWN = 50


@dataclass
class Table:
    key: str
    title: object
    roles: tuple
    headers: list
    rows: Callable
    money_columns: tuple = ()
    group: str = "main"


_TABLES = {}


def register_table(key, title, roles, headers, rows, money_columns=(), group="main"):
    """Add a table to the home pages of ``roles``; ``rows(scope)`` yields lists in the order of ``headers``."""
    _TABLES[key] = Table(key, title, tuple(roles), list(headers), rows, tuple(money_columns), group)


def registered_tables():
    return dict(_TABLES)


def tables_for(hs):
    """[(Table, first rows, more?)] of the reader's role, in registration order."""
    out = []
    for table in _TABLES.values():
        if hs.role not in table.roles:
            continue
        rows = []
        for row in table.rows(hs):
            rows.append(list(row))
            if len(rows) > SHOWN:
                break
        out.append((table, rows[:SHOWN], len(rows) > SHOWN))
    return out


# -- built-in tables -------------------------------------------------------------------------------------------

def _sales_today(hs):
    """Today's counter sales per gerai (inventory sales not voided), one GROUP BY over (cooperative_id,
    sale_date)."""
    from app.inventory.models import Location, Sale

    cash = Sale.payment_method == "tunai"
    stmt = (select(Location.name, func.count(Sale.id), func.sum(Sale.total),
                   func.sum(case((cash, Sale.total), else_=0)), func.sum(case((cash, 0), else_=Sale.total)))
            .join(Location, Location.id == Sale.location_id)
            .where(hs.where(Sale.cooperative_id), Sale.sale_date == hs.today, Sale.voided_at.is_(None))
            .group_by(Location.name).order_by(Location.name))
    for name, n, total, tunai, other in hs.session.execute(stmt):
        yield [name, int(n or 0), total or 0, tunai or 0, other or 0]


def _weekly_turnover(hs):
    """Each cooperative's kiosk turnover of the last seven days (today included) beside the seven before, in one
    GROUP BY over (cooperative_id, sale_date): busiest first. Cooperatives without a sale in the fortnight are not
    listed (no kiosk yet)."""
    from datetime import timedelta

    from app.cooperatives.models import Cooperative
    from app.inventory.models import Sale

    week_start, before_start = hs.today - timedelta(days=6), hs.today - timedelta(days=13)
    this_week = Sale.sale_date >= week_start
    turnover = func.sum(case((this_week, Sale.total), else_=0))
    stmt = (select(Cooperative.name, func.count(case((this_week, Sale.id))), turnover,
                   func.sum(case((this_week, 0), else_=Sale.total)))
            .join(Cooperative, Cooperative.id == Sale.cooperative_id)
            .where(hs.where(Sale.cooperative_id), Sale.sale_date >= before_start, Sale.sale_date <= hs.today,
                   Sale.voided_at.is_(None))
            .group_by(Cooperative.id, Cooperative.name).order_by(turnover.desc(), Cooperative.name))
    for name, n, total, before in hs.session.execute(stmt):
        yield [name, int(n or 0), total or 0, before or 0]


def _legal_stages(hs):
    from app.cooperatives.services import dashboard_summary

    for _key, label, n in hs.once("summary", lambda hs: dashboard_summary(hs.session))["stages"]:
        yield [str(label), n]


def _lagging(hs):
    from app.cooperatives.services import dashboard_summary

    for c in hs.once("summary", lambda hs: dashboard_summary(hs.session))["lagging"]:
        yield [c.name, str(c.stage_label), c.readiness]


def _register_builtins():
    register_table("sales_today", _l("Penjualan gerai hari ini"), COOP_ROLES + COUNTER_ROLES,
                   [_l("Gerai"), _l("Transaksi"), _l("Penjualan"), _l("Tunai"), _l("QRIS/transfer")],
                   _sales_today, money_columns=(2, 3, 4), group="today")
    register_table("weekly_turnover", _l("Omzet gerai 7 hari terakhir per koperasi"), AREA_ROLES,
                   [_l("Koperasi"), _l("Transaksi"), _l("Omzet 7 hari"), _l("7 hari sebelumnya")],
                   _weekly_turnover, money_columns=(2, 3), group="today")
    everyone = AREA_ROLES + COOP_ROLES + COUNTER_ROLES  # the legal summary is on every home page
    register_table("legal_stages", _l("Tahap legal"), everyone,
                   [_l("Tahap"), _l("Jumlah koperasi")], _legal_stages, group="legal")
    register_table("lagging", _l("Perlu perhatian (kesiapan terendah)"), everyone,
                   [_l("Koperasi"), _l("Tahap"), _l("Kesiapan (%)")], _lagging, group="legal")


_register_builtins()
