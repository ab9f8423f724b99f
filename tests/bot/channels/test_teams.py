"""The Teams input channel, mounted the way Rasa mounts it, against fake Microsoft services on loopback: OpenID metadata
and keys, login and Bot Connector."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
import uuid
import zipfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.channels import DeliveryError
from bot.channels.teams import TeamsInput
from bot.channels.teams_connector import send_proactive
from bot.channels.teams_package import build_package
from bot.settings import TeamsSettings, load_settings
from tests.bot.channels.fakes import Staff, directory, serving, wait_for
from tests.conftest import free_port

APP_ID = "0a1b2c3d-0000-4000-8000-123456789abc"
TENANT = "11111111-2222-4333-8444-555555555555"
PRACTITIONER = "aad-practitioner-0001"
STRANGER = "aad-stranger-0002"
STAFF = directory("teams", {PRACTITIONER: Staff("Priya Shah", "practitioner")})
ISSUER = "https://api.botframework.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

# As sanic-testing does: lets one process start several Sanic apps (one per test).
Sanic.test_mode = True


class FakeMicrosoft:
    """OpenID metadata and signing keys, the login authority's token endpoint and the Bot Connector, recording calls."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.token_forms: list[dict] = []
        self.posted: list[dict] = []
        self.connector_failures: list[int] = []
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": "key-1", "use": "sig", "endorsements": ["msteams"]}]}
        self.app = web.Application(middlewares=[self._record])
        self.app.router.add_get("/openid", self._openid)
        self.app.router.add_get("/keys", self._keys)
        self.app.router.add_post(f"/{TENANT}/oauth2/v2.0/token", self._token)
        self.app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        self.uploads: list[dict] = []
        self.app.router.add_put("/upload/{name}", self._upload)

    @web.middleware
    async def _record(self, request: web.Request, handler):
        self.requests.append(request.path)
        return await handler(request)

    async def _openid(self, request: web.Request) -> web.Response:
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{request.scheme}://{request.host}/keys"})

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response(self.jwks)

    async def _token(self, request: web.Request) -> web.Response:
        self.token_forms.append(dict(await request.post()))
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": f"connector-token-{len(self.token_forms)}"}
        )

    async def _activity(self, request: web.Request) -> web.Response:
        if self.connector_failures:
            return web.Response(status=self.connector_failures.pop(0), headers={"Retry-After": "0"})
        self.posted.append(
            {
                "conversation": request.match_info["conversation"],
                "authorization": request.headers.get("Authorization"),
                "activity": await request.json(),
            }
        )
        return web.json_response({"id": f"reply-{len(self.posted)}"})

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload address Teams offers once a file is accepted (OneDrive, in the person's own storage)."""
        self.uploads.append(
            {
                "name": request.match_info["name"],
                "range": request.headers.get("Content-Range"),
                "body": await request.read(),
            }
        )
        return web.json_response({"id": "file-1"}, status=201)

    def messages(self) -> list[dict]:
        return [p["activity"] for p in self.posted if p["activity"]["type"] == "message"]


class StubAgent:
    """Stands in for Rasa's agent: collects each UserMessage and answers through its output channel."""

    def __init__(self, reply: Callable[[Any], list[dict]]) -> None:
        self.messages: list[Any] = []
        self.reply = reply

    async def handle_message(self, message: Any) -> None:
        self.messages.append(message)
        for answer in self.reply(message):
            await message.output_channel.send_response(message.sender_id, dict(answer))


@dataclass
class Running:
    microsoft: FakeMicrosoft
    base: str
    webhook: str
    agent: StubAgent
    settings: TeamsSettings


def echo(message: Any) -> list[dict]:
    return [{"text": f"You said: {message.text}"}]


def teams_settings(env: dict[str, str]) -> TeamsSettings:
    """The channel's settings as the service reads them from this environment."""
    return load_settings(env).teams


def environment(base: str, tmp_path, **overrides: str) -> dict[str, str]:
    env = {
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": "client-secret",
        "TEAMS_TENANT_ID": TENANT,
        "TEAMS_OPENID_METADATA_URL": f"{base}/openid",
        "TEAMS_TOKEN_URL": f"{base}/{TENANT}/oauth2/v2.0/token",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'channels.db'}",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


@asynccontextmanager
async def running(tmp_path, reply=echo, exporter=None, **overrides: str) -> AsyncIterator[Running]:
    microsoft = FakeMicrosoft()
    async with serving(microsoft.app) as base:
        settings = teams_settings(environment(base, tmp_path, **overrides))
        app = Sanic(f"teams_test_{uuid.uuid4().hex}")
        agent = StubAgent(reply)
        app.ctx.agent = agent
        register([TeamsInput(settings, lookup=STAFF, exporter=exporter)], app, "/webhooks/")
        port = free_port()
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        try:
            yield Running(microsoft, base, f"http://127.0.0.1:{port}/webhooks/teams/webhook", agent, settings)
        finally:
            await server.before_stop()
            server.close()
            await server.wait_closed()
            await server.after_stop()


def activity(base: str, text: str = "what is a strategy discussion?", aad: str = PRACTITIONER, **extra: Any) -> dict:
    return {
        "type": "message",
        "id": f"activity-{uuid.uuid4().hex}",  # each message its own: a repeated id is a redelivery
        "channelId": "msteams",
        "serviceUrl": f"{base}/",
        "from": {"id": "29:1user", "name": "Priya Shah", "aadObjectId": aad},
        "recipient": {"id": f"28:{APP_ID}", "name": "Framework Assistant"},
        "conversation": {"id": "a:1conversation", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
        "text": text,
        **extra,
    }


def token(service_url: str, key=KEY, kid: str = "key-1", algorithm: str = "RS256", **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": APP_ID, "nbf": now - 5, "exp": now + 3600, "serviceurl": service_url, **claims}
    return jwt.encode(
        {k: v for k, v in payload.items() if v is not None}, key, algorithm=algorithm, headers={"kid": kid}
    )


async def post(url: str, body: dict, authorization: str | None) -> tuple[int, str]:
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=body, headers=headers) as answer:
            return answer.status, await answer.text()


def test_a_valid_activity_reaches_rasa_and_the_reply_goes_to_the_connector(tmp_path):
    def reply(message):
        return [
            {
                "text": "*2.100* says <this> & that",
                "buttons": [
                    {"title": "Strategy discussion", "payload": '/choose_topic{"topic": "strategy_discussion"}'},
                    {"title": "Something else", "payload": "/deny"},
                ],
            }
        ]

    async def scenario():
        async with running(tmp_path, reply) as r:
            status, _ = await post(r.webhook, activity(r.base), f"Bearer {token(r.base + '/')}")
            assert status == 200
            [message] = r.agent.messages
            assert message.text == "what is a strategy discussion?"
            assert message.sender_id == f"teams:{PRACTITIONER}"
            assert message.input_channel == "teams"
            assert message.metadata == {
                "channel": "teams",
                "registered": True,
                "staff_role": "practitioner",
                "verified_identity": message.sender_id,
            }

            assert [p["activity"]["type"] for p in r.microsoft.posted] == ["typing", "message"]
            assert {p["authorization"] for p in r.microsoft.posted} == {"Bearer connector-token-1"}
            assert {p["conversation"] for p in r.microsoft.posted} == {"a:1conversation"}
            assert r.microsoft.token_forms == [
                {
                    "grant_type": "client_credentials",
                    "client_id": APP_ID,
                    "client_secret": "client-secret",
                    "scope": "https://api.botframework.com/.default",
                }
            ]
            [sent] = r.microsoft.messages()
            assert sent["textFormat"] == "xml"
            assert sent["text"] == "<strong>2.100</strong> says &lt;this&gt; &amp; that"
            assert sent["from"]["id"] == f"28:{APP_ID}" and sent["recipient"]["aadObjectId"] == PRACTITIONER
            [card] = sent["attachments"]
            assert card["contentType"] == "application/vnd.microsoft.card.hero"
            assert card["content"]["buttons"] == [
                {
                    "type": "messageBack",
                    "title": "Strategy discussion",
                    "displayText": "Strategy discussion",
                    "text": '/choose_topic{"topic": "strategy_discussion"}',
                    "value": {"payload": '/choose_topic{"topic": "strategy_discussion"}'},
                },
                {
                    "type": "messageBack",
                    "title": "Something else",
                    "displayText": "Something else",
                    "text": "/deny",
                    "value": {"payload": "/deny"},
                },
            ]

    asyncio.run(scenario())


def test_a_card_button_click_arrives_as_its_payload(tmp_path):
    payload = '/choose_topic{"topic": "strategy_discussion"}'

    async def scenario():
        async with running(tmp_path) as r:
            click = activity(r.base, text=payload, value={"payload": payload})
            assert (await post(r.webhook, click, f"Bearer {token(r.base + '/')}"))[0] == 200
            # what Teams puts in text does not matter once the card's value carries the payload
            click = activity(r.base, text="Strategy discussion", value={"payload": "/deny"})
            assert (await post(r.webhook, click, f"Bearer {token(r.base + '/')}"))[0] == 200
            assert [m.text for m in r.agent.messages] == [payload, "/deny"]

    asyncio.run(scenario())


def test_typed_commands_are_commands_never_raw_payloads(tmp_path):
    async def scenario():
        async with running(tmp_path) as r:
            for text in ("help", "urgent", '/intent_injection{"x": 1}'):
                assert (await post(r.webhook, activity(r.base, text=text), f"Bearer {token(r.base + '/')}"))[0] == 200
            assert [m.text for m in r.agent.messages] == ["/help", "/urgent_danger", "/help"]

    asyncio.run(scenario())


BAD_TOKENS = {  # case: (Authorization header for a service URL, the reason logged)
    "missing": (lambda s: None, "no bearer token"),
    "not a bearer token": (lambda s: f"Basic {token(s)}", "no bearer token"),
    "expired": (
        lambda s: f"Bearer {token(s, exp=int(time.time()) - 600, nbf=int(time.time()) - 4000)}",
        "Signature has expired",
    ),
    "wrong audience": (
        lambda s: f"Bearer {token(s, aud='99999999-0000-4000-8000-000000000000')}",
        "Audience doesn't match",
    ),
    "wrong issuer": (lambda s: f"Bearer {token(s, iss='https://sts.windows.net/someone-else/')}", "Invalid issuer"),
    "no issuer": (lambda s: f"Bearer {token(s, iss=None)}", 'missing the "iss" claim'),
    "wrong serviceUrl claim": (
        lambda s: f"Bearer {token('https://smba.trafficmanager.net/evil/')}",
        "serviceurl claim does not match",
    ),
    "signed with another key": (lambda s: f"Bearer {token(s, key=OTHER_KEY)}", "Signature verification failed"),
    "unknown key id": (lambda s: f"Bearer {token(s, kid='key-9')}", "key that is not published"),
    "symmetric algorithm": (
        lambda s: f"Bearer {token(s, key='a-shared-secret-of-thirty-two-bytes!', algorithm='HS256')}",
        "signed with 'HS256'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_a_bad_token_is_refused_and_reaches_no_handler(tmp_path, caplog, case):
    authorization, reason = BAD_TOKENS[case]

    async def scenario():
        async with running(tmp_path) as r:
            status, _ = await post(r.webhook, activity(r.base), authorization(r.base + "/"))
            assert status == 401
            assert r.agent.messages == [] and r.microsoft.posted == [] and r.microsoft.token_forms == []

    with caplog.at_level(logging.WARNING, logger="bot.channels.teams"):
        asyncio.run(scenario())
    [refusal] = [r.getMessage() for r in caplog.records if r.name == "bot.channels.teams"]
    assert refusal.startswith("Refused a Teams request: ") and reason in refusal


def test_signing_keys_are_fetched_once_on_first_use(tmp_path):
    async def scenario():
        async with running(tmp_path) as r:
            assert r.microsoft.requests == []
            for _ in range(3):
                assert (await post(r.webhook, activity(r.base), f"Bearer {token(r.base + '/')}"))[0] == 200
            assert r.microsoft.requests.count("/openid") == 1 and r.microsoft.requests.count("/keys") == 1
            assert len(r.microsoft.token_forms) == 1

    asyncio.run(scenario())


def test_nothing_is_contacted_at_construction(tmp_path, monkeypatch):
    async def scenario():
        microsoft = FakeMicrosoft()
        async with serving(microsoft.app) as base:
            for key, value in environment(base, tmp_path).items():
                monkeypatch.setenv(key, value)
            channel = TeamsInput.from_credentials(None)
            app = Sanic(f"teams_test_{uuid.uuid4().hex}")
            register([channel], app, "/webhooks/")
            unreachable = f"http://127.0.0.1:{free_port()}"
            TeamsInput(teams_settings(environment(unreachable, tmp_path)))
            await asyncio.sleep(0.1)
            assert microsoft.requests == []
            assert not (tmp_path / "channels.db").exists()

    asyncio.run(scenario())


def test_unconfigured_teams_answers_503(tmp_path):
    async def scenario():
        async with running(tmp_path, TEAMS_APP_ID=None, TEAMS_APP_PASSWORD=None) as r:
            status, text = await post(r.webhook, activity(r.base), f"Bearer {token(r.base + '/')}")
            assert (status, text) == (503, "Teams is not configured")
            assert r.agent.messages == [] and r.microsoft.requests == []

    asyncio.run(scenario())


def test_an_unregistered_person_is_refused_with_the_id_to_register(tmp_path):
    async def scenario():
        async with running(tmp_path) as r:
            assert (await post(r.webhook, activity(r.base, aad=STRANGER), f"Bearer {token(r.base + '/')}"))[0] == 200
            assert r.agent.messages == []
            [sent] = r.microsoft.messages()
            assert f"ask your Service Manager or an admin to register you, giving this id: {STRANGER}" in sent["text"]

    asyncio.run(scenario())


def test_an_unregistered_person_gets_public_guidance_when_allowed(tmp_path):
    async def scenario():
        async with running(tmp_path, FA_ALLOW_UNREGISTERED_GUIDANCE="1") as r:
            assert (await post(r.webhook, activity(r.base, aad=STRANGER), f"Bearer {token(r.base + '/')}"))[0] == 200
            [message] = r.agent.messages
            assert message.sender_id == f"teams:{STRANGER}"
            assert message.metadata == {
                "channel": "teams",
                "registered": False,
                "staff_role": None,
                "verified_identity": message.sender_id,
            }
            # an unregistered person's conversation is not kept for messages the assistant starts
            with pytest.raises(DeliveryError, match="need to message the assistant in Teams first"):
                await send_proactive(STRANGER, "hello", r.settings)

    asyncio.run(scenario())


def test_other_tenants_channels_and_group_chats_are_not_served(tmp_path):
    async def scenario():
        async with running(tmp_path) as r:
            auth = f"Bearer {token(r.base + '/')}"
            r.microsoft.jwks["keys"][0]["endorsements"] = ["msteams", "webchat"]
            other_tenant = activity(r.base, channelData={"tenant": {"id": "99999999-2222-4333-8444-555555555555"}})
            assert (await post(r.webhook, other_tenant, auth))[0] == 403
            assert (await post(r.webhook, activity(r.base, channelId="webchat"), auth))[0] == 403
            group = activity(
                r.base, conversation={"id": "19:group", "conversationType": "groupChat", "tenantId": TENANT}
            )
            assert (await post(r.webhook, group, auth))[0] == 200
            assert r.agent.messages == []
            [sent] = r.microsoft.messages()
            assert "private chat" in sent["text"] and r.microsoft.posted[0]["conversation"] == "19:group"

    asyncio.run(scenario())


def test_a_key_not_endorsed_for_the_channel_is_refused(tmp_path):
    async def scenario():
        async with running(tmp_path) as r:
            r.microsoft.jwks["keys"][0]["endorsements"] = ["webchat"]
            assert (await post(r.webhook, activity(r.base), f"Bearer {token(r.base + '/')}"))[0] == 401
            assert r.agent.messages == []

    asyncio.run(scenario())


def test_when_the_assistant_fails_the_person_is_told(tmp_path):
    def broken(message):
        raise RuntimeError("action server down")

    async def scenario():
        async with running(tmp_path, broken) as r:
            urgent = activity(r.base, text="child left alone at home, mum not answering")
            assert (await post(r.webhook, urgent, f"Bearer {token(r.base + '/')}"))[0] == 200
            [sent] = r.microsoft.messages()
            assert sent["text"].startswith("The assistant cannot answer right now")
            assert (
                "If a child is at immediate risk, the practitioner should seek the assistance of the Police."
                in sent["text"]
            )

    asyncio.run(scenario())


def test_connector_errors_are_retried(tmp_path):
    async def scenario():
        async with running(tmp_path) as r:
            r.microsoft.connector_failures = [503, 429]
            assert (await post(r.webhook, activity(r.base), f"Bearer {token(r.base + '/')}"))[0] == 200
            await wait_for(lambda: r.microsoft.messages())
            assert r.microsoft.messages()[0]["text"] == "You said: what is a strategy discussion?"

    asyncio.run(scenario())


def test_long_answers_are_split_within_the_teams_limit(tmp_path):
    answer = "\n\n".join(f"*2.{n}* " + "word & more " * 300 for n in range(12))

    async def scenario():
        async with running(tmp_path, lambda m: [{"text": answer}]) as r:
            assert (await post(r.webhook, activity(r.base), f"Bearer {token(r.base + '/')}"))[0] == 200
            texts = [m["text"] for m in r.microsoft.messages()]
            assert len(texts) >= 4
            assert all(len(t.encode("utf-16-le")) // 2 <= 12000 for t in texts)
            assert all(t.startswith("<strong>2.") and t.endswith("more") for t in texts)
            assert sum(t.count("<strong>") for t in texts) == 12

    asyncio.run(scenario())


def test_send_proactive_uses_the_saved_conversation(tmp_path):
    async def scenario():
        async with running(tmp_path) as r:
            assert (await post(r.webhook, activity(r.base), f"Bearer {token(r.base + '/')}"))[0] == 200
            await send_proactive(PRACTITIONER, "Please agree the record of the *SM discussion*.", r.settings)
            proactive = r.microsoft.posted[-1]
            assert proactive["conversation"] == "a:1conversation"
            assert proactive["activity"]["text"] == "Please agree the record of the <strong>SM discussion</strong>."
            assert proactive["activity"]["recipient"]["aadObjectId"] == PRACTITIONER
            assert proactive["authorization"].startswith("Bearer connector-token-")
            with pytest.raises(DeliveryError, match="need to message the assistant in Teams first"):
                await send_proactive("aad-never-wrote", "hello", r.settings)

    asyncio.run(scenario())


def test_settings_default_to_the_bot_framework_and_the_tenant_authority(tmp_path):
    multi = teams_settings({"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "x", "FA_VAR_DIR": str(tmp_path)})
    assert multi.openid_metadata_url == "https://login.botframework.com/v1/.well-known/openidconfiguration"
    assert multi.token_url == "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    assert multi.allowed_issuers == ("https://api.botframework.com",)
    assert multi.database_url == f"sqlite:///{tmp_path / 'channels.db'}"
    single = teams_settings({"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "x", "TEAMS_TENANT_ID": TENANT})
    assert single.token_url == f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
    with pytest.raises(ValueError, match="TEAMS_APP_PASSWORD"):
        load_settings({"TEAMS_APP_ID": APP_ID}).teams.check()


def test_the_app_package_carries_the_ids_and_both_icons(tmp_path):
    package = build_package(tmp_path, load_settings({"TEAMS_APP_ID": APP_ID, "TEAMS_APP_VERSION": "1.2.3"}).teams)
    with zipfile.ZipFile(package) as zipped:
        assert sorted(zipped.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zipped.read("manifest.json"))
        color = Image.open(io.BytesIO(zipped.read("color.png")))
        outline = Image.open(io.BytesIO(zipped.read("outline.png")))
    assert manifest["id"] == APP_ID and manifest["version"] == "1.2.3"
    assert manifest["bots"][0]["botId"] == APP_ID and manifest["bots"][0]["scopes"] == ["personal"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert color.size == (192, 192) and outline.size == (32, 32)
    # the outline icon is white on transparency
    assert {pixel[:3] for pixel in outline.getdata() if pixel[3]} == {(255, 255, 255)}
    assert {pixel[3] for pixel in outline.getdata()} >= {0}


@pytest.mark.parametrize(
    "env, complaint",
    [
        ({}, "TEAMS_APP_ID is not set"),
        ({"TEAMS_APP_ID": "my-bot"}, "TEAMS_APP_ID must be a GUID"),
        ({"TEAMS_APP_ID": APP_ID, "TEAMS_APP_VERSION": "2"}, "TEAMS_APP_VERSION"),
    ],
)
def test_the_app_package_is_refused_clearly_without_its_configuration(tmp_path, env, complaint):
    with pytest.raises(ValueError, match=complaint):
        build_package(tmp_path, load_settings(env).teams)
    assert list(tmp_path.iterdir()) == []


def test_an_export_is_offered_with_the_file_consent_card_and_uploaded_once_accepted(tmp_path):
    import base64

    made: list[tuple[str, dict]] = []

    async def exporter(external_id: str, context: dict) -> tuple[str, bytes]:
        made.append((external_id, context))
        return "ZW25P01234-record-7.docx", b"PK word document"

    def reply(message):
        document = {"filename": "ZW25P01234-record-7.docx", "content_base64": base64.b64encode(b"PK word").decode()}
        return [
            {"text": "The same as a Word document: ZW25P01234-record-7.docx"},
            {"custom": {"document": document, "export": {"record_id": 7, "case_reference": None}}},
        ]

    async def scenario():
        async with running(tmp_path, reply, exporter=exporter) as r:
            bearer = f"Bearer {token(r.base + '/')}"
            assert (await post(r.webhook, activity(r.base, text="export record 7"), bearer))[0] == 200
            offered = [m for m in r.microsoft.messages() if m.get("attachments")]
            [card] = offered[-1]["attachments"]
            assert card["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
            assert card["name"] == "ZW25P01234-record-7.docx"
            assert card["content"]["sizeInBytes"] == len(b"PK word")
            assert card["content"]["acceptContext"] == {"record_id": 7, "case_reference": None}

            declined = activity(
                r.base,
                type="invoke",
                name="fileConsent/invoke",
                value={"type": "fileUpload", "action": "decline", "context": card["content"]["declineContext"]},
            )
            assert (await post(r.webhook, declined, bearer))[0] == 200
            assert r.microsoft.messages()[-1]["text"].startswith("Not sent")
            assert made == [] and r.microsoft.uploads == []

            accepted = activity(
                r.base,
                type="invoke",
                name="fileConsent/invoke",
                value={
                    "type": "fileUpload",
                    "action": "accept",
                    "context": card["content"]["acceptContext"],
                    "uploadInfo": {
                        "name": "ZW25P01234-record-7.docx",
                        "uploadUrl": f"{r.base}/upload/ZW25P01234-record-7.docx",
                        "contentUrl": "https://contoso.sharepoint.com/personal/ZW25P01234-record-7.docx",
                        "uniqueId": "unique-1",
                        "fileType": "docx",
                    },
                },
            )
            assert (await post(r.webhook, accepted, bearer))[0] == 200
            assert made == [(PRACTITIONER, {"record_id": 7, "case_reference": None})]
            [uploaded] = r.microsoft.uploads
            assert uploaded["body"] == b"PK word document"
            assert uploaded["range"] == f"bytes 0-{len(b'PK word document') - 1}/{len(b'PK word document')}"
            [info] = r.microsoft.messages()[-1]["attachments"]
            assert info["contentType"] == "application/vnd.microsoft.teams.card.file.info"
            assert info["contentUrl"].endswith("ZW25P01234-record-7.docx")
            assert info["content"] == {"uniqueId": "unique-1", "fileType": "docx"}

            stranger = {**accepted, "from": {"id": "29:2", "aadObjectId": STRANGER}}
            assert (await post(r.webhook, stranger, bearer))[0] == 200
            assert len(made) == 1 and "registered Cafcass staff" in r.microsoft.messages()[-1]["text"]

    asyncio.run(scenario())


# The same tokens put to botframework-connector's ChannelValidation, which teams_auth does not use (its docstring says
# why): both give the same verdict on each, and the one difference is a token without "exp", refused only here.
SAME_VERDICT = {  # case: (Authorization header for a service URL, the activity's channelId, accepted)
    "valid": (lambda s: f"Bearer {token(s)}", "msteams", True),
    "expired within the 5 minutes' skew": (lambda s: f"Bearer {token(s, exp=int(time.time()) - 120)}", "msteams", True),
    "key not endorsed for the channel": (lambda s: f"Bearer {token(s)}", "webchat", False),
    **{case: (header, "msteams", False) for case, (header, _) in BAD_TOKENS.items()},
}


def test_the_token_checks_agree_with_the_bot_framework_sdk(tmp_path, monkeypatch):
    from datetime import datetime

    from botframework.connector.auth import ChannelValidation, SimpleCredentialProvider
    from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata

    from bot.channels.teams_auth import SigningKeys, TokenValidator, Unauthorized

    async def ours(validator: TokenValidator, authorization: str | None, body: dict) -> bool:
        try:
            await validator.check(authorization or "", body)
        except Unauthorized:
            return False
        return True

    async def sdk(authorization: str | None, body: dict) -> bool:
        try:
            await ChannelValidation.authenticate_channel_token_with_service_url(
                authorization or "", SimpleCredentialProvider(APP_ID, "x"), body["serviceUrl"], body["channelId"]
            )
        except Exception:  # noqa: BLE001 - the SDK refuses with PermissionError, jwt errors, IndexError or Exception
            return False
        return True

    async def scenario():
        microsoft = FakeMicrosoft()
        async with serving(microsoft.app) as base, aiohttp.ClientSession() as http:
            settings = teams_settings(environment(base, tmp_path))
            # The SDK fetches keys with blocking requests on this loop, where the stand-in serves them: hand it them.
            metadata = _OpenIdMetadata(settings.openid_metadata_url)
            metadata.keys, metadata.last_updated = microsoft.jwks["keys"], datetime.now()
            monkeypatch.setitem(JwtTokenExtractor.metadataCache, settings.openid_metadata_url, metadata)
            monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", settings.openid_metadata_url)
            validator = TokenValidator(settings, SigningKeys(settings.openid_metadata_url, lambda: http))
            for case, (header, channel_id, accepted) in SAME_VERDICT.items():
                body = activity(base, channelId=channel_id)
                authorization = header(body["serviceUrl"])
                assert (await ours(validator, authorization, body), await sdk(authorization, body)) == (
                    accepted,
                    accepted,
                ), case
            body = activity(base)
            no_expiry = f"Bearer {token(body['serviceUrl'], exp=None)}"
            assert (await ours(validator, no_expiry, body), await sdk(no_expiry, body)) == (False, True)

    asyncio.run(scenario())
