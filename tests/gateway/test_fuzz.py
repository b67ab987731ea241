"""schemathesis against the whole system in-process, through the gateway: every operation, all
checks, positive and negative data, once for each role that can reach it (operations open to
all once without a token). The seed is fixed, so a run is repeatable; `make fuzz` runs the same
with many more examples and a random seed (KVF_FUZZ_EXAMPLES, KVF_FUZZ_SEED=random)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode
from schemathesis.core.result import Ok
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.types import ASGIApp, Receive, Scope, Send

from common.auth import Role
from common.idempotency import KEY_PATTERN
from gateway.main import create_app as create_gateway
from tests.database import DatabaseRun
from tests.support import SERVICE_FACTORIES, Tokens, gateway_settings, service_app, started

EXAMPLES = int(os.environ.get("KVF_FUZZ_EXAMPLES", "4"))
SEED = None if os.environ.get("KVF_FUZZ_SEED") == "random" else 2018_2020
ANONYMOUS = "anonymous"
SCOPES: dict[str, dict[str, str]] = {
    Role.rss.value: {"county_code": "12"},
    Role.organiser.value: {"organisation_number": "212000-1355"},
}

RULES_NO_SCHEMA_STATES = (
    # An organisation number's last digit is the Luhn check digit of the first nine.
    "wrong check digit",
    # What a body refers to must exist, and be of the right year.
    "no such ",
    "no account with code",
    "is not a goal in the catalogue",
    "has no plan for",
    "the account is of year",
    # Relations between fields or items of one body.
    "a transfer goes to another account",
    "a target is another account",
    "each account once only",
    "must be after",
    "must be at least",
    "min must be less than max",
    "must begin with",
    # A CSV body's syntax, and the columns its header must have, in any order.
    r"^The body is not a readable CSV\.$",
    r"^column .+ is (missing|not known)$",
    # The programme's years, a setting of the funding service.
    "accounts are opened for the years",
)
"""What a schema-valid request may still be refused for with 422 (patterns searched in the
problem's detail or each error's message): rules that JSON Schema cannot state, each named in
the refusal. Any other 422 for schema-valid data means the document and the server disagree."""


def whole_system(run: DatabaseRun, database: str) -> ASGIApp:
    """The gateway in front of the three services, all started by one lifespan: one ASGI app
    that schemathesis starts in its own event loop."""
    services = {name: service_app(run, database, name) for name in SERVICE_FACTORIES}
    transports: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=app) for name, app in services.items()
    }
    gateway = create_gateway(gateway_settings(run, database), transports=transports)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for app in [*services.values(), gateway]:
                await stack.enter_async_context(started(app))
            yield

    async def system(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await gateway(scope, receive, send)
            return
        await receive()  # lifespan.startup
        async with lifespan():
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})

    return system


@pytest.fixture(scope="module")
async def fuzz_database(test_run: DatabaseRun) -> AsyncIterator[str]:
    name = await test_run.clone()
    try:
        yield name
    finally:
        await test_run.drop(name)


@pytest.fixture(scope="module")
def system(test_run: DatabaseRun, fuzz_database: str) -> BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", whole_system(test_run, fuzz_database))


def refused_for_a_stated_rule(response: Any) -> bool:
    if response.status_code != 422:
        return False
    problem = response.json()

    def stated(message: Any) -> bool:
        return any(re.search(rule, str(message)) for rule in RULES_NO_SCHEMA_STATES)

    errors = problem.get("errors") or []
    return stated(problem.get("detail")) or (
        bool(errors) and all(stated(error.get("message")) for error in errors)
    )


def schema_valid_data_accepted(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """schemathesis's `positive_data_acceptance`, where a 422 for one of the rules no schema
    can state is not a disagreement."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if refused_for_a_stated_rule(response):
            return None
        raise


def roles_of(operation: APIOperation[Any, Any, Any, Any]) -> list[str]:
    return list(operation.definition.raw.get("x-roles") or [ANONYMOUS])


def fuzz(system: BaseSchema, role: str, headers: dict[str, str]) -> list[str]:
    """Every failure schemathesis finds in the operations `role` can reach, as `role`."""
    failures = []
    for result in system.get_all_operations():
        assert isinstance(result, Ok), f"the document has an invalid operation: {result}"
        operation = result.ok()
        if role not in roles_of(operation):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            check = _checker(operation, mode, headers)
            try:
                check()
            except Unsatisfiable:
                continue  # nothing in the operation can be made invalid (no parameters, no body)
            except (Exception, BaseExceptionGroup) as failure:  # every one, not only the first
                failures.append(f"{operation.label} ({mode.value}):\n{failure}")
    return failures


def _checker(
    operation: APIOperation[Any, Any, Any, Any], mode: GenerationMode, headers: dict[str, str]
) -> Callable[[], None]:
    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    def check(case: Case[Any]) -> None:
        key = case.headers.get("Idempotency-Key") if case.headers else None
        if isinstance(key, str) and KEY_PATTERN.match(key):
            # A client makes a new key for each new request; a reused one is refused (422).
            case.headers["Idempotency-Key"] = str(uuid.uuid4())
        case.call_and_validate(
            headers=headers,
            excluded_checks=[positive_data_acceptance],
            additional_checks=[schema_valid_data_accepted],
        )

    return check if SEED is None else seed(SEED)(check)


@pytest.mark.parametrize("role", [ANONYMOUS, *(role.value for role in Role)])
def test_no_operation_breaks_its_contract(
    system: BaseSchema, role: str, test_run: DatabaseRun
) -> None:
    scope = SCOPES.get(role, {})
    headers = {} if role == ANONYMOUS else Tokens(test_run).header(role, **scope)
    failures = fuzz(system, role, headers)
    assert not failures, "\n\n".join(failures)
