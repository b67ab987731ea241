"""The Kubernetes manifests (deploy/k8s): valid for Kubernetes, and saying what the platform
needs: replicas, probes, resources, the migration Job, who may connect, real settings.

Nothing is fetched: the schemas come from the kubernetes-validate package, pinned in the lock.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate  # type: ignore[import-untyped]  # the package ships no type hints
import pytest
import yaml
from fastapi.routing import APIRoute

from common.settings import app_database_url, role_name
from gateway.config import Settings as GatewaySettings
from gateway.tokens.router import router as tokens_router
from kvf.apps import APPS, APPS_BY_NAME, AppSpec
from kvf.cli import parser
from tests.deploy.support import (
    JWKS_URL,
    ROOT,
    SERVICES,
    SETTINGS_READ,
    Doc,
    default_port,
    host_and_port,
    settings_from,
)

K8S = ROOT / "deploy" / "k8s"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
SECRET = "kvinnofrid-secrets"

KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
"""The oldest release the manifests are meant for, and the newest the schema package has."""


# --- reading the files ---------------------------------------------------------------------------


def _k8s_documents() -> list[tuple[str, Doc]]:
    """Every resource the kustomization applies, with the file it is in."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [
        (name, doc)
        for name in kustomization["resources"]
        for doc in yaml.safe_load_all((K8S / name).read_text())
        if doc
    ]


DOCS = _k8s_documents()


def _one(kind: str, name: str) -> Doc:
    found = [doc for _, doc in DOCS if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def _of_kind(kind: str) -> list[Doc]:
    return [doc for _, doc in DOCS if doc["kind"] == kind]


def _container(workload: Doc) -> Doc:
    containers: list[Doc] = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


# --- the schemas ---------------------------------------------------------------------------------


def test_the_kustomization_applies_every_manifest_in_the_folder() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    on_disk = {path.name for path in K8S.glob("*.y*ml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(on_disk)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    ("file", "doc"), DOCS, ids=[f"{doc['kind']}/{doc['metadata']['name']}" for _, doc in DOCS]
)
def test_each_resource_is_valid_for_kubernetes_in_strict_mode(
    file: str, doc: Doc, version: str
) -> None:
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        pytest.fail(f"{file}: {'.'.join(map(str, error.path))}: {error.message}", pytrace=False)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("spec", "template", "spec", "containers", 0, "livenesProbe"), {}),  # a typo
        (("spec", "replicas"), "two"),
        (("spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"), []),
    ],
    ids=["unknown-field", "wrong-type", "bad-quantity"],
)
def test_the_validator_refuses_a_broken_deployment(path: tuple[str | int, ...], value: Any) -> None:
    broken = copy.deepcopy(_one("Deployment", "gateway"))
    target: Any = broken
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


# --- the apps ------------------------------------------------------------------------------------


def _quantity(text: str) -> Decimal:
    units = {"": Decimal(1), "m": Decimal("0.001"), "Mi": Decimal(2**20), "Gi": Decimal(2**30)}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", text)
    assert match, text
    return Decimal(match[1]) * units[match[2]]


@pytest.mark.parametrize("spec", APPS, ids=[spec.name for spec in APPS])
class TestDeployment:
    def test_runs_several_replicas_of_the_app_from_the_image(self, spec: AppSpec) -> None:
        deployment = _one("Deployment", spec.name)
        container = _container(deployment)
        assert deployment["spec"]["replicas"] >= 2
        assert "command" not in container  # the image's entrypoint, kvf
        assert parser().parse_args(container["args"]).app == spec.name
        assert container["image"] == _container(_one("Job", "kvinnofrid-db-init"))["image"]

    def test_probes_ask_the_apps_own_port(self, spec: AppSpec) -> None:
        container = _container(_one("Deployment", spec.name))
        port = default_port(spec)
        assert [p["containerPort"] for p in container["ports"]] == [port]
        assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": port}
        assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": port}

    def test_requests_and_limits_cpu_and_memory(self, spec: AppSpec) -> None:
        resources = _container(_one("Deployment", spec.name))["resources"]
        for resource in ("cpu", "memory"):
            request = _quantity(str(resources["requests"][resource]))
            limit = _quantity(str(resources["limits"][resource]))
            assert 0 < request <= limit, resource

    def test_runs_as_a_user_that_is_not_root_and_cannot_become_root(self, spec: AppSpec) -> None:
        deployment = _one("Deployment", spec.name)
        pod = deployment["spec"]["template"]["spec"]["securityContext"]
        container = _container(deployment)["securityContext"]
        assert pod["runAsNonRoot"] is True
        assert pod["runAsUser"] == 10001 == int(_dockerfile_user())
        assert container["allowPrivilegeEscalation"] is False
        assert container["capabilities"]["drop"] == ["ALL"]

    def test_a_service_reaches_its_pods_and_a_disruption_budget_keeps_one(
        self, spec: AppSpec
    ) -> None:
        deployment = _one("Deployment", spec.name)
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        service = _one("Service", spec.name)
        assert service["spec"]["selector"].items() <= labels.items()
        port = default_port(spec)
        assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [(port, "http")]
        budget = _one("PodDisruptionBudget", spec.name)
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert 1 <= budget["spec"]["minAvailable"] < deployment["spec"]["replicas"]


