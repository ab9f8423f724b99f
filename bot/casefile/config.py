"""Where the case file keeps its data and what a case reference looks like, read from environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bot.settings import ROOT

DEFAULT_CASE_REFERENCE_PATTERN = r"^[A-Z]{2}\d{2}[A-Z]\d{5}$"


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """CASEFILE_DATABASE_URL, else DATABASE_URL, else a SQLite file in FA_VAR_DIR (default var/)."""
    env = os.environ if environ is None else environ
    url = env.get("CASEFILE_DATABASE_URL") or env.get("DATABASE_URL")
    if not url:
        var_dir = Path(env.get("FA_VAR_DIR", ROOT / "var")).resolve()
        return f"sqlite:///{var_dir / 'casefile.db'}"
    if url.startswith("postgres://"):
        return "postgresql://" + url[len("postgres://"):]
    return url


def case_reference_pattern(environ: Mapping[str, str] | None = None) -> str:
    """FA_CASE_REFERENCE_PATTERN, else family court numbers such as ZW25P01234."""
    env = os.environ if environ is None else environ
    return env.get("FA_CASE_REFERENCE_PATTERN") or DEFAULT_CASE_REFERENCE_PATTERN
