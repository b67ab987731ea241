"""The funding service's problem types (RFC 9457), shared by its domains."""

from __future__ import annotations

from typing import Any

from common.problems import Conflict, InvalidInput


class InsufficientFunds(Conflict):
    problem_type = "insufficient-funds"
    title = "Insufficient funds / Otillräckliga medel"


class AccountExists(Conflict):
    problem_type = "account-exists"
    title = "Account exists / Kontot finns redan"


class TransferNotPending(Conflict):
    problem_type = "transfer-not-pending"
    title = "Transfer not pending / Överföringen är inte preliminär"


class ManagedByApplication(Conflict):
    problem_type = "managed-by-application"
    title = "Managed by a grant application / Hanteras genom en ansökan"


class LedgerRangeExceeded(Conflict):
    problem_type = "ledger-range-exceeded"
    title = "Beyond the ledger's range / Utanför bokföringens intervall"


class CallNotOpen(Conflict):
    problem_type = "call-not-open"
    title = "Call not open / Utlysningen är inte öppen"


class InterestExists(Conflict):
    problem_type = "interest-exists"
    title = "Interest already expressed / Intresse redan anmält"


class AlreadyApplied(Conflict):
    problem_type = "already-applied"
    title = "Already applied / Ansökan finns redan"


class InvalidApplicationState(Conflict):
    problem_type = "invalid-application-state"
    title = "Not possible in this state / Inte möjligt i ansökans läge"


class ExceedsApprovedAmount(Conflict):
    problem_type = "exceeds-approved-amount"
    title = "More than approved / Mer än beviljat"


class ExceedsRepaymentClaim(Conflict):
    problem_type = "exceeds-repayment-claim"
    title = "More than owed / Mer än återkrav"


def field_error(location: str, message: str, value: Any = None) -> dict[str, Any]:
    """One entry of a validation problem's `errors`."""
    return {"location": location, "message": message, "value": value}


def invalid(location: str, message: str, value: Any = None) -> InvalidInput:
    """A 422 problem naming one field."""
    return InvalidInput(
        f"The request has invalid input: {location}.",
        errors=[field_error(location, message, value)],
    )


def invalid_many(errors: list[dict[str, Any]]) -> InvalidInput:
    """A 422 problem naming every bad field."""
    fields = ", ".join(sorted({str(e["location"]) for e in errors}))
    return InvalidInput(f"The request has invalid input: {fields}.", errors=errors)
