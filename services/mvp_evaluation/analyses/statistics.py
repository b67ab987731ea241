"""The statistics of DESIGN.md, on NumPy arrays; every undefined value is None, never NaN.

SDs and variances use n − 1. Hedges' correction is J = 1 − 3 / (4·df − 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Scores = npt.NDArray[np.float64]
# Below this, a spread is rounding noise: scores are means of at most 500 integers, so two
# different scores differ by far more.
TOLERANCE = 1e-9


def finite(value: float | np.floating | None) -> float | None:
    """A float fit for JSON: None for NaN and infinities."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def hedges_j(df: int) -> float:
    """The small-sample correction J = 1 − 3 / (4·df − 1)."""
    return 1 - 3 / (4 * df - 1)


def _constant(values: Scores) -> bool:
    return bool(np.all(np.abs(values - values[0]) <= TOLERANCE * max(1.0, abs(values[0]))))


@dataclass(frozen=True)
class Paired:
    """Paired pre/post figures of one group of respondents."""

    n: int
    mean_pre: float | None = None
    mean_post: float | None = None
    mean_diff: float | None = None
    sd_diff: float | None = None
    ci95_low: float | None = None
    ci95_high: float | None = None
    p_value: float | None = None
    d_z: float | None = None
    hedges_g: float | None = None


def paired(pre: Scores, post: Scores) -> Paired:
    """Mean change post − pre, its 95 % t interval, the paired t-test, d_z and Hedges' g.

    n = 1: the means only. Zero variance of the differences: sd_diff is 0 and the interval
    is the mean difference itself; p, d_z and g are undefined.
    """
    n = len(pre)
    if n == 0:
        return Paired(n=0)
    diff = post - pre
    mean_pre, mean_post, mean_diff = float(pre.mean()), float(post.mean()), float(diff.mean())
    if n == 1:
        return Paired(n=1, mean_pre=mean_pre, mean_post=mean_post, mean_diff=mean_diff)
    # Imported here, not at start: SciPy takes seconds to import. These are the functions
    # behind scipy.stats.t's ppf and sf, without the import of scipy.stats.
    from scipy.special import stdtr, stdtrit  # type: ignore[import-untyped]  # no stubs

    half_width_factor = float(stdtrit(n - 1, 0.975)) / math.sqrt(n)
    if _constant(diff):
        return Paired(
            n=n,
            mean_pre=mean_pre,
            mean_post=mean_post,
            mean_diff=mean_diff,
            sd_diff=0.0,
            ci95_low=mean_diff,
            ci95_high=mean_diff,
        )
    sd = float(diff.std(ddof=1))
    t = mean_diff / (sd / math.sqrt(n))
    d_z = mean_diff / sd
    return Paired(
        n=n,
        mean_pre=mean_pre,
        mean_post=mean_post,
        mean_diff=mean_diff,
        sd_diff=sd,
        ci95_low=mean_diff - half_width_factor * sd,
        ci95_high=mean_diff + half_width_factor * sd,
        p_value=finite(2 * stdtr(n - 1, -abs(t))),
        d_z=d_z,
        hedges_g=hedges_j(n - 1) * d_z,
    )


def sd_pre_pooled(pre_t: Scores, pre_c: Scores) -> float | None:
    """The two arms' pre SDs pooled with weights n − 1; None without both arms or spread."""
    n_t, n_c = len(pre_t), len(pre_c)
    df = n_t + n_c - 2
    if n_t == 0 or n_c == 0 or df < 1:
        return None
    squares = float(((pre_t - pre_t.mean()) ** 2).sum() + ((pre_c - pre_c.mean()) ** 2).sum())
    sd_pooled = math.sqrt(squares / df)
    return None if sd_pooled <= TOLERANCE else sd_pooled


def d_ppc2(pre_t: Scores, post_t: Scores, pre_c: Scores, post_c: Scores) -> float | None:
    """Morris (2008) d_ppc2: the difference of the arms' mean changes over the pooled pre SD,
    times J = 1 − 3 / (4(n_T + n_C − 2) − 1). None without both arms or without spread."""
    sd_pooled = sd_pre_pooled(pre_t, pre_c)
    if sd_pooled is None:
        return None
    change_t = float(post_t.mean() - pre_t.mean())
    change_c = float(post_c.mean() - pre_c.mean())
    return finite(hedges_j(len(pre_t) + len(pre_c) - 2) * (change_t - change_c) / sd_pooled)


def icc1(groups: Sequence[Scores]) -> float | None:
    """ICC(1) from a one-way ANOVA with the groups as levels, not truncated at zero:
    (MSB − MSW) / (MSB + (k0 − 1)·MSW), k0 = (N − Σn_j²/N) / (groups − 1)."""
    groups = [group for group in groups if len(group)]
    k = len(groups)
    sizes = np.array([len(group) for group in groups], dtype=np.float64)
    total = float(sizes.sum())
    if k < 2 or total - k < 1:
        return None
    means = np.array([group.mean() for group in groups])
    grand = float(np.concatenate(groups).mean())
    msb = float((sizes * (means - grand) ** 2).sum()) / (k - 1)
    msw = sum(float(((g - g.mean()) ** 2).sum()) for g in groups) / (total - k)
    k0 = (total - float((sizes**2).sum()) / total) / (k - 1)
    denominator = msb + (k0 - 1) * msw
    if abs(denominator) <= TOLERANCE * max(1.0, msb, msw):
        return None
    return finite((msb - msw) / denominator)


def cronbach_alpha(answers: Scores) -> float | None:
    """Cronbach's alpha of complete cases (rows: respondents, columns: items)."""
    n, k = answers.shape
    if n < 2 or k < 2:
        return None
    item_variances = answers.var(axis=0, ddof=1).sum()
    total_variance = answers.sum(axis=1).var(ddof=1)
    if total_variance <= TOLERANCE:
        return None
    return finite(k / (k - 1) * (1 - item_variances / total_variance))
