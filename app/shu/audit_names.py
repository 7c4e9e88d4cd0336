"""How the audit log names SHU and RAT records (registered with app.core.audit_names)."""
from flask_babel import lazy_gettext as _l

from app.core.audit_names import by_columns, register_record

from .models import RatMeeting, ShuMemberShare, ShuRule, ShuWorksheet

register_record("shu_rule", _l("Aturan SHU"), by_columns(ShuRule, "year"))
register_record("shu_worksheet", _l("Kertas kerja SHU"), by_columns(ShuWorksheet, "year"))
register_record("shu_member_share", _l("SHU anggota"), by_columns(ShuMemberShare, "receipt_number"))
register_record("rat_meeting", _l("RAT"), by_columns(RatMeeting, "year"))
