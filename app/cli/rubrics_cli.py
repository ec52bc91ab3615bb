"""``livskraft rubrics diff OLD NEW`` and ``livskraft rubrics schema``.

``diff`` lists the criteria added, removed (renamed, merged or dropped, as the migration maps say) and
changed between two installed versions, with each changed text per language, and changes to the
perspectives and the scale. ``--json`` prints the same document as ``GET /api/v1/rubrics/{id}/diff``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import err, fail, out
from app.rubrics.diff import Change, RubricDiff
from app.rubrics.models import LANGUAGES, Rubric, Text
from app.rubrics.registry import RubricRegistry

DirOption = Annotated[Path | None, typer.Option("--dir", help="Rubric folder (default: the configured one)")]


def say(text: str, style: str | None = None) -> None:
    """Plain output: no markup, no highlighting and no wrapping (texts are long and may be piped)."""
    out.print(text, style=style, highlight=False, markup=False, soft_wrap=True)


def _split(ref: str, other: str | None = None) -> tuple[str, str]:
    """``id@version``; the id may be left out of NEW (``@1.1.0`` or ``1.1.0``) when OLD names it."""
    rubric_id, _, version = ref.rpartition("@")
    if not rubric_id and other:
        rubric_id = other
    if not rubric_id or not version:
        raise fail(f"{ref!r}: write a rubric version as id@version, e.g. kuntaliitto-vitality@1.0.0")
    return rubric_id, version


def _text(text: Text | None, lang: str) -> str:
    return text.get(lang) if text else ""


def _changes(changes: list[Change], langs: tuple[str, ...], indent: str = "      ") -> None:
    for ch in changes:
        if ch.lang is not None and ch.lang not in langs:
            continue
        label = f"{ch.field} [{ch.lang}]" if ch.lang else ch.field
        say(f"{indent}{label}:")
        say(f"{indent}  - {ch.old}", style="red")
        say(f"{indent}  + {ch.new}", style="green")


def print_diff(diff: RubricDiff, langs: tuple[str, ...]) -> None:
    lang = langs[0]
    say(f"{diff.rubric_id} {diff.from_version} -> {diff.to_version}")
    if diff.empty:
        say("no differences")
        return
    say(f"\nAdded criteria ({len(diff.added)})", style="bold")
    for a in diff.added:
        more = f"  (replaces {', '.join(a.replaces)})" if a.replaces else ""
        say(f"  + {a.id}  [{a.perspective}/{a.target.value}]{more}")
        say(f"      {_text(a.question, lang)}")
    say(f"\nRemoved criteria ({len(diff.removed)})", style="bold")
    for r in diff.removed:
        where = f" -> {r.new_id}" if r.new_id else ""
        say(f"  - {r.id}  [{r.fate}{where}]")
        if r.reason:
            say(f"      {_text(r.reason, lang)}")
        if r.see:
            say(f"      see: {', '.join(r.see)}")
    say(f"\nChanged criteria ({len(diff.changed)})", style="bold")
    for c in diff.changed:
        say(f"  * {c.id}")
        _changes(c.changes, langs)
    if diff.perspectives_added or diff.perspectives_removed or diff.perspectives_changed:
        say("\nPerspectives", style="bold")
        for pid in diff.perspectives_added:
            say(f"  + {pid}")
        for pid in diff.perspectives_removed:
            say(f"  - {pid}")
        for p in diff.perspectives_changed:
            say(f"  * {p.id}")
            _changes(p.changes, langs)
    if diff.scale or diff.header:
        say("\nScale and header", style="bold")
        _changes([*diff.scale, *diff.header], langs, "  ")


def _installed(registry: RubricRegistry, ref: str, rubric_id: str, version: str) -> Rubric:
    found = registry.get(rubric_id, version)
    if found is None:
        installed = ", ".join(r.key for rid in registry.ids() for r in registry.versions(rid))
        raise fail(f"{ref} is not installed (installed: {installed})")
    return found


def register(rubrics_app: typer.Typer) -> None:
    @rubrics_app.command("diff")
    def rubrics_diff(
        old: Annotated[str, typer.Argument(help="The older version, e.g. kuntaliitto-vitality@1.0.0")],
        new: Annotated[str, typer.Argument(help="The newer version, e.g. kuntaliitto-vitality@1.1.0")],
        lang: Annotated[str, typer.Option(help="sv, fi, en or all: the languages of changed texts")] = "all",
        as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON (as the API does)")] = False,
        directory: DirOption = None,
    ) -> None:
        """List criteria added, removed and changed between two rubric versions, texts per language."""
        from app.rubrics.diff import diff_rubrics
        from app.rubrics.loader import RubricFileError
        from app.rubrics.models import semver_key
        from app.rubrics.registry import load_registry
        from app.settings import get_settings

        if lang not in (*LANGUAGES, "all"):
            raise fail("--lang must be sv, fi, en or all")
        old_id, old_version = _split(old)
        new_id, new_version = _split(new, old_id)
        if new_id != old_id:
            raise fail("both versions must be of the same rubric")
        try:
            registry = load_registry(directory or get_settings().rubrics_dir)
        except RubricFileError as exc:
            raise fail("the rubric files are broken:\n" + str(exc)) from exc
        before, after = _installed(registry, old, old_id, old_version), _installed(registry, new, new_id, new_version)
        if semver_key(after.version) < semver_key(before.version):
            raise fail("OLD must not be newer than NEW")
        diff = diff_rubrics(before, after, registry.criterion_map(old_id, before.version, after.version))
        if as_json:
            print(json.dumps(diff.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        print_diff(diff, LANGUAGES if lang == "all" else (lang,))

    @rubrics_app.command("schema")
    def rubrics_schema() -> None:
        """Print the JSON Schema of rubric files (also served at /api/v1/rubrics/schema)."""
        from app.rubrics.schema import rubric_file_schema

        print(json.dumps(rubric_file_schema(), ensure_ascii=False, indent=2))
        err.print("validate files with `livskraft rubrics check`", highlight=False)
