"""Realistic data for bench/members_bench.py (issue 13 part 4), set-based SQL on PostgreSQL.

* 267 cooperatives (DKI Jakarta kelurahan) of skewed sizes: four with 4 % of all members each (20,000 at
  500,000; one of them KKMP Kebon Jeruk in the Sudin's city 31.73), the rest log-normal (most a few hundred
  to two thousand), each with its own share of exits (2-15 %);
* names from bench/names_id.py (249 given x 149 family names) drawn with Zipf-like weights (index ~ n * u^2.2):
  a third single-word names, some two given names, most given + family name;
* two years of history: joins spread over the period, then per member one pokok deposit, wajib deposits for a
  varying share of the months (sometimes three months at once), sukarela deposits in skewed numbers and amounts,
  sukarela withdrawals (each against an earlier deposit of at least its amount, so no balance or the kas ever goes
  below zero), reversals of deposits entered by mistake, and exit settlements of most members who left (pokok and
  wajib paid back, some with a share of losses);
* every money movement has the journal entry the posting service writes (post_entry / reverse_entry /
  do_exit_settlement): the same accounts, descriptions, references, source and reversal links, gapless
  JU-YYYY-nnnnnn numbers and KW-YYYY-nnnnnn receipts per cooperative and year in date order, the counters at the
  last number, the months' ledger_period rows; the kept balances are then built by app.ledger.balances.rebuild
  and `flask kkmp reconcile` must agree. Savings balances are the sums of the transactions.

Not generated: wajib bills (a wajib deposit here settles no bill: the bill tables stay empty, as in a
cooperative that has not run the monthly billing), pokok in instalments, imports, prints.
"""
import math
import random
import time
from datetime import timedelta

from names_id import FAMILY, GIVEN, STREETS


def arr(values):
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def coop_sizes(n_coops, members, big_index, seed=42):
    """Member count per cooperative (list in cooperative order): four big ones at 4 % each, the rest log-normal."""
    rng = random.Random(seed)
    big = set(rng.sample([i for i in range(n_coops) if i != big_index], 3)) | {big_index}
    weights = [rng.lognormvariate(0, 1.2) for _ in range(n_coops)]
    rest = members - int(members * 0.04) * len(big)
    small_total = sum(w for i, w in enumerate(weights) if i not in big)
    sizes = [int(members * 0.04) if i in big else max(20, int(rest * w / small_total)) for i, w in enumerate(weights)]
    # the floor of 20 members made the sum drift: spread the difference over the largest small ones
    order = sorted((i for i in range(n_coops) if i not in big), key=lambda i: -sizes[i])
    diff = members - sum(sizes)
    while diff:
        for i in order:
            step = 1 if diff > 0 else -1
            if sizes[i] + step >= 20:
                sizes[i] += step
                diff -= step
            if not diff:
                break
    assert sum(sizes) == members and min(sizes) >= 20
    return sizes


