"""The checks on the bearer token of each activity Microsoft Teams posts: signature against the Bot Framework's
published keys, issuer, audience, times, endorsement for the channel and the serviceUrl claim.

Why this is not botframework-connector's JwtTokenValidation / ChannelValidation (4.17.1, installed for its schema and
constants), which checks the same claims:
- its key fetch (`_OpenIdMetadata._refresh`) uses the blocking `requests.get`, without a timeout, on the event loop:
  while keys are fetched (daily, and on an unknown key id) the whole Rasa server stalls, and a metadata service on the
  same loop (as the tests' stand-in for Microsoft is) is never answered;
- the metadata URL (`ChannelValidation.open_id_metadata_endpoint`), the key cache (`JwtTokenExtractor.metadataCache`)
  and the accepted issuers (`TO_BOT_FROM_CHANNEL_TOKEN_VALIDATION_PARAMETERS`) are process-wide class attributes, and
  `ChannelValidation.validate_identity` accepts only the issuer "https://api.botframework.com": TEAMS_ALLOWED_ISSUERS
  and TEAMS_OPENID_METADATA_URL could be honoured only by changing the library's globals;
- it does not require `exp` (PyJWT checks expiry only when the claim is there), where a token here must carry
  `exp`, `iss` and `aud`;
- a token naming a key that is not published fails with an IndexError from `_find`, and a failed key fetch has no
  fallback; here the former is refused as unauthorised (401) and the keys fetched before are kept when a refresh
  fails, so that only "no keys at all" answers 503.
The tests (tests/bot/channels/test_teams.py) hold the two to the same verdicts on the same tokens, except the missing
`exp`, which only this module refuses.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from botframework.connector.auth.authentication_constants import AuthenticationConstants

from bot.settings import TeamsSettings

log = logging.getLogger(__name__)

TEAMS_CHANNEL_ID = "msteams"  # the Bot Framework's channelId for Microsoft Teams
CLOCK_SKEW = 300  # seconds of clock difference allowed on a token's times, as the Bot Framework SDK allows
KEYS_MAX_AGE = 24 * 3600  # signing keys are fetched again after a day
KEYS_MIN_REFRESH = 300  # a token naming an unknown key fetches the keys again at most this often
# After a failed fetch the next waits 1 s, then twice as long each time up to KEYS_MIN_REFRESH: requests arriving
# meanwhile use the keys fetched before (or get 503 if there are none) instead of each fetching again.
KEYS_RETRY_FIRST = 1.0


class Unauthorized(Exception):
    """An incoming request's token is missing or does not pass every check."""


class KeysUnavailable(Exception):
    """The signing keys could not be fetched, and none are cached."""


class SigningKeys:
    """The Bot Framework's token-signing keys (JWKS), fetched via the OpenID metadata on first use and cached."""

    def __init__(self, metadata_url: str, session: Callable[[], aiohttp.ClientSession]) -> None:
        self.metadata_url = metadata_url
        self._session = session
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._failures = 0
        self._retry_at = float("-inf")  # no fetch before this, after a failed one
        self._lock = asyncio.Lock()

    def _stale(self, kid: str) -> bool:
        now = time.monotonic()
        if now < self._retry_at:
            return False
        age = now - self._fetched_at
        return age > KEYS_MAX_AGE or (kid not in self._keys and age > KEYS_MIN_REFRESH)

    async def get(self, kid: str) -> dict[str, Any]:
        """The JWK with this key id; raises Unauthorized if the issuer does not publish it."""
        if self._stale(kid):
            async with self._lock:
                if self._stale(kid):
                    await self._refresh()
        if not self._keys:
            raise KeysUnavailable(
                f"{self.metadata_url}: no signing keys yet; fetching again in {self._retry_at - time.monotonic():.0f} s"
            )
        if kid not in self._keys:
            raise Unauthorized(f"the token is signed with a key that is not published (kid {kid!r})")
        return self._keys[kid]

    async def _refresh(self) -> None:
        try:
            async with self._session().get(self.metadata_url) as answer:
                answer.raise_for_status()
                jwks_uri = (await answer.json(content_type=None))["jwks_uri"]
            async with self._session().get(jwks_uri) as answer:
                answer.raise_for_status()
                keys = (await answer.json(content_type=None))["keys"]
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, TypeError) as error:
            self._failures += 1
            self._retry_at = time.monotonic() + min(KEYS_MIN_REFRESH, KEYS_RETRY_FIRST * 2 ** (self._failures - 1))
            if not self._keys:
                raise KeysUnavailable(f"{self.metadata_url}: {error!r}") from error
            log.warning(
                "Signing keys not refreshed from %s (%r); using the ones fetched before", self.metadata_url, error
            )
            return
        self._keys = {key["kid"]: key for key in keys if isinstance(key, dict) and "kid" in key}
        self._fetched_at = time.monotonic()
        self._failures, self._retry_at = 0, float("-inf")


@dataclass(frozen=True)
class Token:
    """A bearer token whose signature and claims passed, with the endorsements of the key that signed it."""

    claims: dict[str, Any]
    endorsements: list[str] | None


class TokenValidator:
    """Checks the bearer token on an incoming activity: signature, issuer, audience, times, endorsement and
    serviceUrl."""

    def __init__(self, settings: TeamsSettings, keys: SigningKeys) -> None:
        self.settings = settings
        self.keys = keys

    async def check_token(self, authorization: str) -> Token:
        """The token's signature, issuer, audience and times, checked before the request's body is read."""
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token.strip():
            raise Unauthorized("no bearer token")
        algorithms = AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in algorithms:
                raise Unauthorized(f"the token is signed with {header.get('alg')!r}, not one of {algorithms}")
            jwk = await self.keys.get(str(header.get("kid")))
            claims = jwt.decode(
                token,
                jwt.PyJWK(jwk, algorithm=header["alg"]).key,
                algorithms=algorithms,
                audience=self.settings.app_id,
                issuer=list(self.settings.allowed_issuers),
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthorized(f"the token is not valid: {error}") from error
        return Token(claims, jwk.get("endorsements"))

    @staticmethod
    def check_activity(token: Token, activity: Mapping[str, Any]) -> None:
        """What the token must say about the activity it came with: the key endorsed for its channel, and its
        serviceUrl."""
        if token.endorsements is not None and activity.get("channelId") not in token.endorsements:
            raise Unauthorized(f"the signing key is not endorsed for channel {activity.get('channelId')!r}")
        if token.claims.get(AuthenticationConstants.SERVICE_URL_CLAIM) != activity.get("serviceUrl"):
            raise Unauthorized("the token's serviceurl claim does not match the activity's serviceUrl")

    async def check(self, authorization: str, activity: Mapping[str, Any]) -> dict[str, Any]:
        """Every check on a token and the activity it came with; the token's claims."""
        token = await self.check_token(authorization)
        self.check_activity(token, activity)
        return token.claims
