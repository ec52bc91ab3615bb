from __future__ import annotations

from typing import Any

import pytest

from tests.web.support import Web


@pytest.fixture
def official(app: Any) -> Web:
    return Web.signed_in(app, "tiina@vaasa.fi", "official")


@pytest.fixture
def reviewer(app: Any) -> Web:
    return Web.signed_in(app, "goran@vaasa.fi", "reviewer")


@pytest.fixture
def admin(app: Any) -> Web:
    return Web.signed_in(app, "anna@vaasa.fi", "admin")


@pytest.fixture
def council(app: Any) -> Web:
    return Web.signed_in(app, "frida@vaasa.fi", "council")
