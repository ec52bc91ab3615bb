"""Synthetic assessments for the benchmarks: realistic shapes, deterministic for a seed, fast to make.

Every row is produced as a tuple of strings (or None) that both loaders take as they are: PostgreSQL's
COPY text format (uuids as 32 hex digits, timestamps in UTC, booleans as 1/0) and SQLite's storage of the
same types through SQLAlchemy (uuid as 32 hex digits, naive UTC timestamps). No generated text contains a
tab, a newline or a backslash, so no COPY escaping is needed.

Shapes (see docs/benchmarks.md): decisions of 600 real municipalities (Finland's kuntanumero and Sweden's
kommunkod), with a skewed size distribution (the largest has about 8 % of all decisions), spread over
deciding bodies and the years 2022–2026; each decision has an assessment pinned to the default rubric
with the nine perspectives screened (about 45 % relevant), a proposal, a zero alternative and sometimes
further options, and ratings of about 45 % of the relevant criteria for the proposal (fewer for the zero
alternative), with scores, likelihood, horizon, certainty, rationale, mitigation for negative effects and
evidence. Statuses: mostly approved; recent decisions are often drafts or submitted; about 4 % of the
approved decisions have a second version that superseded the first.
"""

from __future__ import annotations

import json
import random
from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.portfolio.aggregate import COUNTS, contribution, period

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
"""The generated world's "today" (fixed, so a seed always gives the same rows)."""
FIRST_DAY = date(2022, 1, 1)
LAST_DAY = date(2026, 12, 31)
RECENT = timedelta(days=60)

Row = tuple[str | None, ...]
Alt = namedtuple("Alt", "id kind")
Screen = namedtuple("Screen", "perspective_id relevant")
Effect = namedtuple("Effect", "alternative_id perspective_id target score likelihood")

COLUMNS: dict[str, tuple[str, ...]] = {
    "municipality": ("id", "code", "country", "name", "settings", "audit_seq", "audit_head", "created_at"),
    "decision": (
        "id", "municipality_id", "case_number", "title", "summary", "deciding_body", "planned_date", "source",
        "version", "created_at", "updated_at",
    ),
    "assessment": (
        "id", "municipality_id", "decision_id", "rubric_id", "rubric_version", "rubric_hash", "extensions", "status",
        "version_no", "previous_id", "author_id", "reviewer_id", "author_name", "reviewer_name",
        "screening_statement", "weights", "submitted_at", "approved_at", "review_date", "significant_negative",
        "lock_version", "created_at", "updated_at",
    ),
    "screening_answer": ("assessment_id", "perspective_id", "relevant", "reason"),
    "alternative": ("id", "assessment_id", "key", "kind", "title", "description", "position"),
    "rating": (
        "id", "assessment_id", "alternative_id", "perspective_id", "criterion_id", "target", "effect", "score",
        "likelihood", "horizon", "certainty", "rationale", "evidence", "mitigation", "affected_groups",
        "affected_area", "updated_at",
    ),
    "review_entry": ("id", "assessment_id", "action", "actor", "comment", "created_at"),
    "portfolio_cell": ("municipality_id", "year", "quarter", "perspective_id", "target", *COUNTS),
    "portfolio_quarter": ("municipality_id", "year", "quarter", "approved", "significant_negative"),
}  # fmt: skip
LOAD_ORDER = ("decision", "assessment", "screening_answer", "alternative", "rating", "review_entry")

