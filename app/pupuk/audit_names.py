"""How the audit log names fertiliser records (registered with app.core.audit_names)."""
from flask_babel import lazy_gettext as _l

from app.core.audit_names import by_columns, register_record

from .models import Farmer, Poktan, PupukAllocation, PupukImport, PupukItem, PupukRedemption

register_record("pupuk_farmer", _l("Petani"), by_columns(Farmer, "name"))
register_record("pupuk_poktan", _l("Kelompok tani"), by_columns(Poktan, "name"))
register_record("pupuk_allocation", _l("Alokasi pupuk"), by_columns(PupukAllocation, "year", "season", sep=" "))
register_record("pupuk_import", _l("Impor e-RDKK"), by_columns(PupukImport, "filename"))
register_record("pupuk_item", _l("Barang pupuk bersubsidi"), by_columns(PupukItem, "item_id"))
register_record("pupuk_redemption", _l("Penebusan pupuk"), by_columns(PupukRedemption, "number"))
