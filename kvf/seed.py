"""`kvf seed`: the programme's facts from DESIGN.md, loaded through the funding API.

For 2018 and 2019: the state's source account, the 25 MSEK appropriation to the agreement,
its 20 MSEK (kvinnofrid) / 5 MSEK (jämställdhet) split, the 9 MSEK to the regional support
structures (RSS) and its equal split over the 21 county accounts. For 2019 also the
Government's 7 MSEK supplement of June 2019, a supplementary appropriation through the
agreement and kvinnofrid into the school grants pool, and its call. Then the goals' national
indicators for K1 and K2 (`kvf.seed_goals`). Nothing
for 2020: its amounts are not in the documents.

Running it again changes nothing: each step first looks for what it would make (accounts by
code, transfers by accounts and kind, the call by pool and title), and every POST carries a
deterministic Idempotency-Key, so a retried request is replayed, not repeated.

The steps are one plan (a generator of API calls), driven by a sync client for the command
line (`seed`) or an async one (`seed_async`, used by the tests through the gateway).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from common.reference import COUNTIES

API = "/funding/v1"
MSEK = 100_000_000  # öre in a million kronor
YEARS = (2018, 2019)
SCHOOL_POOL = "2019.kvinnofrid.skolor"
CALL_TITLE = "Utvecklingsmedel för våldsförebyggande arbete i förskola och skola 2019"


@dataclass(frozen=True)
class ApiCall:
    """One request of the plan."""

    method: str
    path: str
    json: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    key: str | None = None


class SeedError(RuntimeError):
    """The API refused a step of the seed."""


Plan = Generator[ApiCall, httpx.Response, None]


def _expect(call: ApiCall, response: httpx.Response, *statuses: int) -> None:
    if response.status_code not in statuses:
        raise SeedError(f"{call.method} {call.path}: {response.status_code} {response.text}")


# The programme's tree of a year: (code after the year, name, kind, parent code after the year).
_TREE: tuple[tuple[str, str, str, str | None], ...] = (
    ("staten", "Staten: anslag / The state: appropriation", "source", None),
    (
        "overenskommelse",
        "Överenskommelse om stöd till jämställdhet och kvinnofrid {year} / Agreement",
        "budget",
        None,
    ),
    ("kvinnofrid", "Kvinnofridssatsningen / Kvinnofrid initiative", "budget", "overenskommelse"),
    (
        "jamstalldhet",
        "Jämställdhetssatsningen / Gender-equality initiative",
        "budget",
        "overenskommelse",
    ),
    (
        "kvinnofrid.rss",
        "Regionala stödstrukturer (RSS) / Regional support structures",
        "budget",
        "kvinnofrid",
    ),
)
_SCHOOL_POOL_NAME = (
    "Utvecklingsmedel förskola och skola (förstärkning juni 2019) / "
    "School development grants (June 2019 supplement)"
)


def _account(
    year: int, code: str, name: str, kind: str, parent: str | None, **extra: Any
) -> dict[str, Any]:
    """The body that opens one account of the year (codes given without the year)."""
    return {
        "code": f"{year}.{code}",
        "name": name.format(year=year),
        "year": year,
        "kind": kind,
        "parent_code": f"{year}.{parent}" if parent else None,
        **extra,
    }


def _accounts(year: int) -> list[dict[str, Any]]:
    """The year's tree, parents first."""
    tree = [_account(year, *node) for node in _TREE]
    tree += [
        _account(
            year,
            f"kvinnofrid.rss.{code}",
            f"RSS {county.name}",
            "county",
            "kvinnofrid.rss",
            county_code=code,
        )
        for code, county in COUNTIES.items()
    ]
    if year == 2019:
        pool = SCHOOL_POOL.removeprefix("2019.")
        tree.append(_account(year, pool, _SCHOOL_POOL_NAME, "budget", "kvinnofrid"))
    return tree


# The Government's June 2019 decision (the documents give the month, not the day).
SUPPLEMENT = {"decision": "supplementary", "decided_on": "2019-06-01"}
SUPPLEMENT_NOTE = "Förstärkning juni 2019 / June 2019 supplement"


@dataclass(frozen=True)
class Move:
    """One transfer of the seed: from, to, amount in öre, kind, note, and the decision."""

    source: str
    target: str
    amount: int
    kind: str
    note: str
    decision: Mapping[str, str] | None = None

    def body(self) -> dict[str, Any]:
        return {
            "from_account": self.source,
            "to_account": self.target,
            "amount_ore": self.amount,
            "kind": self.kind,
            "note": self.note,
            **(self.decision or {}),
        }

    def is_it(self, transfer: Mapping[str, Any]) -> bool:
        """Whether a listed transfer (of the same accounts and kind) is this one."""
        return transfer.get("decision") == (self.decision or {}).get("decision")


