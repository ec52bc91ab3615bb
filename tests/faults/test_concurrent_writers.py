"""50 concurrent writers on one assessment: no lost update.

Fifty client threads read the assessment's ETag and save a rating with ``If-Match``, three rounds each;
in the first round all fifty read the same version and send at the same instant (a barrier), later
rounds start at random moments. Every
write is answered either 200 (applied) or 412 (stale version) — never 500, never a silent overwrite:
each applied write is in the audit trail exactly once, the versions of the applied writes are
consecutive, and the rating saved at the end is the applied write with the highest version.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass

import pytest

from tests.faults.support import FaultDatabase, api_client, create_assessment, rating, saved_rationales
from tests.server import running_server
from tests.support import make_token

pytestmark = pytest.mark.slow
WRITERS = 50
ROUNDS = 3


@dataclass(frozen=True)
class Answer:
    rationale: str
    status: int
    version: int | None
    body: str


def test_50_concurrent_writers_lose_no_update(fault_db: FaultDatabase) -> None:
    token = make_token("091")
    answers: list[Answer] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WRITERS)
    with running_server(fault_db.server_env) as (url, _proc):
        assessment_id = create_assessment(api_client(url, token), "CONC 2026/1")
        path = f"/api/v1/assessments/{assessment_id}"

        def writer(i: int) -> None:
            client = api_client(url, token, timeout=120)
            for n in range(ROUNDS):
                if n > 0:
                    time.sleep(random.uniform(0, 0.3))  # later rounds: spread out, so more writes apply
                etag = client.get(path).headers["ETag"]
                if n == 0:
                    barrier.wait(timeout=120)
                rationale = f"writer {i} round {n}"
                r = client.put(path + "/ratings", json={"ratings": [rating(rationale)]}, headers={"If-Match": etag})
                version = int(r.headers["ETag"].strip('"v')) if r.status_code == 200 else None
                with lock:
                    answers.append(Answer(rationale, r.status_code, version, r.text[:300]))

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        client = api_client(url, token)
        trail = saved_rationales(client, assessment_id)
        final = client.get(path + "/ratings").json()
        final_version = int(client.get(path).headers["ETag"].strip('"v'))

    statuses = Counter(a.status for a in answers)
    print(f"\n{WRITERS} writers × {ROUNDS} rounds: {dict(statuses)}")
    assert len(answers) == WRITERS * ROUNDS
    assert set(statuses) <= {200, 412}, [a for a in answers if a.status not in (200, 412)][:3]
    applied = sorted((a for a in answers if a.status == 200), key=lambda a: a.version or 0)
    assert len(applied) >= 1
    # Applied writes took consecutive versions, one each, starting from the created assessment's v1.
    assert [a.version for a in applied] == list(range(2, 2 + len(applied)))
    assert final_version == 1 + len(applied)
    # The audit trail holds exactly the applied writes, in version order; refused writes left no trace.
    assert trail == [a.rationale for a in applied]
    # The saved state is the last applied write.
    assert [r["rationale"] for r in final] == [applied[-1].rationale]
    for a in answers:
        if a.status == 412:
            assert "changed by someone else" in a.body
