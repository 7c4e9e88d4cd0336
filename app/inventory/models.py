"""Inventory and kiosk sales (issue 15): the catalogue, locations, suppliers, effective-dated prices and
government ceilings (HET), stock movements with their moving-average cost, goods receipts and sales.

* ``StockBalance``: one row per item and location, moved only by the services, locked FOR UPDATE while a movement
  is written (two counters selling the last units serialise on it); ``CHECK (quantity >= 0)`` is the backstop.
* ``StockMovement``: immutable; ``id`` is the posting order. ``avg_cost_after`` and ``quantity_after`` are the
  moving average and the balance after the movement *in posting order*, so a backdated movement never rewrites a
  later cost or a posted journal (the cost of an issue is the average at the moment it is posted).
* ``Sale`` / ``GoodsReceipt``: numbered gaplessly per cooperative and year, idempotency key UNIQUE per cooperative;
  a sale is corrected only by a void that reverses it (nothing posted is edited).
* ``LpgQuota``: tubes of LPG 3 kg bought per NIK (by its HMAC) and month, across every cooperative: not a tenant
  table, the monthly cap is national. Taken by one conditional upsert, so concurrent sales never pass the cap.
"""
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric,
                        String, UniqueConstraint, func)
from sqlalchemy.orm import relationship

from app.core.nik import mask_nik
from app.core.tenancy import TenantMixin

ZERO = Decimal("0.00")
QTY = Numeric(14, 3)
MONEY = Numeric(18, 2)
COST = Numeric(18, 4)

CATEGORIES = [("sembako", _l("Sembako")), ("lpg_3kg", _l("LPG 3 kg")), ("air_isi_ulang", _l("Air isi ulang")),
              ("obat", _l("Obat")), ("pupuk_non_subsidi", _l("Pupuk non-subsidi")), ("lainnya", _l("Lainnya"))]
CATEGORY_LABELS = dict(CATEGORIES)
# Units counted by the piece take whole quantities only; kg and litre may be fractional.
UNITS = [("pcs", _l("pcs")), ("tabung", _l("tabung")), ("galon", _l("galon")), ("botol", _l("botol")),
         ("bungkus", _l("bungkus")), ("dus", _l("dus")), ("karung", _l("karung")), ("sak", _l("sak")),
         ("kg", _l("kg")), ("liter", _l("liter"))]
UNIT_LABELS = dict(UNITS)
FRACTIONAL_UNITS = {"kg", "liter"}
LOCATION_KINDS = [("gudang", _l("Gudang")), ("gerai", _l("Gerai / kios"))]
LOCATION_KIND_LABELS = dict(LOCATION_KINDS)
SUPPLIER_KINDS = [("bulog", _l("Bulog / RPK")), ("agen_lpg", _l("Agen LPG")), ("distributor", _l("Distributor")),
                  ("lainnya", _l("Lainnya"))]
SUPPLIER_KIND_LABELS = dict(SUPPLIER_KINDS)
PAYMENT_METHODS = [("tunai", _l("Tunai")), ("qris", _l("QRIS")), ("transfer", _l("Transfer"))]
PAYMENT_LABELS = dict(PAYMENT_METHODS)
RECEIPT_PAYMENTS = [("tunai", _l("Tunai")), ("kredit", _l("Kredit (utang usaha)"))]
RECEIPT_PAYMENT_LABELS = dict(RECEIPT_PAYMENTS)
LPG_SEGMENTS = [("rumah_tangga", _l("Rumah tangga")), ("usaha_mikro", _l("Usaha mikro")),
                ("nelayan", _l("Nelayan sasaran")), ("petani", _l("Petani sasaran"))]
LPG_SEGMENT_LABELS = dict(LPG_SEGMENTS)
# terima / jual / batal_jual; opname: a difference of an approved stock count; pindah_keluar / pindah_masuk: a
# transfer between two locations of one cooperative (no profit or loss, the value moves at the average cost).
MOVEMENT_KINDS = [("terima", _l("Penerimaan")), ("jual", _l("Penjualan")), ("batal_jual", _l("Batal jual")),
                  ("opname", _l("Selisih opname")), ("pindah_keluar", _l("Pindah keluar")),
                  ("pindah_masuk", _l("Pindah masuk"))]
