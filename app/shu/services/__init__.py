"""Rules of the SHU and the RAT (kkmp-domain.md §1.3-1.4): the allocation rule, the worksheet of a closed year,
the distribution journal, member payments, the RAT record.

Every state change is a ``do_*`` function taking ``acting_user`` that validates, writes, posts through
``app.ledger.services.post_entry`` and leaves the audit rows to ``app.core.audit``, all in the caller's
transaction. None commits: the caller commits once, or rolls everything back.
"""
# flake8: noqa: F401
from .compute import closed_year, do_compute_worksheet, member_shares, savings_bases, shu_basis, worksheet_for
from .distribute import distribution_lines, do_distribute, do_pay_share, unpaid_shares
from .providers import (member_transactions, register_member_transactions, registered_providers,
                        unregister_member_transactions)
from .rat import attendance_list, do_advance_rat, do_prepare_rapb, do_save_rat, quorum
from .shares import ShareRow, share_page
from .rules import (DEFAULT_SPLIT, check_allocations, do_copy_rule_forward, do_set_rule, previous_rule, rat_for,
                    rule_for)
