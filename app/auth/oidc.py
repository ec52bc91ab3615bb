"""Single sign-on with OpenID Connect, in front of the local accounts.

The authorization code flow with PKCE (S256), ``state`` and ``nonce`` (OpenID Connect Core 1.0 §3.1,
RFC 7636, RFC 9700). Livskraft is a confidential client of one identity provider, configured by
``LIVSKRAFT_OIDC_*`` (``app/settings.py``); nothing here runs when no issuer is set.

1. ``GET /login/sso`` (``app/web/routes_auth.py``) reads the provider's discovery document
   (:func:`metadata`, kept per process for :data:`METADATA_TTL`), makes a :class:`Pending` sign-in
   (random ``state``, ``nonce`` and PKCE verifier, the local page to go on to) and sends the browser to
   the provider's authorization endpoint. The pending sign-in travels in a short-lived cookie, signed
   with the app's secret key (:func:`seal`): the app keeps no state between requests, so any process
   behind a load balancer can finish the sign-in, and nothing is written before the user is known.
2. ``GET /login/sso/callback`` checks the cookie's signature and age and the returned ``state``
   (:func:`unseal`, :func:`callback_code`), exchanges the code and the PKCE verifier for an ID token
   at the token endpoint (:func:`id_token_claims`; httpx, short timeouts and a :data:`DEADLINE` for
   all the calls, bounded answers, no redirects), and checks the ID token (:func:`validate_id_token`:
   signature by a key of the provider's JWKS, fetched again once for an unknown ``kid`` so a rotated
   key works at once; ``alg`` from :data:`ALLOWED_ALGORITHMS`, never ``none`` or HS*; ``iss``,
   ``aud``, ``azp``, ``exp``, ``iat`` with :data:`LEEWAY` seconds of clock skew; ``nonce``). The JOSE
   work is PyJWT's (with ``cryptography``).
3. The verified e-mail address (:func:`verified_email`: present, ``email_verified`` true, NFKC) picks an
   *active* local user, case-insensitively (:func:`sign_in`); no account is ever created here. The
   route then starts the same server-side session as a password sign-in.

Every refusal is an :class:`SsoFailed` with a :data:`Reason`, which the login page turns into a message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import time
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Literal
from urllib.parse import quote, urlencode, urlsplit

import anyio
import httpx
import jwt
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from app.audit import service as audit
from app.auth import repository as repo
from app.auth.actor import system_actor
from app.auth.models import User
from app.auth.users import EMAIL, MAX_EMAIL
from app.db.base import utcnow
from app.municipalities.models import Municipality
from app.settings import Settings

log = logging.getLogger("livskraft.sso")

Reason = Literal["state", "idp_error", "token", "email", "account", "unavailable"]
"""Why a sign-in was refused: ``state`` the pending sign-in is missing, expired, altered or not this
one; ``idp_error`` the provider answered with an error (the user cancelled, was refused there);
``token`` the provider's answer could not be verified; ``email`` no verified e-mail address in it;
``account`` no active local user has it; ``unavailable`` the provider could not be reached or answered
nonsense."""
REASONS: tuple[Reason, ...] = ("state", "idp_error", "token", "email", "account", "unavailable")

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
"""Signature algorithms accepted for ID tokens: asymmetric only. ``none`` and the HS* family (which
would take the client secret or, worse, a public key as an HMAC key) are never accepted."""
_KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
LEEWAY = 60
"""Seconds of clock skew allowed on ``exp`` and ``iat``."""
MAX_TOKEN_AGE = 600
"""An ID token issued longer ago than this (plus the leeway) is refused: it comes fresh from the token
endpoint, so an old one is a replay."""
STATE_MAX_AGE = 600
"""Seconds between leaving for the provider and coming back (the pending sign-in's cookie lifetime)."""
METADATA_TTL = 3600
JWKS_TTL = 3600
"""Seconds the discovery document and the provider's keys are kept per process. An unknown ``kid``
fetches the keys again at once, so a rotated key needs no wait."""
TIMEOUT = httpx.Timeout(5.0, connect=3.0)
DEADLINE = 10.0
"""Seconds all the calls to the provider of one request may take together: :data:`TIMEOUT` bounds each
connect and each read, not a provider answering a byte at a time, and the request holds its place in
the database gate (``app/db/gate.py``) meanwhile."""
MAX_RESPONSE_BYTES = 512 * 1024
"""The most read of any answer of the provider (discovery, keys, token)."""
_STATE_SALT = "livskraft.sso.pending"


class SsoFailed(Exception):
    """A refused single sign-on: ``reason`` for the user (a message on the login page), ``detail`` for
    the log (never the tokens themselves)."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: Reason = reason
        self.detail = detail


class UnknownKey(Exception):
    """The ID token names a key the provider's JWKS (as last fetched) does not hold."""


@dataclass(frozen=True)
class Config:
    """The client's registration at the provider (from the settings)."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    production: bool


def config(settings: Settings) -> Config | None:
    """Single sign-on's configuration, or None when it is off (no issuer set)."""
    if not settings.oidc_issuer:
        return None
    return Config(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        scopes=settings.oidc_scopes,
        production=settings.env == "production",
    )


def url_problem(url: str, *, production: bool, issuer: bool = False) -> str | None:
    """What is wrong with a URL of the provider (None: nothing). https always; plain http only to a
    loopback host outside production (a provider on the same machine, as in the tests). An issuer has
    no query or fragment (OpenID Connect Discovery §2)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        return "must be an https URL with a host name (and no user name or password)"
    if issuer and (parts.query or parts.fragment):
        return "must not have a query or fragment"
    if parts.scheme == "http":
        if production:
            return "must use https in production"
        if not _loopback(host):
            return "must use https (plain http only for a loopback host such as 127.0.0.1)"
    return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- the pending sign-in, carried by a signed cookie ---------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A sign-in between leaving for the provider and coming back."""

    state: str
    nonce: str
    verifier: str
    """The PKCE code verifier (RFC 7636): only its S256 challenge goes to the provider."""
    next_path: str
    redirect_uri: str
    issuer: str
    client_id: str


def new_pending(cfg: Config, next_path: str, redirect_uri: str) -> Pending:
    return Pending(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(64),  # 86 characters of the unreserved set (43 to 128 allowed)
        next_path=next_path,
        redirect_uri=redirect_uri,
        issuer=cfg.issuer,
        client_id=cfg.client_id,
    )


def code_challenge(verifier: str) -> str:
    """The S256 challenge of a PKCE verifier: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_STATE_SALT)


def seal(pending: Pending, secret_key: str) -> str:
    """The cookie value: the pending sign-in, timestamped and signed (HMAC) with the app's secret key.
    Not encrypted: nothing in it is secret from the browser that is signing in (the PKCE verifier only
    has to stay away from whoever might intercept the code on its way back)."""
    return _serializer(secret_key).dumps(asdict(pending))


def unseal(value: str | None, secret_key: str, cfg: Config, max_age: int = STATE_MAX_AGE) -> Pending:
    """The pending sign-in of a cookie whose signature holds, younger than ``max_age`` seconds and made
    for the provider and client configured now."""
    if not value or len(value) > 4096:
        raise SsoFailed("state", "no pending sign-in (cookie missing)")
    try:
        data = _serializer(secret_key).loads(value, max_age=max_age)
    except BadSignature as e:  # SignatureExpired is one too
        raise SsoFailed("state", f"the pending sign-in's cookie is not valid ({type(e).__name__})") from None
    fields = Pending.__dataclass_fields__
    if not isinstance(data, dict) or set(data) != set(fields) or not all(isinstance(v, str) for v in data.values()):
        raise SsoFailed("state", "the pending sign-in's cookie has an unexpected form")
    pending = Pending(**data)
    if pending.issuer != cfg.issuer or pending.client_id != cfg.client_id:
        raise SsoFailed("state", "the pending sign-in was made for another provider or client")
    return pending


def callback_code(pending: Pending, params: Mapping[str, str]) -> str:
    """The authorization code of the provider's answer, after its ``state`` matched the pending one."""
    state = params.get("state", "")
    if not hmac.compare_digest(state.encode("utf-8"), pending.state.encode("utf-8")):
        raise SsoFailed("state", "the state returned does not match the pending sign-in")
    if "error" in params:
        error = params.get("error", "")[:100]
        raise SsoFailed("idp_error", f"the provider answered {error!r}: {params.get('error_description', '')[:200]!r}")
    code = params.get("code", "")
    if not code or len(code) > 4096:
        raise SsoFailed("idp_error", "the provider's answer has no authorization code")
    return code


# --- the provider: discovery, authorization request, token exchange, keys ------------------------


@dataclass(frozen=True)
class Metadata:
    """What Livskraft uses of the provider's discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    client_secret_post: bool
    """Authenticate at the token endpoint with the secret in the form (``client_secret_post``) because the
    provider does not offer HTTP Basic (``client_secret_basic``, the default)."""


def parse_metadata(doc: Mapping[str, Any], cfg: Config) -> Metadata:
    """Check the discovery document: its issuer must be the configured one exactly (Discovery §4.3),
    and every endpoint an acceptable URL."""
    if doc.get("issuer") != cfg.issuer:
        raise SsoFailed("unavailable", f"the discovery document names issuer {str(doc.get('issuer'))[:200]!r}")
    endpoints: dict[str, str] = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        url = doc.get(name)
        problem = url_problem(url, production=cfg.production) if isinstance(url, str) else "is missing"
        if problem:
            raise SsoFailed("unavailable", f"the discovery document's {name} {problem}")
        endpoints[name] = str(url)
    methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    post = isinstance(methods, list) and "client_secret_basic" not in methods and "client_secret_post" in methods
    return Metadata(issuer=cfg.issuer, client_secret_post=post, **endpoints)


def authorization_url(meta: Metadata, cfg: Config, pending: Pending, lang: str) -> str:
    """Where the browser goes to sign in: the authorization request with PKCE, state and nonce."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": cfg.client_id,
            "redirect_uri": pending.redirect_uri,
            "scope": cfg.scopes,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": code_challenge(pending.verifier),
            "code_challenge_method": "S256",
            "ui_locales": lang,
        }
    )
    separator = "&" if urlsplit(meta.authorization_endpoint).query else "?"
    return f"{meta.authorization_endpoint}{separator}{query}"


