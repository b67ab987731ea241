"""The results report's MVP evaluation section: per cohort and scale a forest plot of the
schools' and the pooled change with 95 % intervals, the controlled effect, ICC and alpha,
and how many schools and pupils each figure rests on."""

from __future__ import annotations

from typing import Any

from kvf.documents import charts
from kvf.documents.blocks import (
    GROUP,
    SCHOOL_HIDDEN,
    SMALL_CELL,
    Block,
    chart,
    heading,
    hidden,
    not_public,
    notice,
    section,
    table,
    text,
)
from kvf.documents.fetch import Analysis, Evaluation, NotPublic, ResultsData
from kvf.documents.formatting import DASH, decimal, grouped, p_value

ARMS = {"intervention": "Insats / Intervention", "comparison": "Jämförelse / Comparison"}


def evaluation(data: ResultsData) -> dict[str, Any]:
    """Utvärdering av MVP / MVP evaluation."""
    blocks: list[Block]
    if isinstance(data.evaluation, NotPublic):
        blocks = [not_public("Utvärderingens uppgifter", "The evaluation's figures")]
    elif not data.evaluation.analyses:
        blocks = [
            notice(
                f"Det finns ännu inga enkätdata för kohorter som började {data.year}.",
                f"There is no survey data yet for cohorts that started in {data.year}.",
            )
        ]
    else:
        blocks = [
            text(
                "Stockholms universitet utvärderar skolornas arbete med Mentors in Violence",
                "Prevention (MVP). För varje kohort och skala visas förändringen från före- till",
                "eftermätningen per skola och sammanvägt för insatsskolorna, och den kontrollerade",
                "effekten mot jämförelseskolorna. / Stockholm University evaluates the schools'",
                "work with MVP: the change from the pre to the post wave per school and pooled",
                "over the intervention schools, and the effect controlled against comparison",
                "schools.",
            )
        ]
        for number, analysis in enumerate(data.evaluation.analyses, start=4):
            blocks += _analysis(analysis, data.evaluation, number)
    return section("evaluation", "Utvärdering av MVP", "MVP evaluation", blocks)


def _cell(figure: dict[str, Any], field: str, mark: str, places: int = 2) -> str:
    if figure.get("suppressed"):
        return hidden(mark)
    value = figure.get(field)
    if field in ("n", "n_intervention", "n_comparison", "n_schools", "n_pupils"):
        return DASH if value is None else grouped(int(value))
    return p_value(value) if field == "p_value" else decimal(value, places)


def _interval(figure: dict[str, Any], mark: str) -> str:
    if figure.get("suppressed"):
        return hidden(mark)
    low, high = figure.get("ci95_low"), figure.get("ci95_high")
    return DASH if low is None or high is None else f"[{decimal(low)}; {decimal(high)}]"


def _name(code: str, evaluation: Evaluation) -> str:
    school = evaluation.schools.get(code)
    return f"{school['name']} ({code})" if school else code


def _analysis(analysis: Analysis, evaluation: Evaluation, number: int) -> list[Block]:
    effects = analysis.effects
    schools = effects["schools"]
    pooled = effects["pooled"]["paired"]
    intervention = sum(s["arm"] == "intervention" for s in schools)
    rows = [
        charts.ForestRow(
            _name(s["school_unit_code"], evaluation),
            s["paired"]["mean_diff"],
            s["paired"]["ci95_low"],
            s["paired"]["ci95_high"],
        )
        for s in schools
    ]
    rows.append(
        charts.ForestRow(
            f"Sammanvägt, {intervention} insatsskolor / Pooled",
            pooled["mean_diff"],
            pooled["ci95_low"],
            pooled["ci95_high"],
            pooled=True,
        )
    )
    cohort, scale = analysis.cohort, analysis.scale
    svg = charts.forest(
        rows,
        title=f"Förändring före–efter med 95 % KI / Change pre–post, 95 % CI: {analysis.scale}",
        unit="Medelförändring, skalpoäng / Mean change, scale points",
    )
    caption = (
        f"Figur {number}. Förändring per skola, kohort {cohort}, skala {scale} / "
        f"Figure {number}. Change by school, cohort {cohort}, scale {scale}"
    )
    return [
        heading(f"Kohort {cohort}, skala {scale}", f"Cohort {cohort}, scale {scale}"),
        chart(svg, caption),
        _paired_table(schools, pooled, evaluation),
        _controlled_table(effects),
        _alpha_table(analysis, evaluation),
    ]


