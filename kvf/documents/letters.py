"""`kvf letters --call ID`: one decision letter (beslut) as PDF per decided application of a
call, from the API: the organiser and its schools, the decision and the amount, the call's
conditions and reporting deadline, when the decision was made and by whom."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from kvf.client import api
from kvf.errors import KvfError

DECIDED = {"approved", "paid", "repayment_due", "closed", "rejected"}
FUNDING = "/funding/v1"


def write_letters(*, call_id: int, out_dir: Path, as_client: str | None) -> int:
    """Write `beslut-<call>-<application>.pdf` for each decided application; print the paths."""
    from kvf.documents import render

    with api(as_client=as_client) as client:
        documents = _letters(client, call_id)
    for application_id, document in documents:
        path = out_dir / f"beslut-{call_id}-{application_id}.pdf"
        print(render.write(path, render.pdf("letter.typ", document)))
    return 0


def _letters(client: httpx.Client, call_id: int) -> list[tuple[int, dict[str, Any]]]:
    from kvf.documents.fetch import NotPublic, every, get

    call = get(client, f"{FUNDING}/calls/{call_id}")
    listed = every(client, f"{FUNDING}/applications", call_id=call_id)
    if isinstance(listed, NotPublic):
        raise KvfError(
            f"This client may not read the applications of call {call_id}: letters are "
            "written by the admin (the default client) or a client with its rights."
        )
    names: dict[str, str] = {}
    letters = []
    for item in listed:
        if item["state"] not in DECIDED:
            continue
        application = get(client, f"{FUNDING}/applications/{item['id']}")
        letters.append((item["id"], letter(call, application, lambda a: _name(client, a, names))))
    return letters


def _name(client: httpx.Client, client_id: str, known: dict[str, str]) -> str:
    """The name of the API client that decided, or its id when it cannot be read."""
    if client_id not in known:
        response = client.get(f"/auth/v1/clients/{client_id}")
        known[client_id] = response.json()["name"] if response.status_code == 200 else client_id
    return known[client_id]


def letter(call: dict[str, Any], application: dict[str, Any], who: Any) -> dict[str, Any]:
    """The letter's document model."""
    from datetime import datetime

    from kvf.documents.formatting import day, kronor, moment

    steps = [e for e in application["history"] if e["event"] in ("approved", "rejected")]
    decision = steps[-1] if steps else None
    approved = application["state"] != "rejected"
    decided_at = datetime.fromisoformat(decision["created_at"]) if decision else None
    conditions = [
        f"Medlen får användas till: {call['methods'] or call['title']}. / The funds may be "
        "used for the method named in the call.",
        f"En redovisning av hur medlen har använts ska lämnas senast "
        f"{day(call['report_due_at'])}. / A use-of-funds report is due by then.",
        "Medel som inte används ska betalas tillbaka. / Unused funds must be repaid.",
    ]
    return {
        "title": "Beslut om utvecklingsmedel",
        "title_en": "Decision on development grant",
        "reference": f"Dnr {call['id']}-{application['id']}",
        "call": call["title"],
        "organiser": application["organiser_name"],
        "organisation_number": application["organisation_number"],
        "schools": application["school_unit_codes"],
        "approved": approved,
        "outcome": "Bifall / Approved" if approved else "Avslag / Rejected",
        "amount": kronor(application["approved_amount_ore"]) if approved else kronor(0),
        "requested": kronor(application["requested_amount_ore"]),
        "method": application["method"],
        "reason": application["decision_note"] or "",
        "conditions": conditions if approved else [],
        "report_due": day(call["report_due_at"]),
        "decided_at": moment(decided_at) if decided_at else "–",
        "decided_on": decided_at.date().isoformat() if decided_at else "–",
        "decided_by": who(decision["actor"]) if decision else "–",
    }
