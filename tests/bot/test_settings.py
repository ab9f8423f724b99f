"""Settings are read from the environment as the README documents."""

import pytest

from bot.settings import (
    BOT_FRAMEWORK_OPENID_METADATA_URL,
    BOT_FRAMEWORK_TENANT,
    BOT_FRAMEWORK_TOKEN_ISSUER,
    BOT_FRAMEWORK_TOKEN_URL,
    ROOT,
    load_settings,
)


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


def test_public_guidance_for_the_unregistered_is_off_unless_switched_on():
    assert not load_settings({}).allow_unregistered_guidance
    assert not load_settings({"FA_ALLOW_UNREGISTERED_GUIDANCE": "no"}).allow_unregistered_guidance
    for value in ("1", "true", "YES", "on"):
        settings = load_settings({"FA_ALLOW_UNREGISTERED_GUIDANCE": value})
        assert settings.allow_unregistered_guidance
        assert settings.telegram.allow_unregistered and settings.teams.allow_unregistered


def test_bridge_secret_redis_and_the_stores_read_once():
    settings = load_settings(
        {
            "FA_TELEGRAM_BRIDGE_TOKEN": "s3cret",
            "REDIS_URL": "redis://127.0.0.1:6379/2",
            "DATABASE_URL": "postgres://u@h/fa",
        }
    )
    assert settings.telegram_bridge_token == settings.telegram.channel_token == "s3cret"
    assert settings.redis_url == "redis://127.0.0.1:6379/2"
    assert settings.database_url == settings.teams.database_url == "postgresql://u@h/fa"
    assert load_settings({}).redis_url is None and load_settings({}).telegram_bridge_token == ""


def test_telegram_settings_are_read_without_failing_and_checked_when_used():
    unset = load_settings({"FA_RASA_PORT": "5099"}).telegram
    assert unset.rest_url == "http://127.0.0.1:5099/webhooks/rest/webhook"
    assert (unset.mode, unset.listen, unset.port, unset.api_base_url) == (
        "polling",
        "127.0.0.1",
        8081,
        "https://api.telegram.org",
    )
    with pytest.raises(ValueError, match="TELEGRAM_BOT_TOKEN is not set"):
        unset.check()
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_PORT must be a port number"):
        load_settings({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_PORT": "x"}).telegram.check()
    webhook = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "1:a",
            "TELEGRAM_MODE": "Webhook",
            "TELEGRAM_WEBHOOK_URL": "https://a.example.org/tg/hook",
            "TELEGRAM_WEBHOOK_SECRET": "abc",
        }
    ).telegram
    assert webhook.check() is webhook and webhook.mode == "webhook" and webhook.webhook_path == "/tg/hook"


def test_teams_package_settings_and_the_bot_framework_endpoints():
    from botframework.connector.auth.authentication_constants import AuthenticationConstants as Constants

    assert BOT_FRAMEWORK_OPENID_METADATA_URL == Constants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    assert BOT_FRAMEWORK_TOKEN_ISSUER == Constants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
    assert BOT_FRAMEWORK_TOKEN_URL.format(tenant=BOT_FRAMEWORK_TENANT) == (
        Constants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
        + Constants.DEFAULT_CHANNEL_AUTH_TENANT
        + Constants.TO_CHANNEL_FROM_BOT_TOKEN_ENDPOINT_PATH
    )
    teams = load_settings({"TEAMS_APP_ID": "a-b", "TEAMS_ALLOWED_ISSUERS": " x , y ,"}).teams
    assert (teams.manifest_id, teams.app_version, teams.website_url) == ("a-b", "1.0.0", "https://www.cafcass.gov.uk")
    assert teams.allowed_issuers == ("x", "y") and teams.max_message_chars == 4000
    assert not load_settings({}).teams.configured and load_settings({}).teams.check()
