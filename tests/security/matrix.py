"""The authorisation matrix: which principal may call which route. The single source for the test that
walks every route and for the table in docs/security.md (regenerate: python -m tests.security.matrix)."""

from __future__ import annotations

from pathlib import Path

# API principals: system tokens by scope, personal tokens by the user's role.
API_PRINCIPALS = ("token:read", "token:write", "token:admin", "official", "reviewer", "admin", "council")
RIGHTS = {
    "token:read": {"read"},
    "token:write": {"read", "write"},
    "token:admin": {"read", "write", "admin"},
    "official": {"read", "write"},
    "reviewer": {"read", "write", "review"},
    "admin": {"read", "write", "admin"},
    "council": {"read"},
}
ADMIN_OPS = {
    "export",
    "update_settings",
    "create_webhook",
    "list_webhooks",
    "get_webhook",
    "update_webhook",
    "delete_webhook",
    "list_deliveries",
    "create_rubric_extension",
}
"""Listing the rubric extensions (``list_rubric_extensions``) needs only the read right: their criteria
are what every official rates with."""
REVIEW_OPS = {"approve", "return_assessment"}
PUBLIC_OPS = {"healthz", "rubric_schema"}


def named_operations() -> set[str]:
    """Every operation id this module names (each must be a real one of the app: see unknown_operations)."""
    return ADMIN_OPS | REVIEW_OPS | PUBLIC_OPS


def unknown_operations(operations: list[tuple[str, str, str]]) -> list[str]:
    """The names in the op-id sets that are no operation id of the app: a misspelt name would silently
    fall back to the read/write rule, so the matrix would check another cell than it claims."""
    real = {op for _, _, op in operations}
    return sorted(named_operations() - real)


def required(operation_id: str, method: str) -> str | None:
    """The right an API operation needs (None: public)."""
    if operation_id in PUBLIC_OPS:
        return None
    if operation_id in ADMIN_OPS:
        return "admin"
    if operation_id in REVIEW_OPS:
        return "review"
    return "read" if method.upper() == "GET" else "write"


def allowed(principal: str, operation_id: str, method: str) -> bool:
    need = required(operation_id, method)
    return need is None or need in RIGHTS[principal]


def table(operations: list[tuple[str, str, str]]) -> str:
    """Markdown: one row per operation, one column per principal (✓ allowed, ✗ 403)."""
    head = "| operation | " + " | ".join(API_PRINCIPALS) + " |"
    rows = [head, "|" + "---|" * (len(API_PRINCIPALS) + 1)]
    for method, path, op in sorted(operations, key=lambda o: (o[1], o[0])):
        cells = " | ".join("✓" if allowed(p, op, method) else "✗" for p in API_PRINCIPALS)
        rows.append(f"| `{method} {path}` | {cells} |")
    return "\n".join(rows) + "\n"


def api_operations() -> list[tuple[str, str, str]]:
    from app.main import create_app

    spec = create_app().openapi()
    return [(m.upper(), p, op["operationId"]) for p, ops in spec["paths"].items() for m, op in ops.items()]


if __name__ == "__main__":
    unknown = unknown_operations(api_operations())
    if unknown:
        raise SystemExit(f"not operation ids of the app: {', '.join(unknown)}")
    target = Path(__file__).resolve().parents[2] / "docs" / "authorisation-matrix.md"
    text = (
        "# Authorisation matrix (API)\n\nGenerated from `tests/security/matrix.py`; "
        "`tests/security/test_authz_matrix.py` checks every cell against the running app and that this file "
        "is current. ✓ = allowed, ✗ = 403. Every principal of another municipality gets 404 on every route "
        "with a resource (tests/api/test_tenancy.py); no token: 401, but for the two public operations "
        "(`/healthz`, and the rubric files' JSON Schema, which editors fetch without a token).\n\n"
        "A ✓ says who may call a route, not that every caller is answered alike: `GET /api/v1/audit-events` "
        "lists the events of administration — API tokens (`token.*`), webhook subscriptions (`webhook.*`), "
        "user accounts and invitations (`user.*`) and sign-ins (`login.*`, `password_change.*`) — only to "
        "the principals with the admin right (token:admin, admin), as the routes and pages that manage "
        "them; the others get the trail without them "
        "(`tests/security/test_hardening_audit_visibility.py`).\n\n" + table(api_operations())
    )
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
