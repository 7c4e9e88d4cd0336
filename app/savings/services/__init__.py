"""Rules of member savings (kkmp-domain.md §1.2): products, effective-dated wajib rates, monthly bills, deposits,
withdrawals, exit settlements, passbook and arrears.

Every state change is a plain function taking ``acting_user`` that validates, writes the business rows, posts the
journal through ``app.ledger.services.post_entry`` and leaves the audit rows to ``app.core.audit``, all in the
caller's transaction. None commits: the caller commits once, or rolls everything back.

Concurrency (reliability §4):

* sukarela withdrawals take the money with one conditional ``UPDATE savings_balance SET balance = balance - :a
  WHERE member_id = :m AND kind = 'sukarela' AND balance >= :a``; ``rowcount = 0`` is a refusal. The row lock holds
  until commit, so concurrent withdrawals serialise on it; ``CHECK (balance >= 0)`` is the backstop.
* wajib payments lock the member's open bills ``FOR UPDATE`` (oldest first) before settling them.
* the receipt number comes from ``savings_receipt_counter`` by an atomic upsert ``RETURNING``, taken last, so a
  refused operation never consumes a number and a rolled-back one rolls its number back (gapless per cooperative
  and year).
* the idempotency key is UNIQUE per cooperative: a replayed submission returns the transaction already written.

The verbs live in one module each (common, products, bills, deposits, reversal, passbook); this package re-exports
their public names (and the helpers the tests and the import use) so ``from app.savings import services`` keeps
working.
"""
# flake8: noqa: F401
from .bills import (PREPAID_MONTHS, ArrearsRow, ArrearsTotals, _check_month, add_prepaid, allocate_wajib, apply_prepaid,
                    arrears, arrears_totals,
                    bill_new_member, ensure_bills_for_scope, ensure_month_billed, generate_wajib_bills,
                    normalise_phone, open_wajib, prepaid_wajib, reminder_message, settle_wajib, take_back_prepaid,
                    unallocate_wajib, whatsapp_link)
from .common import (BOARD_ROLES, CASH_PURPOSE, DEFAULT_MAX_AMOUNT, ENDED_STATUSES, ENTRY_ROLES, KIND_PURPOSE,
                     LOSS_PURPOSE, IdempotencyConflict, SukarelaInsufficient, _add_to_balance, _coop, _insert,
                     _member, _next_receipt, _replay, _role_names, _take_from_balance, _write, actor_name,
                     balances, check_tx_date, find_by_key, local_today, max_amount, new_idempotency_key,
                     parse_amount, receipt_number, require_role)
from .corrections import do_correct_wajib_rate
from .deposits import _pokok_rules, credit_sukarela, do_deposit, do_exit_settlement, do_withdraw
from .passbook import PassbookLine, balances_after, passbook, print_count, record_print
from .products import check_product, check_rate, product_of, set_product, set_wajib_rate, wajib_rate_for
from .reversal import AlreadyReversed, do_reverse_transaction, reversal_of
