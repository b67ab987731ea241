"""Effects and reliability as the API returns them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.mvp_evaluation.schools.schemas import Arm

_PAIRED: JsonDict = {
    "n": 112,
    "mean_pre": 3.21,
    "mean_post": 3.58,
    "mean_diff": 0.37,
    "sd_diff": 0.81,
    "ci95_low": 0.22,
    "ci95_high": 0.52,
    "p_value": 0.0000031,
    "d_z": 0.457,
    "hedges_g": 0.454,
    "suppressed": False,
}
_SUPPRESSED: JsonDict = dict.fromkeys(_PAIRED) | {"suppressed": True}


class PairedRead(BaseModel):
    """Respondents with a scale score at pre and at post: the change post − pre."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PAIRED, _SUPPRESSED]})

    n: int | None = Field(description="Respondents with a score at pre and post.")
    mean_pre: float | None
    mean_post: float | None
    mean_diff: float | None = Field(description="Mean of post − pre.")
    sd_diff: float | None = Field(description="SD (n − 1) of post − pre.")
    ci95_low: float | None = Field(description="95 % t interval of the mean difference.")
    ci95_high: float | None
    p_value: float | None = Field(description="Paired t-test, two-sided.")
    d_z: float | None = Field(description="mean_diff / sd_diff.")
    hedges_g: float | None = Field(description="J·d_z, J = 1 − 3/(4(n − 1) − 1).")
    suppressed: bool = Field(description="Hidden: from fewer respondents than the limit.")


class SchoolEffect(BaseModel):
    """One school's paired figures."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"school_unit_code": "12345678", "arm": "intervention", "paired": _PAIRED}]
        }
    )

    school_unit_code: str
    arm: Arm
    paired: PairedRead


class PooledRead(BaseModel):
    """The paired figures of every intervention school's respondents together."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"paired": _PAIRED}]})

    paired: PairedRead


class ControlledRead(BaseModel):
    """Morris (2008) d_ppc2 of the intervention against the comparison arm."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"n_intervention": 412, "n_comparison": 388, "d_ppc2": 0.31, "suppressed": False}
            ]
        }
    )

    n_intervention: int | None
    n_comparison: int | None
    d_ppc2: float | None
    suppressed: bool


class EffectsRead(BaseModel):
    """Effects on one scale in one cohort: per school, pooled, controlled, and the ICC."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scale": "attityd",
                    "cohort": "2019",
                    "schools": [
                        {"school_unit_code": "12345678", "arm": "intervention", "paired": _PAIRED},
                        {
                            "school_unit_code": "23456789",
                            "arm": "comparison",
                            "paired": _SUPPRESSED,
                        },
                    ],
                    "pooled": {"paired": _PAIRED},
                    "controlled": {
                        "n_intervention": 412,
                        "n_comparison": 388,
                        "d_ppc2": 0.31,
                        "suppressed": False,
                    },
                    "icc": 0.042,
                    "icc_suppressed": False,
                }
            ]
        }
    )

    scale: str
    cohort: str
    schools: list[SchoolEffect]
    pooled: PooledRead
    controlled: ControlledRead
    icc: float | None = Field(description="ICC(1) of the pre scores, schools as groups.")
    icc_suppressed: bool = Field(description="The ICC is hidden under the small-cell rule.")


class ReliabilityRead(BaseModel):
    """Cronbach's alpha of a scale in one wave, on complete cases."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scale": "attityd",
                    "wave": 1,
                    "n": 118,
                    "items": 6,
                    "alpha": 0.81,
                    "suppressed": False,
                }
            ]
        }
    )

    scale: str
    wave: int
    n: int | None = Field(description="Respondents who answered every item of the scale.")
    items: int = Field(description="Items in the scale.")
    alpha: float | None
    suppressed: bool