def _dockerfile_user() -> str:
    user = re.search(r"^USER (\d+)(?::\d+)?$", DOCKERFILE.read_text(), re.MULTILINE)
    assert user, "the image's USER is numeric, so runAsNonRoot can check it"
    return user[1]


def test_the_migration_job_runs_db_init_with_the_images_entrypoint() -> None:
    job = _one("Job", "kvinnofrid-db-init")
    container = _container(job)
    assert 'ENTRYPOINT ["kvf"]' in DOCKERFILE.read_text()
    assert "command" not in container
    assert container["args"] == ["db", "init"]
    assert parser().parse_args(container["args"]).db_command == "init"
    assert job["spec"]["template"]["spec"]["restartPolicy"] in {"Never", "OnFailure"}
    assert job["spec"]["backoffLimit"] >= 1


# --- the settings --------------------------------------------------------------------------------


def _env_of(workload: Doc) -> dict[str, str]:
    """The environment a pod gets: its ConfigMaps, then its own entries (which win). A secret
    becomes `secret:<key>`; an optional one is left out."""
    container = _container(workload)
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(_one("ConfigMap", source["configMapRef"]["name"])["data"])
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = entry["value"]
            continue
        ref = entry["valueFrom"]["secretKeyRef"]
        assert ref["name"] == SECRET
        assert ref["key"] == entry["name"], "the Secret's keys are the settings' names"
        if not ref.get("optional", False):
            env[entry["name"]] = f"secret:{ref['key']}"
    return env


def _workloads() -> Iterator[Doc]:
    yield from _of_kind("Deployment")
    yield from _of_kind("Job")


def test_every_variable_the_manifests_set_is_a_setting_the_code_reads() -> None:
    names = set(_one("ConfigMap", "kvinnofrid")["data"])
    for workload in _workloads():
        names |= {entry["name"] for entry in _container(workload).get("env", [])}
    assert names - SETTINGS_READ == set()


def test_the_secret_holds_what_its_comment_says() -> None:
    header = (K8S / "config.yaml").read_text().split("apiVersion:", 1)[0]
    keys = {
        entry["valueFrom"]["secretKeyRef"]["key"]
        for workload in _workloads()
        for entry in _container(workload).get("env", [])
        if "valueFrom" in entry
    }
    assert keys
    for key in keys:
        assert key in header, key


