"""schema/openapi.json: a well-formed OpenAPI 3.1 description covering every route, served by the binary."""
import glob
import json
import os
import re
import subprocess

import pytest

from conftest import BIN, ROOT

SPEC_PATH = os.path.join(ROOT, "schema", "openapi.json")
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec():
    with open(SPEC_PATH, encoding="utf-8") as f:
        return json.load(f)


def server_routes():
    """(METHOD, pattern) of every route the server has (claimdb describe)."""
    out = subprocess.run([BIN, "describe"], check=True, capture_output=True, text=True).stdout
    return {(r["method"], r["pattern"]) for r in json.loads(out)["routes"]}


def test_spec_is_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    assert spec["info"]["title"] == "claimdb" and spec["info"]["version"]
    assert spec["paths"]


def test_every_server_route_is_described(spec):
    routes = server_routes()
    assert ("GET", "/v1/relations") in routes  # the parser finds the tables
    missing = sorted(f"{m} {p}" for m, p in routes if m.lower() not in spec["paths"].get(p, {}))
    assert not missing, f"routes missing from schema/openapi.json: {missing}"


def test_the_specified_api_is_described(spec):
    """The endpoints of the data-model and export/import issues, whether or not built yet."""
    expected = {
        "/healthz": {"get"}, "/readyz": {"get"}, "/v1": {"get"}, "/v1/openapi.json": {"get"},
        "/v1/documents": {"get", "post"}, "/v1/documents/{id}": {"get", "patch", "delete"},
        "/v1/documents/{id}/claims": {"get"},
        "/v1/actors": {"get", "post"}, "/v1/actors/{id}": {"get", "patch", "delete"},
        "/v1/actors/{id}/merge": {"post"},
        "/v1/claims": {"get", "post"}, "/v1/claims/{id}": {"get", "patch", "delete"},
        "/v1/claims/{id}/attributions": {"post"}, "/v1/attributions/{id}": {"get", "patch", "delete"},
        "/v1/relations": {"get", "post"}, "/v1/relations/{id}": {"get", "patch", "delete"},
        "/v1/claims/{id}/counterclaims": {"get"},
        "/v1/sources": {"get", "post"}, "/v1/sources/{id}": {"get", "patch", "delete"},
        "/v1/claims/{id}/citations": {"post"}, "/v1/citations/{id}": {"get", "delete"},
        "/v1/tags": {"get"}, "/v1/export": {"get"}, "/v1/import": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(spec["paths"].get(path, {})), path
    export = {p["name"]: p for p in spec["paths"]["/v1/export"]["get"]["parameters"] if "name" in p}
    assert export["format"]["schema"]["enum"] == ["ndjson", "csv", "w3c"]
    assert "claims_flat" in export["table"]["schema"]["enum"]
    imp = {p["name"] for p in spec["paths"]["/v1/import"]["post"]["parameters"]}
    assert {"dry_run", "on_conflict"} <= imp


def test_error_shape(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    inner = error["properties"]["error"]
    assert set(inner["required"]) == {"status", "code", "message"}
    assert {"status", "code", "message", "field"} <= set(inner["properties"])


def walk(node, where="#"):
    if isinstance(node, dict):
        for k, v in node.items():
            yield where, k, v
            yield from walk(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{where}/{i}")


def resolve(spec, ref):
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_every_ref_resolves(spec):
    refs = [(where, v) for where, k, v in walk(spec) if k == "$ref"]
    assert refs
    for where, ref in refs:
        try:
            resolve(spec, ref)
        except (KeyError, TypeError):
            pytest.fail(f"{where}: $ref {ref} does not resolve")


def test_operations_are_complete(spec):
    ids = []
    for path, item in spec["paths"].items():
        names = set(re.findall(r"\{(\w+)\}", path))
        shared = [resolve(spec, p["$ref"]) if "$ref" in p else p for p in item.get("parameters", [])]
        for method, operation in item.items():
            if method not in METHODS:
                continue
            ids.append(operation["operationId"])
            assert operation["responses"], (method, path)
            params = shared + [resolve(spec, p["$ref"]) if "$ref" in p else p
                               for p in operation.get("parameters", [])]
            declared = {p["name"] for p in params if p["in"] == "path"}
            assert declared == names, (method, path, declared)
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = resolve(spec, response["$ref"])
                assert response["description"], (method, path, status)
                if status[0] in "45":
                    schema = next(iter(response["content"].values()))["schema"]
                    assert schema["$ref"].startswith("#/components/schemas/") and "Error" in schema["$ref"], \
                        (method, path, status)
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_served_at_v1_openapi_json(api):
    r = api.get("/v1/openapi.json")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    with open(SPEC_PATH, "rb") as f:
        assert r.content == f.read()
    assert r.json()["openapi"].startswith("3.1")
