"""REST API of the fertiliser module (issue 16 §6): /api/v1/farmer/ and /api/v1/pupuk_allocation/ read within
the user's scope, ``GET /api/v1/farmer/<id>/quota`` (the remaining quota per type and season), and
``POST /api/v1/pupuk_redemption/`` (201 with id, price_per_kg, total and remaining_kg; 422 with the reason; a
replayed key returns the first redemption) and ``POST /api/v1/pupuk_redemption/<id>/reverse``. Nothing posted is
edited or deleted (405)."""
from flask import g, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.api_fields import json_value as _json
from app.core.dates import parse_date
from app.core.errors import NotFound, ValidationFailed
from app.core.interface import KkmpInterface
from app.inventory.api import _ReadOnlyApi

from . import services
from .models import Farmer, PupukAllocation, PupukRedemption

FARMER_FIELDS = ["id", "cooperative_id", "name", "nik_masked", "poktan_id", "region_code", "active"]
ALLOCATION_FIELDS = ["id", "cooperative_id", "farmer_id", "pupuk_type_id", "year", "season", "kg", "version_no",
                     "is_current", "import_id", "created_by"]
REDEMPTION_FIELDS = ["id", "cooperative_id", "number", "redemption_date", "location_id", "farmer_id",
                     "pupuk_type_id", "quota_year", "season", "kg", "price_per_kg", "amount", "delivery_fee", "total",
                     "remaining_kg", "proxy_relation", "journal_entry_id", "reversed_at", "reverse_reason",
                     "created_by"]