MOVEMENT_KIND_LABELS = dict(MOVEMENT_KINDS)
COUNT_STATUSES = [("dibuka", _l("Dibuka")), ("dihitung", _l("Sudah dihitung")), ("disetujui", _l("Disetujui"))]
COUNT_STATUS_LABELS = dict(COUNT_STATUSES)


def _in(column, pairs):
    return f"{column} IN (" + ",".join(f"'{k}'" for k, _ in pairs) + ")"


class Item(TenantMixin, Model):
    __tablename__ = "inv_item"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    unit = Column(String(12), nullable=False, default="pcs")
    barcode = Column(String(40), nullable=True)
    category = Column(String(20), nullable=False, default="sembako")
    business_unit_id = Column(Integer, ForeignKey("business_unit.id"), nullable=True)
    tracks_batch = Column(Boolean, nullable=False, default=False)
    min_stock = Column(QTY, nullable=False, default=Decimal("0"))
    active = Column(Boolean, nullable=False, default=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    business_unit = relationship("BusinessUnit", lazy="joined")

    __table_args__ = (
        UniqueConstraint("cooperative_id", "name", name="uq_inv_item_coop_name"),
        UniqueConstraint("cooperative_id", "barcode", name="uq_inv_item_coop_barcode"),
        CheckConstraint(_in("category", CATEGORIES), name="ck_inv_item_category"),
        CheckConstraint(_in("unit", UNITS), name="ck_inv_item_unit"),
        CheckConstraint("min_stock >= 0", name="ck_inv_item_min_stock"),
    )

    @property
    def category_label(self):
        return CATEGORY_LABELS.get(self.category, self.category)

    @property
    def unit_label(self):
        return UNIT_LABELS.get(self.unit, self.unit)

    @property
    def whole_units(self):
        return self.unit not in FRACTIONAL_UNITS

    def __repr__(self):
        return self.name or ""


class Location(TenantMixin, Model):
    __tablename__ = "inv_location"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False)
    kind = Column(String(10), nullable=False, default="gerai")
    business_unit_id = Column(Integer, ForeignKey("business_unit.id"), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    business_unit = relationship("BusinessUnit", lazy="joined")

    __table_args__ = (
        UniqueConstraint("cooperative_id", "name", name="uq_inv_location_coop_name"),
        CheckConstraint(_in("kind", LOCATION_KINDS), name="ck_inv_location_kind"),
    )

    @property
    def kind_label(self):
        return LOCATION_KIND_LABELS.get(self.kind, self.kind)

    def __repr__(self):
        return self.name or ""


class Supplier(TenantMixin, Model):
    __tablename__ = "inv_supplier"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    kind = Column(String(12), nullable=False, default="distributor")
    phone = Column(String(20), nullable=True)
    address = Column(String(255), nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        UniqueConstraint("cooperative_id", "name", name="uq_inv_supplier_coop_name"),
        CheckConstraint(_in("kind", SUPPLIER_KINDS), name="ck_inv_supplier_kind"),
    )

    @property
    def kind_label(self):
        return SUPPLIER_KIND_LABELS.get(self.kind, self.kind)

    def __repr__(self):
        return self.name or ""


class ItemPrice(TenantMixin, Model):
    """Selling prices from ``valid_from`` until the next row of the item starts (past rows are never edited)."""

    __tablename__ = "inv_item_price"

    id = Column(Integer, primary_key=True)
    item_id = Column(Integer, ForeignKey("inv_item.id"), nullable=False)
    valid_from = Column(Date, nullable=False)
    member_price = Column(MONEY, nullable=False)
    public_price = Column(MONEY, nullable=False)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    item = relationship("Item", lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("item_id", "valid_from", name="uq_inv_item_price_item_from"),
        CheckConstraint("member_price > 0 AND public_price > 0", name="ck_inv_item_price_positive"),
    )


class ItemHet(TenantMixin, Model):
    """A government ceiling (HET) on an item's price in a region (a province, city or kecamatan code prefix of the
    cooperative's kelurahan) from ``valid_from`` to ``valid_to`` (open when empty). ``margin``: what a
    sub-pangkalan may add (LPG 3 kg)."""

    __tablename__ = "inv_item_het"

    id = Column(Integer, primary_key=True)
    item_id = Column(Integer, ForeignKey("inv_item.id"), nullable=False)
    region_code = Column(String(13), nullable=False)
    valid_from = Column(Date, nullable=False)
    valid_to = Column(Date, nullable=True)
    het = Column(MONEY, nullable=False)
    margin = Column(MONEY, nullable=False, default=ZERO)
    legal_basis = Column(String(120), nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    item = relationship("Item", lazy="joined", innerjoin=True)

    __table_args__ = (
        Index("ix_inv_item_het_item_from", "item_id", "valid_from"),
        CheckConstraint("het > 0 AND margin >= 0", name="ck_inv_item_het_amounts"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_inv_item_het_dates"),
    )


class StockBalance(TenantMixin, Model):
    __tablename__ = "inv_stock_balance"

    id = Column(Integer, primary_key=True)
    item_id = Column(Integer, ForeignKey("inv_item.id"), nullable=False)
    location_id = Column(Integer, ForeignKey("inv_location.id"), nullable=False)
    quantity = Column(QTY, nullable=False, default=Decimal("0"))
    value = Column(MONEY, nullable=False, default=ZERO)
    avg_cost = Column(COST, nullable=False, default=Decimal("0"))
    version = Column(Integer, nullable=False, default=1, server_default="1")

    item = relationship("Item", lazy="joined", innerjoin=True)
    location = relationship("Location", lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("item_id", "location_id", name="uq_inv_stock_balance_item_location"),
        CheckConstraint("quantity >= 0 AND value >= 0", name="ck_inv_stock_balance_not_negative"),
    )


class StockMovement(TenantMixin, Model):
    __tablename__ = "inv_stock_movement"

    id = Column(Integer, primary_key=True)
    item_id = Column(Integer, ForeignKey("inv_item.id"), nullable=False)
    location_id = Column(Integer, ForeignKey("inv_location.id"), nullable=False)
    movement_date = Column(Date, nullable=False)
    kind = Column(String(14), nullable=False)  # MOVEMENT_KINDS
    reference = Column(String(30), nullable=True)
    batch = Column(String(40), nullable=True)
    expiry = Column(Date, nullable=True)
    quantity_in = Column(QTY, nullable=False, default=Decimal("0"))
    quantity_out = Column(QTY, nullable=False, default=Decimal("0"))
    unit_cost = Column(COST, nullable=False)
    value = Column(MONEY, nullable=False)  # the movement's value at cost (positive; the direction is in/out)
    avg_cost_after = Column(COST, nullable=False)
    quantity_after = Column(QTY, nullable=False)
    value_after = Column(MONEY, nullable=False)
    source_type = Column(String(20), nullable=True)
    source_id = Column(Integer, nullable=True)
    journal_entry_id = Column(Integer, ForeignKey("journal_entry.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    version = Column(Integer, nullable=False, default=1, server_default="1")

    # selectin, not joined: a stock card page of 25 movements out of 1,000,000 must not join the item and location
    # chains (cooperative, region, business unit) into the page query, where PostgreSQL then plans a scan of every
    # movement before the id filter (bench/inventory_bench.py: 11 s -> see bench/README.md).
    item = relationship("Item", lazy="selectin", innerjoin=True)
    location = relationship("Location", lazy="selectin", innerjoin=True)

    __table_args__ = (
        Index("ix_inv_movement_card", "item_id", "location_id", "movement_date", "id"),
        # The stock card pages in posting order (keyset on id) within one item and location.
        Index("ix_inv_movement_card_posting", "item_id", "location_id", "id"),
        CheckConstraint("quantity_in >= 0 AND quantity_out >= 0 AND (quantity_in > 0) <> (quantity_out > 0)",
                        name="ck_inv_movement_one_side"),
        CheckConstraint(_in("kind", MOVEMENT_KINDS), name="ck_inv_movement_kind"),
    )


class SaleCounter(Model):
    __tablename__ = "inv_sale_counter"

    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), primary_key=True, autoincrement=False)
    year = Column(Integer, primary_key=True, autoincrement=False)
    last_number = Column(Integer, nullable=False, default=0)


class ReceiptCounter(Model):
    __tablename__ = "inv_receipt_counter"

    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), primary_key=True, autoincrement=False)
    year = Column(Integer, primary_key=True, autoincrement=False)
    last_number = Column(Integer, nullable=False, default=0)


class LpgQuota(Model):
    """Tubes of LPG 3 kg bought by one NIK (HMAC, as in the member registry) in one month, in every cooperative."""

    __tablename__ = "inv_lpg_quota"

    nik_hmac = Column(String(64), primary_key=True)
    year = Column(Integer, primary_key=True, autoincrement=False)
    month = Column(Integer, primary_key=True, autoincrement=False)
    tubes = Column(Integer, nullable=False, default=0)

    __table_args__ = (CheckConstraint("tubes >= 0", name="ck_inv_lpg_quota_tubes"),)


class GoodsReceipt(TenantMixin, Model):
    __tablename__ = "inv_goods_receipt"

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False)
    year = Column(Integer, nullable=False)
    seq = Column(Integer, nullable=False)
    receipt_date = Column(Date, nullable=False)
    location_id = Column(Integer, ForeignKey("inv_location.id"), nullable=False)
    supplier_id = Column(Integer, ForeignKey("inv_supplier.id"), nullable=True)
    supplier_invoice = Column(String(40), nullable=True)
    payment = Column(String(10), nullable=False, default="tunai")
    total = Column(MONEY, nullable=False)
    idempotency_key = Column(String(64), nullable=False)
    journal_entry_id = Column(Integer, ForeignKey("journal_entry.id"), nullable=True)
    note = Column(String(255), nullable=True)
    created_by = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    location = relationship("Location", lazy="joined", innerjoin=True)
    supplier = relationship("Supplier", lazy="joined")
    journal_entry = relationship("JournalEntry", lazy="select")
    lines = relationship("GoodsReceiptLine", lazy="select", order_by="GoodsReceiptLine.line_no",
                         back_populates="receipt")

    __table_args__ = (
        UniqueConstraint("cooperative_id", "idempotency_key", name="uq_inv_receipt_coop_idem"),
        UniqueConstraint("cooperative_id", "year", "seq", name="uq_inv_receipt_coop_number"),
        CheckConstraint("total > 0", name="ck_inv_receipt_total"),
        CheckConstraint(_in("payment", RECEIPT_PAYMENTS), name="ck_inv_receipt_payment"),
    )

    @property
    def payment_label(self):
        return RECEIPT_PAYMENT_LABELS.get(self.payment, self.payment)

    @property
    def journal_number(self):
        return self.journal_entry.number if self.journal_entry is not None else ""

    def __repr__(self):
        return self.number or ""


