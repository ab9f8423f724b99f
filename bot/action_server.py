"""Starts the rasa-sdk action server on the configured interface only (`rasa run actions` binds 0.0.0.0)."""

from rasa_sdk.endpoint import create_app

from bot.settings import load_settings


def main() -> None:
    settings = load_settings()
    app = create_app("actions", cors_origins=None)
    app.run(host=settings.action_host, port=settings.action_port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
