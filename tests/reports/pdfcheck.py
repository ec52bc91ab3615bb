"""PDF/UA-1 and PDF/A checks for the tests (the logic of ../shared/checks/check_pdf.py, kept here so the
project's suite carries its own checks): tagging, /Scope, /Alt, /Lang, title, fonts, XMP identification,
output intents, qpdf structure, and the page-validation verdict."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf


@dataclass
class Structure:
    types: Counter[str] = field(default_factory=Counter)
    figures_without_alt: list[str] = field(default_factory=list)
    th_without_scope: list[str] = field(default_factory=list)
    scopes: Counter[str] = field(default_factory=Counter)
    alts: list[str] = field(default_factory=list)


def _scope_of(elem: pikepdf.Dictionary) -> str | None:
    attrs = elem.get("/A")
    items = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]
    for d in items:
        if isinstance(d, pikepdf.Dictionary) and "/Scope" in d:
            return str(d.Scope)
    return None


def structure(pdf: pikepdf.Pdf) -> Structure:
    out = Structure()
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return out
    stack: list[Any] = [root.get("/K")]
    seen: set[tuple[int, int]] = set()
    while stack:
        elem = stack.pop()
        if isinstance(elem, pikepdf.Array):
            stack.extend(elem)
            continue
        if not isinstance(elem, pikepdf.Dictionary):
            continue
        if elem.is_indirect:
            if elem.objgen in seen:
                continue
            seen.add(elem.objgen)
        if "/S" in elem:
            kind = str(elem.S)
            out.types[kind] += 1
            if kind == "/Figure":
                if "/Alt" in elem:
                    out.alts.append(str(elem.Alt))
                elif "/ActualText" not in elem:
                    out.figures_without_alt.append(str(elem.objgen))
            if kind == "/TH":
                scope = _scope_of(elem)
                if scope is None:
                    out.th_without_scope.append(str(elem.objgen))
                else:
                    out.scopes[scope] += 1
        if "/K" in elem:
            stack.append(elem.K)
    return out


def xmp(pdf: pikepdf.Pdf) -> str:
    md = pdf.Root.get("/Metadata")
    return md.read_bytes().decode("utf-8", "replace") if md is not None else ""


def xmp_value(raw: str, prefix: str, name: str) -> str | None:
    m = re.search(rf'{prefix}:{name}\s*=\s*"([^"]*)"', raw) or re.search(
        rf"<{prefix}:{name}>([^<]*)</{prefix}:{name}>", raw
    )
    return m.group(1).strip() if m else None


def fonts(pdf: pikepdf.Pdf) -> tuple[set[str], set[str]]:
    """(every base font name, the names of fonts that are not embedded)."""
    names: set[str] = set()
    unembedded: set[str] = set()
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        if resources is None or "/Font" not in resources:
            continue
        for _, font in resources.Font.items():
            for f in list(font.DescendantFonts) if "/DescendantFonts" in font else [font]:
                name = str(f.get("/BaseFont"))
                names.add(name)
                fd = f.get("/FontDescriptor")
                if fd is None or not any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    unembedded.add(name)
    return names, unembedded


def qpdf_ok(data: bytes, tmp: Path) -> bool:
    if not shutil.which("qpdf"):
        return True
    path = tmp / "check.pdf"
    path.write_bytes(data)
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode in (0, 3)


def page_validation(data: bytes, tmp: Path, profile: str) -> tuple[bool, list[str]]:
    """The third-party ``page-validation`` verdict. Its PDF/A-2/3 finding about a compressed metadata
    stream is a known false positive (veraPDF's PDF/A-2 rules allow it) and is ignored."""
    import page

    path = tmp / f"validate-{profile}.pdf"
    path.write_bytes(data)
    result = page.validate_pdf(str(path), profile=profile)
    failures = [f"{f.rule_id}: {f.message}" for f in result.failures]
    real = [f for f in failures if not ("metadata" in f.lower() and "filter" in f.lower())]
    return not real, real


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))