class GoodsReceiptLine(TenantMixin, Model):
    __tablename__ = "inv_goods_receipt_line"

    id = Column(Integer, primary_key=True)
    receipt_id = Column(Integer, ForeignKey("inv_goods_receipt.id"), nullable=False, index=True)
    line_no = Column(Integer, nullable=False)
    item_id = Column(Integer, ForeignKey("inv_item.id"), nullable=False)
    quantity = Column(QTY, nullable=False)
    unit_cost = Column(COST, nullable=False)
    amount = Column(MONEY, nullable=False)
    batch = Column(String(40), nullable=True)
    expiry = Column(Date, nullable=True)

    receipt = relationship("GoodsReceipt", back_populates="lines")
    item = relationship("Item", lazy="joined", innerjoin=True)

    __table_args__ = (CheckConstraint("quantity > 0 AND unit_cost >= 0", name="ck_inv_receipt_line_amounts"),)


class Sale(TenantMixin, Model):
    __tablename__ = "inv_sale"

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False)
    year = Column(Integer, nullable=False)
    seq = Column(Integer, nullable=False)
    sale_date = Column(Date, nullable=False)
    location_id = Column(Integer, ForeignKey("inv_location.id"), nullable=False)
    member_id = Column(Integer, ForeignKey("member.id"), nullable=True)
    # LPG 3 kg: the buyer's NIK (named ``nik`` so that the audit log masks it like every NIK), its HMAC for the
    # national monthly cap, the segment and, for usaha mikro, the NIB.
    nik = Column(String(16), nullable=True)
    nik_hmac = Column(String(64), nullable=True, index=True)
    buyer_segment = Column(String(14), nullable=True)
    buyer_nib = Column(String(13), nullable=True)
    lpg_tubes = Column(Integer, nullable=False, default=0)
    payment_method = Column(String(10), nullable=False, default="tunai")
    total = Column(MONEY, nullable=False)
    paid = Column(MONEY, nullable=False)
    change = Column(MONEY, nullable=False, default=ZERO)
    idempotency_key = Column(String(64), nullable=False)
    journal_entry_id = Column(Integer, ForeignKey("journal_entry.id"), nullable=True)
    voided_at = Column(DateTime, nullable=True)
    void_reason = Column(String(255), nullable=True)
    void_journal_entry_id = Column(Integer, ForeignKey("journal_entry.id"), nullable=True)
    created_by = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    location = relationship("Location", lazy="joined", innerjoin=True)
    member = relationship("Member", lazy="joined")
    journal_entry = relationship("JournalEntry", lazy="select", foreign_keys=[journal_entry_id])
    lines = relationship("SaleLine", lazy="select", order_by="SaleLine.line_no", back_populates="sale")

    __table_args__ = (
        UniqueConstraint("cooperative_id", "idempotency_key", name="uq_inv_sale_coop_idem"),
        UniqueConstraint("cooperative_id", "year", "seq", name="uq_inv_sale_coop_number"),
        Index("ix_inv_sale_coop_date", "cooperative_id", "sale_date"),
        CheckConstraint("total > 0 AND paid >= total AND change >= 0", name="ck_inv_sale_amounts"),
        CheckConstraint(_in("payment_method", PAYMENT_METHODS), name="ck_inv_sale_payment"),
        CheckConstraint("lpg_tubes >= 0", name="ck_inv_sale_lpg_tubes"),
    )

    @property
    def buyer_label(self):
        if self.member is not None:
            return f"{self.member.member_number or ''} {self.member.name}".strip()
        return str(_l("Umum"))

    @property
    def payment_label(self):
        return PAYMENT_LABELS.get(self.payment_method, self.payment_method)

    @property
    def buyer_nik_masked(self):
        """The LPG buyer's NIK as every reader sees it: the last four digits."""
        return mask_nik(self.nik) if self.nik else ""

    @property
    def segment_label(self):
        return LPG_SEGMENT_LABELS.get(self.buyer_segment, self.buyer_segment or "")

    @property
    def status_label(self):
        return _l("Dibatalkan") if self.voided_at is not None else _l("Lunas")

    @property
    def journal_number(self):
        return self.journal_entry.number if self.journal_entry is not None else ""

    def __repr__(self):
        return self.number or ""