def _mark(school: dict[str, Any]) -> str:
    """The footnote of a school's hidden figures, by why the API withheld them."""
    return SMALL_CELL if school.get("withheld") in (None, "small_cell") else SCHOOL_HIDDEN


def _paired_table(
    schools: list[dict[str, Any]], pooled: dict[str, Any], evaluation: Evaluation
) -> Block:
    def row(label: str, arm: str, figure: dict[str, Any], mark: str) -> list[str]:
        return [
            label,
            arm,
            _cell(figure, "n", mark),
            _cell(figure, "mean_pre", mark),
            _cell(figure, "mean_post", mark),
            _cell(figure, "mean_diff", mark),
            _interval(figure, mark),
            _cell(figure, "d_z", mark),
            _cell(figure, "hedges_g", mark),
        ]

    body = [
        row(_name(s["school_unit_code"], evaluation), ARMS[s["arm"]], s["paired"], _mark(s))
        for s in schools
    ]
    body.append(row("Sammanvägt / Pooled", ARMS["intervention"], pooled, GROUP))
    columns = [
        "Skola / School",
        "Grupp / Arm",
        "Elever / Pupils (n)",
        "Före / Pre",
        "Efter / Post",
        "Förändring / Change",
        "95 % KI / CI",
        "d_z",
        "g",
    ]
    return table(columns, body, numeric_from=2, total=True)


def _controlled_table(effects: dict[str, Any]) -> Block:
    controlled = effects["controlled"]
    model = controlled["multilevel"]
    icc = {"suppressed": effects["icc_suppressed"], "icc": effects["icc"]}
    reason = model.get("reason")
    rows = [
        [
            "d_ppc2 (Morris 2008)",
            _cell(controlled, "d_ppc2", GROUP),
            DASH,
            f"{_cell(controlled, 'n_intervention', GROUP)} + "
            f"{_cell(controlled, 'n_comparison', GROUP)} elever / pupils",
        ],
        [
            "Flernivåmodell, skillnad / Multilevel estimate",
            _cell(model, "estimate", GROUP),
            _interval(model, GROUP),
            f"{_cell(model, 'n_schools', GROUP)} skolor / schools, "
            f"{_cell(model, 'n_pupils', GROUP)} elever / pupils",
        ],
        [
            "Flernivåmodell, standardiserad / standardized",
            _cell(model, "standardized", GROUP),
            DASH,
            f"p = {_cell(model, 'p_value', GROUP)}",
        ],
        ["ICC(1), föremätningen / pre wave", _cell(icc, "icc", GROUP, 3), DASH, DASH],
        ["ICC, betingad / conditional", _cell(model, "icc_conditional", GROUP, 3), DASH, DASH],
    ]
    if reason:
        rows.append(["Modellen skattades inte / Not fitted", DASH, DASH, reason])
    columns = ["Mått / Measure", "Värde / Value", "95 % KI / CI", "Underlag / Based on"]
    return table(columns, rows)


def _alpha_table(analysis: Analysis, evaluation: Evaluation) -> Block:
    if isinstance(analysis.reliability, NotPublic):
        return not_public("Reliabilitetsmåtten (Cronbachs alfa)", "The reliability figures")
    rows = [
        [
            _name(item["school_unit_code"], evaluation),
            grouped(int(item["wave"])),
            _cell(item, "n", SMALL_CELL),
            grouped(int(item["items"])),
            _cell(item, "alpha", SMALL_CELL),
        ]
        for item in analysis.reliability
    ]
    columns = [
        "Skola / School",
        "Mätning / Wave",
        "Elever / Pupils (n)",
        "Frågor / Items",
        "Cronbachs alfa / alpha",
    ]
    return table(columns, rows, numeric_from=1)
