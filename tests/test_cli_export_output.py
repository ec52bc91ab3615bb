"""`livskraft export -o FILE` to a folder that does not exist, to a folder, or to a file that cannot be
written: one clear line on stderr and exit code 1, no directory created (it was a traceback with
FileNotFoundError or IsADirectoryError, after the whole export had been read)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from app.cli.main import app
from tests.support import Api

runner = CliRunner()


def test_export_to_a_path_that_cannot_be_written_is_one_clear_error(api: Api, tmp_path: Path) -> None:
    api.create_assessment()
    missing = tmp_path / "no-such-folder" / "export.json"
    cases = [
        (missing, f"cannot write {missing}: {missing.parent} does not exist"),
        (tmp_path, f"cannot write {tmp_path}: it is a folder"),
        (Path("/proc/livskraft-export.json"), "cannot write /proc/livskraft-export.json: "),
    ]
    for path, message in cases:
        result = runner.invoke(app, ["export", "--municipality", "091", "-o", str(path)])
        assert result.exit_code == 1, (path, result.output)
        assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
        assert message in result.stderr, result.stderr
    assert not missing.parent.exists()
    written = tmp_path / "export.json"
    result = runner.invoke(app, ["export", "--municipality", "091", "-o", str(written)])
    assert result.exit_code == 0, result.output
    assert written.read_bytes().startswith(b"{")
