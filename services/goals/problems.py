"""The goals service's own problem types (RFC 9457), beyond the kit's."""

from common.problems import AlreadyExists, Conflict


class ReportLocked(Conflict):
    problem_type = "report-locked"
    title = "Report locked / Rapporten är låst"


class InvalidStateTransition(Conflict):
    problem_type = "invalid-state-transition"
    title = "Invalid state transition / Otillåtet tillståndsbyte"


class GoalExists(AlreadyExists):
    problem_type = "goal-exists"
    title = "Goal exists / Målet finns redan"


class PlanExists(AlreadyExists):
    problem_type = "plan-exists"
    title = "Plan exists / Planen finns redan"


class IndicatorExists(AlreadyExists):
    problem_type = "indicator-exists"
    title = "Indicator exists / Indikatorn finns redan"


class ReportExists(AlreadyExists):
    problem_type = "report-exists"
    title = "Report exists / Rapporten finns redan"


class PlanLocked(Conflict):
    problem_type = "plan-locked"
    title = "Plan locked / Planen är låst"


class NationalIndicatorExists(AlreadyExists):
    problem_type = "national-indicator-exists"
    title = "National indicator exists / Den nationella indikatorn finns redan"


class ReportingPeriodExists(AlreadyExists):
    problem_type = "reporting-period-exists"
    title = "Reporting period exists / Rapportperioden finns redan"
