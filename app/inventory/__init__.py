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
    from .views_count import StockCountView
    from .views_counter import SaleView
    from .views_pay import SupplierPaymentView
    from .views_reports import InventoryReportView

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
    appbuilder.add_view(StockCountView, "Stok Opname", label=_l("Stok opname"), icon="fa-clipboard-check",
                        category=cat)
    appbuilder.add_link("Pindah Stok", label=_l("Pindah stok"), href="/persediaan/kartu-stok/pindah",
                        icon="fa-exchange-alt", category=cat)
    appbuilder.add_view(SupplierPaymentView, "Pembayaran Pemasok", label=_l("Pembayaran pemasok"),
                        icon="fa-money-bill", category=cat)
    appbuilder.add_view(InventoryReportView, "Laporan Persediaan", label=_l("Laporan persediaan"),
                        icon="fa-chart-bar", category=cat)
    for api in (ItemApi, LocationApi, GoodsReceiptApi, SaleApi, StockApi):
        appbuilder.add_api(api)

    from app.shu.services import register_member_transactions

    from .reports import member_purchases, register_home_figures

    register_member_transactions("Penjualan gerai", member_purchases)
    register_home_figures()