def generate_members(cur, members, key, today):
    """Cooperatives exist; write members, nik_registry and member counters. Returns the per-coop sizes."""
    given = list(dict.fromkeys(GIVEN))
    family = list(dict.fromkeys(FAMILY))
    cur.execute("SELECT id, region_code FROM cooperative ORDER BY region_code")
    coops = cur.fetchall()
    big_index = next((i for i, (_, code) in enumerate(coops) if code == "31.73.05.1001"), 0)
    sizes = coop_sizes(len(coops), members, big_index)
    rng = random.Random(7)
    cur.execute("CREATE TEMP TABLE bench_cs (id int PRIMARY KEY, size int, base bigint, exit_rate float8)")
    base = 0
    rows = []
    for (cid, _), size in zip(coops, sizes):
        rows.append((cid, size, base, rng.uniform(0.02, 0.15)))
        base += size
    from psycopg2.extras import execute_values

    execute_values(cur, "INSERT INTO bench_cs VALUES %s", rows)
    start = today - timedelta(days=730)
    g_arr, f_arr = arr(given), arr(family)
    ng, nf = len(given), len(family)
    pick_g = f"({g_arr})[1 + floor({ng} * power(random(), 2.2))::int]"
    pick_f = f"({f_arr})[1 + floor({nf} * power(random(), 2.2))::int]"
    cur.execute(f"""
        CREATE TEMP TABLE bench_raw AS
        SELECT cs.base + i AS g, c.id AS coop_id, c.region_code,
               CASE WHEN r < cs.exit_rate THEN 'keluar' WHEN r < cs.exit_rate + 0.02 THEN 'disetujui'
                    WHEN r < cs.exit_rate + 0.05 THEN 'permohonan' ELSE 'aktif' END AS status,
               CASE WHEN random() < 0.5 THEN 'L' ELSE 'P' END AS sex,
               -- a third joined in the first weeks, the rest over the two years
               CASE WHEN random() < 0.35 THEN %(start)s::date + floor(random() * 30)::int
                    ELSE %(start)s::date + floor(random() * 700)::int END AS joined,
               random() AS p, random() AS q
          FROM bench_cs cs JOIN cooperative c ON c.id = cs.id, generate_series(1, cs.size) AS i,
               LATERAL (SELECT random() AS r WHERE i > 0) rr""", dict(start=start))
    # a member who left: joined at least 90 days before today, left between 30 days after becoming active and
    # 5 days ago
    cur.execute("""UPDATE bench_raw SET joined = least(joined, %(today)s::date - 90) WHERE status = 'keluar'""",
                dict(today=today))
    cur.execute(f"""
        WITH numbered AS (
          SELECT b.*, CASE WHEN status <> 'permohonan' THEN
                   row_number() OVER (PARTITION BY coop_id, status = 'permohonan' ORDER BY joined, g) END AS seq,
                 date '1950-01-01' + (g %% 20000)::int AS birth, (g / 20000) + 1 AS serial
            FROM bench_raw b)
        INSERT INTO member (cooperative_id, member_seq, member_number, nik, nik_hmac, name, name_key, sex, birth_date,
                            address, rt, rw, domicile_code, phone, occupation, join_date, status, approved_on,
                            active_since, ended_on, end_note, version)
        SELECT coop_id, seq, CASE WHEN seq IS NOT NULL THEN 'A-' || lpad(seq::text, 6, '0') END, nik,
               encode(hmac(nik, %(key)s, 'sha256'), 'hex'), full_name, lower(full_name), sex, birth,
               'Jl. ' || ({arr(STREETS)})[1 + (g %% {len(STREETS)})::int] || ' No. ' || (1 + g %% 250),
               lpad((1 + g %% 15)::text, 3, '0'), lpad((1 + g %% 9)::text, 3, '0'), region_code,
               '0812' || lpad((g %% 100000000)::text, 8, '0'),
               (ARRAY['Wiraswasta','Pedagang','Karyawan swasta','Ibu rumah tangga','Buruh','Petani','Guru',
                      'Pengemudi','PNS','Pensiunan'])[1 + floor(10 * power(q, 1.5))::int],
               joined, status, CASE WHEN status <> 'permohonan' THEN joined + 7 END,
               CASE WHEN status IN ('aktif', 'keluar') THEN joined + 14 END,
               CASE WHEN status = 'keluar' THEN joined + 44 + floor(q * greatest(0, %(today)s::date - joined - 49))::int END,
               CASE WHEN status = 'keluar' THEN (ARRAY['Pindah domisili','Mengundurkan diri','Pindah kerja'])
                    [1 + floor(3 * q)::int] END, 1
          FROM (SELECT numbered.*,
                       replace(substr(region_code, 1, 8), '.', '')
                       || lpad((extract(day FROM birth)::int + CASE WHEN sex = 'P' THEN 40 ELSE 0 END)::text, 2, '0')
                       || to_char(birth, 'MMYY') || lpad(serial::text, 4, '0') AS nik,
                       CASE WHEN p < 0.33 THEN {pick_g}
                            WHEN p < 0.45 THEN {pick_g} || ' ' || {pick_g}
                            WHEN p < 0.92 THEN {pick_g} || ' ' || {pick_f}
                            ELSE {pick_g} || ' ' || {pick_g} || ' ' || {pick_f} END AS full_name
                  FROM numbered) s
         ORDER BY g""", dict(key=key, today=today))
    cur.execute("DROP TABLE bench_raw")
    cur.execute("""INSERT INTO nik_registry (nik_hmac, member_id, cooperative_id)
                   SELECT nik_hmac, id, cooperative_id FROM member
                    WHERE status IN ('permohonan', 'disetujui', 'aktif')""")
    cur.execute("""INSERT INTO member_counter (cooperative_id, last_number)
                   SELECT c.id, coalesce(max(m.member_seq), 0) FROM cooperative c
                     LEFT JOIN member m ON m.cooperative_id = c.id GROUP BY c.id""")
    return sizes