BODIES = {
    "FI": (
        ("Kunnanhallitus", "KH", 30), ("Kunnanvaltuusto", "KV", 12), ("Tekninen lautakunta", "TEK", 16),
        ("Sivistyslautakunta", "SIV", 14), ("Elinvoimalautakunta", "ELI", 12), ("Ympäristölautakunta", "YMP", 8),
        ("Hyvinvointilautakunta", "HYV", 8),
    ),
    "SE": (
        ("Kommunstyrelsen", "KS", 30), ("Kommunfullmäktige", "KF", 12), ("Tekniska nämnden", "TN", 16),
        ("Barn- och utbildningsnämnden", "BUN", 14), ("Samhällsbyggnadsnämnden", "SBN", 12),
        ("Miljö- och byggnadsnämnden", "MBN", 8), ("Kultur- och fritidsnämnden", "KFN", 8),
    ),
}  # fmt: skip
SUBJECTS = {
    "FI": (
        "Palveluverkkoselvitys", "Yritysalueen asemakaavan muutos", "Koulukiinteistön peruskorjaus",
        "Kunnan hankintaohjelma", "Kirjastoautopalvelun lakkauttaminen", "Tonttien hinnoitteluperiaatteet",
        "Kaukolämmön polttoaineen vaihto", "Elinkeino-ohjelma", "Joukkoliikenteen palvelutaso",
        "Kuntaliitosselvityksen käynnistäminen", "Avoimen datan ohjelma", "Vesihuollon investointiohjelma",
        "Matkailun kehittämishanke", "Lähiruoan hankintaperiaatteet", "Sote-kiinteistöjen käyttö",
        "Yrityspalveluiden organisointi", "Kyläkoulun lakkauttaminen", "Laajakaistahanke",
    ),
    "SE": (
        "Översyn av skolstrukturen", "Detaljplan för verksamhetsområde", "Renovering av idrottshall",
        "Upphandlingspolicy", "Ny näringslivsstrategi", "Markpriser för företagstomter",
        "Konvertering av fjärrvärmen", "Busstrafikens turtäthet", "Öppna data-program",
        "Investeringsplan för VA", "Besöksnäringsprojekt", "Lokal livsmedelsupphandling",
        "Omorganisation av företagsservice", "Nedläggning av byskola", "Bredbandsutbyggnad",
        "Bibliotekets öppettider", "Utredning om kommunsammanslagning", "Ny bostadsförsörjningsplan",
    ),
}  # fmt: skip
RATIONALES = {
    "FI": (
        "Selvityksen mukaan vaikutus kohdistuu erityisesti keskustan pienyrityksiin ja niiden asiakasvirtoihin.",
        "Kustannukset siirtyvät osittain kotitalouksille; vaikutus riippuu toteutusaikataulusta.",
        "Hanke vahvistaa kunnan strategian tavoitteita ja parantaa palvelujen saavutettavuutta.",
        "Vaikutusta ei voida arvioida ennen kuin rahoituspäätös on tehty; tieto puuttuu.",
        "Yrityskyselyn perusteella muutos parantaa toimintaedellytyksiä alueen teollisuudessa.",
        "Kyläalueiden asukkaiden matkat pitenevät, mutta digitaaliset palvelut korvaavat osan.",
        "Investointi pienentää elinkaarikustannuksia ja energiankulutusta pitkällä aikavälillä.",
        "Muutos lisää hallinnollista taakkaa pienille yrityksille lupakäsittelyssä.",
    ),
    "SE": (
        "Enligt utredningen berör effekten främst småföretagen i centrum och deras kundflöden.",
        "Kostnaderna flyttas delvis till hushållen; effekten beror på tidplanen för genomförandet.",
        "Åtgärden stärker kommunens strategiska mål och förbättrar tillgängligheten till service.",
        "Effekten kan inte bedömas innan finansieringsbeslutet är fattat; kunskapsluckan kvarstår.",
        "Enligt företagsenkäten förbättras förutsättningarna för industrin i området.",
        "Resorna blir längre för boende på landsbygden, men digitala tjänster ersätter en del.",
        "Investeringen sänker livscykelkostnaderna och energianvändningen på lång sikt.",
        "Ändringen ökar den administrativa bördan för småföretag i tillståndsprocessen.",
    ),
}  # fmt: skip
MITIGATIONS = {
    "FI": (
        "Vaiheistetaan toteutus ja seurataan vaikutuksia puolivuosittain.",
        "Tarjotaan siirtymäaika ja neuvontaa pienyrityksille.",
        "Korvataan palvelu liikkuvalla palvelulla ja sähköisellä asioinnilla.",
    ),
    "SE": (
        "Genomförandet delas upp i etapper och effekterna följs upp varje halvår.",
        "Småföretagen erbjuds en övergångsperiod och rådgivning.",
        "Servicen ersätts med mobil service och e-tjänster.",
    ),
}  # fmt: skip
GROUPS = {
    "FI": ("", "", "Keskustan pienyritykset", "Kyläalueiden asukkaat", "Lapsiperheet", "Teollisuusyritykset"),
    "SE": ("", "", "Småföretag i centrum", "Boende på landsbygden", "Barnfamiljer", "Industriföretag"),
}
EVIDENCE = ("[]", "[]", "[]", '["Selvitys 2025"]', '["Utredning 2024", "Enkät till företag"]', '["Kuntadata"]')
REASONS = {
    "FI": "Päätös ei vaikuta tähän näkökulmaan.",
    "SE": "Beslutet berör inte detta perspektiv.",
}
NAMES = (
    "Anna Virtanen", "Mikko Korhonen", "Laura Mäkinen", "Johan Lindqvist", "Sara Nyström", "Erik Johansson",
    "Maria Andersson", "Pekka Nieminen", "Karin Berg", "Jussi Heikkinen", "Elin Holm", "Tiina Laine",
)  # fmt: skip
SCORES = ("-3", "-2", "-1", "0", "1", "2", "3", None)
PROPOSAL_SCORE_WEIGHTS = (3, 8, 14, 20, 25, 17, 6, 7)
ZERO_SCORE_WEIGHTS = (1, 9, 25, 52, 8, 2, 0, 3)
LIKELIHOODS = ("unlikely", "possible", "likely", "certain")
HORIZONS = ("short", "medium", "long")
CERTAINTIES = ("low", "medium", "high")
V4 = (0xFFFFFFFFFFFF0FFF3FFFFFFFFFFFFFFF, 0x00000000000040008000000000000000)


def ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class Previous:
    id: str
    relevant: list[bool]
    options: int
    ratings: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Municipality:
    id: str
    code: str
    country: str
    name: str


@dataclass
class Totals:
    decisions: int = 0
    assessments: int = 0
    ratings: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class Aggregates:
    """The portfolio summary tables, accumulated with the app's own pure function (app/portfolio/aggregate.py)."""

    cells: dict[tuple[str, int, int, str, str], list[int]] = field(default_factory=dict)
    quarters: dict[tuple[str, int, int], list[int]] = field(default_factory=dict)

    def add(self, municipality_id: str, year_quarter: tuple[int, int], alts: list[Alt], screening: list[Screen],
            effects: list[Effect]) -> None:  # fmt: skip
        c = contribution(year_quarter, alts, screening, effects)
        for (pid, target), counts in c.cells.items():
            key = (municipality_id, c.year, c.quarter, pid, target)
            acc = self.cells.setdefault(key, [0] * len(COUNTS))
            for i, name in enumerate(COUNTS):
                acc[i] += getattr(counts, name)
        q = self.quarters.setdefault((municipality_id, c.year, c.quarter), [0, 0])
        q[0] += 1
        q[1] += 1 if c.significant else 0

    def rows(self) -> Iterator[tuple[str, Row]]:
        for (m, y, q, p, t), counts in sorted(self.cells.items()):
            yield "portfolio_cell", (m, str(y), str(q), p, t, *map(str, counts))
        for (m, y, q), (approved, significant) in sorted(self.quarters.items()):
            yield "portfolio_quarter", (m, str(y), str(q), str(approved), str(significant))


