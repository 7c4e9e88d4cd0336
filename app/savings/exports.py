"""The savings transaction list as an export: a column-wise select streamed from a server-side cursor.

The list's export went through the ORM, one SavingsTransaction with its member, cooperative and region per row:
about 10,000 rows/s, so a city's 180,000 transactions held a web worker for 18 s. Here the same cells come from
one select of plain values (as the member register's export, app/members/views.py), with the labels the list
shows worked out per row from the codes.
"""
from flask_babel import lazy_gettext as _l

from app.cooperatives.models import Cooperative
from app.core.scope import read_condition
from app.members.models import Member

from .models import DIRECTION_LABELS, KIND_LABELS, SavingsTransaction

# The list's columns, in the order the fast path writes them.
COLUMNS = ["cooperative", "receipt_number", "tx_date", "member", "kind_label", "direction_label", "amount",
           "correction_label"]


def transaction_rows(session, query):
    """The export rows of ``query`` (the list's query: its scope, search and URL filters, in id order)."""
    tx = SavingsTransaction
    kinds = {k: str(v) for k, v in KIND_LABELS.items()}
    directions = {k: str(v) for k, v in DIRECTION_LABELS.items()}
    voided, correction = str(_l("Dibatalkan")), str(_l("Koreksi"))
    query = (query.join(Member, Member.id == tx.member_id).join(Cooperative, Cooperative.id == tx.cooperative_id)
             .with_entities(Cooperative.id, Cooperative.name, tx.receipt_number, tx.tx_date, Member.id,
                            Member.member_number, Member.name, tx.kind, tx.direction, tx.amount, tx.reversed_at,
                            tx.reversal_of_id))
    # Plain rows on the session's own connection: the session's scope listener sees only ORM executions, so the
    # transaction's read condition is written out (the member and the cooperative joined are the transaction's own).
    condition = read_condition(tx)
    if condition is not None:
        query = query.filter(condition)
    result = session.connection().execution_options(stream_results=True, yield_per=5000).execute(query.statement)
    for (coop_id, coop_name, receipt, day, member_id, number, name, kind, direction, amount, reversed_at,
         reversal_of) in result:
        # As Cooperative and Member print themselves in the list (their __str__).
        member = f"{number} {name}" if number else (name or f"Anggota #{member_id}")
        label = voided if reversed_at is not None else correction if reversal_of is not None else ""
        yield [coop_name or f"Koperasi #{coop_id}", receipt, day, member, kinds.get(kind, kind),
               directions.get(direction, direction), amount, label]
