"""Persediaan screens: catalogue (items, locations, suppliers, prices, HET), goods receipts, sales, stock position
and stock card. Catalogue rows are kept with FAB's forms (rules checked in ``validate_record``); everything that
moves stock or money goes through ``services`` and commits once. The counter screen lives in views_counter.py.
"""
from flask import g, request
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import DataRequired

from app.cooperatives.services import picker_choices, user_today
from app.core.errors import ValidationFailed
from app.core.interface import KkmpInterface
from app.core.views import KkmpModelView

from . import services
from .models import (CATEGORIES, LOCATION_KINDS, SUPPLIER_KINDS, UNITS, GoodsReceipt, Item, ItemHet, ItemPrice,
                     Location, StockBalance, StockMovement, Supplier)

LABELS = {"cooperative": _l("Koperasi"), "name": _l("Nama"), "unit": _l("Satuan"), "unit_label": _l("Satuan"),
          "barcode": _l("Barcode"), "category": _l("Kategori"), "category_label": _l("Kategori"),
          "business_unit": _l("Unit usaha"), "tracks_batch": _l("Dicatat per batch/kedaluwarsa"),
          "min_stock": _l("Stok minimum"), "active": _l("Aktif"), "kind": _l("Jenis"), "kind_label": _l("Jenis"),
          "phone": _l("Telepon"), "address": _l("Alamat"), "item": _l("Barang"), "valid_from": _l("Berlaku mulai"),
          "valid_to": _l("Berlaku sampai"), "member_price": _l("Harga anggota"), "public_price": _l("Harga umum"),
          "region_code": _l("Kode wilayah"), "het": _l("HET"), "margin": _l("Tambahan sub-pangkalan"),
          "legal_basis": _l("Dasar hukum"), "location": _l("Lokasi"), "quantity": _l("Jumlah"),
          "value": _l("Nilai"), "avg_cost": _l("Harga pokok rata-rata"), "movement_date": _l("Tanggal"),
          "reference": _l("Referensi"), "batch": _l("Batch"), "expiry": _l("Kedaluwarsa"),
          "quantity_in": _l("Masuk"), "quantity_out": _l("Keluar"), "unit_cost": _l("Harga pokok"),
          "quantity_after": _l("Saldo"), "value_after": _l("Nilai saldo"), "avg_cost_after": _l("Rata-rata"),
          "number": _l("Nomor"), "receipt_date": _l("Tanggal"), "supplier": _l("Pemasok"),
          "supplier_invoice": _l("Nomor faktur pemasok"), "payment_label": _l("Pembayaran"), "total": _l("Total"),
          "journal_number": _l("Nomor jurnal"), "note": _l("Keterangan"), "created_by": _l("Dicatat oleh"),
          "sale_date": _l("Tanggal"), "buyer_label": _l("Pembeli"), "paid": _l("Dibayar"),
          "change": _l("Kembalian"), "cost": _l("Harga pokok penjualan"), "status_label": _l("Status"),
          "segment_label": _l("Segmen LPG"), "buyer_nik_masked": _l("NIK pembeli"), "lpg_tubes": _l("Tabung LPG"),
          "void_reason": _l("Alasan pembatalan")}


class ItemView(KkmpModelView):
    datamodel = KkmpInterface(Item)
    class_permission_name = "InvItem"
    route_base = "/persediaan/barang"
    include_route_methods = {"list", "show", "add", "edit", "export_xlsx", "export_csv", "action", "action_post"}
    list_title = show_title = _l("Barang")
    add_title = _l("Tambah barang")
    edit_title = _l("Ubah barang")
    list_columns = ["cooperative", "name", "category_label", "unit_label", "barcode", "min_stock", "active"]
    show_columns = ["cooperative", "name", "category_label", "unit_label", "barcode", "business_unit",
                    "tracks_batch", "min_stock", "active"]
    add_columns = ["cooperative", "name", "category", "unit", "barcode", "business_unit", "tracks_batch",
                   "min_stock", "active"]
    edit_columns = ["name", "category", "unit", "barcode", "business_unit", "tracks_batch", "min_stock", "active"]
    search_columns = ["name", "barcode", "category"]
    order_columns = ["name"]
    base_order = ("name", "asc")
    label_columns = LABELS
    url_filters = {"koperasi": "cooperative_id"}
    cooperative_picker = staticmethod(picker_choices)
    _choices = {"category": SelectField(_l("Kategori"), choices=[(k, str(v)) for k, v in CATEGORIES],
                                        validators=[DataRequired()]),
                "unit": SelectField(_l("Satuan"), choices=[(k, str(v)) for k, v in UNITS],
                                    validators=[DataRequired()])}
    add_form_extra_fields = dict(_choices)
    edit_form_extra_fields = dict(_choices)

    def validate_record(self, record, existing):
        if record.barcode is not None:
            record.barcode = record.barcode.strip() or None
        if record.min_stock is not None and record.min_stock < 0:
            raise ValidationFailed(_l("Stok minimum tidak boleh negatif."), "min_stock")
        unit = getattr(record, "business_unit", None)
        if unit is not None and record.cooperative is not None and unit.cooperative_id != record.cooperative.id:
            raise ValidationFailed(_l("Unit usaha itu milik koperasi lain."), "business_unit")


