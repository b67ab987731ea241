"""Swedish formatting of the figures in documents: money from integer öre with integer
arithmetic only, decimals with a comma, dates, and the dash shown for a hidden figure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

SPACE = "\u00a0"  # a no-break space: a number is never split over two lines
MINUS = "\u2212"
DASH = "–"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def grouped(number: int) -> str:
    """An integer with a space between thousands: 9 000 000."""
    sign = MINUS if number < 0 else ""
    return sign + f"{abs(number):,}".replace(",", SPACE)


def kronor(ore: int | None) -> str:
    """Öre as kronor, Swedish style: `42857143` is "428 571,43 kr", `900000000` is
    "9 000 000 kr" (öre shown only when there are any); None is the dash."""
    if ore is None:
        return DASH
    whole, part = divmod(abs(ore), 100)
    text = grouped(whole) + (f",{part:02d}" if part else "")
    return f"{MINUS if ore < 0 else ''}{text}{SPACE}kr"


def decimal(value: float | None, places: int = 2) -> str:
    """A decimal number with a comma and a true minus sign; None is the dash."""
    if value is None:
        return DASH
    text = f"{value:.{places}f}".replace(".", ",")
    return text.replace("-", MINUS)


def p_value(value: float | None) -> str:
    """A p-value as statisticians write it: "< 0,001" below a thousandth."""
    if value is None:
        return DASH
    return f"<{SPACE}0,001" if value < 0.001 else decimal(value, 3)


def shown(value: Any) -> str:
    """An indicator value as reported: yes/no, a count, a per cent, a text; None is the dash."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "Ja / Yes" if value else "Nej / No"
    if isinstance(value, int):
        return grouped(value)
    if isinstance(value, float):
        return decimal(value, 0 if value.is_integer() else 1)
    return str(value)


def day(value: str | None) -> str:
    """An RFC 3339 time or ISO date as a Swedish date (Stockholm time): 2019-11-20."""
    if not value:
        return DASH
    if "T" not in value:
        return date.fromisoformat(value).isoformat()
    return datetime.fromisoformat(value).astimezone(STOCKHOLM).date().isoformat()


def moment(value: datetime) -> str:
    """A time as Swedish readers expect it: 2019-11-20 kl. 10:30 (svensk tid)."""
    local = value.astimezone(STOCKHOLM)
    return f"{local:%Y-%m-%d} kl. {local:%H:%M}"
