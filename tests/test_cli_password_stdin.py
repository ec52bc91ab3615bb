"""A password piped to `livskraft users create` / `users reset-password` from a file written on Windows
(a line ending CR LF) is the line without its ending: the carriage return was kept as the password's
last character, so the person could never sign in with the password they were given. Through the real
command in its own process (the test runner's stdin turns CR LF into LF, as a real pipe does not)."""

from __future__ import annotations

import subprocess

from fastapi.testclient import TestClient

from tests.server import ROOT, VENV_BIN
from tests.support import make_municipality
from tests.test_cli_password_policy import sign_in

PASSWORD = "kesäloma mökillä 2026"


def livskraft(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    command = [str(VENV_BIN / "livskraft"), *args]
    return subprocess.run(command, cwd=ROOT, input=stdin, capture_output=True, timeout=120, check=False)


def test_a_password_line_ending_crlf_signs_in_without_the_cr(client: TestClient) -> None:
    make_municipality("905")
    args = ("users", "create", "--municipality", "905", "--email", "anna@vaasa.fi", "--name", "Anna Berg")
    proc = livskraft(*args, stdin=f"{PASSWORD}\r\n".encode())
    assert proc.returncode == 0, proc.stderr
    assert sign_in(client, "anna@vaasa.fi", PASSWORD).status_code == 303
    client.cookies.clear()
    proc = livskraft("users", "reset-password", "--email", "anna@vaasa.fi", stdin="vinter i fjällen 27\r\n".encode())
    assert proc.returncode == 0, proc.stderr
    assert sign_in(client, "anna@vaasa.fi", "vinter i fjällen 27").status_code == 303
