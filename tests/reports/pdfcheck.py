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


_CIDCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s+(\d+)")
_CIDRANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s+(\d+)")


def _code_to_gid(font: pikepdf.Object) -> Any:
    """A function from a two-byte character code of a Type0 font to its glyph id (0: .notdef), through
    the font's encoding CMap (Identity-H, or the one WeasyPrint writes) and CIDToGIDMap."""
    encoding = font.get("/Encoding")
    cids: dict[int, int] | None = None
    if isinstance(encoding, pikepdf.Stream):
        raw = encoding.read_bytes()
        cids = {}
        for block in re.findall(rb"begincidrange(.*?)endcidrange", raw, re.S):
            for lo, hi, first in _CIDRANGE.findall(block):
                for code in range(int(lo, 16), int(hi, 16) + 1):
                    cids[code] = int(first) + code - int(lo, 16)
        for block in re.findall(rb"begincidchar(.*?)endcidchar", raw, re.S):
            for code, cid in _CIDCHAR.findall(block):
                cids[int(code, 16)] = int(cid)
    descendant = font.DescendantFonts[0]
    gid_map = descendant.get("/CIDToGIDMap")
    gids = gid_map.read_bytes() if isinstance(gid_map, pikepdf.Stream) else None

    def gid(code: int) -> int:
        cid = code if cids is None else cids.get(code, 0)
        if gids is None:
            return cid
        return int.from_bytes(gids[2 * cid : 2 * cid + 2], "big") if 2 * cid + 2 <= len(gids) else 0

    return gid


def notdef_glyphs(pdf: pikepdf.Pdf) -> Counter[str]:
    """How often each font draws its .notdef glyph (glyph 0: a missing glyph's box), over every page and
    the form XObjects they use. PDF/UA-1 (7.21.8) forbids any."""
    found: Counter[str] = Counter()

    def walk(stream: Any, resources: Any, seen: set[int]) -> None:
        fonts = resources.get("/Font", {}) if resources is not None else {}
        current: tuple[str, Any] | None = None
        for operands, operator in pikepdf.parse_content_stream(stream):
            op = str(operator)
            if op == "Tf":
                font = fonts.get(str(operands[0]))
                is_type0 = font is not None and font.get("/Subtype") == "/Type0"
                current = (str(font.get("/BaseFont")), _code_to_gid(font)) if is_type0 else None
            elif op in ("Tj", "'", '"', "TJ") and current is not None:
                parts = operands[0] if op == "TJ" else operands[-1:]
                for part in parts:
                    if isinstance(part, pikepdf.String):
                        data = bytes(part)
                        codes = (int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2))
                        found[current[0]] += sum(1 for code in codes if current[1](code) == 0)
            elif op == "Do" and resources is not None:
                xobject = resources.get("/XObject", {}).get(str(operands[0]))
                if xobject is not None and xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                    walk(xobject, xobject.get("/Resources", resources), seen | {xobject.objgen})

    for page in pdf.pages:
        walk(page, page.obj.get("/Resources"), set())
    return +found


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