def _transfers(year: int) -> list[Move]:
    """The year's transfers, in order. In 2019 the June supplement runs as the money ran: the
    state → the agreement → kvinnofrid → the school pool, each marked supplementary."""
    y = str(year)
    moves = [
        Move(f"{y}.staten", f"{y}.overenskommelse", 25 * MSEK, "appropriation", "Överenskommelsen"),
        Move(f"{y}.overenskommelse", f"{y}.kvinnofrid", 20 * MSEK, "allocation", "Kvinnofrid"),
        Move(f"{y}.overenskommelse", f"{y}.jamstalldhet", 5 * MSEK, "allocation", "Jämställdhet"),
        Move(f"{y}.kvinnofrid", f"{y}.kvinnofrid.rss", 9 * MSEK, "allocation", "RSS"),
    ]
    if year == 2019:
        route = [f"{y}.staten", f"{y}.overenskommelse", f"{y}.kvinnofrid", SCHOOL_POOL]
        moves += [
            Move(
                source,
                target,
                7 * MSEK,
                "appropriation" if source == route[0] else "allocation",
                SUPPLEMENT_NOTE,
                SUPPLEMENT,
            )
            for source, target in itertools.pairwise(route)
        ]
    return moves


def _ensure_account(spec: dict[str, Any], counts: Counter[str]) -> Plan:
    found = ApiCall("GET", f"{API}/accounts/{spec['code']}")
    response = yield found
    if response.status_code == 200:
        counts["unchanged"] += 1
        return
    _expect(found, response, 404)
    create = ApiCall("POST", f"{API}/accounts", json=spec, key=f"seed-account-{spec['code']}")
    _expect(create, (yield create), 201)
    counts["accounts_created"] += 1


def _listed(params: dict[str, Any]) -> Generator[ApiCall, httpx.Response, list[dict[str, Any]]]:
    lookup = ApiCall("GET", f"{API}/transfers", params={**params, "limit": 100})
    response = yield lookup
    _expect(lookup, response, 200)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _exists(params: dict[str, Any]) -> Generator[ApiCall, httpx.Response, bool]:
    return bool((yield from _listed(params)))


def _ensure_transfer(move: Move, counts: Counter[str]) -> Plan:
    found = yield from _listed(
        {"from_account": move.source, "to_account": move.target, "kind": move.kind}
    )
    if any(move.is_it(transfer) for transfer in found):
        counts["unchanged"] += 1
        return
    marked = "-supplementary" if move.decision else ""
    key = f"seed-{move.source}-{move.target}-{move.kind}{marked}"
    create = ApiCall("POST", f"{API}/transfers", json=move.body(), key=key)
    _expect(create, (yield create), 201)
    counts["transfers_created"] += 1


def _reroute_supplement(counts: Counter[str]) -> Plan:
    """A database seeded before the supplement ran through the agreement had it as an
    appropriation from the state straight into the school pool. Its route is now made anew
    (above); the old transfer is corrected back to the state, never edited, so the pool has
    the 7 MSEK once."""
    direct = yield from _listed(
        {"from_account": "2019.staten", "to_account": SCHOOL_POOL, "kind": "appropriation"}
    )
    for old in direct:
        corrections = yield from _listed(
            {"from_account": SCHOOL_POOL, "to_account": "2019.staten", "kind": "correction"}
        )
        reversed_ore = sum(c["amount_ore"] for c in corrections if c["corrects_id"] == old["id"])
        left = old["amount_ore"] - reversed_ore
        if old["state"] != "posted" or left <= 0:
            continue
        body = {
            "from_account": SCHOOL_POOL,
            "to_account": "2019.staten",
            "amount_ore": left,
            "kind": "correction",
            "corrects_id": old["id"],
            "note": "Förstärkningen går via överenskommelsen / The supplement runs through the "
            "agreement",
        }
        create = ApiCall(
            "POST", f"{API}/transfers", json=body, key=f"seed-reroute-supplement-{old['id']}"
        )
        _expect(create, (yield create), 201)
        counts["transfers_created"] += 1


