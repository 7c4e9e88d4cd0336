"""Registry screens: cooperatives with their legal steps, business units, organs."""
from flask import g
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from app.core.interface import KkmpInterface
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Checked, NotInFuture
from app.core.formatting import progress_bar
from app.core.identifiers import check_kelurahan_code, format_npwp
from app.core.nik import check_nik
from app.core.views import KkmpModelView, NikRevealMixin

from . import services
from .models import GENDERS, ORGANS, POSITIONS, UNIT_KINDS, UNIT_STATUSES, BusinessUnit, Cooperative, OrganMember


def _choices(pairs):
    return [(key, str(label)) for key, label in pairs]


class BusinessUnitView(KkmpModelView):
    datamodel = KkmpInterface(BusinessUnit)
    class_permission_name = "BusinessUnit"
    route_base = "/unit-usaha"
    list_title = _l("Unit usaha")
    show_title = _l("Unit usaha")
    add_title = _l("Tambah unit usaha")
    edit_title = _l("Ubah unit usaha")
    list_columns = ["cooperative", "kind_label", "status_label", "started_on"]
    show_columns = ["cooperative", "kind_label", "status_label", "started_on", "notes"]
    add_columns = ["cooperative", "kind", "status", "started_on", "notes"]
    edit_columns = ["status", "started_on", "notes"]
    search_columns = ["kind", "status"]
    order_columns = ["started_on"]
    label_columns = {"cooperative": _l("Koperasi"), "kind": _l("Jenis unit"), "kind_label": _l("Jenis unit"),
                     "status": _l("Status"), "status_label": _l("Status"), "started_on": _l("Mulai beroperasi"),
                     "notes": _l("Catatan")}
    add_form_extra_fields = {
        "kind": SelectField(_l("Jenis unit"), choices=_choices(UNIT_KINDS), validators=[DataRequired()]),
        "status": SelectField(_l("Status"), choices=_choices(UNIT_STATUSES), validators=[DataRequired()]),
    }
    edit_form_extra_fields = {
        "status": SelectField(_l("Status"), choices=_choices(UNIT_STATUSES), validators=[DataRequired()]),
    }
    validators_columns = {"started_on": [NotInFuture()]}

    def validate_record(self, record, existing):
        services.check_business_unit(record, existing)


class OrganMemberView(NikRevealMixin, KkmpModelView):
    datamodel = KkmpInterface(OrganMember)
    class_permission_name = "OrganMember"
    route_base = "/pengurus-pengawas"
    list_title = _l("Pengurus & pengawas")
    show_title = _l("Pengurus / pengawas")
    add_title = _l("Tambah pengurus / pengawas")
    edit_title = _l("Ubah pengurus / pengawas")
    list_columns = ["cooperative", "organ_label", "position_label", "name", "nik_masked", "gender_label",
                    "term_start", "term_end"]
    show_columns = ["cooperative", "organ_label", "position_label", "name", "nik_masked", "gender_label",
                    "is_lurah", "term_start", "term_end", "phone"]
    add_columns = ["cooperative", "organ", "position", "name", "nik", "gender", "is_lurah", "term_start",
                   "term_end", "phone"]
    edit_columns = ["organ", "position", "name", "nik", "gender", "is_lurah", "term_start", "term_end", "phone"]
    show_template = "kkmp/organ_member_show.html"
    search_columns = ["name", "organ", "position"]
    order_columns = ["name", "term_start"]
    label_columns = {"cooperative": _l("Koperasi"), "organ": _l("Organ"), "organ_label": _l("Organ"),
                     "position": _l("Jabatan"), "position_label": _l("Jabatan"), "name": _l("Nama"),
                     "gender": _l("Jenis kelamin"), "gender_label": _l("Jenis kelamin"),
                     "is_lurah": _l("Lurah (ex officio)"), "term_start": _l("Masa jabatan mulai"),
                     "term_end": _l("Masa jabatan selesai"), "phone": _l("Telepon"), "nik": _l("NIK"),
                     "nik_masked": _l("NIK")}
    _organ_fields = {
        "is_lurah": BooleanField(_l("Lurah (ex officio)")),
        # Never prefilled on edit (that would reveal it): blank keeps the stored NIK.
        "nik": StringField(_l("NIK"), widget=BS3TextFieldWidget(), validators=[Optional(), Length(max=40),
                                                                               Checked(check_nik)],
                           description=_l("16 digit. Pada ubah data: kosongkan untuk mempertahankan NIK lama.")),
        "organ": SelectField(_l("Organ"), choices=_choices(ORGANS), validators=[DataRequired()]),
        "position": SelectField(_l("Jabatan"), choices=_choices(POSITIONS), validators=[DataRequired()]),
        "gender": SelectField(_l("Jenis kelamin"), choices=_choices(GENDERS), validators=[DataRequired()]),
    }
    add_form_extra_fields = _organ_fields
    edit_form_extra_fields = _organ_fields

    def validate_record(self, record, existing):
        services.check_organ_member(record)

    def prepare_item(self, item):
        services.keep_or_normalise_nik(item)
        services.check_organ_member(item)  # stores the phone in its one normalised form