@pytest.mark.parametrize("spec", APPS, ids=[spec.name for spec in APPS])
def test_each_app_listens_for_the_pod_and_logs_in_as_its_own_role(
    spec: AppSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, platform = settings_from(_env_of(_one("Deployment", spec.name)), spec, monkeypatch)
    assert settings.host == "0.0.0.0"  # noqa: S104  # a pod's port is reached from outside it
    assert settings.port == _container(_one("Deployment", spec.name))["ports"][0]["containerPort"]
    url = app_database_url(settings, spec.schema)
    assert url.username == role_name(platform.db_role_prefix, spec.schema)
    assert url.password == f"secret:{spec.env_prefix}DB_PASSWORD"
    assert urlsplit(str(platform.database_url)).password is None  # never the owner's
    assert platform.jwks_url == JWKS_URL


def test_the_jwks_url_is_the_documented_path_served_by_the_gateway_service() -> None:
    documented = {
        route.path
        for route in tokens_router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
    }
    assert urlsplit(JWKS_URL).path in documented
    host, port = host_and_port(JWKS_URL)
    assert [p["port"] for p in _one("Service", host)["spec"]["ports"]] == [port]


def test_the_gateway_routes_to_each_services_service_and_trusts_only_named_proxies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = APPS_BY_NAME["gateway"]
    settings, _ = settings_from(_env_of(_one("Deployment", "gateway")), spec, monkeypatch)
    assert isinstance(settings, GatewaySettings)
    assert sorted(settings.upstreams) == sorted(SERVICES)
    for name, url in settings.upstreams.items():
        host, port = host_and_port(url)
        assert host == name
        assert [p["port"] for p in _one("Service", host)["spec"]["ports"]] == [port]
    assert settings.trusted_proxies, "set to the ingress' network (a placeholder to adapt)"
    assert settings.signing_key is not None, "every replica signs with the Secret's one key"


def test_only_the_migration_job_holds_the_owners_connection() -> None:
    job_env = _env_of(_one("Job", "kvinnofrid-db-init"))
    assert job_env["KVF_DATABASE_URL"] == "secret:KVF_DATABASE_URL"
    for spec in APPS:
        assert job_env[f"{spec.env_prefix}DB_PASSWORD"] == f"secret:{spec.env_prefix}DB_PASSWORD"
        assert _env_of(_one("Deployment", spec.name))["KVF_DATABASE_URL"].startswith("postgresql:")


# --- who may connect -----------------------------------------------------------------------------

OUTSIDE = None
"""A client outside the cluster's pods (no labels)."""


def _selects(selector: Doc, labels: Mapping[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, "only matchLabels is evaluated here"
    return bool(selector.get("matchLabels", {}).items() <= labels.items())


def _admitted(source: Mapping[str, str] | None, target: Mapping[str, str], port: int) -> bool:
    """Whether the namespace's NetworkPolicies let `source` (pod labels in the same namespace,
    or OUTSIDE) open `port` on a pod labelled `target`."""
    policies = [
        doc["spec"]
        for doc in _of_kind("NetworkPolicy")
        if "Ingress" in doc["spec"].get("policyTypes", ["Ingress"])
        and _selects(doc["spec"]["podSelector"], target)
    ]
    if not policies:
        return True
    for rule in (rule for policy in policies for rule in policy.get("ingress", [])):
        ports = [entry["port"] for entry in rule.get("ports", [])]
        if ports and port not in ports:
            continue
        peers = rule.get("from")
        if not peers:
            return True
        for peer in peers:
            assert set(peer) == {"podSelector"}, "only pod selectors are evaluated here"
            if source is not OUTSIDE and _selects(peer["podSelector"], source):
                return True
    return False


def _pod_labels(name: str) -> dict[str, str]:
    kind = "Job" if name == "kvinnofrid-db-init" else "Deployment"
    labels: dict[str, str] = _one(kind, name)["spec"]["template"]["metadata"]["labels"]
    return labels


def test_every_pod_of_the_platform_is_covered_by_a_network_policy() -> None:
    for workload in _workloads():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert any(
            _selects(doc["spec"]["podSelector"], labels) for doc in _of_kind("NetworkPolicy")
        ), workload["metadata"]["name"]


def test_the_gateway_is_reachable_from_anywhere_on_8000_only() -> None:
    gateway = _pod_labels("gateway")
    assert _admitted(OUTSIDE, gateway, 8000)
    assert _admitted({"app": "someone-else"}, gateway, 8000)
    assert not _admitted(OUTSIDE, gateway, 8001)


@pytest.mark.parametrize("name", SERVICES)
def test_only_the_gateway_reaches_a_service_and_only_on_its_port(name: str) -> None:
    service = _pod_labels(name)
    port = default_port(APPS_BY_NAME[name])
    assert _admitted(_pod_labels("gateway"), service, port)
    assert not _admitted(_pod_labels("gateway"), service, 5432)
    assert not _admitted(OUTSIDE, service, port)
    assert not _admitted({"app": "someone-else"}, service, port)
    assert not _admitted(_pod_labels("kvinnofrid-db-init"), service, port)
    for other in SERVICES:
        if other != name:
            assert not _admitted(_pod_labels(other), service, port)
