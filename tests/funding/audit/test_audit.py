"""Audit events: who did what, when, from which request; for admins only."""

from __future__ import annotations

from tests.funding.support import API, Ledger
from tests.support import Schema, Tokens, refused, unchanged


class TestAuditEvents:
    async def test_each_change_is_kept_with_who_when_and_request_id(self, ledger: Ledger) -> None:
        await ledger.open("2019.staten", kind="source")
        opened = await ledger.client.post(
            f"{API}/accounts",
            json={"code": "2019.a", "name": "A", "year": 2019, "kind": "budget"},
            headers=ledger.admin,
        )
        moved = await ledger.transfer("2019.staten", "2019.a", 1_000, kind="appropriation")

        response = await ledger.client.get(f"{API}/audit-events", headers=ledger.admin)

        assert response.status_code == 200
        events = response.json()["items"]
        assert [e["action"] for e in events] == [
            "transfer.created",
            "account.created",
            "account.created",
        ]
        transfer, account = events[0], events[1]
        assert transfer["request_id"] == moved.headers["X-Request-ID"]
        assert transfer["object_id"] == str(moved.json()["id"])
        assert transfer["detail"]["amount_ore"] == 1_000
        assert account["request_id"] == opened.headers["X-Request-ID"]
        assert account["object_id"] == "2019.a"
        assert {e["role"] for e in events} == {"admin"}
        assert len({e["actor"] for e in events}) == 1
        assert all(e["created_at"].endswith("Z") for e in events)

    async def test_filters_by_action_and_time(self, ledger: Ledger, schema: Schema) -> None:
        await ledger.funded("2019.a", 1_000)

        created = await ledger.client.get(
            f"{API}/audit-events", params={"action": "transfer.created"}, headers=ledger.admin
        )
        future = await ledger.client.get(
            f"{API}/audit-events", params={"since": "2100-01-01T00:00:00Z"}, headers=ledger.admin
        )
        async with unchanged(schema):
            naive = await ledger.client.get(
                f"{API}/audit-events",
                params={"since": "2019-01-01T00:00:00"},
                headers=ledger.admin,
            )

        assert created.json()["total"] == 1
        assert future.json()["total"] == 0
        assert naive.status_code == 422
        refused(naive, 422, "validation-error")

    async def test_only_admins_read_them(
        self, ledger: Ledger, tokens: Tokens, schema: Schema
    ) -> None:
        others = [
            tokens.rss("12"),
            tokens.organiser("212000-1124"),
            tokens.reader,
            tokens.evaluator,
        ]
        async with unchanged(schema):
            for headers in others:
                response = await ledger.client.get(f"{API}/audit-events", headers=headers)

                assert response.status_code == 403
                refused(response, 403, "forbidden")
            anonymous = await ledger.client.get(f"{API}/audit-events")
        assert anonymous.status_code == 401
        refused(anonymous, 401, "invalid-token")