class CooperativeView(KkmpModelView):
    datamodel = KkmpInterface(Cooperative)
    class_permission_name = "Cooperative"
    route_base = "/koperasi"
    list_title = _l("Koperasi Kelurahan Merah Putih")
    show_title = _l("Koperasi")
    add_title = _l("Daftarkan koperasi")
    edit_title = _l("Ubah data koperasi")
    show_template = "kkmp/cooperative_show.html"
    related_views = [BusinessUnitView, OrganMemberView]

    list_columns = ["name", "region_code", "stage_label", "readiness_bar", "is_pilot"]
    legal_fields = ["musyawarah_date", "musyawarah_ba_number", "akta_number", "akta_date", "notary_name",
                    "ahu_number", "ahu_date", "nib", "npwp", "bank_name", "bank_account_number",
                    "simkopdes_registered_on", "operating_since"]
    show_fieldsets = [
        (_l("Koperasi"), {"fields": ["name", "region_code", "address", "is_pilot", "stage_label", "readiness"]}),
        (_l("Langkah legal"), {"fields": legal_fields}),
    ]
    add_columns = ["region_code", "name", "address", "is_pilot"] + legal_fields
    edit_columns = ["name", "address", "is_pilot", "member_min_age"] + legal_fields
    search_columns = ["name", "region_code", "is_pilot", "nib", "city_code", "district_code"]
    order_columns = ["name", "region_code"]
    base_order = ("region_code", "asc")
    label_columns = dict(services.FIELD_LABELS, stage_label=_l("Tahap"), readiness=_l("Kesiapan (%)"),
                         readiness_bar=_l("Kesiapan"), city_code=_l("Kode kota"),
                         district_code=_l("Kode kecamatan"))
    description_columns = {
        "region_code": _l("Kode Kemendagri kelurahan, contoh 31.73.05.1001 (Kebon Jeruk)."),
        "name": _l("Kosongkan untuk nama baku: Koperasi Kelurahan Merah Putih <Kelurahan>."),
        "ahu_number": _l("Contoh: AHU-0025673.AH.01.29.TAHUN 2025"),
        "nib": _l("13 digit dari OSS."),
        "npwp": _l("15 digit, atau 16 digit diawali 0."),
        "member_min_age": _l("Menurut AD/ART; paling sedikit 17 (umur KTP). Yang sudah/pernah kawin boleh lebih "
                             "muda."),
    }
    _common_fields = {
        # Blank means the standard name; FAB would make it required because the column is NOT NULL.
        "name": StringField(_l("Nama koperasi"), widget=BS3TextFieldWidget(),
                            validators=[Optional(), Length(max=150)]),
        # FAB puts DataRequired on NOT NULL booleans, which refuses an unticked box.
        "is_pilot": BooleanField(_l("Percontohan")),
        # Typed identifiers may carry dots, dashes and spaces (01.300.066.6-091.000); the column holds digits only,
        # so the form must not inherit the column's length limit.
        **{field: StringField(services.FIELD_LABELS[field], widget=BS3TextFieldWidget(),
                              validators=[Optional(), Length(max=40), Checked(check)])
           for field, check in services.IDENTIFIER_CHECKS.items()},
        # Blank keeps the KTP age 17 (prepare_cooperative); the range is checked there for form and API alike.
        "member_min_age": IntegerField(services.FIELD_LABELS["member_min_age"], validators=[Optional()],
                                       widget=BS3TextFieldWidget()),
    }
    add_form_extra_fields = dict(_common_fields, region_code=StringField(
        _l("Kode kelurahan"), widget=BS3TextFieldWidget(), validators=[DataRequired(), Checked(check_kelurahan_code)]))
    edit_form_extra_fields = _common_fields
    validators_columns = {field: [NotInFuture()] for field in services.DATE_FIELDS}
    formatters_columns = {"readiness_bar": progress_bar, "npwp": format_npwp}

    def validate_record(self, record, existing):
        services.prepare_cooperative(record)

    def prepare_item(self, item):
        services.prepare_cooperative(item)

    def _get_show_widget(self, pk, item, **kwargs):
        # The show page adds the legal checklist and organ warnings; FAB hands the template only widgets.
        g.kkmp_show_coop = item
        return super()._get_show_widget(pk, item, **kwargs)

    def render_template(self, template, **kwargs):
        item = g.pop("kkmp_show_coop", None)
        if template == self.show_template and item is not None:
            kwargs.update(coop=item, organ_warnings=services.organ_warnings(item))
        return super().render_template(template, **kwargs)