class SaleLine(TenantMixin, Model):
    __tablename__ = "inv_sale_line"

    id = Column(Integer, primary_key=True)
    sale_id = Column(Integer, ForeignKey("inv_sale.id"), nullable=False, index=True)
    line_no = Column(Integer, nullable=False)
    item_id = Column(Integer, ForeignKey("inv_item.id"), nullable=False)
    quantity = Column(QTY, nullable=False)
    unit_price = Column(MONEY, nullable=False)
    amount = Column(MONEY, nullable=False)
    cost = Column(MONEY, nullable=False)

    sale = relationship("Sale", back_populates="lines")
    item = relationship("Item", lazy="joined", innerjoin=True)

    __table_args__ = (CheckConstraint("quantity > 0 AND unit_price > 0", name="ck_inv_sale_line_amounts"),)


class StockCount(TenantMixin, Model):
    """Stok opname of one location at ``count_date``: opened with the book quantities at that date, counted (a
    second count where the first differs from the books), and posted only when the Pengurus approves. An approved
    count fixes the quantity at its date: no movement dated on or before it is accepted at that location."""

    __tablename__ = "inv_stock_count"

    id = Column(Integer, primary_key=True)
    location_id = Column(Integer, ForeignKey("inv_location.id"), nullable=False)
    count_date = Column(Date, nullable=False)
    status = Column(String(10), nullable=False, default="dibuka")
    note = Column(String(255), nullable=True)
    journal_entry_id = Column(Integer, ForeignKey("journal_entry.id"), nullable=True)
    created_by = Column(String(100), nullable=True)
    approved_by = Column(String(100), nullable=True)
    approved_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    location = relationship("Location", lazy="joined", innerjoin=True)
    journal_entry = relationship("JournalEntry", lazy="select")
    lines = relationship("StockCountLine", lazy="select", order_by="StockCountLine.id", back_populates="count")

    __table_args__ = (
        Index("ix_inv_stock_count_location_date", "location_id", "status", "count_date"),
        CheckConstraint(_in("status", COUNT_STATUSES), name="ck_inv_stock_count_status"),
    )

    @property
    def number(self):
        return f"OP-{self.count_date.year}-{self.id:05d}" if self.id and self.count_date else ""

    @property
    def status_label(self):
        return COUNT_STATUS_LABELS.get(self.status, self.status)

    @property
    def journal_number(self):
        return self.journal_entry.number if self.journal_entry is not None else ""

    def __repr__(self):
        return self.number


