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
