"""A Finnish hyphenation dictionary for WeasyPrint, which hyphenates with pyphen: pyphen ships none for
Finnish, so a long Finnish word in a narrow table cell broke mid-word without a hyphen (CSS
``overflow-wrap``). Finnish hyphenates by a short rule (Kielitoimiston ohjepankki, tavutus), written out
here as Liang patterns in pyphen's (libhyphen's) format:

* before a consonant followed by a vowel (``ta-lo``, ``kun-ta``, ``elin-voi-ma``, ``or-ga-ni-saa-ti-o``);
* between two vowels that are neither a long vowel nor a diphthong (``kunta-or-ga-ni-saa-ti-o``);
* not inside a consonant cluster at the start of a word (``stra-te-gi-a``, not ``st-ra``).

A compound is hyphenated by its syllables, as the rule does; a soft hyphen in the text (the Finnish
catalogue's table headers) still wins (CSS Text 3, ``hyphens: auto``). :func:`register` makes the
patterns pyphen's ``fi`` (and ``fi_FI``); ``report.css`` turns hyphenation on for Finnish tables.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import lru_cache
from importlib.resources.abc import Traversable
from typing import Any

import pyphen  # type: ignore[import-untyped]

VOWELS = "aeiouyäö"
CONSONANTS = "bcdfghjklmnpqrstvwxzšž"
LONG_OR_DIPHTHONG = frozenset(
    [v + v for v in VOWELS]
    # the falling diphthongs, and the three rising ones
    + ["ai", "ei", "oi", "ui", "yi", "äi", "öi", "au", "eu", "iu", "ou", "ey", "äy", "öy", "ie", "uo", "yö"]
)
"""Vowel pairs kept together. ``iy`` is left out: in Finnish it meets mostly across a compound's seam
(``kaupunki-ympäristö``)."""
INITIAL_CLUSTERS = ("bl", "br", "dr", "fl", "fr", "gl", "gr", "kl", "kr", "pl", "pr", "sk", "sp", "st", "tr")
"""Consonants that begin a (loan) word together: no break between them (``.p2r``), nor after a third
before them (``.s2t2r``)."""


def patterns() -> list[str]:
    out = [f"1{c}{v}" for c in CONSONANTS for v in VOWELS]
    out += [f"{a}1{b}" for a in VOWELS for b in VOWELS if a + b not in LONG_OR_DIPHTHONG]
    out += [f".{pair[0]}2{pair[1]}" for pair in INITIAL_CLUSTERS]
    out += [f".s2{pair[0]}2{pair[1]}" for pair in INITIAL_CLUSTERS if pair[0] in "kpt" and pair[1] in "lr"]
    return out


@lru_cache(maxsize=1)
def dictionary_text() -> str:
    """The dictionary file's text: its encoding on the first line, then a pattern a line."""
    return "UTF-8\n" + "\n".join(patterns()) + "\n"


class _Patterns(Traversable):
    """The dictionary as pyphen reads its own bundled ones (``importlib.resources``): no file written."""

    name = "hyph_fi_FI.dic"

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        data = dictionary_text().encode()
        return io.BytesIO(data) if "b" in mode else io.StringIO(data.decode())

    def read_text(self, encoding: str | None = None) -> str:
        return dictionary_text()

    def read_bytes(self) -> bytes:
        return dictionary_text().encode()

    def iterdir(self) -> Iterator[Traversable]:
        return iter(())

    def is_dir(self) -> bool:
        return False

    def is_file(self) -> bool:
        return True

    def joinpath(self, *descendants: Any) -> Traversable:
        raise FileNotFoundError(self.name)

    def __truediv__(self, child: Any) -> Traversable:
        raise FileNotFoundError(self.name)

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Patterns)


FINNISH = _Patterns()


def register() -> None:
    """Make the patterns pyphen's Finnish (idempotent; a dictionary pyphen ships itself is kept)."""
    for name in ("fi", "fi_FI"):
        if name not in pyphen.LANGUAGES:
            pyphen.LANGUAGES[name] = FINNISH
            pyphen.LANGUAGES_LOWERCASE[name.lower()] = name


def hyphenate(word: str, hyphen: str = "-") -> str:
    """``word`` with its hyphenation points, as a report breaks it (for tests and the docs)."""
    register()
    return str(pyphen.Pyphen(lang="fi").inserted(word, hyphen))