_metadata_cache: dict[str, tuple[float, Metadata]] = {}
_metadata_failures: dict[str, tuple[float, SsoFailed]] = {}
"""Issuer → (until when, why): a discovery document that could not be had is not asked for again for
:data:`FAILURE_COOLDOWN` seconds, so while the provider is down each visit is refused at once instead of
each making an outbound call (and holding a connection attempt of up to 3 s)."""
FAILURE_COOLDOWN = 15.0
_jwks_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False, headers={"Accept": "application/json"})


@contextmanager
def _deadline(what: str) -> Iterator[None]:
    """Give up on the provider after :data:`DEADLINE` seconds (``what``: the step, for the log)."""
    try:
        with anyio.fail_after(DEADLINE):
            yield
    except TimeoutError:
        raise SsoFailed("unavailable", f"the provider took more than {DEADLINE:g} s ({what})") from None


async def _read_json(response: httpx.Response, what: str) -> dict[str, Any]:
    body = b""
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise SsoFailed("unavailable", f"the {what} is larger than {MAX_RESPONSE_BYTES} bytes")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply
        raise SsoFailed("unavailable", f"the {what} is not JSON (HTTP {response.status_code})") from None
    if not isinstance(data, dict):
        raise SsoFailed("unavailable", f"the {what} is not a JSON object")
    return data