class StockCountLine(TenantMixin, Model):
    __tablename__ = "inv_stock_count_line"

    id = Column(Integer, primary_key=True)
    count_id = Column(Integer, ForeignKey("inv_stock_count.id"), nullable=False, index=True)
    item_id = Column(Integer, ForeignKey("inv_item.id"), nullable=False)
    book_quantity = Column(QTY, nullable=False)
    first_count = Column(QTY, nullable=True)
    second_count = Column(QTY, nullable=True)
    difference = Column(QTY, nullable=True)  # counted - book, set on approval
    value = Column(MONEY, nullable=True)  # the difference at cost (signed), set on approval

    count = relationship("StockCount", back_populates="lines")
    item = relationship("Item", lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("count_id", "item_id", name="uq_inv_stock_count_line_item"),
        CheckConstraint("book_quantity >= 0 AND (first_count IS NULL OR first_count >= 0) "
                        "AND (second_count IS NULL OR second_count >= 0)", name="ck_inv_stock_count_line_qty"),
    )

    @property
    def needs_second(self):
        return self.first_count is not None and self.first_count != self.book_quantity

    @property
    def counted(self):
        """The quantity the count settles on: the first count when it agrees with the books, else the second."""
        if self.first_count is None:
            return None
        if not self.needs_second:
            return self.first_count
        return self.second_count


