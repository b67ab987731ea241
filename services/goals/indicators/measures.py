"""What a value of each measure looks like: checking what comes in, rendering what goes out.

- `count`: a whole number from 0 (`value`);
- `percentage`: `numerator` and `denominator`, whole numbers with 0 ≤ numerator ≤ denominator
  and denominator > 0, both kept; the value is derived, in per cent with two decimals;
- `boolean`: `value` true or false;
- `text`: `text`.

Baselines and targets are one value of the indicator's kind: a whole number (count), per cent
from 0 to 100 with at most two decimals (percentage), true/false (boolean) or a text. Numbers
are exact (integers and `Decimal`), never floats; a float in the input is only ever checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import PlainSerializer, StrictBool, StrictFloat, StrictInt, StrictStr
from typing_extensions import TypeIs


class Measure(StrEnum):
    """What an indicator's values are: a count, a percentage, yes/no or a text."""

    count_ = "count"  # the underscore keeps str.count
    percentage = "percentage"
    boolean = "boolean"
    text = "text"


class Direction(StrEnum):
    """Which way a count or a percentage gets better."""

    increase = "increase"
    decrease = "decrease"


Scalar = StrictBool | StrictInt | StrictFloat | StrictStr | None
"""Any JSON scalar; whether it fits is decided by the indicator's measure, not by the schema."""

Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
"""An exact number, written as a JSON number."""

Shown = bool | int | Number | str | None
"""A value as it is shown: by measure, an integer, a per cent number, a boolean or a text."""

MAX_COUNT = 2**53  # the largest integer every JSON client reads exactly
MAX_TEXT = 10_000
HUNDREDTH = Decimal("0.01")

NUMERIC_MEASURES = frozenset({Measure.count_, Measure.percentage})


def _is_integer(raw: object) -> TypeIs[int]:
    return isinstance(raw, int) and not isinstance(raw, bool)


def _count(raw: object) -> int:
    if not _is_integer(raw):
        raise ValueError(f"give a whole number from 0, not {raw!r}")
    if not 0 <= raw <= MAX_COUNT:
        raise ValueError(f"give a whole number from 0 to 2^53, not {raw}")
    return raw


def percent(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator in per cent, rounded half up to two decimals."""
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(HUNDREDTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class Reference:
    """A baseline or a target, in the field of its kind."""

    number: Decimal | None = None
    flag: bool | None = None
    text: str | None = None


def parse_reference(measure: str, raw: object) -> Reference:
    """A baseline or target of the measure's kind; `ValueError` says what was expected."""
    if raw is None:
        return Reference()
    if measure == Measure.count_:
        return Reference(number=Decimal(_count(raw)))
    if measure == Measure.percentage:
        if not isinstance(raw, int | float) or isinstance(raw, bool):
            raise ValueError(f"give per cent as a number from 0 to 100, not {raw!r}")
        number = Decimal(str(raw))
        if not Decimal(0) <= number <= Decimal(100) or number != number.quantize(HUNDREDTH):
            raise ValueError(f"give per cent from 0 to 100 with at most two decimals, not {raw}")
        return Reference(number=number.quantize(HUNDREDTH))
    if measure == Measure.boolean:
        if not isinstance(raw, bool):
            raise ValueError(f"give true or false, not {raw!r}")
        return Reference(flag=raw)
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_TEXT:
        raise ValueError(f"give a text of 1 to {MAX_TEXT} characters")
    return Reference(text=raw.strip())


def show_reference(measure: str, reference: Reference) -> bool | int | Decimal | str | None:
    """A baseline or target as the API shows it."""
    if measure == Measure.count_:
        return None if reference.number is None else int(reference.number)
    if measure == Measure.percentage:
        return reference.number
    return reference.flag if measure == Measure.boolean else reference.text


@dataclass(frozen=True)
class Value:
    """One reported value, in the fields of its kind (the columns of `report_value`)."""

    integer_value: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    boolean_value: bool | None = None
    text_value: str | None = None


_EXPECTED: dict[str, str] = {
    Measure.count_: "a count: `value` must be a whole number from 0 to 2^53",
    Measure.percentage: "a percentage: `numerator` and `denominator` must be whole numbers with "
    "0 ≤ numerator ≤ denominator and denominator > 0",
    Measure.boolean: "a yes/no indicator: `value` must be true or false",
    Measure.text: f"a text indicator: `text` must be a text of 1 to {MAX_TEXT} characters",
}
_FIELDS: dict[str, set[str]] = {
    Measure.count_: {"value"},
    Measure.percentage: {"numerator", "denominator"},
    Measure.boolean: {"value"},
    Measure.text: {"text"},
}


def parse_value(measure: str, given: dict[str, object]) -> Value:
    """The value in `given` (value, numerator, denominator, text) checked against the measure.

    `ValueError` says what the measure expects and what was given.
    """
    present = {name: raw for name, raw in given.items() if raw is not None}
    parsed = _parse_present(measure, given) if set(present) == _FIELDS[measure] else None
    if parsed is None:
        got = ", ".join(f"{name}={raw!r}" for name, raw in present.items()) or "no value"
        raise ValueError(f"{_EXPECTED[measure]}; got {got}")
    return parsed


def _parse_present(measure: str, given: dict[str, object]) -> Value | None:
    if measure == Measure.count_:
        count = given["value"]
        if _is_integer(count) and 0 <= count <= MAX_COUNT:
            return Value(integer_value=count)
        return None
    if measure == Measure.percentage:
        top, bottom = given["numerator"], given["denominator"]
        if _is_integer(top) and _is_integer(bottom) and 0 <= top <= bottom <= MAX_COUNT:
            return Value(numerator=top, denominator=bottom) if bottom > 0 else None
        return None
    if measure == Measure.boolean:
        flag = given["value"]
        return Value(boolean_value=flag) if isinstance(flag, bool) else None
    text = given["text"]
    if isinstance(text, str) and text.strip() and len(text) <= MAX_TEXT:
        return Value(text_value=text.strip())
    return None


def shown_value(measure: str, value: Value) -> bool | int | Decimal | None:
    """The `value` field shown for a stored value: derived per cent for a percentage."""
    if measure == Measure.count_:
        return value.integer_value
    if measure == Measure.percentage:
        if value.numerator is None or value.denominator is None:
            return None
        return percent(value.numerator, value.denominator)
    return value.boolean_value if measure == Measure.boolean else None