async def _get_json(client: httpx.AsyncClient, url: str, what: str) -> dict[str, Any]:
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise SsoFailed("unavailable", f"the {what} answered HTTP {response.status_code}")
            return await _read_json(response, what)
    except httpx.HTTPError as e:
        raise SsoFailed("unavailable", f"the {what} could not be fetched: {type(e).__name__}: {e}") from None


async def metadata(cfg: Config, client: httpx.AsyncClient | None = None) -> Metadata:
    """The provider's discovery document, checked, kept per process for :data:`METADATA_TTL` seconds."""
    cached = _metadata_cache.get(cfg.issuer)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    failed = _metadata_failures.get(cfg.issuer)
    if failed is not None and failed[0] > time.monotonic():
        raise failed[1]
    url = cfg.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        if client is None:
            with _deadline("discovery document"):
                async with _client() as own:
                    doc = await _get_json(own, url, "discovery document")
        else:
            doc = await _get_json(client, url, "discovery document")
        meta = parse_metadata(doc, cfg)
    except SsoFailed as failure:
        _metadata_failures[cfg.issuer] = (time.monotonic() + FAILURE_COOLDOWN, failure)
        raise
    _metadata_failures.pop(cfg.issuer, None)
    _metadata_cache[cfg.issuer] = (time.monotonic() + METADATA_TTL, meta)
    return meta


