"""Settings are read from the environment as the README documents."""

from bot.settings import ROOT, load_settings


def test_case_file_database_url_precedence(tmp_path):
    def database_url(env):
        return load_settings(env).casefile_database_url

    assert (
        database_url({"CASEFILE_DATABASE_URL": "postgresql://a/b", "DATABASE_URL": "postgresql://c/d"})
        == "postgresql://a/b"
    )
    assert database_url({"DATABASE_URL": "postgres://u@h:5432/fa"}) == "postgresql://u@h:5432/fa"
    assert database_url({"FA_VAR_DIR": str(tmp_path)}) == f"sqlite:///{tmp_path}/casefile.db"
    assert database_url({}) == f"sqlite:///{ROOT / 'var' / 'casefile.db'}"


def test_reminder_and_digest_settings():
    import pytest

    from bot.settings import load_settings

    default = load_settings({})
    assert (default.reminder_lead_minutes, default.digest_weekday, default.digest_hour) == (120, 0, 8)
    chosen = load_settings({"FA_REMINDER_LEAD_MINUTES": "30", "FA_DIGEST_WEEKDAY": "off", "FA_DIGEST_HOUR": "7"})
    assert (chosen.reminder_lead_minutes, chosen.digest_weekday, chosen.digest_hour) == (30, None, 7)
    with pytest.raises(ValueError, match="FA_DIGEST_HOUR"):
        load_settings({"FA_DIGEST_HOUR": "25"})
