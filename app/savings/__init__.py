"""The savings domain (simpanan pokok, wajib, sukarela). register() adds its views and APIs."""


def register(appbuilder):
    """Add this domain's menus, views and APIs (called by app.register_views)."""
    from flask_babel import lazy_gettext as _l

    from .api import SavingsTransactionApi
    from .views import (ExitSettlementView, SavingsProductView, SavingsTransactionView, WajibBillView,
                        WajibRateView)

    appbuilder.add_view(SavingsTransactionView, "Transaksi Simpanan", label=_l("Transaksi simpanan"),
                        icon="fa-piggy-bank", category="Simpanan", category_label=_l("Simpanan"))
    appbuilder.add_link("Setoran Simpanan", label=_l("Setoran"), href="/simpanan/transaksi/setor",
                        icon="fa-arrow-down", category="Simpanan")
    appbuilder.add_link("Penarikan Sukarela", label=_l("Penarikan sukarela"), href="/simpanan/transaksi/tarik",
                        icon="fa-arrow-up", category="Simpanan")
    appbuilder.add_link("Tunggakan Wajib", label=_l("Tunggakan simpanan wajib"), href="/simpanan/transaksi/tunggakan",
                        icon="fa-exclamation-circle", category="Simpanan")
    appbuilder.add_link("Impor Setoran", label=_l("Impor setoran (Excel)"), href="/simpanan/transaksi/impor",
                        icon="fa-file-excel", category="Simpanan")
    appbuilder.add_view(WajibBillView, "Tagihan Wajib", label=_l("Tagihan simpanan wajib"), icon="fa-calendar",
                        category="Simpanan")
    appbuilder.add_view(SavingsProductView, "Produk Simpanan", label=_l("Produk simpanan"), icon="fa-list",
                        category="Simpanan")
    appbuilder.add_view(WajibRateView, "Tarif Wajib", label=_l("Tarif simpanan wajib"), icon="fa-tag",
                        category="Simpanan")
    appbuilder.add_view(ExitSettlementView, "Pelunasan Keluar", label=_l("Pelunasan anggota keluar"),
                        icon="fa-sign-out-alt", category="Simpanan")
    appbuilder.add_api(SavingsTransactionApi)