class SupplierPayment(TenantMixin, Model):
    """A payment of goods bought on credit: Dr utang usaha / Cr kas (or bank)."""

    __tablename__ = "inv_supplier_payment"

    id = Column(Integer, primary_key=True)
    receipt_id = Column(Integer, ForeignKey("inv_goods_receipt.id"), nullable=False, index=True)
    payment_date = Column(Date, nullable=False)
    amount = Column(MONEY, nullable=False)
    method = Column(String(10), nullable=False, default="tunai")
    idempotency_key = Column(String(64), nullable=False)
    journal_entry_id = Column(Integer, ForeignKey("journal_entry.id"), nullable=True)
    created_by = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    receipt = relationship("GoodsReceipt", lazy="joined", innerjoin=True)
    journal_entry = relationship("JournalEntry", lazy="select")

    __table_args__ = (
        UniqueConstraint("cooperative_id", "idempotency_key", name="uq_inv_supplier_payment_idem"),
        CheckConstraint("amount > 0", name="ck_inv_supplier_payment_amount"),
        CheckConstraint(_in("method", PAYMENT_METHODS), name="ck_inv_supplier_payment_method"),
    )

    @property
    def method_label(self):
        return PAYMENT_LABELS.get(self.method, self.method)

    @property
    def journal_number(self):
        return self.journal_entry.number if self.journal_entry is not None else ""

    def __repr__(self):
        return f"{self.receipt.number if self.receipt else ''} {self.payment_date or ''}".strip()
