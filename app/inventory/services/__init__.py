"""Rules of inventory and kiosk sales (issue 15). Every state change is a plain function taking ``acting_user``
that validates, moves the stock, posts the journal through ``app.ledger.services.post_entry`` and leaves the audit
rows to ``app.core.audit``, all in the caller's transaction; none commits.

The verbs live in one module each (stock, prices, receiving, selling, lpg); this package re-exports them.
"""
# flake8: noqa: F401
from .common import (SELL_ROLES, VOID_ROLES, check_day, item_by_barcode, item_of, location_of, parse_quantity,
                     receipt_number, sale_number)
from .lpg import DEFAULT_MONTHLY_CAP, check_buyer, monthly_cap, used as lpg_used
from .prices import check_het, check_price, het_for, price_for, price_row
from .counting import CountNotReady, book_quantities, do_approve_count, do_enter_counts, do_open_count
from .payments import do_pay_supplier, outstanding
from .receiving import do_receive_goods
from .transfers import do_receive_from_cooperative, do_transfer
from .selling import AlreadyVoided, do_sell, do_void_sale, find_sale
from .stock import (StockShortage, batches_on_hand, expiring, first_expiry_first_out, lock_balance, lowest_from,
                    move, fixed_until, stock_value_of)
