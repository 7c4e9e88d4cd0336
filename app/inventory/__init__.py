"""Inventory and kiosk sales (issue 15). register() adds its views and APIs."""


def _qty(value):
    """12.000 -> 12, 2.500 -> 2,5: quantities as people write them."""
    from decimal import Decimal

    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def register(appbuilder):
    """Add this domain's menus, views and APIs (called by app.register_views)."""
    from flask_babel import lazy_gettext as _l

    from .api import GoodsReceiptApi, ItemApi, LocationApi, SaleApi, StockApi
    from .views import (GoodsReceiptView, ItemHetView, ItemPriceView, ItemView, LocationView, MovementView,
                        StockView, SupplierView)
    from .views_counter import SaleView

    from flask import current_app

    current_app.jinja_env.filters["qty"] = _qty
    cat = "Persediaan"
    appbuilder.add_view(SaleView, "Penjualan", label=_l("Penjualan"), icon="fa-shopping-cart", category=cat,
                        category_label=_l("Persediaan"))
    appbuilder.add_link("Kasir", label=_l("Kasir"), href="/persediaan/penjualan/kasir", icon="fa-cash-register",
                        category=cat)
    appbuilder.add_view(GoodsReceiptView, "Penerimaan Barang", label=_l("Penerimaan barang"), icon="fa-truck",
                        category=cat)
    appbuilder.add_view(StockView, "Posisi Stok", label=_l("Posisi stok"), icon="fa-boxes", category=cat)
    appbuilder.add_view(MovementView, "Kartu Stok", label=_l("Kartu stok"), icon="fa-list-alt", category=cat)
    appbuilder.add_link("Peringatan Kedaluwarsa", label=_l("Peringatan kedaluwarsa"),
                        href="/persediaan/stok/kedaluwarsa", icon="fa-hourglass-end", category=cat)
    appbuilder.add_view(ItemView, "Barang", label=_l("Barang"), icon="fa-box", category=cat)
    appbuilder.add_view(ItemPriceView, "Harga Jual", label=_l("Harga jual"), icon="fa-tag", category=cat)
    appbuilder.add_view(ItemHetView, "HET", label=_l("HET"), icon="fa-balance-scale", category=cat)
    appbuilder.add_view(LocationView, "Lokasi", label=_l("Lokasi"), icon="fa-store", category=cat)
    appbuilder.add_view(SupplierView, "Pemasok", label=_l("Pemasok"), icon="fa-industry", category=cat)
    for api in (ItemApi, LocationApi, GoodsReceiptApi, SaleApi, StockApi):
        appbuilder.add_api(api)