async def _jwks(client: httpx.AsyncClient, uri: str, refresh: bool = False) -> dict[str, Any]:
    cached = _jwks_cache.get(uri)
    if not refresh and cached is not None and cached[0] > time.monotonic():
        return cached[1]
    keys = await _get_json(client, uri, "key set (JWKS)")
    if not isinstance(keys.get("keys"), list):
        raise SsoFailed("unavailable", "the key set (JWKS) has no keys")
    _jwks_cache[uri] = (time.monotonic() + JWKS_TTL, keys)
    return keys


def _basic_auth(client_id: str, client_secret: str) -> str:
    """HTTP Basic client authentication, both parts form-encoded first (RFC 6749 §2.3.1)."""
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


async def _exchange_code(client: httpx.AsyncClient, meta: Metadata, cfg: Config, pending: Pending, code: str) -> str:
    """The raw ID token the token endpoint gives for the code and the PKCE verifier."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": pending.redirect_uri,
        "code_verifier": pending.verifier,
    }
    headers: dict[str, str] = {}
    if meta.client_secret_post:
        form |= {"client_id": cfg.client_id, "client_secret": cfg.client_secret}
    else:
        headers["Authorization"] = _basic_auth(cfg.client_id, cfg.client_secret)
    try:
        async with client.stream("POST", meta.token_endpoint, data=form, headers=headers) as response:
            if response.status_code >= 500:
                raise SsoFailed("unavailable", f"the token endpoint answered HTTP {response.status_code}")
            answer = await _read_json(response, "token endpoint's answer")
    except httpx.HTTPError as e:
        raise SsoFailed("unavailable", f"the token endpoint could not be reached: {type(e).__name__}: {e}") from None
    if response.status_code != 200:
        error = str(answer.get("error", ""))[:100]
        raise SsoFailed("token", f"the token endpoint refused the code (HTTP {response.status_code}, {error!r})")
    id_token = answer.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise SsoFailed("token", "the token endpoint's answer has no ID token")
    return id_token


async def id_token_claims(cfg: Config, pending: Pending, code: str) -> dict[str, Any]:
    """The back channel: exchange the code, fetch the keys (again once for an unknown ``kid``) and
    return the ID token's claims after every check of :func:`validate_id_token`."""
    with _deadline("token exchange"):
        return await _id_token_claims(cfg, pending, code)


async def _id_token_claims(cfg: Config, pending: Pending, code: str) -> dict[str, Any]:
    async with _client() as client:
        meta = await metadata(cfg, client)
        raw = await _exchange_code(client, meta, cfg, pending, code)
        keys = await _jwks(client, meta.jwks_uri)
        try:
            return validate_id_token(raw, keys, issuer=cfg.issuer, client_id=cfg.client_id, nonce=pending.nonce)
        except UnknownKey:
            keys = await _jwks(client, meta.jwks_uri, refresh=True)  # the provider may have rotated its keys
        try:
            return validate_id_token(raw, keys, issuer=cfg.issuer, client_id=cfg.client_id, nonce=pending.nonce)
        except UnknownKey as e:
            raise SsoFailed("token", str(e)) from None


# --- the ID token ---------------------------------------------------------------------------------