def _ensure_distribution(year: int, counts: Counter[str]) -> Plan:
    pool = f"{year}.kvinnofrid.rss"
    if (yield from _exists({"from_account": pool, "kind": "allocation"})):
        counts["unchanged"] += 1
        return
    body = {
        "from_account": pool,
        "amount_ore": 9 * MSEK,
        "key": "equal",
        "targets": [{"account": f"{pool}.{code}"} for code in COUNTIES],
        "kind": "allocation",
        "note": f"RSS {year}: lika delar / equal shares",
    }
    create = ApiCall("POST", f"{API}/distributions", json=body, key=f"seed-{year}-rss-distribution")
    _expect(create, (yield create), 201)
    counts["distributions_created"] += 1


def _ensure_call(counts: Counter[str]) -> Plan:
    lookup = ApiCall("GET", f"{API}/calls", params={"pool_account": SCHOOL_POOL, "limit": 100})
    response = yield lookup
    _expect(lookup, response, 200)
    found = [call for call in response.json()["items"] if call["title"] == CALL_TITLE]
    if found:
        if found[0].get("requires_interest") is False:  # seeded before calls had the rule
            change = ApiCall(
                "PATCH",
                f"{API}/calls/{found[0]['id']}",
                json={
                    "requires_interest": True,
                    "reason": "Intresseanmälan kom först / An expression of interest came first",
                },
            )
            _expect(change, (yield change), 200)
            counts["calls_changed"] += 1
            return
        counts["unchanged"] += 1
        return
    body = {
        "title": CALL_TITLE,
        "description": (
            "Utvecklingsmedel till ytterligare ett 30-tal skolhuvudmän som vill komma igång med "
            "kunskapsbaserade metoder för att förebygga våld. Metoder som riktar sig till alla "
            "i skolan och har ett tydligt jämställdhetsperspektiv prioriteras. / Development "
            "grants for about 30 more school organisers starting knowledge-based methods to "
            "prevent violence; methods for everyone in the school with a clear gender-equality "
            "focus have priority."
        ),
        "pool_account": SCHOOL_POOL,
        "opens_at": "2019-06-10T00:00:00+02:00",
        "closes_at": "2019-10-01T00:00:00+02:00",  # applications by 30 September 2019
        "max_amount_per_organiser_ore": 200_000 * 100,
        "min_schools": 1,
        "max_schools": 2,
        "eligible": "municipal",
        "methods": "MVP eller annan kunskapsbaserad metod / MVP or another knowledge-based method",
        "requires_interest": True,  # a non-binding expression of interest came first
    }
    create = ApiCall("POST", f"{API}/calls", json=body, key="seed-2019-school-grants-call")
    _expect(create, (yield create), 201)
    counts["calls_created"] += 1


def plan(counts: Counter[str]) -> Plan:
    """Every step of the seed, in order; `counts` tells what was made and what was there."""
    for year in YEARS:
        for spec in _accounts(year):
            yield from _ensure_account(spec, counts)
        for move in _transfers(year):
            yield from _ensure_transfer(move, counts)
        if year == 2019:
            yield from _reroute_supplement(counts)
        yield from _ensure_distribution(year, counts)
    yield from _ensure_call(counts)
    # The goals' national indicators (kvf.seed_goals builds on this module's plan steps).
    from kvf import seed_goals

    yield from seed_goals.plan(counts)


def _request(call: ApiCall, headers: Mapping[str, str]) -> dict[str, Any]:
    merged = dict(headers)
    if call.key is not None:
        merged["Idempotency-Key"] = call.key
    return {"json": call.json, "params": call.params or None, "headers": merged}


def _report(counts: Counter[str]) -> dict[str, int]:
    names = (
        "accounts_created",
        "transfers_created",
        "distributions_created",
        "calls_created",
        "calls_changed",
        "national_indicators_created",
        "unchanged",
    )
    return {name: counts[name] for name in names}


def seed(client: httpx.Client, headers: Mapping[str, str] | None = None) -> dict[str, int]:
    """Load the facts with an authenticated sync client (the `kvf seed` command)."""
    counts: Counter[str] = Counter()
    steps = plan(counts)
    try:
        call = next(steps)
        while True:
            response = client.request(call.method, call.path, **_request(call, headers or {}))
            call = steps.send(response)
    except StopIteration:
        return _report(counts)


async def seed_async(
    client: httpx.AsyncClient, headers: Mapping[str, str] | None = None
) -> dict[str, int]:
    """The same with an async client (tests through the gateway, with admin headers)."""
    counts: Counter[str] = Counter()
    steps = plan(counts)
    try:
        call = next(steps)
        while True:
            response = await client.request(call.method, call.path, **_request(call, headers or {}))
            call = steps.send(response)
    except StopIteration:
        return _report(counts)
