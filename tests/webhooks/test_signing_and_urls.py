"""Signatures and URL rules (pure functions)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from app.webhooks.signing import new_secret, signature_header, verify
from app.webhooks.urls import address_kind, check, pinned

pytestmark = pytest.mark.database_independent  # tests/conftest.py: run on SQLite only

BODY = b'{"event":"assessment.approved"}'


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    secret = new_secret()
    header = signature_header(secret, 1_700_000_000, BODY)
    expected = hmac.new(secret.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify(secret, header, BODY, now=1_700_000_100)


@pytest.mark.parametrize(
    ("header", "body", "now"),
    [
        ("t=1700000000,v1={sig}", BODY + b" ", 1_700_000_000),  # body changed
        ("t=1700000001,v1={sig}", BODY, 1_700_000_001),  # timestamp changed
        ("t=1700000000,v1={sig}", BODY, 1_700_000_301),  # too old: a replay
        ("t=1700000000,v1={sig}", BODY, 1_699_999_699),  # from the future
        ("v1={sig}", BODY, 1_700_000_000),
        ("t=1700000000", BODY, 1_700_000_000),
        ("garbage", BODY, 1_700_000_000),
    ],
)
def test_verification_fails_on_any_change(header: str, body: bytes, now: int) -> None:
    secret = "whsec_test"
    sig = signature_header(secret, 1_700_000_000, BODY).split("v1=")[1]
    assert not verify(secret, header.format(sig=sig), body, now=now)


def test_several_signatures_one_match_is_enough() -> None:
    good = signature_header("whsec_new", 10, BODY).split("v1=")[1]
    assert verify("whsec_new", f"t=10,v1=deadbeef,v1={good}", BODY, now=10)


def test_secrets_are_random() -> None:
    assert len({new_secret() for _ in range(50)}) == 50


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("93.184.216.34", None),
        ("2606:2800:220:1::1", None),
        ("127.0.0.5", "loopback"),
        ("::1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("172.16.0.1", "private"),
        ("fc00::1", "private"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to refuse, not one to bind
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-public"),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    assert address_kind(address) == kind


def test_every_resolved_address_must_be_public() -> None:
    """A name with one public and one private address (DNS tricks) is refused."""
    problems = check(
        "https://hooks.example.fi/x", allow_private=False, resolver=lambda h, p: ["93.184.216.34", "10.0.0.1"]
    )
    assert [(p.field, p.code) for p in problems] == [("url", "private_address")]
    assert check("https://hooks.example.fi/x", allow_private=False, resolver=lambda h, p: ["93.184.216.34"]) == []


def test_test_mode_allows_local_http_but_keeps_the_other_rules() -> None:
    assert check("http://127.0.0.1:8080/hook", allow_private=True) == []
    assert check("ftp://127.0.0.1/hook", allow_private=True)[0].code == "https_required"
    assert check("http://u:p@127.0.0.1/hook", allow_private=True)[0].code == "credentials"


def test_pinned_connects_to_the_checked_address_and_keeps_the_name() -> None:
    assert pinned("https://hooks.example.fi:8443/a?b=1", "93.184.216.34") == (
        "https://93.184.216.34:8443/a?b=1",
        "hooks.example.fi:8443",
        "hooks.example.fi",
    )
    assert pinned("https://Hooks.Example.fi/a", "2606:2800:220:1::1")[0] == "https://[2606:2800:220:1::1]/a"
    assert pinned("https://kommun.åland.fi/a", "93.184.216.34")[2] == "kommun.xn--land-poa.fi"
