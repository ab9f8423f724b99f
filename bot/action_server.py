"""Starts the rasa-sdk action server on the configured interface only (`rasa run actions` binds 0.0.0.0), answering
only calls that carry the Rasa server's secret."""

import asyncio
import base64
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
    add_casefile_calls(app)
    return app


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not a whole number")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


def _casefile_operation(operation: str, body: dict) -> object:
    """One case-file call of the Rasa server's channels (bot/casefile_client.py), against this server's case file;
    KeyError for an operation not offered, ValueError for a bad argument."""
    from dataclasses import asdict

    from bot.settings import case_file
    from casefile import Identity

    store = case_file()
    if operation == "find_staff":
        found = store.staff.find_by_identity(_text(body["channel"]), _text(body["external_id"]))
        return asdict(found) if found is not None else None
    if operation == "claim_notification":
        skip = body.get("skip") or []
        if not isinstance(skip, list):
            raise ValueError("skip is a list of notification numbers")
        found = store.claim_notification(_text(body["channel"]), skip=[_whole(n) for n in skip])
        return None if found is None else {**asdict(found), "created_at": found.created_at.isoformat()}
    if operation == "release_notification":
        return store.release_notification(_whole(body["id"]))
    if operation == "mark_delivered":
        return store.mark_delivered(_whole(body["id"]))
    if operation == "release_reminders":
        return store.follow_ups.release_reminders()
    if operation == "release_digests":
        return store.oversight.release_digests(_whole(body["weekday"]), _whole(body["hour"]))
    if operation == "export":
        if body.get("channel") != "teams":  # the only channel in the Rasa server that delivers files
            raise ValueError("exports are made here for Teams only")
        record_id = body.get("record_id")
        reference = body.get("case_reference")
        document = store.export(
            Identity("teams", _text(body["external_id"])),
            record_id=_whole(record_id) if record_id is not None else None,
            case_reference=_text(reference) if reference is not None else None,
            fmt=_text(body.get("format", "docx")),
        )
        return {
            "filename": document.filename,
            "media_type": document.media_type,
            "content": base64.b64encode(document.content).decode(),
        }
    raise KeyError(operation)


def add_casefile_calls(app: Sanic) -> None:
    """POST /casefile/<operation>: the case file for the Rasa server's channels, so that the Rasa server needs no
    case-file database credentials. Behind the same secret as every action call; a refusal of the case file is
    answered 422 with its message, which is safe to show the person."""
    from casefile.errors import CaseFileError

    @app.post("/casefile/<operation>")
    async def casefile_call(request: Request, operation: str):
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            return response.json({"error": "Send a JSON object."}, status=400)
        try:
            result = await asyncio.to_thread(_casefile_operation, operation, body)
        except KeyError:
            return response.json({"error": "No such case-file call, or an argument is missing."}, status=404)
        except ValueError:
            return response.json({"error": "An argument is not of the right kind."}, status=400)
        except CaseFileError as refusal:
            return response.json({"refusal": str(refusal), "kind": type(refusal).__name__}, status=422)
        return response.json({"result": result})


def main() -> None:
    settings = load_settings()
    warm_up()
    app = build_app(settings.action_token)
    app.run(host=settings.action_host, port=settings.action_port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
