"""The funding service's problem types (RFC 9457), shared by its domains."""

from __future__ import annotations

from common.problems import AlreadyExists, Conflict


class InsufficientFunds(Conflict):
    problem_type = "insufficient-funds"
    title = "Insufficient funds / Otillräckliga medel"


class AccountExists(AlreadyExists):
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


class InterestExists(AlreadyExists):
    problem_type = "interest-exists"
    title = "Interest already expressed / Intresse redan anmält"


class AlreadyApplied(AlreadyExists):
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


class InterestRequired(Conflict):
    problem_type = "interest-required"
    title = "Expression of interest required / Intresseanmälan krävs"


class CallStillOpen(Conflict):
    problem_type = "call-still-open"
    title = "Call still open / Utlysningen är fortfarande öppen"


class CallHasApplications(Conflict):
    problem_type = "call-has-applications"
    title = "The call has applications / Utlysningen har ansökningar"


class ReportRequired(Conflict):
    problem_type = "report-required"
    title = "Approved report required / Godkänd redovisning krävs"


class ReportExists(Conflict):
    problem_type = "report-exists"
    title = "Report already given / Redovisning finns redan"


class InvalidReportState(Conflict):
    problem_type = "invalid-report-state"
    title = "Not possible in the report's state / Inte möjligt i redovisningens läge"