KIND_LABEL = {"pokok": "Simpanan pokok", "wajib": "Simpanan wajib", "sukarela": "Simpanan sukarela"}
REASONS = ["salah input nominal", "salah pilih anggota", "setoran ganda", "salah jenis simpanan"]


def generate_savings(cur, transactions, today):
    """Savings transactions with their journals (see the module docstring). Returns counts by sort."""
    cur.execute("""CREATE TEMP TABLE bench_m AS
                   SELECT id, cooperative_id AS coop_id, member_number, name, active_since,
                          CASE WHEN status = 'keluar' THEN ended_on - 1 ELSE %(today)s::date END AS last_day,
                          status = 'keluar' AS gone
                     FROM member WHERE status IN ('aktif', 'keluar')""", dict(today=today))
    cur.execute("ALTER TABLE bench_m ADD COLUMN w float8, ADD COLUMN n_suk int")
    cur.execute("SELECT count(*), coalesce(avg(last_day - active_since), 0) FROM bench_m")
    n_m, avg_days = cur.fetchone()
    months = max(1.0, float(avg_days) / 30.4)
    # per member: 1 pokok + wajib on ~60 % of months + sukarela deposits (x 1.35 with withdrawals): aim at
    # ``transactions`` in all
    suk_mean = max(0.3, (transactions / max(n_m, 1) - 1 - 0.5 * months) / 1.35)
    # per member, once: the share of months paid (w) and the number of sukarela deposits (exponential)
    cur.execute("UPDATE bench_m SET w = random(), n_suk = floor(-ln(1 - random()) * %(mean)s)::int",
                dict(mean=suk_mean))
    cur.execute("""CREATE TEMP TABLE bench_ev (
                     ek bigint PRIMARY KEY, coop_id int, member_id int, kind text, direction text,
                     amount numeric(18,2), tx_date date, note text, idem text, orig_ek bigint, settlement_id int,
                     paired boolean DEFAULT false, reason text)""")
    cur.execute("CREATE TEMP SEQUENCE bench_ek")
    # pokok, at becoming active
    cur.execute("""INSERT INTO bench_ev (ek, coop_id, member_id, kind, direction, amount, tx_date)
                   SELECT nextval('bench_ek'), coop_id, id, 'pokok', 'setor', 100000.00, active_since
                     FROM bench_m WHERE active_since <= last_day""")
    # wajib: each member pays a share w of the months (w skewed towards "almost every month"), 10 % of the
    # payments cover three months at once
    cur.execute("""
        INSERT INTO bench_ev (ek, coop_id, member_id, kind, direction, amount, tx_date)
        SELECT nextval('bench_ek'), m.coop_id, m.id, 'wajib', 'setor',
               CASE WHEN random() < 0.1 THEN 30000.00 ELSE 10000.00 END,
               m.active_since + (k - 1) * 30 + floor(random() * 6)::int
          FROM bench_m m,
               generate_series(1, greatest(0, floor((m.last_day - m.active_since) / 30.4 * m.w)::int)) AS k
         WHERE m.active_since + (k - 1) * 30 + 5 <= m.last_day""")
    # sukarela deposits: exponential numbers per member (many few, some many), amounts 10,000 .. 1,000,000
    # skewed small
    cur.execute("""
        INSERT INTO bench_ev (ek, coop_id, member_id, kind, direction, amount, tx_date)
        SELECT nextval('bench_ek'), m.coop_id, m.id, 'sukarela', 'setor',
               round(10 + 990 * power(random(), 3)) * 1000.00,
               m.active_since + floor(random() * (m.last_day - m.active_since + 1))::int
          FROM bench_m m, generate_series(1, m.n_suk) AS k""")
    # sukarela withdrawals: a third of the deposits is drawn on later, by 20-100 % of that deposit
    cur.execute("""
        WITH picked AS (
          SELECT e.ek, e.coop_id, e.member_id, e.amount, e.tx_date + 1 + floor(random() * 60)::int AS day,
                 m.last_day
            FROM bench_ev e JOIN bench_m m ON m.id = e.member_id
           WHERE e.kind = 'sukarela' AND random() < 0.35),
        ins AS (
          INSERT INTO bench_ev (ek, coop_id, member_id, kind, direction, amount, tx_date, orig_ek)
          SELECT nextval('bench_ek'), coop_id, member_id, 'sukarela', 'tarik',
                 greatest(1000, round(amount * (0.2 + 0.8 * random()) / 1000) * 1000), day, -ek
            FROM picked WHERE day <= last_day
          RETURNING orig_ek)
        UPDATE bench_ev SET paired = true FROM ins WHERE bench_ev.ek = -ins.orig_ek""")
    cur.execute("UPDATE bench_ev SET orig_ek = NULL WHERE orig_ek < 0")
    # reversals: 0.5 % of the wajib and undrawn sukarela deposits of members still in, within ten days
    cur.execute("""
        INSERT INTO bench_ev (ek, coop_id, member_id, kind, direction, amount, tx_date, orig_ek, reason)
        SELECT nextval('bench_ek'), e.coop_id, e.member_id, e.kind, 'tarik', e.amount,
               least(e.tx_date + floor(random() * 10)::int, %(today)s::date), e.ek,
               (%(reasons)s::text[])[1 + floor(random() * 4)::int]
          FROM bench_ev e JOIN bench_m m ON m.id = e.member_id
         WHERE NOT m.gone AND e.direction = 'setor' AND e.kind IN ('wajib', 'sukarela') AND NOT e.paired
           AND random() < 0.005""", dict(today=today, reasons=REASONS))
    # exit settlements: 80 % of the members who left, 3-20 days after, pokok and wajib paid back (10 % with a
    # 5 % share of losses)
    cur.execute("""
        CREATE TEMP TABLE bench_settle AS
        SELECT m.id AS member_id, m.coop_id, m.last_day + 1 + 3 + floor(random() * 17)::int AS settle_date,
               coalesce(sum(e.amount) FILTER (WHERE e.kind = 'pokok'), 0) AS pokok,
               coalesce(sum(CASE WHEN e.direction = 'setor' THEN e.amount ELSE -e.amount END)
                        FILTER (WHERE e.kind = 'wajib'), 0) AS wajib,
               random() < 0.1 AS with_loss
          FROM bench_m m JOIN bench_ev e ON e.member_id = m.id
         WHERE m.gone AND random() < 0.8
         GROUP BY m.id, m.coop_id, m.last_day""")
    cur.execute("DELETE FROM bench_settle WHERE settle_date > %(today)s OR pokok + wajib <= 0", dict(today=today))
    cur.execute("""
        INSERT INTO exit_settlement (cooperative_id, member_id, settle_date, pokok, wajib, loss_share, paid_out,
                                     note, created_by, version)
        SELECT coop_id, member_id, settle_date, pokok, wajib, l.loss, pokok + wajib - l.loss, NULL, 'bench', 1
          FROM bench_settle, LATERAL (SELECT CASE WHEN with_loss THEN round((pokok + wajib) * 0.05, -2)
                                                  ELSE 0 END AS loss) l""")
    cur.execute("""
        INSERT INTO bench_ev (ek, coop_id, member_id, kind, direction, amount, tx_date, settlement_id, note, idem)
        SELECT nextval('bench_ek'), s.cooperative_id, s.member_id, k.kind, 'tarik',
               CASE k.kind WHEN 'pokok' THEN s.pokok ELSE s.wajib END, s.settle_date, s.id,
               'Pengembalian saat keluar', 'exit-' || s.id || '-' || k.kind
          FROM exit_settlement s CROSS JOIN (VALUES ('pokok'), ('wajib')) AS k(kind)
         WHERE CASE k.kind WHEN 'pokok' THEN s.pokok ELSE s.wajib END > 0""")
    # receipts: gapless per cooperative and year in date order; the ids are the event keys
    cur.execute("""
        CREATE TEMP TABLE bench_tx AS
        SELECT e.*, extract(year FROM tx_date)::int AS y,
               row_number() OVER (PARTITION BY coop_id, extract(year FROM tx_date) ORDER BY tx_date, ek) AS seq
          FROM bench_ev e""")
    cur.execute("CREATE UNIQUE INDEX ON bench_tx (ek)")
    cur.execute("""
        INSERT INTO savings_transaction (id, cooperative_id, member_id, kind, direction, amount, tx_date, receipt_year,
                                         receipt_seq, receipt_number, idempotency_key, settlement_id, note,
                                         created_by, reversal_of_id, version)
        SELECT t.ek, t.coop_id, t.member_id, t.kind, t.direction, t.amount, t.tx_date, t.y, t.seq,
               'KW-' || t.y || '-' || lpad(t.seq::text, 6, '0'),
               coalesce(t.idem, CASE WHEN t.reason IS NOT NULL THEN 'koreksi-' || t.orig_ek ELSE 'bench-' || t.ek END),
               t.settlement_id,
               CASE WHEN t.reason IS NOT NULL THEN left('Koreksi atas ' || o.receipt || ': ' || t.reason, 255)
                    ELSE t.note END,
               'bench', CASE WHEN t.reason IS NOT NULL THEN t.orig_ek END, 1
          FROM bench_tx t
          LEFT JOIN LATERAL (SELECT 'KW-' || x.y || '-' || lpad(x.seq::text, 6, '0') AS receipt FROM bench_tx x
                              WHERE x.ek = t.orig_ek AND t.reason IS NOT NULL) o ON true
         ORDER BY t.tx_date, t.coop_id, t.seq""")
    cur.execute("SELECT setval(pg_get_serial_sequence('savings_transaction', 'id'), max(id)) FROM savings_transaction")
    cur.execute("""UPDATE savings_transaction o SET reversed_at = (r.tx_date + time '10:00') - interval '7 hours'
                     FROM savings_transaction r WHERE r.reversal_of_id = o.id""")
    # journal entries: one per transaction, one per exit settlement (its two transactions); numbered per
    # cooperative and year in date order
    cur.execute("""
        CREATE TEMP TABLE bench_je AS
        SELECT row_number() OVER (ORDER BY day, coop_id, first_ek) AS jid, x.*,
               row_number() OVER (PARTITION BY coop_id, extract(year FROM day) ORDER BY day, first_ek) AS seq
          FROM (SELECT coalesce(settlement_id::bigint * -1, ek) AS jk, min(ek) AS first_ek, min(coop_id) AS coop_id,
                       min(tx_date) AS day
                  FROM bench_tx GROUP BY 1) x""")
    cur.execute("CREATE UNIQUE INDEX ON bench_je (jk)")
    cur.execute("""
        INSERT INTO journal_entry (id, cooperative_id, number, year, seq, entry_date, description, reference,
                                   source_type, source_id, reverses_id, entry_type, status, posted_at, posted_by,
                                   total)
        SELECT j.jid, j.coop_id, 'JU-' || extract(year FROM j.day)::int || '-' || lpad(j.seq::text, 6, '0'),
               extract(year FROM j.day)::int, j.seq, j.day,
               left(CASE
                 WHEN s.id IS NOT NULL THEN 'Penyelesaian simpanan anggota keluar ' || coalesce(m.member_number, '')
                                            || ' ' || m.name
                 WHEN t.reason IS NOT NULL THEN 'Pembalik JU-' || extract(year FROM oj.day)::int || '-'
                      || lpad(oj.seq::text, 6, '0') || ': koreksi simpanan KW-' || ot.y || '-'
                      || lpad(ot.seq::text, 6, '0') || ' (KW-' || t.y || '-' || lpad(t.seq::text, 6, '0') || '): '
                      || t.reason
                 ELSE replace(CASE t.direction WHEN 'setor' THEN 'Setoran ' ELSE 'Penarikan ' END
                      || CASE t.kind WHEN 'pokok' THEN 'Simpanan pokok' WHEN 'wajib' THEN 'Simpanan wajib'
                                     ELSE 'Simpanan sukarela' END
                      || ' ' || coalesce(m.member_number, '') || ' ' || m.name, '  ', ' ') END, 255),
               CASE WHEN s.id IS NOT NULL THEN NULL
                    WHEN t.reason IS NOT NULL THEN 'JU-' || extract(year FROM oj.day)::int || '-'
                         || lpad(oj.seq::text, 6, '0')
                    ELSE 'KW-' || t.y || '-' || lpad(t.seq::text, 6, '0') END,
               CASE WHEN s.id IS NOT NULL THEN 'exit_settlement' WHEN t.reason IS NOT NULL THEN 'journal_entry'
                    ELSE 'savings_transaction' END,
               CASE WHEN s.id IS NOT NULL THEN s.id::text WHEN t.reason IS NOT NULL THEN oj.jid::text
                    ELSE t.ek::text END,
               CASE WHEN t.reason IS NOT NULL THEN oj.jid END,
               CASE WHEN t.reason IS NOT NULL THEN 'pembalik' ELSE 'umum' END, 'posted',
               (j.day + time '10:00') - interval '7 hours', 'bench',
               coalesce(s.pokok + s.wajib, t.amount)
          FROM bench_je j
          JOIN bench_tx t ON t.ek = j.first_ek
          JOIN bench_m m ON m.id = t.member_id
          LEFT JOIN exit_settlement s ON s.id = t.settlement_id
          LEFT JOIN bench_tx ot ON ot.ek = t.orig_ek AND t.reason IS NOT NULL
          LEFT JOIN bench_je oj ON oj.jk = ot.ek
         ORDER BY j.jid""")
    cur.execute("SELECT setval(pg_get_serial_sequence('journal_entry', 'id'), max(id)) FROM journal_entry")
    # lines: deposit Dr kas / Cr simpanan_<kind>; withdrawal Dr simpanan_sukarela / Cr kas; a reversal the
    # original's lines with debit and credit swapped; an exit Dr pokok, Dr wajib / Cr kas (paid out),
    # Cr shu_belum_dibagi (loss share)
    cur.execute("""
        CREATE TEMP TABLE bench_lines AS
        SELECT j.jid, j.coop_id, l.line_no, l.code, l.debit, l.credit, l.memo
          FROM bench_je j JOIN bench_tx t ON t.ek = j.first_ek AND t.settlement_id IS NULL
          CROSS JOIN LATERAL (
            SELECT * FROM (VALUES
              (1, CASE WHEN (t.direction = 'setor') = (t.reason IS NULL) THEN '111000'
                       ELSE CASE t.kind WHEN 'pokok' THEN '311000' WHEN 'wajib' THEN '312000' ELSE '211000' END END),
              (2, CASE WHEN (t.direction = 'setor') = (t.reason IS NULL)
                       THEN CASE t.kind WHEN 'pokok' THEN '311000' WHEN 'wajib' THEN '312000' ELSE '211000' END
                       ELSE '111000' END)) AS v(line_no, code),
            LATERAL (SELECT CASE WHEN (v.line_no = 1) = (t.reason IS NULL) THEN t.amount ELSE 0 END AS debit,
                            CASE WHEN (v.line_no = 1) = (t.reason IS NULL) THEN 0 ELSE t.amount END AS credit,
                            NULL::text AS memo) a) l""")
    # (a reversal swaps debit and credit of each original line, keeping the line order: line 1 is the original's
    # debit account, now credited)
    cur.execute("""
        INSERT INTO bench_lines
        SELECT j.jid, j.coop_id, v.line_no, v.code, v.debit, v.credit, v.memo
          FROM bench_je j JOIN exit_settlement s ON j.jk = -s.id::bigint
          CROSS JOIN LATERAL (VALUES (1, '311000', s.pokok, 0::numeric, NULL::text),
                                     (2, '312000', s.wajib, 0, NULL),
                                     (3, '111000', 0, s.paid_out, 'Dibayarkan kepada anggota'),
                                     (4, '317000', 0, s.loss_share, 'Bagian tanggungan kerugian')) AS v(line_no, code,
                                                                                                       debit, credit,
                                                                                                       memo)
         WHERE v.debit + v.credit > 0""")
    # renumber the exit lines without gaps (a zero pokok or wajib leaves none)
    cur.execute("""
        INSERT INTO journal_line (cooperative_id, entry_id, line_no, account_id, debit, credit, memo)
        SELECT l.coop_id, l.jid, row_number() OVER (PARTITION BY l.jid ORDER BY l.line_no), a.id, l.debit,
               l.credit, l.memo
          FROM bench_lines l JOIN account a ON a.cooperative_id = l.coop_id AND a.code = l.code""")
    cur.execute("UPDATE savings_transaction t SET journal_entry_id = j.jid FROM bench_je j "
                "WHERE j.jk = coalesce(t.settlement_id::bigint * -1, t.id)")
    cur.execute("UPDATE exit_settlement s SET journal_entry_id = j.jid FROM bench_je j WHERE j.jk = -s.id::bigint")
    cur.execute("""INSERT INTO journal_counter (cooperative_id, year, last_number)
                   SELECT cooperative_id, year, max(seq) FROM journal_entry GROUP BY 1, 2""")
    cur.execute("""INSERT INTO ledger_period (cooperative_id, year, month, status, version)
                   SELECT DISTINCT cooperative_id, year, extract(month FROM entry_date)::int, 'open', 1
                     FROM journal_entry""")
    cur.execute("""INSERT INTO savings_balance (cooperative_id, member_id, kind, balance, prepaid)
                   SELECT cooperative_id, member_id, kind,
                          sum(CASE WHEN direction = 'setor' THEN amount ELSE -amount END), 0
                     FROM savings_transaction GROUP BY cooperative_id, member_id, kind""")
    cur.execute("""INSERT INTO savings_receipt_counter (cooperative_id, year, last_number)
                   SELECT cooperative_id, receipt_year, max(receipt_seq) FROM savings_transaction
                    GROUP BY cooperative_id, receipt_year""")
    cur.execute("""SELECT count(*) FILTER (WHERE direction = 'setor' AND reversal_of_id IS NULL),
                          count(*) FILTER (WHERE direction = 'tarik' AND reversal_of_id IS NULL
                                           AND settlement_id IS NULL),
                          count(*) FILTER (WHERE reversal_of_id IS NOT NULL),
                          count(*) FILTER (WHERE settlement_id IS NOT NULL),
                          (SELECT count(*) FROM exit_settlement), (SELECT count(*) FROM journal_entry),
                          (SELECT count(*) FROM journal_line),
                          (SELECT count(*) FROM savings_balance WHERE balance < 0)
                     FROM savings_transaction""")
    keys = ("deposits", "withdrawals", "reversals", "exit transactions", "exit settlements", "journal entries",
            "journal lines", "negative balances")
    return dict(zip(keys, cur.fetchone()))
