"""Rules of the subsidised fertiliser module (issue 16). Every state change is a plain function taking
``acting_user`` that validates, writes, moves stock through app.inventory, posts through
``app.ledger.services.post_entry`` and leaves the audit rows to ``app.core.audit``, in the caller's transaction;
none commits. The verbs live one module each (farmers, allocations, rdkk: the e-RDKK import, redeem; rules: the national HET and
eligibility, Admin only); this package re-exports them."""
# flake8: noqa: F401
from .allocations import do_set_allocation, lock_quota
from .rdkk import RdkkResult, do_import_rdkk, write_template
from .common import (ENTRY_ROLES, REDEEM_ROLES, REVERSE_ROLES, eligibility_on, farmer_facts, het_on, hmac_of,
                     kg_text, parse_kg, pupuk_unit, require_pupuk, season_bounds, season_of, type_of)
from .farmers import FarmerElsewhere, check_lands, do_register_farmer, do_save_poktan
from .redeem import (AlreadyReversed, do_redeem, do_reverse_redemption, find_redemption, quota_rows,
                     redemption_number, remaining_of, stock_item)
from .rules import do_set_eligibility, do_set_het
