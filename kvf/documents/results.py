"""`kvf report results --year Y`: the year's Resultatrapport as PDF and self-contained HTML,
from live data read through the API.

By default it is built as a reader sees the system (the saved client `report-reader`, made
once through the admin), so every figure a reader may not see is already hidden by the API
and the report says why: safe to publish. `internal=True` uses the caller's own client and
marks every page as internal.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from kvf.client import api, save_client, saved_client_path
from kvf.errors import Usage, checked

READER = "report-reader"
INTERNAL = "Internt – ej för publicering / Internal – not for publication"


def write_results(*, year: int, internal: bool, out_dir: Path, as_client: str | None) -> int:
    """Fetch the year's figures, write `resultatrapport-<year>.pdf` and `.html` in `out_dir`,
    and print their paths."""
    from kvf.documents import render
    from kvf.documents.fetch import results_data

    client_name = as_client if as_client or internal else _reader()
    with api(as_client=client_name) as client:
        if internal:
            _check_internal(client)
        data = results_data(client, year)
    document = build(data, internal=internal)
    stem = f"resultatrapport-{year}"
    pdf = render.write(out_dir / f"{stem}.pdf", render.pdf("results.typ", document))
    page = render.write(out_dir / f"{stem}.html", render.html("results.html.j2", document))
    print(pdf, page, sep="\n")
    return 0


def _check_internal(client: httpx.Client) -> None:
    """An internal report shows every figure: only an admin's or an evaluator's client may
    make one, else it would say "internal" over a reader's figures."""
    role = checked(client.get("/funding/v1/me")).json()["role"]
    if role not in ("admin", "evaluator"):
        raise Usage(
            f"--internal needs an admin or evaluator client; this one is a {role}. Leave "
            "--internal out for the public report, or use --as NAME with such a client."
        )


def _reader() -> str:
    """The saved reader client the public report is built with, made once by the admin."""
    if not saved_client_path(READER).exists():
        with api() as admin:
            body = {"name": READER, "role": "reader"}
            created = checked(admin.post("/auth/v1/clients", json=body)).json()
        save_client(READER, created["client_id"], created["client_secret"])
        print(f"Saved the reader client {READER!r} for public reports.", file=sys.stderr)
    return READER


def build(data: Any, *, internal: bool) -> dict[str, Any]:
    """The report's document model: cover facts and sections, for both templates."""
    from kvf.documents.evaluation import evaluation
    from kvf.documents.formatting import moment
    from kvf.documents.sections import follow_up, grants, money

    year = data.year
    sections = [money(data), grants(data), follow_up(data), evaluation(data)]
    sections.append(_method(data, internal=internal))
    view = (
        "Intern version: alla uppgifter visas / Internal version: every figure shown"
        if internal
        else "Publik version: som en läsare ser systemet / Public version: a reader's view"
    )
    return {
        "title": f"Resultatrapport {year}",
        "title_en": f"Results report {year}",
        "subtitle": "Överenskommelse om stöd till jämställdhet och kvinnofrid 2018–2020",
        "subtitle_en": "Agreement on support for gender equality and kvinnofrid 2018–2020",
        "internal": internal,
        "banner": INTERNAL if internal else "",
        "view": view,
        "generated": f"Skapad / Generated {moment(datetime.now(UTC))}",
        "source": (
            f"Källa / Source: Kvinnofrid-plattformens API ({data.api_url}), "
            f"hämtat / fetched {moment(data.fetched_at)}"
        ),
        "sections": sections,
    }


def _method(data: Any, *, internal: bool) -> dict[str, Any]:
    from kvf.documents.blocks import heading, section, text

    suppression = (
        "Den interna versionen visar alla uppgifter, även de som bygger på få svarande. / "
        "The internal version shows every figure, small cells included."
        if internal
        else "Den publika versionen hämtas med en läsares behörighet. En läsare ser bara "
        "sammanvägda uppgifter, inte enskilda skolors (–⁴). En uppgift från färre svarande än "
        "gränsen för små tal (som standard 10) döljs av systemet (–¹); en sammanvägd uppgift "
        "döljs också (–²) när den bygger på en enda dold skola, eller på dolda skolor med "
        "färre svarande än gränsen tillsammans, eftersom deras resultat annars kunde räknas "
        "fram genom subtraktion. Uppgifter som ännu inte är godkända visas inte (–³), och "
        "delar som en läsare inte får se sägs vara icke publika. / The public version is "
        "fetched with a reader's rights. A reader sees pooled figures only, not single "
        "schools' (–⁴). A figure from fewer respondents than the small-cell limit (10 by "
        "default) is hidden by the system (–¹); a pooled figure is hidden too (–²) when it "
        "rests on one hidden school, or on hidden schools with fewer respondents than the "
        "limit together, since subtraction would reveal them. Figures not yet approved are "
        "not shown (–³), and parts a reader may not see are said to be not public."
    )
    blocks = [
        heading("Källor", "Sources"),
        text(
            f"Alla uppgifter är hämtade genom plattformens API ({data.api_url}):",
            "medlen från /funding/v1/summary och ansökningarna från /funding/v1/applications,",
            "uppföljningen från /goals/v1/progress, /goals/v1/reporting-status och",
            "/goals/v1/national-indicators, utvärderingen från /mvp-evaluation/v1/effects och",
            "/mvp-evaluation/v1/reliability. / Every figure was fetched through the",
            "platform's API from the endpoints named.",
        ),
        heading("Belopp", "Amounts"),
        text(
            "Belopp lagras i hela ören och visas i kronor utan avrundning. / Amounts are kept",
            "in whole öre and shown in kronor without rounding. Skolhuvudmän förs till län",
            "efter kommunens namn. / Organisers are placed in counties by the municipality's",
            "name.",
        ),
        heading("Skydd av små tal", "Small-cell protection"),
        text(suppression),
        heading("Statistik", "Statistics"),
        text(
            f"Utvärderingen omfattar kohorter vars föremätning gjordes {data.year} och som har",
            "en eftermätning. Förändringen är medelvärdet av (efter − före) för elever med",
            "värden vid båda mätningarna, med 95 % konfidensintervall (t-fördelning); d_z =",
            "förändring / standardavvikelse; g är Hedges korrigering. d_ppc2 (Morris 2008)",
            "jämför insats- med jämförelseskolor; flernivåmodellen är score_efter ~ grupp +",
            "score_före + (1 | skola) skattad med REML. ICC(1) gäller föremätningen,",
            "Cronbachs alfa varje föremätning. / The evaluation covers cohorts with a pre wave",
            f"in {data.year} and a post wave; change is the mean of (post − pre) of pupils",
            "with both, with a 95 % t interval; d_ppc2 and the REML multilevel model compare",
            "the arms.",
        ),
    ]
    return section("method", "Metod och källor", "Method and sources", blocks)
