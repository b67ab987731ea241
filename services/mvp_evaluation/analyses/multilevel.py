"""The multilevel estimate of the controlled effect: a linear mixed model with a random
intercept per school, `after = β0 + β_arm·arm + β_pre·pre + u_school + e`, u ~ N(0, σ²_u),
e ~ N(0, σ²), fitted by REML on the paired respondents of both arms (arm = 1 for the
intervention, 0 for the comparison).

With γ = σ²_u / σ², a school of n_j pupils has V_j = σ²·H_j, H_j = I + γ·11ᵀ, and
H_j⁻¹ = I − c_j·γ·11ᵀ with c_j = 1 / (1 + n_j·γ). For a given γ the fixed effects are the GLS
β̂ = (XᵀH⁻¹X)⁻¹XᵀH⁻¹y, and σ̂² = rᵀH⁻¹r / (N − p) (r = y − Xβ̂, p = 3). The REML criterion,
σ² profiled out, is ℓ(γ) = −½[(N − p)·log(rᵀH⁻¹r) + Σ log(1 + n_j·γ) + log|XᵀH⁻¹X|]; it is
maximised over ρ = γ / (1 + γ) ∈ [0, 1) (the conditional ICC) by a grid of 0.02 and a bounded
Brent search in the best cell. The standard errors are those of statsmodels' MixedLM: from
the inverse of the negative Hessian of the same criterion in (β, γ) at the estimate (the
observed information, whose β–γ block is not zero), not only σ̂²(XᵀH⁻¹X)⁻¹.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.mvp_evaluation.analyses.statistics import Scores, finite

# A conditional ICC below this is a school variance of zero: the fit is singular.
SINGULAR = 1e-8
_GRID = np.concatenate([np.linspace(0.0, 0.98, 50), [1 - 1e-9]])
_P = 3  # intercept, arm, pre


@dataclass(frozen=True)
class Multilevel:
    """The fitted model's arm effect, or only the reason it could not be fitted."""

    estimate: float | None = None
    se: float | None = None
    ci95_low: float | None = None
    ci95_high: float | None = None
    p_value: float | None = None
    standardized: float | None = None
    n_schools: int | None = None
    n_pupils: int | None = None
    icc_conditional: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class School:
    """One school's paired respondents: pre and after scores, and its arm."""

    pre: Scores
    after: Scores
    intervention: bool


class _Data:
    """The sums the criterion needs, so that each evaluation costs O(schools), not O(pupils):
    XᵀX, Xᵀy, yᵀy and each school's sums of X and y (y and pre centred, which changes only
    the intercept, to keep the sums of squares exact)."""

    def __init__(self, schools: Sequence[School]) -> None:
        y = np.concatenate([school.after for school in schools])
        pre = np.concatenate([school.pre for school in schools])
        arm = np.concatenate([np.full(len(s.pre), float(s.intervention)) for s in schools])
        y, pre = y - y.mean(), pre - pre.mean()
        x = np.column_stack([np.ones(len(pre)), arm, pre])
        self.sizes = np.array([len(school.pre) for school in schools], dtype=np.float64)
        group = np.repeat(np.arange(len(schools)), [len(school.pre) for school in schools])
        self.x_sums = np.column_stack(
            [np.bincount(group, weights=column, minlength=len(schools)) for column in x.T]
        ).astype(np.float64)
        self.y_sums = np.bincount(group, weights=y).astype(np.float64)
        self.xx, self.xy, self.yy = x.T @ x, x.T @ y, float(y @ y)
        self.n = len(y)
        self.df = self.n - _P
        self.full_rank = bool(np.linalg.matrix_rank(self.xx) == _P)

    def gls(self, gamma: float) -> tuple[Scores, npt.NDArray[np.float64], float, Scores]:
        """β̂, XᵀH⁻¹X, rᵀH⁻¹r and the schools' residual sums at this γ."""
        c = gamma / (1 + self.sizes * gamma)
        xhx = self.xx - (self.x_sums.T * c) @ self.x_sums
        xhy = self.xy - (self.x_sums.T * c) @ self.y_sums
        beta = np.linalg.solve(xhx, xhy)
        sums = self.y_sums - self.x_sums @ beta
        rr = self.yy - 2 * float(beta @ self.xy) + float(beta @ self.xx @ beta)
        return beta, xhx, rr - float((c * sums * sums).sum()), sums

    def criterion(self, rho: float) -> float:
        """−ℓ at γ = ρ / (1 − ρ), the REML criterion to minimise."""
        gamma = rho / (1 - rho)
        _, xhx, rhr, _ = self.gls(gamma)
        if rhr <= 0:
            return math.inf
        _, log_det = np.linalg.slogdet(xhx)
        penalty = float(np.log1p(self.sizes * gamma).sum()) + float(log_det)
        return 0.5 * (self.df * math.log(rhr) + penalty)

    def information(self, gamma: float) -> npt.NDArray[np.float64]:
        """The negative Hessian of ℓ in (β, γ) at β̂(γ)."""
        _, xhx, q, sums = self.gls(gamma)
        c, a, n = 1 / (1 + self.sizes * gamma), self.x_sums, self.sizes
        q1, q2 = -float((c**2 * sums**2).sum()), float((2 * n * c**3 * sums**2).sum())
        m1, m2 = -(a.T * c**2) @ a, (a.T * (2 * n * c**3)) @ a
        m_inv = np.linalg.inv(xhx)
        h_gg = (
            -0.5 * self.df * (q2 / q - q1**2 / q**2)
            + 0.5 * float((n**2 * c**2).sum())
            - 0.5 * float(np.trace(m_inv @ m2))
            + 0.5 * float(np.trace(m_inv @ m1 @ m_inv @ m1))
        )
        h_bg = -self.df / q * ((c**2 * sums)[:, None] * a).sum(axis=0)
        hessian = np.empty((_P + 1, _P + 1))
        hessian[:_P, :_P] = -self.df * xhx / q
        hessian[:_P, _P] = hessian[_P, :_P] = h_bg
        hessian[_P, _P] = h_gg
        return -hessian


