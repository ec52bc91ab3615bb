"""A small, real OpenID Connect provider for the single sign-on tests.

A Starlette app served by a real uvicorn on a free loopback port in a thread, with an RSA key made when
it starts: discovery, an authorization endpoint that signs in at once whoever the test chose (it
redirects straight back with a code), a token endpoint that checks what a real provider checks (client
secret, one use of each code, the same redirect URI, the PKCE verifier against the S256 challenge) and
the key set. The test chooses who signs in (e-mail address and, if it wants, subject). Switches make it
answer the bad cases: a wrong nonce or audience, an expired token, a signature by a key it does not
publish, an unverified e-mail address, a refusal, a broken, slow or nonsensical token endpoint;
:meth:`Provider.rotate` replaces its signing key as a provider does now and then.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

CLIENT_ID = "livskraft-test"
CLIENT_SECRET = "test-client-secret-~._-0123456789"


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey = field(repr=False)

    @classmethod
    def new(cls, kid: str) -> SigningKey:
        return cls(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwk(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}


@dataclass
class Behaviour:
    """What the provider does on the next sign-ins (the test sets it; ``reset`` goes back to good)."""

    email: str = ""
    """The person who signs in at the provider."""
    subject: str = ""
    """Their subject (``sub``); by default one made from the e-mail address (the same address, the same
    person). Another subject with the same address is another person (a reassigned address, a recreated
    account)."""
    email_verified: Any = True
    omit_email: bool = False
    refuse: str = ""
    """An OAuth error code to answer the authorization request with (e.g. ``access_denied``)."""
    wrong_nonce: bool = False
    audience: str = ""
    """Another audience than the client's."""
    expired: bool = False
    issued_long_ago: bool = False
    unknown_key: bool = False
    """Sign with a key the key set does not hold."""
    forged_kid: bool = False
    """Sign with a key the key set does not hold, naming the kid of one it does."""
    algorithm_none: bool = False
    token_status: int = 200
    """Answer the token request with this status (and no token) when not 200."""
    token_body: bytes = b""
    """Answer the token request with this body (status 200) instead of the token."""
    slow: float = 0.0
    """Seconds the token endpoint takes to send its answer, a space at a time (each within the read timeout)."""


class Provider:
    def __init__(self) -> None:
        self.key = SigningKey.new("key-1")
        self.published: list[SigningKey] = [self.key]
        self.stranger = SigningKey.new("stranger")
        self.behaviour = Behaviour()
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests = 0
        self.jwks_requests = 0
        self.discovery_requests = 0
        self.discovery_status = 200
        """Answer the discovery request with this status (and no document) when not 200."""
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
            ]
        )

    # --- switches ------------------------------------------------------------------------------------

    def sign_in_as(self, email: str, **behaviour: Any) -> None:
        self.behaviour = Behaviour(email=email, **behaviour)

    def rotate(self) -> None:
        """A new signing key; the old one is no longer published."""
        self.key = SigningKey.new(f"key-{len(self.published) + 1}-{secrets.token_hex(2)}")
        self.published = [self.key]

    # --- endpoints -----------------------------------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        self.discovery_requests += 1
        if self.discovery_status != 200:
            return JSONResponse({"error": "temporarily_unavailable"}, status_code=self.discovery_status)
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "scopes_supported": ["openid", "email", "profile"],
            }
        )

    async def authorize(self, request: Request) -> Response:
        q = dict(request.query_params)
        self.authorize_requests.append(q)
        if q.get("client_id") != CLIENT_ID or not q.get("redirect_uri"):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        back = q["redirect_uri"]
        if self.behaviour.refuse:
            query = {"error": self.behaviour.refuse, "error_description": "The user said no", "state": q.get("state")}
            return RedirectResponse(f"{back}?{urlencode(query)}", status_code=302)
        if (
            q.get("response_type") != "code"
            or q.get("code_challenge_method") != "S256"
            or not q.get("code_challenge")
            or "openid" not in q.get("scope", "").split()
        ):
            query = {"error": "invalid_request", "state": q.get("state")}
            return RedirectResponse(f"{back}?{urlencode(query)}", status_code=302)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": back,
            "challenge": q["code_challenge"],
            "nonce": q.get("nonce"),
            "behaviour": self.behaviour,
        }
        return RedirectResponse(f"{back}?{urlencode({'code': code, 'state': q.get('state')})}", status_code=302)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = await request.form()
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Basic "):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        if unquote(client_id) != CLIENT_ID or unquote(secret) != CLIENT_SECRET:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code", "")), None)  # each code once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "redirect_uri"}, status_code=400)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        b: Behaviour = grant["behaviour"]
        if b.token_status != 200:
            return JSONResponse({"error": "temporarily_unavailable"}, status_code=b.token_status)
        if b.token_body:
            return Response(b.token_body, media_type="application/json")
        answer = {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "id_token": self.id_token(grant, b),
        }
        if b.slow:
            return StreamingResponse(_dripped(json.dumps(answer).encode(), b.slow), media_type="application/json")
        return JSONResponse(answer)

    async def jwks(self, request: Request) -> Response:
        self.jwks_requests += 1
        return JSONResponse({"keys": [k.jwk() for k in self.published]})

    def id_token(self, grant: dict[str, Any], b: Behaviour) -> str:
        now = int(time.time())
        issued = now - 3600 if b.issued_long_ago else now - 5
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": b.subject or subject_of(b.email),
            "aud": b.audience or CLIENT_ID,
            "iat": issued,
            "exp": now - 120 if b.expired else issued + 300 + (3600 if b.issued_long_ago else 0),
            "nonce": "not-the-nonce" if b.wrong_nonce else grant["nonce"],
            "name": b.email.split("@")[0].title(),
        }
        if not b.omit_email:
            claims |= {"email": b.email, "email_verified": b.email_verified}
        if b.algorithm_none:
            return jwt.encode(claims, None, algorithm="none", headers={"kid": self.key.kid})
        if b.unknown_key:
            return jwt.encode(claims, self.stranger.private, algorithm="RS256", headers={"kid": self.stranger.kid})
        if b.forged_kid:
            return jwt.encode(claims, self.stranger.private, algorithm="RS256", headers={"kid": self.key.kid})
        return jwt.encode(claims, self.key.private, algorithm="RS256", headers={"kid": self.key.kid})


def subject_of(email: str) -> str:
    """The subject the provider gives the person with ``email`` unless a test chooses another."""
    return "sub-" + hashlib.sha256(email.encode()).hexdigest()[:16]


async def _dripped(body: bytes, seconds: float) -> AsyncIterator[bytes]:
    """``body`` after ``seconds`` of spaces (JSON allows them), one every 0.2 s."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        yield b" "
        await asyncio.sleep(0.2)
    yield body


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_provider() -> Iterator[Provider]:
    """A provider served by uvicorn in a thread until the block ends."""
    provider = Provider()
    server = uvicorn.Server(
        uvicorn.Config(provider.app, host="127.0.0.1", port=provider.port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="oidc-test-provider", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test identity provider did not start")
        time.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)