class FarmerApi(_ReadOnlyApi):
    resource_name = "farmer"
    class_permission_name = "PupukFarmer"
    datamodel = KkmpInterface(Farmer)
    include_route_methods = {"get", "get_list", "info", "put", "delete", "quota"}
    list_columns = show_columns = ["id", "cooperative_id", "name", "nik_masked", "poktan_id", "region_code",
                                   "active"]
    search_columns = ["name"]
    order_columns = ["name"]

    @expose("/<int:pk>/quota", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def quota(self, pk):
        """The farmer's quota per type and season: allocated, redeemed (at any kiosk) and remaining kg.
        ---
        get:
          summary: A farmer's remaining quota
          parameters:
          - in: path
            name: pk
            required: true
            schema: {type: integer}
          - in: query
            name: year
            schema: {type: integer}
          - in: query
            name: season
            schema: {type: integer, enum: [1, 2, 3]}
          responses:
            200:
              description: '{"result": [{"pupuk_type", "season", "year", "allocated_kg", "redeemed_kg",
                "remaining_kg"}]}'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        # Only the farmer's NIK digest is needed, not the row with its joined cooperative and poktan: one narrow
        # read, scoped like every read of the session (a farmer outside the user's area is not found).
        nik_hmac = self.datamodel.session.execute(select(Farmer.nik_hmac).where(Farmer.id == pk)).scalar()
        if nik_hmac is None:
            return self.response_404()
        year = request.args.get("year", type=int)
        season = request.args.get("season", type=int)
        rows = services.quota_rows(self.datamodel.session, nik_hmac, year, season)
        return self.response(200, result=[{"pupuk_type": r["pupuk_type"], "season": r["season"], "year": r["year"],
                                           "allocated_kg": str(r["allocated_kg"]),
                                           "redeemed_kg": str(r["redeemed_kg"]),
                                           "remaining_kg": str(r["remaining_kg"])} for r in rows])


class PupukAllocationApi(_ReadOnlyApi):
    resource_name = "pupuk_allocation"
    class_permission_name = "PupukAllocation"
    datamodel = KkmpInterface(PupukAllocation)
    list_columns = show_columns = ALLOCATION_FIELDS
    search_columns = ["farmer_id", "year", "season", "is_current"]
    order_columns = ["id"]


def _answer(redemption):
    return dict(id=redemption.id, number=redemption.number, price_per_kg=str(redemption.price_per_kg),
                total=str(redemption.total), remaining_kg=str(redemption.remaining_kg),
                result={k: _json(getattr(redemption, k)) for k in REDEMPTION_FIELDS})


class PupukRedemptionApi(_ReadOnlyApi):
    resource_name = "pupuk_redemption"
    class_permission_name = "PupukRedemption"
    datamodel = KkmpInterface(PupukRedemption)
    include_route_methods = {"get", "get_list", "info", "post", "put", "delete", "reverse"}
    list_columns = show_columns = REDEMPTION_FIELDS
    search_columns = ["farmer_id", "redemption_date"]
    order_columns = ["redemption_date"]
    base_order = ("id", "desc")

    def post_headless(self):
        return self._guarded(self._post)

    def _post(self):
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.response_400(message=gettext("Kirim JSON."))
        session = self.datamodel.session
        day = data.get("date")
        if day not in (None, ""):
            parsed = parse_date(day) if isinstance(day, str) else None
            if parsed is None:
                raise ValidationFailed(gettext("date harus tanggal YYYY-MM-DD."), "date")
            day = parsed
        else:
            day = None
        location = data.get("location_id")
        if location in (None, ""):
            location = _default_kiosk(session)
        try:
            redemption = services.do_redeem(
                session, location=location, farmer_id=data.get("farmer_id"), nik=data.get("nik"),
                pupuk_type=data.get("pupuk_type"), kg=data.get("kg"), redemption_date=day,
                proxy_nik=data.get("proxy_nik"), proxy_relation=data.get("proxy_relation") or (
                    "kuasa" if data.get("proxy_nik") else None), proxy_name=data.get("proxy_name"),
                delivery_fee=data.get("delivery_fee"), payment_method=data.get("payment_method") or "tunai",
                idempotency_key=data.get("idempotency_key"), acting_user=g.user, api=True)
            # Read before the commit expires the row: the answer then needs no second SELECT of it.
            answer = _answer(redemption)
            session.commit()
        except NotFound as e:
            session.rollback()
            if e.field in ("nik", "farmer_id"):
                raise ValidationFailed(str(e), e.field) from None
            return self.response(404, message=str(e))
        except IntegrityError:
            session.rollback()
            return self.response(409, message=gettext("Penebusan dengan kunci yang sama sedang diproses."))
        return self.response(201, **answer)

    @expose("/<int:pk>/reverse", methods=["POST"])
    @protect()
    @safe
    @permission_name("reverse")
    def reverse(self, pk):
        """Reverse a redemption: stock, quota and journal back (Sekretaris or Pengurus; once; a reason).
        ---
        post:
          summary: Reverse a fertiliser redemption
          parameters:
          - in: path
            name: pk
            required: true
            schema: {type: integer}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [reason]
                  properties:
                    reason: {type: string, example: "Salah input jumlah"}
          responses:
            201:
              description: The reversed redemption
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
            422:
              $ref: '#/components/responses/422'
        """
        return self._guarded(self._reverse, pk)

    def _reverse(self, pk):
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.response_400(message=gettext("Kirim JSON."))
        session = self.datamodel.session
        redemption = self.datamodel.get(pk, self._base_filters)
        if redemption is None:
            return self.response_404()
        redemption = services.do_reverse_redemption(session, redemption=redemption, reason=data.get("reason"),
                                                    acting_user=g.user)
        session.commit()
        return self.response(201, **_answer(redemption))


def _default_kiosk(session):
    """Without ``location_id``: the kiosk of the user's scope, a gerai of its pupuk business unit first, else its
    only gerai."""
    from sqlalchemy import select

    from app.cooperatives.models import BusinessUnit
    from app.inventory.models import Location

    base = select(Location.id).where(Location.active.is_(True), Location.kind == "gerai").order_by(Location.id)
    pupuk = session.execute(base.join(BusinessUnit, BusinessUnit.id == Location.business_unit_id)
                            .where(BusinessUnit.kind == "pupuk").limit(2)).scalars().all()
    rows = pupuk or session.execute(base.limit(2)).scalars().all()
    if len(rows) != 1:
        raise ValidationFailed(gettext("Sebut kiosnya (location_id)."), "location_id")
    return rows[0]
