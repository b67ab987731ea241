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
