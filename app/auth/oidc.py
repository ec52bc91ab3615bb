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
3. The provider's subject (``iss`` + ``sub``, :func:`subject`) picks the *active* local user bound to
   it; a user not bound yet is picked by the verified e-mail address (:func:`verified_email`: present,
   ``email_verified`` true, NFKC; case-insensitively) and bound to the subject at this first sign-in,
   unless it is bound to another subject already (:func:`sign_in`). No account is ever created here.
   The route then starts the same server-side session as a password sign-in.

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
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth import repository as repo
from app.auth.actor import Actor, system_actor
from app.auth.models import User
from app.auth.users import CONTROL, EMAIL, MAX_EMAIL
from app.db.base import utcnow
from app.municipalities.models import Municipality
from app.settings import Settings

log = logging.getLogger("livskraft.sso")

Reason = Literal["state", "idp_error", "token", "email", "account", "unavailable"]
"""Why a sign-in was refused: ``state`` the pending sign-in is missing, expired, altered or not this
one; ``idp_error`` the provider answered with an error (the user cancelled, was refused there);
``token`` the provider's answer could not be verified; ``email`` no verified e-mail address in it;
``account`` no active local user is bound to the provider's subject or has the address, or the user
with the address is bound to another subject; ``unavailable`` the provider could not be reached or
answered nonsense."""
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
MAX_ISSUER = 500
MAX_SUBJECT = 255
"""The longest issuer URL and subject (``sub``: at most 255 ASCII characters, OpenID Connect Core §2) a
user can be bound to: the lengths of the user table's ``sso_issuer`` and ``sso_subject``."""
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
    if issuer and len(url) > MAX_ISSUER:
        return f"must be at most {MAX_ISSUER} characters long"
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


def subject(claims: Mapping[str, Any]) -> str:
    """The ID token's subject (``sub``): with the issuer, the provider's stable identifier of the person
    (OpenID Connect Core §2), compared exactly. PyJWT has checked that it is there."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > MAX_SUBJECT or CONTROL.search(sub):
        raise SsoFailed("token", f"the ID token's subject (sub) is not 1 to {MAX_SUBJECT} printable characters")
    return sub


def _user_bound_to(session: Session, issuer: str, sub: str) -> User | None:
    stmt = select(User).where(col(User.sso_issuer) == issuer, col(User.sso_subject) == sub)
    return session.exec(stmt.execution_options(populate_existing=True)).first()


def _unbound_user_with(session: Session, issuer: str, email: str) -> User:
    """The active user with the provider's verified ``email``, which must be bound to no subject."""
    user = repo.user_by_email(session, email)
    if user is None or not user.active:
        raise SsoFailed("account", "no active user has the provider's verified e-mail address")
    if user.sso_issuer is not None or user.sso_subject is not None:
        other = "issuer" if user.sso_issuer != issuer else "subject"
        raise SsoFailed(
            "account",
            f"the user with the provider's verified e-mail address ({user.id}) is bound to another {other} "
            "(if the provider's account was recreated: livskraft users sso-unbind)",
        )
    return user


def _bind(session: Session, user: User, issuer: str, sub: str) -> Literal["bound", "meanwhile", "lost"]:
    """Bind ``user`` to the provider's subject if it is bound to none: a conditional ``UPDATE … WHERE
    sso_subject IS NULL``, so of two first sign-ins racing only one binds (on PostgreSQL the second
    waits for the first's row lock, then finds the row bound and updates nothing; SQLite's writers are
    serial). The unique (issuer, subject) stops one subject binding two users at once. ``bound`` here,
    bound ``meanwhile`` to this very subject (the same person signing in twice at once), or ``lost`` to
    another sign-in."""
    stmt = (
        update(User)
        .where(col(User.id) == user.id, col(User.sso_issuer).is_(None), col(User.sso_subject).is_(None))
        .values(sso_issuer=issuer, sso_subject=sub)
        .execution_options(synchronize_session=False)
    )
    try:
        with session.begin_nested():
            result = session.execute(stmt)
    except IntegrityError:  # another sign-in bound this subject to another user at the same moment
        return "lost"
    session.refresh(user)  # the row as it is now, bound by this statement or by a concurrent one
    if getattr(result, "rowcount", 0) == 1:
        return "bound"
    return "meanwhile" if (user.sso_issuer, user.sso_subject) == (issuer, sub) else "lost"


def sign_in(session: Session, issuer: str, sub: str, email: str) -> User:
    """The active local user the provider's person signs in as, with the sign-in recorded as a password
    sign-in's is (``login.succeeded``), naming the method. Raises :class:`SsoFailed` (``account``) when
    there is none; never creates a user.

    1. A user bound to (``issuer``, ``sub``) is that person, whatever e-mail address the provider gives
       now (a changed address is logged; the account's own is left as it is).
    2. Otherwise the verified ``email`` picks the user; one bound to no subject yet is bound to this one
       now (``user.sso_bound`` in the audit trail). One bound to another subject, or to another issuer,
       is refused: the address may have been given to someone else at the provider. An admin undoes a
       binding (the provider's account was recreated) with :func:`unbind`.

    The password's lockout is left as it is: it guards the password against guessing, which single
    sign-on does not use (the provider has its own)."""
    bound_now = False
    user = _user_bound_to(session, issuer, sub)
    if user is None:
        user = _unbound_user_with(session, issuer, email)
        outcome = _bind(session, user, issuer, sub)
        if outcome == "lost":
            # Another sign-in at the same moment bound the user to another subject (refused, as if it had
            # come first), or this subject to another user: that one is then this person's account.
            user = _user_bound_to(session, issuer, sub)
            if user is None:
                raise SsoFailed("account", "another sign-in bound the user to another subject at the same moment")
        bound_now = outcome == "bound"
    if not user.active:
        raise SsoFailed("account", f"the user bound to the provider's subject ({user.id}) is deactivated")
    if user.email != email:
        log.info("user %s signed in by the provider's subject with another e-mail address than its own", user.id)
    actor = _actor(session, user, "login")
    if bound_now:
        log.info("user %s bound to the provider's subject at its first single sign-on", user.id)
        audit.record(session, actor, "user.sso_bound", "user", user.id, None, {"issuer": issuer, "subject": sub})
    user.last_login_at = utcnow()
    session.add(user)
    audit.record(session, actor, "login.succeeded", "user", user.id, None, {"method": "oidc", "issuer": issuer})
    return user


def unbind(session: Session, user: User, actor: Actor) -> tuple[str, str] | None:
    """Forget the provider's subject ``user`` is bound to (the provider's account was recreated with a
    new subject): the next single sign-on binds it again by its e-mail address. Returns the (issuer,
    subject) forgotten, None when it was bound to none. Recorded as ``user.sso_unbound``."""
    if user.sso_issuer is None and user.sso_subject is None:
        return None
    before = (user.sso_issuer or "", user.sso_subject or "")
    user.sso_issuer = user.sso_subject = None
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.sso_unbound", "user", user.id, {"issuer": before[0], "subject": before[1]}, None)
    return before


def _actor(session: Session, user: User, purpose: str) -> Actor:
    """The system actor that records what happens to an account (``login:…``)."""
    municipality = session.get(Municipality, user.municipality_id)
    assert municipality is not None
    return system_actor(municipality.id, municipality.code, f"{purpose}:{user.email}")