def _unfit(schools: Sequence[School], data: _Data) -> str | None:
    """Why the model cannot be fitted to these schools, before trying."""
    for intervention, arm in ((True, "intervention"), (False, "comparison")):
        count = sum(1 for school in schools if school.intervention == intervention)
        if count < 2:
            return (
                f"{count} {arm} school(s) with paired respondents; the model needs at least two "
                "schools in each arm."
            )
    if data.df < 1 or not data.full_rank:
        return "The fixed effects cannot be estimated: the pre scores have no spread."
    return None


def _search(data: _Data) -> tuple[float, bool]:
    """The ρ maximising ℓ: the best point of the grid, refined within its neighbours."""
    from scipy.optimize import minimize_scalar  # type: ignore[import-untyped]  # no stubs

    values = [data.criterion(float(rho)) for rho in _GRID]
    best = int(np.argmin(values))
    if not math.isfinite(values[best]):
        return math.nan, False
    low, high = _GRID[max(best - 1, 0)], _GRID[min(best + 1, len(_GRID) - 1)]
    found = minimize_scalar(
        data.criterion, bounds=(low, high), method="bounded", options={"xatol": 1e-13}
    )
    return float(found.x), bool(found.success) and math.isfinite(float(found.fun))


def multilevel(schools: Sequence[School], sd_pre_pooled: float | None) -> Multilevel:
    """The REML fit of `after ~ 1 + arm + pre + (1 | school)` and the arm effect's t test
    with n_schools − 2 degrees of freedom; `standardized` is the estimate over
    `sd_pre_pooled` (null without it). Schools without pairs are left out."""
    schools = [school for school in schools if len(school.pre)]
    data = _Data(schools) if schools else None
    reason = "No paired respondents." if data is None else _unfit(schools, data)
    if data is None or reason is not None:
        return Multilevel(reason=reason)
    rho, converged = _search(data)
    if not converged:
        return Multilevel(reason="No convergence: the REML search did not converge.")
    if rho < SINGULAR:
        return Multilevel(
            reason="Singular fit: the school variance is estimated at zero (the REML "
            "optimum is on the boundary)."
        )
    if rho > 1 - 1e-6:
        return Multilevel(reason="Singular fit: the residual variance is estimated at zero.")
    return _result(data, rho, sd_pre_pooled, len(schools))


def _result(data: _Data, rho: float, sd_pre_pooled: float | None, n_schools: int) -> Multilevel:
    from scipy.special import stdtr, stdtrit  # type: ignore[import-untyped]  # no stubs

    gamma = rho / (1 - rho)
    beta, _, _, _ = data.gls(gamma)
    information = data.information(gamma)
    if not (np.all(np.isfinite(information)) and np.linalg.eigvalsh(information).min() > 0):
        return Multilevel(reason="No convergence: the information matrix is not positive definite.")
    variance = float(np.linalg.inv(information)[1, 1])
    estimate, se, df = float(beta[1]), math.sqrt(variance), n_schools - 2
    half_width = float(stdtrit(df, 0.975)) * se
    return Multilevel(
        estimate=estimate,
        se=se,
        ci95_low=estimate - half_width,
        ci95_high=estimate + half_width,
        p_value=finite(2 * stdtr(df, -abs(estimate / se))),
        standardized=None if sd_pre_pooled is None else finite(estimate / sd_pre_pooled),
        n_schools=n_schools,
        n_pupils=data.n,
        icc_conditional=rho,
    )
