"""Demo data telling the stories of the seed articles (shared/seeds/), for development only.

* Jakarta Barat (31.73): its KKMP were formed by Musyawarah Kelurahan Khusus on 31 May 2025 and were to operate by
  1 October 2025; most had their NIB, some still lacked NPWP or a bank account; 16 kelurahan were pilots. We show
  four in Kecamatan Kebon Jeruk at different legal stages (Kebon Jeruk itself a pilot and operating) and a few more.
* KKMP Lempake (Samarinda Utara, Kota Samarinda 64.72): the city's model, running a sembako outlet and LPG.
* KKMP Cemorokandang (Kedungkandang, Kota Malang 35.73): sembako and subsidised fertiliser for local farmers.

Names of people are invented.
"""
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from app.cooperatives.models import BusinessUnit, Cooperative, OrganMember
from app.cooperatives.services import create_cooperative
from app.extensions import appbuilder, db


def _luhn_digit(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def demo_npwp(seq):
    """A well-formed 15-digit organisation NPWP: 2 digits type, 6 serial, Luhn check digit, office, branch."""
    head = f"01{seq:06d}"
    return head + _luhn_digit(head) + "031000"


FULL = dict(musyawarah_date=date(2025, 5, 31), akta_date=date(2025, 6, 20), ahu_date=date(2025, 7, 8),
            simkopdes_registered_on=date(2025, 9, 15), operating_since=date(2025, 10, 1))

# (region code, pilot, stage reached, units {kind: status}, address)
COOPS = [
    ("31.73.05.1001", True, "operating", {"kantor": "beroperasi", "sembako": "beroperasi", "simpan_pinjam": "persiapan"},
     "Jl. Raya Kebon Jeruk No. 12, RT 003/RW 002"),
    ("31.73.05.1002", False, "nib", {"sembako": "persiapan"}, "Jl. Sukabumi Utara No. 5"),
    ("31.73.05.1004", False, "npwp", {"sembako": "persiapan", "kantor": "rencana"}, "Jl. Kelapa Dua Raya No. 30"),
    ("31.73.05.1005", False, "akta", {"sembako": "rencana"}, "Jl. Duri Kepa No. 8"),
    ("31.73.01.1001", True, "simkopdes", {"sembako": "persiapan", "air": "rencana"}, None),
    ("31.73.02.1001", False, "bank", {"sembako": "persiapan"}, None),
    ("31.73.08.1001", False, "musyawarah", {}, None),
    ("64.72.05.1003", True, "operating", {"kantor": "beroperasi", "sembako": "beroperasi", "lpg": "beroperasi"},
     "Jl. Lempake, Samarinda Utara"),
    ("35.73.03.1010", True, "operating", {"kantor": "beroperasi", "sembako": "beroperasi", "pupuk": "beroperasi",
                                          "air": "rencana"},
     "Jl. Cemorokandang, Kedungkandang"),
]

ORDER = ["musyawarah", "akta", "ahu", "nib", "npwp", "bank", "simkopdes", "operating"]

PENGURUS = [("ketua", "L"), ("wakil_ketua_usaha", "L"), ("wakil_ketua_anggota", "P"), ("sekretaris", "P"),
            ("bendahara", "L")]
NAMES = {"L": ["Ahmad Suryadi", "Budi Santoso", "Eko Prasetyo", "Hendra Wijaya", "Joko Susanto", "Teguh Nugroho",
               "Agus Setiawan", "Rudi Hartono"],
         "P": ["Siti Rahmawati", "Dewi Lestari", "Rina Handayani", "Nur Aini", "Maya Anggraini", "Fitri Utami",
               "Sri Wahyuni", "Ratna Sari"]}


def _legal_fields(stage, seq):
    reached = ORDER[: ORDER.index(stage) + 1]
    f = {}
    if "musyawarah" in reached:
        f.update(musyawarah_date=FULL["musyawarah_date"], musyawarah_ba_number=f"BA/MKK/{seq:03d}/V/2025")
    if "akta" in reached:
        f.update(akta_number=f"{seq + 10:02d}", akta_date=FULL["akta_date"], notary_name="Notaris Rini Kartika, S.H., M.Kn.")
    if "ahu" in reached:
        f.update(ahu_number=f"AHU-{25600 + seq:07d}.AH.01.29.TAHUN 2025", ahu_date=FULL["ahu_date"])
    if "nib" in reached:
        f.update(nib=f"1207250{seq:06d}")
    if "npwp" in reached:
        f.update(npwp=demo_npwp(300000 + seq))
    if "bank" in reached:
        f.update(bank_name="Bank Mandiri" if seq % 2 else "Bank DKI", bank_account_number=f"1230009{seq:05d}")
    if "simkopdes" in reached:
        f.update(simkopdes_registered_on=FULL["simkopdes_registered_on"])
    if "operating" in reached:
        f.update(operating_since=FULL["operating_since"])
    return f


def demo_nik(district_code, born, gender, serial):
    """A well-formed NIK: kecamatan digits, DDMMYY with 40 added to the day for women, a serial."""
    day = born.day + (40 if gender == "P" else 0)
    return f"{district_code.replace('.', '')}{day:02d}{born:%m%y}{serial:04d}"


def _organs(coop, seq, complete):
    term = dict(term_start=date(2025, 5, 31), term_end=date(2030, 5, 30))
    people = PENGURUS if complete else PENGURUS[:4]
    people = [("pengurus", p, g) for p, g in people] + [("pengawas", "ketua", "L"), ("pengawas", "anggota", "P")]
    for i, (organ, position, gender) in enumerate(people):
        lurah = organ == "pengawas" and position == "ketua"
        name = f"Lurah {coop.region.name}" if lurah else NAMES[gender][(seq + i) % len(NAMES[gender])]
        born = date(1965 + (seq * 3 + i * 5) % 35, 1 + (seq + i) % 12, 1 + (seq * 7 + i) % 28)
        db.session.add(OrganMember(cooperative=coop, organ=organ, position=position, gender=gender, name=name,
                                   is_lurah=lurah, nik=demo_nik(coop.district_code, born, gender, seq * 10 + i + 1),
                                   **term))


# username, role, scope region code or the kelurahan code of the user's cooperative, full name
DEMO_USERS = [
    ("admin", "Admin", None, "Admin Sistem"),
    ("sudin.jakbar", "Sudin", "31.73", "Sudin PPKUKM Jakarta Barat"),
    ("camat.kebonjeruk", "Camat", "31.73.05", "Camat Kebon Jeruk"),
    ("lurah.kebonjeruk", "Lurah", "31.73.05.1001", "Lurah Kebon Jeruk"),
    ("pengurus.kebonjeruk", "Pengurus", "coop:31.73.05.1001", "Bendahara KKMP Kebon Jeruk"),
    ("sekretaris.kebonjeruk", "Sekretaris", "coop:31.73.05.1001", "Sekretaris KKMP Kebon Jeruk"),
    ("sekretaris.lempake", "Sekretaris", "coop:64.72.05.1003", "Sekretaris KKMP Lempake"),
    ("sekretaris.cemorokandang", "Sekretaris", "coop:35.73.03.1010", "Sekretaris KKMP Cemorokandang"),
    ("petugas.lempake", "Petugas", "coop:64.72.05.1003", "Petugas Gerai KKMP Lempake"),
    ("petugas.cemorokandang", "Petugas", "coop:35.73.03.1010", "Petugas Kios Pupuk KKMP Cemorokandang"),
    ("camat.kedungkandang", "Camat", "35.73.03", "Camat Kedungkandang"),
]


def demo_logins():
    password = current_app.config.get("DEMO_PASSWORD")
    lines = [f"Demo logins (password for all: {password}):"]
    for username, role, scope, _name in DEMO_USERS:
        lines.append(f"  {username:26s} {role:11s} {scope or 'semua wilayah'}")
    return lines


def seed_demo_users():
    sm = appbuilder.sm
    password = current_app.config["DEMO_PASSWORD"]
    for username, role_name, scope, full_name in DEMO_USERS:
        if sm.find_user(username=username):
            continue
        first, _, last = full_name.partition(" ")
        user = sm.add_user(username, first, last or "-", f"{username}@demo.kkmp.local", [sm.find_role(role_name)],
                           password=password)
        if scope and scope.startswith("coop:"):
            user.scope_cooperative_id = db.session.scalar(
                select(Cooperative.id).where(Cooperative.region_code == scope[5:]))
        elif scope:
            user.scope_region_code = scope
    db.session.commit()


def seed_demo(force=False):
    """Load the demo registry and users. Returns (loaded?, login lines)."""
    if not current_app.config.get("DEMO_USERS_ALLOWED"):
        raise RuntimeError("demo data is for development only")
    has_coops = db.session.scalar(select(func.count()).select_from(Cooperative))
    if has_coops and not force:
        return False, demo_logins()
    for seq, (code, pilot, stage, units, address) in enumerate(COOPS, start=1):
        if db.session.scalar(select(Cooperative.id).where(Cooperative.region_code == code)):
            continue
        coop = create_cooperative(code, is_pilot=pilot, address=address, **_legal_fields(stage, seq))
        for kind, status in units.items():
            started = FULL["operating_since"] if status == "beroperasi" else None
            db.session.add(BusinessUnit(cooperative=coop, kind=kind, status=status, started_on=started))
        if ORDER.index(stage) >= ORDER.index("akta"):
            _organs(coop, seq, complete=stage != "akta")
    db.session.commit()
    from app.ledger.demo import seed as seed_ledger
    from app.members.demo import seed as seed_members

    coops = {c.region_code: c for c in db.session.scalars(select(Cooperative))}
    seed_ledger(db.session, coops)
    seed_members(db.session, coops)
    db.session.commit()
    from app.savings.demo import seed as seed_savings

    seed_savings(db.session, coops)
    db.session.commit()
    from app.inventory.demo import seed as seed_inventory

    seed_inventory(db.session, coops)

    from app.pupuk.demo import seed as seed_pupuk

    seed_pupuk(db.session, coops)

    # after the inventory: last year's closed books of the demo cooperative sell from its gerai
    from app.shu.demo import seed as seed_shu

    seed_shu(db.session, coops)

    from app.oversight.demo import seed as seed_oversight

    seed_oversight(db.session, coops)
    db.session.commit()
    seed_demo_users()
    return True, demo_logins()
