"""The platform: configuration, migrations, regions, CLI, language."""
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from app.regions.models import Region, kind_of_code


def test_production_refuses_to_start_without_secret_key_and_database_url(monkeypatch):
    from config import ConfigError, config_for

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY, DATABASE_URL"):
        config_for("production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        config_for("production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        config_for("production")


def test_production_config_is_hardened(monkeypatch):
    from config import config_for

    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    cfg = config_for("production")
    assert cfg.SESSION_COOKIE_SECURE and cfg.SESSION_COOKIE_HTTPONLY and cfg.SESSION_COOKIE_SAMESITE == "Lax"
    assert cfg.FAB_CREATE_DB is False and cfg.FAB_UPDATE_PERMS is False
    assert cfg.DEMO_USERS_ALLOWED is False
    assert cfg.WTF_CSRF_ENABLED is True
    assert cfg.SQLALCHEMY_DATABASE_URI == "postgresql://u@h/db"


def test_region_table_holds_every_kemendagri_code_with_the_documented_counts(app, sysdb):
    counts = dict(sysdb.execute(select(Region.kind, func.count()).group_by(Region.kind)).all())
    assert sum(counts.values()) == 91599
    assert counts["provinsi"] == 38
    assert counts["kabupaten"] + counts["kota"] == 514
    assert counts["kecamatan"] == 7285
    assert counts["kelurahan"] + counts["desa"] == 83762
    assert counts["kelurahan"] == 8496
    jakarta = {code: sysdb.scalar(select(func.count()).select_from(Region).where(
        Region.kind == "kelurahan", Region.code.like(code + ".%"))) for code in
        ["31.71", "31.72", "31.73", "31.74", "31.75", "31.01"]}
    assert jakarta == {"31.71": 44, "31.72": 31, "31.73": 56, "31.74": 65, "31.75": 65, "31.01": 6}
    kebon_jeruk = sysdb.get(Region, "31.73.05.1001")
    assert (kebon_jeruk.name, kebon_jeruk.kind, kebon_jeruk.parent.name, kebon_jeruk.parent.parent.code) == (
        "Kebon Jeruk", "kelurahan", "Kebon Jeruk", "31.73")


def test_region_kind_comes_from_the_code():
    assert kind_of_code("31") == "provinsi"
    assert kind_of_code("31.73") == "kota"
    assert kind_of_code("11.01") == "kabupaten"
    assert kind_of_code("31.73.05") == "kecamatan"
    assert kind_of_code("31.73.05.1001") == "kelurahan"
    assert kind_of_code("11.01.01.2001") == "desa"


def test_loading_regions_twice_changes_nothing(app, sysdb):
    from app.regions.services import load_regions

    before = sysdb.scalar(select(func.count()).select_from(Region))
    n_file, n_table, seconds = load_regions(app.config["REGIONS_CSV"], sysdb)
    assert (n_file, n_table, before) == (91599, 91599, 91599)
    assert seconds < 30


def test_cli_group_offers_the_documented_commands(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["kkmp", "--help"])
    for command in ("init", "load-regions", "seed-demo"):
        assert command in result.output
    result = runner.invoke(args=["kkmp", "init"])
    assert result.exit_code == 0, result.output
    assert "Sudin" in result.output and "Sekretaris" in result.output


def test_migrations_match_the_models(app):
    """Alembic owns the schema: autogenerate against the migrated database finds nothing to add."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            from app.core.schema import include_object_for

            ctx = MigrationContext.configure(conn, opts={"compare_type": False,
                                                         "include_object": include_object_for(conn.dialect.name)})
            diff = compare_metadata(ctx, db.metadata)
    assert diff == []


def test_pages_speak_indonesian_by_default_and_english_on_request(login):
    s = login("admin")
    html = s.get("/koperasi/list/").get_data(as_text=True)
    assert "Koperasi Kelurahan Merah Putih" in html
    assert "Jumlah Data" in html or "Jumlah data" in html  # FAB's own "Record Count"
    assert "Record Count" not in html
    s.get("/lang/en")
    html = s.get("/koperasi/list/").get_data(as_text=True)
    assert "Record Count" in html


def test_no_page_loads_assets_from_the_internet(login):
    s = login("admin")
    for url in ["/", "/koperasi/list/", "/wilayah/list/", "/login/"]:
        html = s.get(url).get_data(as_text=True)
        for match in ("src=\"http", "href=\"http", "src='http", "href='http", "//cdn", "googleapis", "gstatic"):
            assert match not in html, (url, match)