class LocationView(KkmpModelView):
    datamodel = KkmpInterface(Location)
    class_permission_name = "InvLocation"
    route_base = "/persediaan/lokasi"
    include_route_methods = {"list", "show", "add", "edit", "export_xlsx", "export_csv", "action", "action_post"}
    list_title = show_title = _l("Lokasi (gudang dan gerai)")
    add_title = _l("Tambah lokasi")
    edit_title = _l("Ubah lokasi")
    list_columns = ["cooperative", "name", "kind_label", "business_unit", "active"]
    show_columns = list_columns
    add_columns = ["cooperative", "name", "kind", "business_unit", "active"]
    edit_columns = ["name", "kind", "business_unit", "active"]
    search_columns = ["name", "kind"]
    order_columns = ["name"]
    label_columns = LABELS
    _kind = {"kind": SelectField(_l("Jenis"), choices=[(k, str(v)) for k, v in LOCATION_KINDS],
                                 validators=[DataRequired()])}
    add_form_extra_fields = dict(_kind)
    edit_form_extra_fields = dict(_kind)

    def validate_record(self, record, existing):
        unit = getattr(record, "business_unit", None)
        if unit is not None and record.cooperative is not None and unit.cooperative_id != record.cooperative.id:
            raise ValidationFailed(_l("Unit usaha itu milik koperasi lain."), "business_unit")


class SupplierView(KkmpModelView):
    datamodel = KkmpInterface(Supplier)
    class_permission_name = "InvSupplier"
    route_base = "/persediaan/pemasok"
    include_route_methods = {"list", "show", "add", "edit", "export_xlsx", "export_csv", "action", "action_post"}
    list_title = show_title = _l("Pemasok")
    add_title = _l("Tambah pemasok")
    edit_title = _l("Ubah pemasok")
    list_columns = ["cooperative", "name", "kind_label", "phone"]
    show_columns = ["cooperative", "name", "kind_label", "phone", "address"]
    add_columns = ["cooperative", "name", "kind", "phone", "address"]
    edit_columns = ["name", "kind", "phone", "address"]
    search_columns = ["name", "kind"]
    order_columns = ["name"]
    label_columns = LABELS
    _kind = {"kind": SelectField(_l("Jenis"), choices=[(k, str(v)) for k, v in SUPPLIER_KINDS],
                                 validators=[DataRequired()])}
    add_form_extra_fields = dict(_kind)
    edit_form_extra_fields = dict(_kind)


class ItemPriceView(KkmpModelView):
    """Effective-dated: a new price is a new row; past rows are never edited."""

    datamodel = KkmpInterface(ItemPrice)
    class_permission_name = "InvItemPrice"
    route_base = "/persediaan/harga"
    include_route_methods = {"list", "show", "add", "export_xlsx", "export_csv", "action", "action_post"}
    list_title = show_title = _l("Harga jual")
    add_title = _l("Harga jual baru")
    list_columns = ["cooperative", "item", "valid_from", "member_price", "public_price"]
    show_columns = list_columns
    add_columns = ["cooperative", "item", "valid_from", "member_price", "public_price"]
    search_columns = ["valid_from"]
    order_columns = ["valid_from"]
    base_order = ("valid_from", "desc")
    label_columns = LABELS
    url_filters = {"barang": "item_id"}

    def validate_record(self, record, existing):
        if record.item is not None and record.cooperative is not None \
                and record.item.cooperative_id != record.cooperative.id:
            raise ValidationFailed(_l("Barang itu milik koperasi lain."), "item")
        services.check_price(record, existing, self.datamodel.session)


class ItemHetView(KkmpModelView):
    datamodel = KkmpInterface(ItemHet)
    class_permission_name = "InvItemHet"
    route_base = "/persediaan/het"
    include_route_methods = {"list", "show", "add", "export_xlsx", "export_csv", "action", "action_post"}
    list_title = show_title = _l("Harga eceran tertinggi (HET)")
    add_title = _l("HET baru")
    list_columns = ["cooperative", "item", "region_code", "valid_from", "valid_to", "het", "margin"]
    show_columns = list_columns + ["legal_basis"]
    add_columns = ["cooperative", "item", "region_code", "valid_from", "valid_to", "het", "margin", "legal_basis"]
    search_columns = ["region_code", "valid_from"]
    order_columns = ["valid_from"]
    base_order = ("valid_from", "desc")
    label_columns = LABELS
    description_columns = {"region_code": _l("Provinsi (64), kota (64.72) atau kecamatan tempat HET berlaku."),
                           "margin": _l("Tambahan yang boleh dipungut sub-pangkalan (LPG 3 kg), mis. 3.000.")}

    def validate_record(self, record, existing):
        from app.core.identifiers import check_region_code

        record.region_code = check_region_code(record.region_code, "region_code")
        if not record.region_code:
            raise ValidationFailed(_l("Kode wilayah wajib diisi."), "region_code")
        if record.item is not None and record.cooperative is not None \
                and record.item.cooperative_id != record.cooperative.id:
            raise ValidationFailed(_l("Barang itu milik koperasi lain."), "item")
        if record.valid_to is not None and record.valid_from is not None and record.valid_to < record.valid_from:
            raise ValidationFailed(_l("Tanggal akhir tidak boleh sebelum tanggal mulai."), "valid_to")
        if record.het is None or record.het <= 0:
            raise ValidationFailed(_l("HET harus lebih dari nol."), "het")
        if record.margin is None:
            from decimal import Decimal
            record.margin = Decimal("0")


