"""The results report and the decision letters, made from outside against a running
platform: the PDF's pages are rendered and looked at (not blank, the expected headings and
page numbers in their text), the reader's version hides small cells and says why, the
internal one is marked on every page, and the HTML is self-contained."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pypdfium2 as pdfium  # type: ignore[import-untyped]  # no stubs
import pytest

from tests.database import DatabaseRun
from tests.e2e.outside import admin_bearer, bearer, create, keyed, kvf
from tests.e2e.test_mvp_outside import (
    add_school,
    as_json,
    digits,
    open_wave,
    semicolon_csv,
    upload_csv,
)
from tests.mvp_evaluation.analyses import reference
from tests.processes import ROOT, KvfUp, running_platform
from tests.support import expect

SECTIONS = [
    ("Medlen", "The money"),
    ("Utvecklingsmedel till skolhuvudmän", "School grants"),
    ("Uppföljning", "Follow-up"),
    ("Utvärdering av MVP", "MVP evaluation"),
    ("Metod och källor", "Method and sources"),
]
BANNER = "Internt – ej för publicering / Internal – not for publication"
SUPPRESSION_NOTE = "Single schools' results are not shown: a reader sees pooled figures only"


def documents(run: KvfUp, call: str) -> list[Path]:
    """Run a document command of kvf.documents as a user would (a fresh process, as the
    admin `kvf up` wrote); the paths it printed."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    env.update(KVF_HOME=str(run.home), KVF_URL=run.gateway_url)
    result = subprocess.run(  # noqa: S603  # our own interpreter and module
        [sys.executable, "-c", f"import sys; from pathlib import Path; {call}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [Path(line) for line in result.stdout.splitlines() if line.strip()]


def pages(path: Path) -> list[str]:
    """Each page's text, after checking the page, rendered, is not blank."""
    texts: list[str] = []
    pdf = pdfium.PdfDocument(path)
    try:
        for page in pdf:
            image = np.asarray(page.render(scale=0.6).to_pil().convert("L"), dtype=float)
            assert image.std() > 5, f"{path.name}: page {len(texts) + 1} looks blank"
            texts.append(page.get_textpage().get_text_range().replace("\xa0", " "))
    finally:
        pdf.close()
    return texts


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


async def _survey(run: KvfUp, outside: httpx.AsyncClient) -> None:
    """Three schools of a 2019 cohort, pre and post: a large and a small (hidden for a
    reader) intervention school and a comparison school."""
    rng = np.random.default_rng(2019)
    suffix = digits()
    evaluator = await bearer(run, outside, "evaluator")
    instrument = f"mvp-rapport-{suffix}"
    body = {"code": instrument, "version": 1, "items": reference.ITEMS}
    await create(outside, evaluator, "/mvp-evaluation/v1/instruments", body)
    schools = [
        reference.generate(rng, f"810{suffix}", "intervention", 40, 0.6),
        reference.generate(rng, f"820{suffix}", "intervention", 6, 0.6),
        reference.generate(rng, f"830{suffix}", "comparison", 35, 0.1),
    ]
    for school in schools:
        name = f"Åsögårdsskolan {school.code}"
        await add_school(outside, evaluator, school.code, arm=school.arm, name=name)
        waves = {
            kind: await open_wave(
                outside,
                evaluator,
                school=school.code,
                instrument=instrument,
                kind=kind,
                cohort=f"rapport-{suffix}",
                administered_on=on,
            )
            for kind, on in (("pre", "2019-09-02"), ("post", "2020-05-29"))
        }
        expect(await upload_csv(outside, evaluator, waves["pre"], semicolon_csv(school.pre)), 201)
        posted = await outside.post(
            f"/mvp-evaluation/v1/waves/{waves['post']}/responses",
            json=as_json(school.post),
            headers=keyed(evaluator),
        )
        expect(posted, 201)


@pytest.fixture(scope="module")
async def reports(
    platform: KvfUp, outside: httpx.AsyncClient, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The seeded programme with a little survey data, and the 2019 report written twice:
    as a reader (public) and internally (as the admin)."""
    await asyncio.to_thread(kvf, platform, "seed")
    await _survey(platform, outside)
    out = tmp_path_factory.mktemp("reports")
    call = "from kvf.documents.results import write_results as w; "
    for internal in (False, True):
        folder = out / ("internal" if internal else "public")
        written = await asyncio.to_thread(
            documents,
            platform,
            f"{call}w(year=2019, internal={internal}, out_dir=Path({str(folder)!r}), "
            "as_client=None)",
        )
        assert sorted(p.name for p in written) == [
            "resultatrapport-2019.html",
            "resultatrapport-2019.pdf",
        ]
    return out


class TestResultsReport:
    def test_every_page_is_drawn_with_the_cover_contents_sections_and_page_numbers(
        self, reports: Path
    ) -> None:
        texts = pages(reports / "public" / "resultatrapport-2019.pdf")
        whole = flat(" ".join(texts))
        assert "Resultatrapport 2019" in texts[0]
        assert "Results report 2019" in texts[0]
        assert "Innehåll / Contents" in whole
        for swedish, english in SECTIONS:
            assert f"{swedish} / {english}" in whole
        for number, text in enumerate(texts, start=1):
            assert f"Sida {number} av {len(texts)}" in flat(text)
        assert "Skapad / Generated" in texts[0]
        assert "Källa / Source" in flat(texts[0])
        assert "32 000 000 kr" in whole
        assert "7 000 000 kr" in whole
        assert "428 571,43 kr" in whole
        assert "428 571,42 kr" in whole

    def test_the_public_version_hides_small_cells_says_why_and_has_no_banner(
        self, reports: Path
    ) -> None:
        whole = flat(" ".join(pages(reports / "public" / "resultatrapport-2019.pdf")))
        assert "–⁴" in whole  # a reader sees no single school
        assert SUPPRESSION_NOTE in whole
        assert "Skydd av små tal / Small-cell protection" in whole
        assert "Ansökningar och beslut är inte publika" in whole  # a reader may not see them
        assert "Internt" not in whole

    def test_the_internal_version_says_so_on_every_page_and_hides_nothing(
        self, reports: Path
    ) -> None:
        texts = pages(reports / "internal" / "resultatrapport-2019.pdf")
        assert all(BANNER in flat(text) for text in texts)
        assert "–¹" not in flat(" ".join(texts))

    def test_the_html_is_self_contained_with_inline_charts_and_the_headings(
        self, reports: Path
    ) -> None:
        page = (reports / "public" / "resultatrapport-2019.html").read_text("utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
        assert not re.search(r"<(link|script)\b", page)
        assert page.count("<svg") >= 3
        for swedish, english in SECTIONS:
            assert f"{swedish} / {english}" in page
        assert BANNER not in page
        internal = (reports / "internal" / "resultatrapport-2019.html").read_text("utf-8")
        assert 'class="banner"' in internal
        assert BANNER in internal

    def test_charts_have_titles_axis_units_and_swedish_characters_as_text(
        self, reports: Path
    ) -> None:
        page = (reports / "internal" / "resultatrapport-2019.html").read_text("utf-8")
        svg_text = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", page))
        for expected in (
            "Medlens väg / How the money flowed",
            "Medel till RSS per län / Funds to the RSS by county",
            "Tusen kronor (tkr) / Thousand SEK",
            "Medelförändring, skalpoäng / Mean change, scale points",
            "Västra Götalands län",
            "Åsögårdsskolan",
        ):
            assert expected in svg_text, expected

    def test_the_html_renders_in_a_headless_browser(self, reports: Path, tmp_path: Path) -> None:
        browser = shutil.which("chromium") or (
            "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
        )
        if browser is None:
            pytest.skip("no Chromium on this machine (/usr/bin/chromium): the HTML is not loaded")
        page = (reports / "public" / "resultatrapport-2019.html").as_uri()
        # The flags keep a headless Chromium off the network (this machine's is closed).
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
        ]
        shot = tmp_path / "page.png"
        dom = subprocess.run(  # noqa: S603  # the installed browser, our own file
            [browser, *flags, "--dump-dom", page],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        subprocess.run(  # noqa: S603  # the installed browser, our own file
            [browser, *flags, "--window-size=1000,2400", f"--screenshot={shot}", page],
            capture_output=True,
            timeout=120,
            check=True,
        )
        for swedish, english in SECTIONS:
            assert f"{swedish} / {english}" in dom
        assert dom.count("<svg") >= 3
        assert shot.stat().st_size > 10_000


@pytest.fixture(scope="module")
async def decided_call(
    test_run: DatabaseRun, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[KvfUp, int, int]]:
    """A platform whose grants clock reads 15 September 2019 (the shared one runs on the
    wall clock, when every call of the programme is closed): a rolling call on the seeded
    school pool, an application, and the admin's approval. The platform, call and
    application ids."""
    database = await test_run.create_empty()
    home = tmp_path_factory.mktemp("letters") / "home"
    async with running_platform(
        test_run, database, home, KVF_FUNDING_CLOCK_START="2019-09-15T10:00:00+02:00"
    ) as run:
        await asyncio.to_thread(kvf, run, "seed")
        async with httpx.AsyncClient(base_url=run.gateway_url, timeout=60) as gateway:
            admin = await admin_bearer(run, gateway)
            call = await create(gateway, admin, "/funding/v1/calls", _CALL)
            application = await create(
                gateway, admin, f"/funding/v1/calls/{call['id']}/applications", _APPLICATION
            )
            decision = {"decision": "approve", "approved_amount_ore": 15_000_050}
            decided = await gateway.post(
                f"/funding/v1/applications/{application['id']}/decision",
                json=decision,
                headers=keyed(admin),
            )
            expect(decided, 200)
        yield run, call["id"], application["id"]


_CALL = {
    "title": "Löpande utlysning: våldsförebyggande arbete i skolan hösten 2019",
    "pool_account": "2019.kvinnofrid.skolor",
    "opens_at": "2019-09-01T00:00:00+02:00",
    "closes_at": "2019-12-01T00:00:00+01:00",
    "max_amount_per_organiser_ore": 20_000_000,
    "methods": "MVP eller annan kunskapsbaserad metod",
    "rolling": True,
    "report_due_at": "2020-12-31T00:00:00+01:00",
}
_APPLICATION = {
    "organisation_number": "212000-1124",
    "organiser_name": "Malmö stad",
    "school_unit_codes": ["12345678", "23456789"],
    "requested_amount_ore": 20_000_000,
    "method": "MVP",
    "plan": "Utbilda mentorer i årskurs 7–9 hösten 2019.",
}


class TestDecisionLetters:
    def test_each_decided_application_gets_a_letter_with_the_decision(
        self, decided_call: tuple[KvfUp, int, int], tmp_path: Path
    ) -> None:
        run, call, application = decided_call
        written = documents(
            run,
            "from kvf.documents.letters import write_letters as w; "
            f"w(call_id={call}, out_dir=Path({str(tmp_path)!r}), as_client=None)",
        )
        assert [p.name for p in written] == [f"beslut-{call}-{application}.pdf"]
        text = flat(" ".join(pages(written[0])))
        for expected in (
            "Beslut om utvecklingsmedel / Decision on development grant",
            "Malmö stad",
            "212000-1124",
            "12345678",
            "23456789",
            "Bifall / Approved",
            "150 000,50 kr",
            "Villkor / Conditions",
            "Redovisas senast / Reporting deadline",
            "2020-12-31",
            "Beslutet fattades",
            "Sida 1 av 1",
        ):
            assert expected in text, expected
