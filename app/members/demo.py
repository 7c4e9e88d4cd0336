"""Demo rows for this domain, called by app.demo.seed_demo() after the cooperatives exist.

A few dozen members in Kebon Jeruk, Lempake and Cemorokandang (many farmers there) and a handful in Sukabumi Utara,
entered, approved and activated through the services like a real board would. NIKs are well-formed and agree with
the birth date and sex (day + 40 for women); some were first issued elsewhere (the NIK prefix is where a NIK was
first issued, not where its holder lives now). Names are invented.
"""
import random
from datetime import date, timedelta

from app.core.dates import local_today

from . import services
from .models import Member

MEN = ["Ahmad", "Budi", "Agus", "Bambang", "Dedi", "Eko", "Fajar", "Hadi", "Iwan", "Joko", "Rudi", "Slamet",
       "Sugeng", "Wahyu", "Yusuf", "Rahmat", "Hendra", "Andi", "Supriyadi", "Teguh", "Muhammad", "Imam"]
WOMEN = ["Siti", "Sri", "Dewi", "Ratna", "Yuliana", "Endang", "Nur", "Wati", "Ani", "Rina", "Lestari",
         "Sulastri", "Indah", "Kartini", "Fitri", "Nurul", "Ayu", "Suparmi"]
FAMILY = ["Santoso", "Wijaya", "Hidayat", "Saputra", "Kurniawan", "Rahayu", "Setiawan", "Pratama", "Susanto",
          "Nugroho", "Handayani", "Purnamasari", "Maulana", "Siregar", "Hasanah", "Wahyuni", "Prasetyo"]

# kelurahan code: (how many, streets, occupations, other places where NIKs were first issued)
PLACES = {
    "31.73.05.1001": (26, ["Jl. Kebon Jeruk Raya", "Jl. Kebon Jeruk XIII", "Gg. Masjid Al-Ikhlas", "Jl. Panjang"],
                      ["Pedagang", "Karyawan swasta", "Ibu rumah tangga", "Wiraswasta", "Pengemudi ojek daring",
                       "Guru", "Pensiunan"], ["320101", "330201"]),
    "31.73.05.1002": (4, ["Jl. Sukabumi Utara", "Jl. Kelapa Dua Raya"], ["Pedagang", "Karyawan swasta"],
                      ["317305"]),
    "64.72.05.1003": (24, ["Jl. D.I. Panjaitan Gg. Lempake", "Jl. Lempake Jaya", "Jl. Bengkuring Raya"],
                      ["Pedagang", "Petani", "Karyawan swasta", "Wiraswasta", "Ibu rumah tangga", "Buruh"],
                      ["647101", "350701"]),
    "35.73.03.1010": (26, ["Jl. Cemorokandang", "Jl. Ki Ageng Gribig", "Jl. Raya Tlogowaru"],
                      ["Petani", "Petani", "Petani", "Buruh tani", "Peternak", "Pedagang", "Ibu rumah tangga"],
                      ["350701", "351801"]),
}


def _nik(prefix, born, sex, serial):
    day = born.day + (40 if sex == "P" else 0)
    return f"{prefix}{day:02d}{born:%m%y}{serial:04d}"


def seed(session, coops_by_code):
    """:param coops_by_code: {kelurahan code: Cooperative} of the demo cooperatives."""
    rnd = random.Random(20251001)
    actor = services.SYSTEM_ACTOR
    serial = 0
    for code, (count, streets, jobs, other_prefixes) in PLACES.items():
        coop = coops_by_code.get(code)
        if coop is None:
            continue
        today = local_today(coop)  # the cooperative's own date, never the server's UTC one
        own_prefix = code.replace(".", "")[:6]
        for i in range(count):
            serial += 1
            sex = "P" if i % 2 else "L"
            first = rnd.choice(WOMEN if sex == "P" else MEN)
            name = f"{first} {rnd.choice(FAMILY)}"
            born = date(rnd.randint(1950, 2004), rnd.randint(1, 12), rnd.randint(1, 28))
            prefix = own_prefix if rnd.random() < 0.75 else rnd.choice(other_prefixes)
            join = date(2025, 6, 2) + timedelta(days=rnd.randint(0, 120))
            member = Member(cooperative=coop, nik=_nik(prefix, born, sex, serial), name=name, sex=sex,
                            birth_date=born, address=f"{rnd.choice(streets)} No. {rnd.randint(1, 120)}",
                            rt=f"{rnd.randint(1, 12):03d}", rw=f"{rnd.randint(1, 9):03d}", domicile_code=code,
                            phone=f"08{rnd.randint(11, 59)}{rnd.randint(10000000, 99999999)}",
                            occupation=rnd.choice(jobs), join_date=join)
            services.register_member(session, member, actor, today=today)
            session.flush()
            # Most are active; the last few of each cooperative are still waiting, approved, or have left.
            stage = "aktif" if i < count - 4 else ["permohonan", "disetujui", "keluar", "meninggal"][i - (count - 4)]
            if count < 5:
                stage = "aktif" if i < count - 1 else "permohonan"
            if stage == "permohonan":
                continue
            services.do_approve(session, member, actor, on=join + timedelta(days=7), today=today)
            if stage == "disetujui":
                continue
            services.do_activate(session, member, actor, on=join + timedelta(days=14), today=today)
            if stage in ("keluar", "meninggal"):
                services.do_end(session, member, actor, stage, on=join + timedelta(days=60),
                                note="Pindah domisili" if stage == "keluar" else None, today=today)
            session.flush()
