"""docker-compose.yml: valid for the Compose specification after its variables are filled in,
and running the database, the migrations and every app as the platform needs.

Nothing is fetched: the specification's JSON schema (compose-spec.json, Apache-2.0, by the
Compose Specification authors) comes from the check-jsonschema package, pinned in the lock,
and is checked here with jsonschema.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from common.settings import app_database_url, role_name
from gateway.config import Settings as GatewaySettings
from kvf.apps import APPS, APPS_BY_NAME, AppSpec
from kvf.cli import parser
from tests.deploy.support import (
    JWKS_URL,
    ROOT,
    SERVICES,
    SETTINGS_READ,
    Doc,
    default_port,
    settings_from,
)

COMPOSE_FILE = ROOT / "docker-compose.yml"


def _compose() -> Doc:
    compose: Doc = yaml.safe_load(COMPOSE_FILE.read_text())
    return compose


VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def _interpolated(value: Any) -> Any:
    """Compose's variable substitution, with a recognisable value for each required one."""
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name, operator, default = match.groups()
            return default if operator in {"-", ":-"} else f"placeholder-{name.lower()}"

        return VARIABLE.sub(substitute, value)
    if isinstance(value, list):
        return [_interpolated(item) for item in value]
    if isinstance(value, dict):
        return {key: _interpolated(item) for key, item in value.items()}
    return value


def _compose_schema() -> Doc:
    resource = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: Doc = json.loads((resource / "compose-spec.json").read_text())
    return schema


def _compose_validator() -> jsonschema.Draft202012Validator:
    schema = _compose_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_compose_file_meets_the_compose_specification() -> None:
    error = jsonschema.exceptions.best_match(
        _compose_validator().iter_errors(_interpolated(_compose()))
    )
    if error is not None:
        pytest.fail(f"{'.'.join(map(str, error.path))}: {error.message}", pytrace=False)


@pytest.mark.parametrize(
    ("service", "key", "value"),
    [("gateway", "healthchek", {}), ("funding", "deploy", {"replicas": [2]})],
    ids=["unknown-field", "wrong-type"],
)
def test_the_compose_schema_refuses_a_broken_file(service: str, key: str, value: Any) -> None:
    broken = _interpolated(_compose())
    broken["services"][service][key] = value
    with pytest.raises(jsonschema.ValidationError):
        _compose_validator().validate(broken)


def test_every_required_compose_variable_is_named_in_its_header() -> None:
    text = COMPOSE_FILE.read_text()
    header = text.split("\nx-", 1)[0]
    required = {name for name, operator, _ in VARIABLE.findall(text) if "?" in operator}
    assert required
    for name in required:
        assert name in header, name


def test_compose_runs_the_database_the_migrations_and_each_app() -> None:
    services = _interpolated(_compose())["services"]
    assert set(services) == {"db", "init", *(spec.name for spec in APPS)}
    init = services["init"]
    assert parser().parse_args(init["command"]).db_command == "init"
    assert init["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert init["restart"] == "no"
    for spec in APPS:
        app = services[spec.name]
        assert parser().parse_args(app["command"]).app == spec.name
        assert app["depends_on"] == {"init": {"condition": "service_completed_successfully"}}
        assert app["image"] == init["image"]


@pytest.mark.parametrize("spec", APPS, ids=[spec.name for spec in APPS])
def test_compose_checks_each_apps_readiness_on_its_port_without_curl(spec: AppSpec) -> None:
    test = _compose()["services"][spec.name]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    port = default_port(spec)
    assert f"urlopen('http://127.0.0.1:{port}/health/ready'" in test[3]
    compile(test[3], "healthcheck", "exec")


def test_compose_publishes_the_gateway_alone_and_runs_two_of_each_service() -> None:
    services = _compose()["services"]
    assert services["gateway"]["ports"] == ["8000:8000"]
    for name in SERVICES:
        assert "ports" not in services[name]
        assert services[name]["deploy"]["replicas"] >= 2


def test_every_variable_compose_sets_is_a_setting_the_code_reads() -> None:
    services = _compose()["services"]
    names = {
        name for key, service in services.items() if key != "db" for name in service["environment"]
    }
    assert names - SETTINGS_READ == set()


@pytest.mark.parametrize("spec", APPS, ids=[spec.name for spec in APPS])
def test_compose_apps_log_in_as_their_own_role_and_find_each_other(
    spec: AppSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = _interpolated(_compose())["services"]
    env = services[spec.name]["environment"]
    settings, platform = settings_from(env, spec, monkeypatch)
    assert settings.host == "0.0.0.0"  # noqa: S104  # reached from the other containers
    url = app_database_url(settings, spec.schema)
    assert url.username == role_name(platform.db_role_prefix, spec.schema)
    assert url.password == f"placeholder-{spec.env_prefix.lower()}db_password"
    assert urlsplit(str(platform.database_url)).password is None  # the owner's is init's alone
    assert platform.jwks_url == JWKS_URL
    if isinstance(settings, GatewaySettings):
        assert settings.upstreams == {
            name: f"http://{name}:{default_port(APPS_BY_NAME[name])}" for name in SERVICES
        }
        assert settings.trusted_proxies == []  # commented: nothing proxies in front by default
