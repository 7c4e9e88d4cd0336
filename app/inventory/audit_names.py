"""How the audit log names inventory records (registered with app.core.audit_names)."""
from flask_babel import lazy_gettext as _l

from app.core.audit_names import by_columns, register_record

from .models import GoodsReceipt, Item, ItemHet, ItemPrice, Location, Sale, StockCount, Supplier, SupplierPayment

register_record("inv_item", _l("Barang"), by_columns(Item, "name"))
register_record("inv_location", _l("Lokasi persediaan"), by_columns(Location, "name"))
register_record("inv_supplier", _l("Pemasok"), by_columns(Supplier, "name"))
register_record("inv_item_price", _l("Harga jual"), by_columns(ItemPrice, "valid_from"))
register_record("inv_item_het", _l("HET"), by_columns(ItemHet, "region_code", "valid_from", sep=" "))
register_record("inv_goods_receipt", _l("Penerimaan barang"), by_columns(GoodsReceipt, "number"))
register_record("inv_sale", _l("Penjualan"), by_columns(Sale, "number"))
register_record("inv_stock_count", _l("Stok opname"), by_columns(StockCount, "count_date"))
register_record("inv_supplier_payment", _l("Pembayaran pemasok"), by_columns(SupplierPayment, "payment_date"))
