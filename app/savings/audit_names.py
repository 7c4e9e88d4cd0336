"""How the audit log names savings records (registered with app.core.audit_names)."""
from flask_babel import lazy_gettext as _l

from app.core.audit_names import by_columns, register_record

from .models import ExitSettlement, SavingsProduct, SavingsTransaction, WajibBill, WajibRate

register_record("savings_transaction", _l("Transaksi simpanan"), by_columns(SavingsTransaction, "receipt_number"))
register_record("savings_product", _l("Produk simpanan"), by_columns(SavingsProduct, "name"))
register_record("wajib_rate", _l("Tarif simpanan wajib"), by_columns(WajibRate, "valid_from"))
register_record("wajib_bill", _l("Tagihan simpanan wajib"), by_columns(WajibBill, "month", "year", sep="/"))
register_record("exit_settlement", _l("Penyelesaian anggota keluar"), by_columns(ExitSettlement, "settle_date"))
