"""The README documents every setting, so an operator never has to read the code for one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from common.settings import AppSettings, PlatformSettings
from kvf.apps import APPS, AppSpec
from kvf.client import ClientSettings
from tests.support import env_names

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _documented_settings(readme: str) -> set[str]:
    """The names in the first column of the README's configuration table."""
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z0-9_<>]+)`", row.split("|")[1])}


DOCUMENTED = _documented_settings(README)
SHARED_APP_FIELDS = set(AppSettings.model_fields) - {"platform"}


@pytest.mark.parametrize("settings", [PlatformSettings, ClientSettings])
def test_platform_settings_are_in_the_readme(settings: type[BaseSettings]) -> None:
    for env_name in env_names(settings, "KVF_"):
        assert env_name in DOCUMENTED, env_name


@pytest.mark.parametrize("spec", APPS, ids=[spec.name for spec in APPS])
def test_each_apps_settings_are_in_the_readme(spec: AppSpec) -> None:
    settings = spec.settings()
    prefix = spec.env_prefix
    for name, field in type(settings).model_fields.items():
        if name == "platform":
            continue
        if name in SHARED_APP_FIELDS:
            assert f"KVF_<APP>_{name.upper()}" in DOCUMENTED, name
            continue
        alias = field.validation_alias
        env_name = alias if isinstance(alias, str) else f"{prefix}{name.upper()}"
        assert env_name in DOCUMENTED, env_name


def test_a_setting_is_found_only_as_a_whole_name_in_the_table() -> None:
    table = "\n## Configuration\n\n| setting |\n|---|\n| `KVF_DATABASE_URL` | x |\n\n## Next\n"
    assert _documented_settings(table) == {"KVF_DATABASE_URL"}
    assert "KVF_URL" not in _documented_settings(table)


def _documented_defaults(readme: str) -> dict[str, str]:
    """The default column of each setting whose default is one literal (`30.0`, `[]`)."""
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    defaults = {}
    for row in section.splitlines():
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        name, default = (
            re.fullmatch(r"`([A-Z0-9_<>]+)`", cells[0] if cells else ""),
            (re.fullmatch(r"`([^`]*)`", cells[1]) if len(cells) > 1 else None),
        )
        if name and default:
            defaults[name.group(1)] = default.group(1)
    return defaults


@pytest.mark.parametrize("spec", APPS, ids=[spec.name for spec in APPS])
def test_each_apps_documented_defaults_are_the_defaults(spec: AppSpec) -> None:
    documented = _documented_defaults(README)
    for name, field in type(spec.settings()).model_fields.items():
        literal = documented.get(f"{spec.env_prefix}{name.upper()}")
        if literal is None or field.default is None:
            continue
        if isinstance(field.default, list | dict):
            assert json.loads(literal) == field.default, name
        else:
            assert literal == str(field.default), name