class StockView(KkmpModelView):
    """Posisi stok: quantity and value per item and location (the kept balances)."""

    datamodel = KkmpInterface(StockBalance)
    class_permission_name = "InvStock"
    route_base = "/persediaan/stok"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "expiring"}
    list_title = show_title = _l("Posisi stok")
    list_columns = ["cooperative", "item", "location", "quantity", "avg_cost", "value"]
    show_columns = list_columns
    search_columns = ["quantity"]
    order_columns = ["quantity", "value"]
    base_order = ("id", "asc")
    label_columns = LABELS
    url_filters = {"koperasi": "cooperative_id", "lokasi": "location_id", "barang": "item_id"}
    cooperative_picker = staticmethod(picker_choices)

    @expose("/kedaluwarsa")
    @has_access
    @permission_name("list")
    def expiring(self):
        """Peringatan kedaluwarsa: batches on hand that expire within ``hari`` days (30 by default) or already
        have; an expired batch is never sold (first expiry first out)."""
        from datetime import timedelta


        try:
            days = min(max(int(request.args.get("hari", 30)), 0), 366)
        except ValueError:
            days = 30
        session = self.datamodel.session
        today = user_today(session, g.user)
        rows = services.expiring(session, today + timedelta(days=days))
        items = {i.id: i for i in session.execute(select(Item).where(Item.id.in_({r[2] for r in rows}))).scalars()} \
            if rows else {}
        places = {l.id: l for l in session.execute(select(Location).where(
            Location.id.in_({r[1] for r in rows}))).scalars()} if rows else {}
        return self.render_template("inventory/expiring.html", rows=rows, items=items, places=places, days=days,
                                    today=today)


class MovementView(KkmpModelView):
    """Kartu stok: every movement of an item at a location, in posting order, with the balance after it."""

    datamodel = KkmpInterface(StockMovement)
    class_permission_name = "InvMovement"
    route_base = "/persediaan/kartu-stok"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "transfer"}
    list_title = show_title = _l("Kartu stok")
    list_columns = ["cooperative", "movement_date", "reference", "item", "location", "quantity_in", "quantity_out",
                    "quantity_after", "unit_cost", "value", "value_after"]
    show_columns = list_columns + ["batch", "expiry", "avg_cost_after"]
    search_columns = ["movement_date", "reference"]
    order_columns = ["movement_date"]
    base_order = ("id", "desc")
    label_columns = LABELS
    url_filters = {"koperasi": "cooperative_id", "barang": "item_id", "lokasi": "location_id"}
    cooperative_picker = staticmethod(picker_choices)

    from .views_pay import transfer  # noqa: E402  (the verb's own module)

    def export_rows(self, query, columns):
        """The stock card as xlsx/CSV: one column-wise statement (the names joined in), streamed, at 10,000+ rows
        a second for an item with 100,000 movements (bench/inventory_bench.py)."""
        if list(columns) != list(self.list_columns):
            yield from super().export_rows(query, columns)
            return
        from app.cooperatives.models import Cooperative

        query = (query.join(Cooperative, Cooperative.id == StockMovement.cooperative_id)
                 .join(Item, Item.id == StockMovement.item_id).join(Location, Location.id == StockMovement.location_id)
                 .with_entities(Cooperative.name, StockMovement.movement_date, StockMovement.reference, Item.name,
                                Location.name, StockMovement.quantity_in, StockMovement.quantity_out,
                                StockMovement.quantity_after, StockMovement.unit_cost, StockMovement.value,
                                StockMovement.value_after))
        for row in query.yield_per(5000):
            yield list(row)


class GoodsReceiptView(KkmpModelView):
    datamodel = KkmpInterface(GoodsReceipt)
    class_permission_name = "InvGoodsReceipt"
    route_base = "/persediaan/penerimaan"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "receive", "note_print"}
    list_title = show_title = _l("Penerimaan barang")
    list_columns = ["cooperative", "number", "receipt_date", "location", "supplier", "supplier_invoice",
                    "payment_label", "total"]
    show_columns = list_columns + ["journal_number", "note", "created_by"]
    search_columns = ["number", "receipt_date", "supplier_invoice"]
    order_columns = ["receipt_date", "number"]
    base_order = ("id", "desc")
    label_columns = LABELS
    url_filters = {"koperasi": "cooperative_id"}
    cooperative_picker = staticmethod(picker_choices)

    from .views_receive import note_print, receive  # noqa: E402  (the verbs' own module)
