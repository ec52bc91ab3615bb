"""The summary of one version of an assessment, computed once per process.

Every change to an assessment's screening, alternatives or ratings claims a new version
(``service.begin_edit``; approval and supersede bump it too), and the key also holds the pinned rubric
and the weights it is scored with (a draft follows its municipality's current weights), so a cached
summary is never stale. Only read requests use this (their transaction has committed data only), and
only after the assessment was loaded within the caller's municipality, so tenancy is checked first.
The cache is per process and bounded: a lost cache costs one recomputation, never a wrong answer.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict

from sqlmodel import Session

from app.assessments import views
from app.assessments.models import Assessment
from app.assessments.schemas import SummaryPublic
from app.rubrics.models import Rubric

MAX_ENTRIES = 512
"""About 10–40 KB each: at most ~20 MB per process."""

Key = tuple[uuid.UUID, int, str, str, str, str, str]
_entries: OrderedDict[Key, SummaryPublic] = OrderedDict()
_lock = threading.Lock()


def summary(session: Session, rubric: Rubric, assessment: Assessment) -> SummaryPublic:
    weights = views.weights_for(session, assessment)
    key: Key = (
        assessment.id,
        assessment.lock_version,
        rubric.id,
        rubric.version,
        rubric.content_hash,
        json.dumps(assessment.extensions, sort_keys=True),
        json.dumps(weights.as_dict(), sort_keys=True),
    )
    with _lock:
        found = _entries.get(key)
        if found is not None:
            _entries.move_to_end(key)
            return found
    data = views.load(session, assessment)
    result = views.summary_public(data, rubric, views.compute_summary(data, rubric, weights))
    with _lock:
        _entries[key] = result
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return result


def clear() -> None:
    with _lock:
        _entries.clear()
