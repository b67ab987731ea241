"""`kvf seed`, goals part: the small national indicator set for K1 and K2, through the goals
API, as a plan of API calls in the style of `kvf.seed`.

Drawn from the programme's documents (`skl-kvinnofridssatsning-2019-02-06.txt` and DESIGN.md):
each RSS employs a development lead (utvecklingsledare) for kvinnofrid, to strengthen
collaboration between the county's actors (K1) and to develop systematic follow-up locally
and regionally (K2). So: for K1 a regional collaboration forum that is active, and the
county's municipalities with an action plan against violence (a count and a share); for K2 a
development lead employed in the RSS, and municipalities that follow their work up
systematically. Progress adds them up across counties: yes/no as the share of counties,
counts summed, percentages pooled.

Running it again changes nothing: each indicator is looked up by code first, and every POST
carries a deterministic Idempotency-Key.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kvf.seed import ApiCall, Plan, _expect

API = "/goals/v1"

NATIONAL_INDICATORS: tuple[dict[str, Any], ...] = (
    {
        "code": "K1-FORUM",
        "goal_code": "K1",
        "name": "Regionalt samverkansforum mot mäns våld mot kvinnor är aktivt",
        "name_en": "A regional collaboration forum against men's violence against women is active",
        "measure": "boolean",
    },
    {
        "code": "K1-HANDLPLAN",
        "goal_code": "K1",
        "name": "Kommuner i länet med handlingsplan mot mäns våld mot kvinnor",
        "name_en": "Municipalities in the county with an action plan against men's violence "
        "against women",
        "measure": "count",
        "direction": "increase",
        "unit": "kommuner",
    },
    {
        "code": "K1-ANDELHANDLPLAN",
        "goal_code": "K1",
        "name": "Andel av länets kommuner med handlingsplan mot mäns våld mot kvinnor",
        "name_en": "Share of the county's municipalities with an action plan against men's "
        "violence against women",
        "measure": "percentage",
        "direction": "increase",
        "unit": "%",
        "numerator": "Kommuner i länet med en antagen, gällande handlingsplan",
        "denominator": "Kommuner i länet",
    },
    {
        "code": "K2-UTVLEDARE",
        "goal_code": "K2",
        "name": "Utvecklingsledare för kvinnofrid anställd vid RSS",
        "name_en": "Development lead for kvinnofrid employed in the RSS",
        "measure": "boolean",
    },
    {
        "code": "K2-UPPFOLJNING",
        "goal_code": "K2",
        "name": "Kommuner i länet med systematisk uppföljning av kvinnofridsarbetet",
        "name_en": "Municipalities in the county that follow up their work against men's "
        "violence against women systematically",
        "measure": "count",
        "direction": "increase",
        "unit": "kommuner",
    },
)
"""The national set for K1 and K2."""


def _ensure_national(spec: dict[str, Any], counts: Counter[str]) -> Plan:
    found = ApiCall("GET", f"{API}/national-indicators/{spec['code']}")
    response = yield found
    if response.status_code == 200:
        counts["unchanged"] += 1
        return
    _expect(found, response, 404)
    create = ApiCall(
        "POST", f"{API}/national-indicators", json=spec, key=f"seed-national-{spec['code']}"
    )
    _expect(create, (yield create), 201)
    counts["national_indicators_created"] += 1


def plan(counts: Counter[str]) -> Plan:
    """Every step of the goals seed, in order."""
    for spec in NATIONAL_INDICATORS:
        yield from _ensure_national(spec, counts)