def _signing_key(header: Mapping[str, Any], jwks: Mapping[str, Any]) -> jwt.PyJWK:
    """The provider's key that signed a token with ``header``, built for the header's algorithm (which
    must be allowed, of the key's type and the key's own ``alg`` if it names one)."""
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise SsoFailed("token", f"the ID token's algorithm {str(alg)[:20]!r} is not allowed")
    kid = header.get("kid")
    kty = _KEY_TYPES[alg[:2]]
    candidates = [
        k
        for k in jwks.get("keys", [])
        if isinstance(k, dict)
        and k.get("kty") == kty
        and k.get("use", "sig") == "sig"
        and k.get("alg", alg) == alg
        and (kid is None or k.get("kid") == kid)
    ]
    if not candidates:
        raise UnknownKey(f"the provider's key set has no {alg} key {str(kid)[:100]!r}")
    if len(candidates) > 1:
        raise SsoFailed("token", "the ID token names no key (kid) and the provider has several")
    try:
        return jwt.PyJWK(candidates[0], algorithm=alg)
    except jwt.PyJWTError as e:
        raise SsoFailed("token", f"the provider's key {str(kid)[:100]!r} cannot be used: {e}") from None


def validate_id_token(raw: str, jwks: Mapping[str, Any], *, issuer: str, client_id: str, nonce: str) -> dict[str, Any]:
    """The claims of an ID token whose signature, issuer, audience, times and nonce all hold (OpenID
    Connect Core §3.1.3.7). Raises :class:`UnknownKey` when the signing key is not in ``jwks`` (fetch
    the keys again and retry) and :class:`SsoFailed` for everything else."""
    try:
        header = jwt.get_unverified_header(raw)
    except jwt.PyJWTError as e:
        raise SsoFailed("token", f"the ID token cannot be read: {e}") from None
    key = _signing_key(header, jwks)
    try:
        claims: dict[str, Any] = jwt.decode(
            raw,
            key,
            algorithms=list(ALLOWED_ALGORITHMS),  # the key (built for one of them) decides which one
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": ["iss", "sub", "aud", "exp", "iat"], "enforce_minimum_key_length": True},
        )
    except jwt.PyJWTError as e:
        raise SsoFailed("token", f"the ID token is not valid: {type(e).__name__}: {e}") from None
    if int(claims["iat"]) < time.time() - MAX_TOKEN_AGE - LEEWAY:  # a number: PyJWT checked it
        raise SsoFailed("token", "the ID token was issued too long ago")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise SsoFailed("token", "the ID token was issued to another party (azp)")
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not hmac.compare_digest(token_nonce.encode(), nonce.encode()):
        raise SsoFailed("token", "the ID token's nonce is not the one of this sign-in")
    return claims


def verified_email(claims: Mapping[str, Any]) -> str:
    """The e-mail address of the ID token, which the provider must say it has verified, in lower case.

    It must be in Unicode normal form NFKC: lowering maps some letters onto others (the Kelvin sign
    U+212A to an ASCII k, the Angstrom sign to å, ϴ to θ), so an address spelt with a Kelvin sign would
    otherwise sign in as kalle@…. Among NFKC-normal characters, lowering merges only a letter's cases."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise SsoFailed("email", "the ID token has no e-mail address (is the 'email' scope granted?)")
    if claims.get("email_verified") is not True:
        raise SsoFailed("email", "the provider has not verified the e-mail address (email_verified)")
    email = email.strip()
    if unicodedata.normalize("NFKC", email) != email:
        raise SsoFailed("email", "the ID token's e-mail address is not in Unicode normal form (NFKC)")
    email = email.lower()
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        raise SsoFailed("email", "the ID token's e-mail address is not one")
    return email


# --- the local account ----------------------------------------------------------------------------


def sign_in(session: Session, email: str, issuer: str) -> User | None:
    """The active local user with the provider's verified ``email`` (None: no such user, or inactive),
    with the sign-in recorded as a password sign-in's is (``login.succeeded``), naming the method.

    The password's lockout is left as it is: it guards the password against guessing, which single
    sign-on does not use (the provider has its own)."""
    user = repo.user_by_email(session, email)
    if user is None or not user.active:
        return None
    municipality = session.get(Municipality, user.municipality_id)
    assert municipality is not None
    actor = system_actor(municipality.id, municipality.code, f"login:{user.email}")
    user.last_login_at = utcnow()
    session.add(user)
    audit.record(session, actor, "login.succeeded", "user", user.id, None, {"method": "oidc", "issuer": issuer})
    return user