class Synth:
    """Makes the rows of one decision at a time; ``rng`` alone decides everything."""

    def __init__(self, seed: int, rubric: Any, municipalities: list[Municipality]) -> None:
        self.rng = random.Random(seed)
        self.rubric = rubric
        self.perspectives = [(p.id, [(c.id, c.target.value) for c in p.criteria]) for p in rubric.perspectives]
        self.municipalities = municipalities
        self.case_counters: dict[tuple[str, int], int] = {}
        self.totals = Totals()
        self.aggregates = Aggregates()
        self.weights_json = json.dumps({"perspectives": {}, "targets": {}})
        self.likelihood_weights = (10, 35, 40, 15)

    def uuid(self) -> str:
        return f"{(self.rng.getrandbits(128) & V4[0]) | V4[1]:032x}"

    def municipality_weights(self) -> list[float]:
        """Zipf-like sizes; the first two (the benchmark's municipalities) are the largest."""
        return [1 / (rank + 1) ** 0.9 for rank in range(len(self.municipalities))]

    def decision_dates(self, count: int) -> list[tuple[int, date]]:
        """(municipality index, planned date) of ``count`` decisions, in date order."""
        rng = self.rng
        idx = rng.choices(range(len(self.municipalities)), weights=self.municipality_weights(), k=count)
        span = (LAST_DAY - FIRST_DAY).days
        days = [FIRST_DAY + timedelta(days=rng.randrange(span + 1)) for _ in range(count)]
        return sorted(zip(idx, days, strict=True), key=lambda p: p[1])

    def decision(self, m: Municipality, day: date) -> dict[str, list[Row]]:
        """The rows of one decision with its assessment (and sometimes a superseded earlier version)."""
        rng = self.rng
        rows: dict[str, list[Row]] = {name: [] for name in LOAD_ORDER}
        country = m.country
        body, abbr, _ = rng.choices(BODIES[country], weights=[b[2] for b in BODIES[country]])[0]
        n = self.case_counters[(m.code, day.year)] = self.case_counters.get((m.code, day.year), 0) + 1
        subject = rng.choice(SUBJECTS[country])
        lead = timedelta(days=rng.randint(14, 90), seconds=rng.randrange(86400))
        created = min(NOW - timedelta(hours=1), datetime.combine(day, datetime.min.time(), UTC) - lead)
        planned = None if rng.random() < 0.03 else day
        decision_id = self.uuid()
        rows["decision"].append((
            decision_id, m.id, f"{abbr} {n}/{day.year}", f"{subject}: {m.name}",
            f"{subject}. {rng.choice(RATIONALES[country])}", body, planned.isoformat() if planned else None, None,
            "1", ts(created - timedelta(hours=2)), ts(created - timedelta(hours=2)),
        ))  # fmt: skip
        self.totals.decisions += 1
        status = self._status(created)
        if status == "approved" and rng.random() < 0.04:
            first_approved = created + timedelta(days=rng.randint(5, 30))
            second = first_approved + timedelta(days=rng.randint(30, 200))
            if second < NOW:
                first = self._assessment(rows, m, decision_id, planned, created, "superseded", 1, None)
                self._assessment(rows, m, decision_id, planned, second, "approved", 2, first)
                return rows
        self._assessment(rows, m, decision_id, planned, created, status, 1, None)
        return rows

    def _status(self, created: datetime) -> str:
        r = self.rng.random()
        if created > NOW - RECENT:
            return "draft" if r < 0.5 else ("submitted" if r < 0.75 else "approved")
        return "approved" if r < 0.93 else ("draft" if r < 0.97 else "submitted")

    def _assessment(
        self,
        rows: dict[str, list[Row]],
        m: Municipality,
        decision_id: str,
        planned: date | None,
        created: datetime,
        status: str,
        version_no: int,
        previous: Previous | None,
    ) -> Previous:
        """One assessment's rows; a new version (``previous`` given) copies its screening and alternatives."""
        rng = self.rng
        country = m.country
        assessment_id = self.uuid()
        submitted = approved = None
        if status != "draft":
            submitted = min(NOW - timedelta(minutes=30), created + timedelta(days=rng.randint(2, 20)))
        if status in ("approved", "superseded"):
            assert submitted is not None
            approved = min(NOW - timedelta(minutes=10), submitted + timedelta(days=rng.randint(1, 10)))
        updated = approved or submitted or min(NOW, created + timedelta(days=rng.randint(0, 10)))
        author, reviewer = rng.choice(NAMES), rng.choice(NAMES)
        # screening
        relevant = previous.relevant if previous else [rng.random() < 0.45 for _ in self.perspectives]
        if not any(relevant):
            relevant[rng.randrange(len(relevant))] = True
        screening = [Screen(pid, rel) for (pid, _), rel in zip(self.perspectives, relevant, strict=True)]
        for s in screening:
            rows["screening_answer"].append(
                (assessment_id, s.perspective_id, "1" if s.relevant else "0", "" if s.relevant else REASONS[country])
            )
        # alternatives
        alts = [Alt(self.uuid(), "proposal"), Alt(self.uuid(), "zero")]
        extra = rng.random()
        options = previous.options if previous else (2 if extra < 0.05 else (1 if extra < 0.22 else 0))
        alts += [Alt(self.uuid(), "option") for _ in range(options)]
        titles = ("Ehdotus" if country == "FI" else "Förslaget", "0", "Vaihtoehto" if country == "FI" else "Alternativ")
        for pos, alt in enumerate(alts):
            key = alt.kind if alt.kind != "option" else f"option-{pos - 1}"
            title = titles[min(pos, 2)] + (f" {pos - 1}" if alt.kind == "option" else "")
            rows["alternative"].append((alt.id, assessment_id, key, alt.kind, title, "", str(pos)))
        # ratings: (alternative index, perspective, criterion, target, effect, score, likelihood)
        ratings = self._revise(previous.ratings) if previous else self._ratings(relevant, options)
        effects: list[Effect] = []
        significant = False
        stamp = ts(updated)
        for alt_i, pid, cid, target, effect, score, likelihood in ratings:
            alt = alts[alt_i]
            if alt.kind == "proposal":
                value = None if score is None else int(score)
                effects.append(Effect(alt.id, pid, target, value, likelihood))
                weight = (0.25, 0.5, 0.75, 1.0)[LIKELIHOODS.index(likelihood)]
                if value is not None and value < 0 and -value * weight >= 1.5:
                    significant = True
            negative = score is not None and score[0] == "-"
            rows["rating"].append((
                self.uuid(), assessment_id, alt.id, pid, cid, target, str(effect), score, likelihood,
                rng.choice(HORIZONS), rng.choice(CERTAINTIES),
                "" if score == "0" and rng.random() < 0.5 else rng.choice(RATIONALES[country]),
                rng.choice(EVIDENCE), rng.choice(MITIGATIONS[country]) if negative else "",
                rng.choice(GROUPS[country]), "", stamp,
            ))  # fmt: skip
        rows["assessment"].append((
            assessment_id, m.id, decision_id, self.rubric.id, self.rubric.version, self.rubric.content_hash, None,
            status, str(version_no), previous.id if previous else None, None, None, author,
            reviewer if approved else "",
            "", self.weights_json if approved else None, ts(submitted) if submitted else None,
            ts(approved) if approved else None, None, "1" if significant else "0", str(rng.randint(4, 24)),
            ts(created), ts(updated),
        ))  # fmt: skip
        if submitted:
            rows["review_entry"].append((self.uuid(), assessment_id, "submitted", author, "", ts(submitted)))
        if approved:
            rows["review_entry"].append((self.uuid(), assessment_id, "approved", reviewer, "", ts(approved)))
        self.totals.assessments += 1
        self.totals.ratings += len(ratings)
        self.totals.by_status[status] = self.totals.by_status.get(status, 0) + 1
        if status == "approved":
            self.aggregates.add(m.id, period(planned, created, country), alts, screening, effects)
        return Previous(assessment_id, relevant, options, ratings)

    def _ratings(self, relevant: list[bool], options: int) -> list[tuple[Any, ...]]:
        rng = self.rng
        out: list[tuple[Any, ...]] = []
        rated: list[tuple[str, str, str]] = []
        for (pid, criteria), rel in zip(self.perspectives, relevant, strict=True):
            if rel:
                rated += [(pid, cid, target) for cid, target in criteria if rng.random() < 0.45]
        if not rated:
            pid, criteria = self.perspectives[relevant.index(True)]
            rated.append((pid, *criteria[0]))
        weights = self.likelihood_weights
        for alt_i, share, score_weights in (
            (0, 1.0, PROPOSAL_SCORE_WEIGHTS),
            (1, 0.4, ZERO_SCORE_WEIGHTS),
            *((2 + o, 0.7, PROPOSAL_SCORE_WEIGHTS) for o in range(options)),
        ):
            chosen = rated if share == 1.0 else [r for r in rated if rng.random() < share]
            scores = rng.choices(SCORES, weights=score_weights, k=len(chosen))
            likelihoods = rng.choices(LIKELIHOODS, weights=weights, k=len(chosen))
            for (pid, cid, target), score, likelihood in zip(chosen, scores, likelihoods, strict=True):
                out.append((alt_i, pid, cid, target, 1, score, likelihood))
                if alt_i == 0 and rng.random() < 0.05:  # a second effect for another group
                    out.append((alt_i, pid, cid, target, 2, rng.choice(SCORES[:7]), likelihood))
        return out

    def _revise(self, ratings: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """A new version: the same ratings, a fifth of them rescored."""
        rng = self.rng
        return [(*r[:5], rng.choice(SCORES[:7]), r[6]) if rng.random() < 0.2 else r for r in ratings]
