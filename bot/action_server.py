"""Starts the rasa-sdk action server on the configured interface only (`rasa run actions` binds 0.0.0.0), answering
only calls that carry the Rasa server's secret."""

import hmac
import json
import logging
import sys
import zlib

# Nothing here uses TensorFlow, but spaCy's thinc imports it whenever it is installed (it is, for
# Rasa): about 500 MB of the action server's memory. Marked absent, thinc goes without it.
sys.modules.setdefault("tensorflow", None)

from rasa_sdk.endpoint import create_app  # noqa: E402
from sanic import Sanic, response  # noqa: E402
from sanic.exceptions import SanicException  # noqa: E402
from sanic.request import Request  # noqa: E402

from bot import case_content  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402

log = logging.getLogger(__name__)

# The header endpoints.yml has the Rasa server send on every action call, holding FA_ACTION_TOKEN.
TOKEN_HEADER = "X-FA-Action-Token"
# Paths that answer without the secret: the health check, which says nothing but "ok".
OPEN_PATHS = ("/health",)


def warm_up() -> None:
    """Load and validate all knowledge before the first message, so a bad data file stops start-up."""
    from knowledge.answers import load_jargon
    from knowledge.currency import load_currency
    from knowledge.offence_schedule import lookup
    from knowledge.passages import passage_ranker
    from knowledge.police_check import load_police_check
    from knowledge.referral import load_referral
    from knowledge.s120_pathway import load_pathway
    from knowledge.screening import load_screening
    from knowledge.search import framework_index
    from knowledge.serious_case_review import load_serious_case_review
    from knowledge.staff_allegations import load_staff_allegations
    from knowledge.topics import load_topics

    load_topics()
    load_jargon()
    load_currency()
    for load_decision in (
        load_pathway,
        load_police_check,
        load_referral,
        load_screening,
        load_serious_case_review,
        load_staff_allegations,
    ):
        load_decision()
    framework_index()
    passage_ranker()
    lookup("assault")


def authorised(token: str, request: Request) -> bool:
    """Whether a call carries the action server's secret (compared in constant time)."""
    given = request.headers.get(TOKEN_HEADER, "")
    return bool(token) and hmac.compare_digest(token.encode(), given.encode())


def action_call(request: Request) -> dict | None:
    """The action call a request carries (Rasa may deflate it), or None."""
    try:
        if request.headers.get("Content-Encoding") == "deflate":
            return json.loads(zlib.decompress(request.body))
        return request.json
    except (ValueError, zlib.error):
        return None


def build_app(token: str, settings: Settings | None = None) -> Sanic:
    """The rasa-sdk app: every call but the health check refused with 401 unless it carries `token`; for a Telegram
    user, only guidance actions run (bot/case_content.py); every other action's messages marked as case content for
    the conversation store; errors answered and logged without the call's content."""
    if not token:
        raise SystemExit("FA_ACTION_TOKEN is not set: the action server refuses to start without its secret.")
    settings = settings or load_settings()
    app = create_app("actions", cors_origins=None)
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    guidance = case_content.guidance_actions(executor)

    @app.middleware("request")
    async def require_secret(request: Request):
        if request.path not in OPEN_PATHS and not authorised(token, request):
            return response.json({"error": "Not authorised."}, status=401)
        if request.path == "/webhook":
            call = action_call(request)
            if (
                isinstance(call, dict)
                and call.get("next_action") not in guidance
                and case_content.channel_of(call) == case_content.TELEGRAM
            ):
                return response.json(case_content.mark_responses(await case_content.telegram_reply(call, settings)))
        return None

    @app.middleware("response")
    async def mark_case_content(request: Request, answer):
        # Every message of an action outside the guidance modules is kept by the conversation store as a reference
        # only (bot/case_content.py): marked here, where every reply leaves, rather than in each action.
        if request.path != "/webhook" or answer.status != 200 or not authorised(token, request):
            return None
        call = action_call(request)
        if not isinstance(call, dict) or call.get("next_action") in guidance:
            return None
        try:
            reply = json.loads(answer.body)
        except (TypeError, ValueError):
            return None
        if not isinstance(reply, dict):
            return None
        return response.json(case_content.mark_responses(reply), status=answer.status)

    async def failed(request: Request, exception: Exception):
        # rasa-sdk's own handler logs and returns the whole request, conversation and all.
        if isinstance(exception, SanicException):
            return response.json({"error": str(exception)}, status=exception.status_code)
        log.error("An action call failed: %s", type(exception).__name__)
        return response.json({"error": "The action failed."}, status=500)

    app.error_handler.add(Exception, failed)
    return app


def main() -> None:
    settings = load_settings()
    warm_up()
    app = build_app(settings.action_token)
    app.run(host=settings.action_host, port=settings.action_port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
