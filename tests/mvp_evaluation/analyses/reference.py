"""Generated questionnaire data with a known effect, and the figures of DESIGN.md computed
independently of the service: SciPy's paired t-test and its interval, pingouin's one-way
ANOVA (for ICC(1)) and Cronbach's alpha, and Morris (2008) written out from the paper."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # pingouin's data frames; no stubs
import pingouin as pg  # type: ignore[import-untyped]  # no stubs
from scipy import stats  # type: ignore[import-untyped]  # no stubs

Answers = list[int | None]

# Scale `attityd`: q1–q6 answered 1–5, q2 and q5 reversed; scale `ingripande`: q7–q8, 0–4.
ITEMS: list[dict[str, Any]] = [
    {
        "code": f"q{i}",
        "text": f"Påstående {i}",
        "min": 0 if i > 6 else 1,
        "max": 4 if i > 6 else 5,
        "reverse": i in (2, 5),
        "scale": "ingripande" if i > 6 else "attityd",
    }
    for i in range(1, 9)
]
CODES = [item["code"] for item in ITEMS]


@dataclass
class School:
    """One school's generated answers: respondent code → answers, at pre, post and
    follow-up."""

    code: str
    arm: str
    pre: dict[str, Answers] = field(default_factory=dict)
    post: dict[str, Answers] = field(default_factory=dict)
    follow_up: dict[str, Answers] = field(default_factory=dict)
    owner: str | None = None  # the organiser's organisation number; None: the tests' first


def generate(
    rng: np.random.Generator,
    code: str,
    arm: str,
    n: int,
    effect: float,
    *,
    post: bool = True,
    drift: float = 0.0,
) -> School:
    """`n` pupils answering at pre; most of them at post, shifted by `effect` on the 1–5
    items (reverse items the other way) and by a school's own change drawn with SD `drift`;
    some answers missing; a few new pupils at post."""
    school = School(code, arm)
    level = rng.normal(3.0, 0.4)
    effect += rng.normal(0, drift) if drift else 0.0
    for p in range(n):
        latent = rng.normal(level, 0.8)
        respondent = f"{code}-{p:03d}"
        school.pre[respondent] = _answers(rng, latent)
        if post and rng.random() < 0.9:
            school.post[respondent] = _answers(rng, latent + effect + rng.normal(0, 0.5))
    if post:
        for p in range(n, n + 2):
            school.post[f"{code}-{p:03d}"] = _answers(rng, rng.normal(level, 0.8))
    return school


def add_follow_up(
    rng: np.random.Generator, school: School, effect: float, *, drift: float = 0.0
) -> School:
    """A follow-up wave: about 80 % of the pre pupils, shifted by `effect` and by a school's
    own change drawn with SD `drift` from their pre answers' level (estimated back from their
    pre answers), and one new pupil."""
    effect += rng.normal(0, drift) if drift else 0.0
    for respondent, answers in school.pre.items():
        if rng.random() < 0.8:
            before = score(answers)
            latent = 3.0 if math.isnan(before) else before
            school.follow_up[respondent] = _answers(rng, latent + effect + rng.normal(0, 0.6))
    school.follow_up[f"{school.code}-new"] = _answers(rng, rng.normal(3.0, 0.8))
    return school


def _answers(rng: np.random.Generator, latent: float) -> Answers:
    answers: Answers = []
    for item in ITEMS:
        low, high = item["min"], item["max"]
        value = latent if not item["reverse"] else low + high - latent
        if item["scale"] == "ingripande":
            value = latent - 1
        answer = int(np.clip(round(value + rng.normal(0, 0.7)), low, high))
        answers.append(None if rng.random() < 0.12 else answer)
    return answers


def score(answers: Answers, scale: str = "attityd") -> float:
    """DESIGN.md's scale score, or NaN: the mean of the answered items, reverse items as
    min + max − x, when at least half are answered."""
    values = []
    wanted = 0
    for item, answer in zip(ITEMS, answers, strict=True):
        if item["scale"] != scale:
            continue
        wanted += 1
        if answer is not None:
            values.append(item["min"] + item["max"] - answer if item["reverse"] else answer)
    return float(np.mean(values)) if values and 2 * len(values) >= wanted else math.nan


def pairs(
    schools: list[School], scale: str = "attityd", wave: str = "post"
) -> tuple[np.ndarray, np.ndarray]:
    """Pre and `wave` (post or follow_up) scores of the respondents scored at both."""
    pre, post = [], []
    for school in schools:
        for respondent, answers in school.pre.items():
            later = getattr(school, wave).get(respondent)
            if later is None:
                continue
            before, after = score(answers, scale), score(later, scale)
            if not (math.isnan(before) or math.isnan(after)):
                pre.append(before)
                post.append(after)
    return np.array(pre), np.array(post)


def paired(pre: np.ndarray, post: np.ndarray) -> dict[str, float]:
    """The paired figures by SciPy: t-test, its 95 % interval, and d_z, g from them."""
    n = len(pre)
    result = stats.ttest_rel(post, pre)
    interval = result.confidence_interval(0.95)
    diff = post - pre
    sd = float(np.std(diff, ddof=1))
    d_z = float(np.mean(diff)) / sd
    return {
        "n": n,
        "mean_pre": float(np.mean(pre)),
        "mean_post": float(np.mean(post)),
        "mean_diff": float(np.mean(diff)),
        "sd_diff": sd,
        "ci95_low": float(interval.low),
        "ci95_high": float(interval.high),
        "p_value": float(result.pvalue),
        "d_z": d_z,
        "hedges_g": (1 - 3 / (4 * (n - 1) - 1)) * d_z,
    }


def d_ppc2(treated: list[School], control: list[School], wave: str = "post") -> float:
    """Morris (2008), eq. 8 with the bias correction c_P = 1 − 3 / (4(n_T + n_C − 2) − 1)."""
    pre_t, post_t = pairs(treated, wave=wave)
    pre_c, post_c = pairs(control, wave=wave)
    n_t, n_c = len(pre_t), len(pre_c)
    sd_pre = sd_pre_pooled(treated, control, wave)
    c_p = 1 - 3 / (4 * (n_t + n_c - 2) - 1)
    change = (np.mean(post_t) - np.mean(pre_t)) - (np.mean(post_c) - np.mean(pre_c))
    return float(c_p * change / sd_pre)


def sd_pre_pooled(treated: list[School], control: list[School], wave: str = "post") -> float:
    """Morris's pooled pre SD of the paired respondents: the arms' variances weighted n − 1."""
    pre_t, pre_c = pairs(treated, wave=wave)[0], pairs(control, wave=wave)[0]
    n_t, n_c = len(pre_t), len(pre_c)
    return math.sqrt(
        ((n_t - 1) * np.var(pre_t, ddof=1) + (n_c - 1) * np.var(pre_c, ddof=1)) / (n_t + n_c - 2)
    )


def icc1(schools: list[School], scale: str = "attityd") -> float:
    """ICC(1) from pingouin's one-way ANOVA of every scored pre answer, schools as groups."""
    rows = [
        {"school": school.code, "score": score(answers, scale)}
        for school in schools
        for answers in school.pre.values()
    ]
    frame = pd.DataFrame(rows).dropna()
    table = pg.anova(data=frame, dv="score", between="school", detailed=True)
    msb, msw = float(table["MS"][0]), float(table["MS"][1])
    sizes = frame.groupby("school").size().to_numpy(dtype=float)
    total, groups = sizes.sum(), len(sizes)
    k0 = (total - (sizes**2).sum() / total) / (groups - 1)
    return float((msb - msw) / (msb + (k0 - 1) * msw))


def alpha(answers: list[Answers], scale: str = "attityd") -> tuple[int, float]:
    """Complete cases and pingouin's Cronbach's alpha of the scale, reverse items recoded."""
    columns = {}
    for j, item in enumerate(ITEMS):
        if item["scale"] != scale:
            continue
        values = np.array([np.nan if a[j] is None else a[j] for a in answers], dtype=float)
        if item["reverse"]:
            values = item["min"] + item["max"] - values
        columns[item["code"]] = values
    frame = pd.DataFrame(columns)
    value, _ = pg.cronbach_alpha(data=frame, nan_policy="listwise")
    return len(frame.dropna()), float(value)
