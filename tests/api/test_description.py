"""Each entity is described once (server/entities.c, printed by `claimdb
describe`); everything else that names its fields is compared with that
description here, and any difference fails: the OpenAPI schemas, the SQL
columns, enumerations and length CHECKs (schema/schema.sql), the NDJSON
export's records, the CSV export's columns and the list items."""
import csv
import io
import json
import os
import re
import subprocess
import sys

import pytest
import requests

from conftest import BIN, ROOT, unique

SQL_TYPES = {"text": "text", "uuid": "uuid", "date": "date", "timestamptz": "timestamp with time zone",
             "integer": "integer", "jsonb": "jsonb", "text[]": "text[]"}
SPAN_COLUMNS = ["start", "end", "exact", "prefix", "suffix"]


@pytest.fixture(scope="module")
def description():
    return json.loads(subprocess.run([BIN, "describe"], check=True, capture_output=True, text=True).stdout)


@pytest.fixture(scope="module")
def spec():
    with open(os.path.join(ROOT, "schema", "openapi.json"), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def schema_sql():
    with open(os.path.join(ROOT, "schema", "schema.sql"), encoding="utf-8") as f:
        return f.read()


def table_block(schema_sql, table):
    m = re.search(r"CREATE TABLE public\.%s \((.*?)\n\);" % table, schema_sql, re.S)
    assert m, table
    return m.group(1)


def columns(schema_sql, table):
    """{column: type} of a table in schema.sql."""
    cols = {}
    for line in table_block(schema_sql, table).splitlines():
        m = re.match(r'\s+"?(\w+)"? ([a-z][\w .\[\]]*?)(?: DEFAULT .*| NOT NULL.*| GENERATED .*)?,?$', line)
        if m and m.group(1) != "CONSTRAINT":
            cols[m.group(1)] = m.group(2).replace("public.", "")
    return cols


def stored(entity):
    return [f for f in entity["fields"] if f["sql_type"]]


def test_sql_columns_and_types_match(description, schema_sql):
    for entity in description["entities"]:
        cols = columns(schema_sql, entity["table"])
        for f in stored(entity):
            if f["sql_type"] == "span":
                assert all(c in cols for c in SPAN_COLUMNS + ["segments"]), (entity["table"], f["name"])
                continue
            want = SQL_TYPES.get(f["sql_type"], f["sql_type"])
            assert cols.get(f["name"]) == want, (entity["table"], f["name"], cols.get(f["name"]), want)


def test_enumerations_match_the_sql_enums(description, schema_sql):
    seen = 0
    for entity in description["entities"]:
        for f in entity["fields"]:
            if f["enum"]:
                m = re.search(r"CREATE TYPE public\.%s AS ENUM \((.*?)\);" % f["sql_type"], schema_sql, re.S)
                assert m, f["sql_type"]
                assert re.findall(r"'(\w+)'", m.group(1)) == f["enum"], (entity["type"], f["name"])
                seen += 1
    assert seen == 7  # with attribution polarity and factuality (issue 12)


def test_every_length_limit_is_a_check_in_the_database(description, schema_sql):
    """The API's limits hold for every path: each is a CHECK on its column."""
    checked = 0
    for entity in description["entities"]:
        block = table_block(schema_sql, entity["table"])
        for f in stored(entity):
            if not f["max_length"] or f["server"]:
                continue
            n = f["max_length"]
            pattern = (r"CHECK \(.*(claimdb_longest\(%s\) <= %d|length\(%s\) <= %d)"
                       % (f["name"], n, f["name"], n))
            assert re.search(pattern, block), (entity["table"], f["name"], n)
            checked += 1
    assert checked >= 20


def property_names(schema):
    return set(schema.get("properties", {}))


# Request members that are not fields of the entity (never stored): how to create or
# change it rather than what it is.
REQUEST_OPTIONS = {"ActorCreate": {"force"}, "ActorPatch": {"add_aliases", "remove_aliases"}}


def enum_ref(prop):
    """The $ref of an enumeration property, also when it is nullable (anyOf [$ref, null])."""
    if "$ref" in prop:
        return prop["$ref"]
    return next(p["$ref"] for p in prop["anyOf"] if "$ref" in p)


def test_openapi_schemas_match(description, spec):
    components = spec["components"]["schemas"]
    compared = 0
    for entity in description["entities"]:
        name = entity["schema"]
        if name not in components:
            assert entity["type"] == "project", name  # projects have no API yet (the teams issue)
            continue
        shown = components[name]
        assert {f["name"] for f in stored(entity)} <= property_names(shown), name
        for mode, suffix in (("create", "Create"), ("patch", "Patch")):
            body = components.get(name + suffix)
            fields = [f for f in entity["fields"] if f[mode]]
            if body is None:
                assert not fields or (mode == "patch" and entity["type"] == "citation"), name + suffix
                continue
            assert property_names(body) - REQUEST_OPTIONS.get(name + suffix, set()) == {f["name"] for f in fields}, \
                name + suffix
            if mode == "create":
                assert set(body.get("required", [])) == {f["name"] for f in fields if f["required"]}, name
            for f in fields:
                prop = body["properties"][f["name"]]
                text = json.dumps(prop)
                assert ('"null"' in text) == f["nullable"], (name + suffix, f["name"], prop)
                if f["max_length"] and f["kind"] == "string":
                    assert prop.get("maxLength") == f["max_length"], (name + suffix, f["name"], prop)
                if f["max_length"] and f["kind"] == "string_array":
                    assert prop["items"].get("maxLength") == f["max_length"], (name + suffix, f["name"], prop)
                if f["enum"]:
                    ref = enum_ref(prop).rsplit("/", 1)[1]
                    assert components[ref]["enum"] == f["enum"], (name + suffix, f["name"])
            compared += 1
    assert compared >= 12


@pytest.fixture(scope="module")
def one_of_each(api):
    doc = api.create("/v1/documents", {"title": unique("doc"), "text": "The minister said no. Others said yes."})
    actor = api.create("/v1/actors", {"name": unique("actor")})
    source = api.create("/v1/sources", {"title": unique("src")})
    claim = api.create("/v1/claims", {"document_id": doc["id"], "target": {"exact": "The minister said no."},
                                      "attributions": [{"actor_id": actor["id"], "role": "minister"}],
                                      "citations": [{"source_id": source["id"], "locator": "p. 2"}]})
    other = api.create("/v1/claims", {"document_id": doc["id"], "target": {"exact": "Others said yes."}})
    api.create("/v1/relations", {"from_claim_id": other["id"], "to_claim_id": claim["id"], "kind": "disputes"})
    return doc


def test_ndjson_export_writes_the_exported_fields(description, server, one_of_each):
    text = requests.get(server.base + "/v1/export", params={"format": "ndjson"}, timeout=120, headers=server.auth).text
    keys = {}
    for line in text.splitlines():
        rec = json.loads(line)
        keys.setdefault(rec["type"], set()).update(rec)
    for entity in description["entities"]:
        exported = {f["name"] for f in entity["fields"] if f["export"]} | {"type"}
        assert keys[entity["type"]] == exported, entity["type"]


def test_csv_export_columns_follow_the_description(description, server, one_of_each):
    for entity in description["entities"]:
        if entity["type"] in ("project", "codebook"):  # NDJSON only: the codebook is no annotation table
            continue
        expected = []
        for f in entity["fields"]:
            if f["export"]:
                # a span's columns, and a discontinuous one's pieces (JSON)
                expected += SPAN_COLUMNS + ["segments"] if f["sql_type"] == "span" else [f["name"]]
        r = requests.get(server.base + "/v1/export", params={"format": "csv", "table": entity["table"]}, timeout=120, headers=server.auth)
        assert r.status_code == 200, r.text
        header = next(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
        assert header == expected, entity["table"]


def test_list_items_show_every_stored_field(description, api, one_of_each):
    """The lists serialize the entity's columns (documents without their
    text: GET /v1/documents/{id} has it)."""
    for entity in description["entities"]:
        if entity["type"] in ("project", "citation"):
            continue
        path = {"codebook": "codebook"}.get(entity["type"], entity["table"])
        items = api.get(f"/v1/{path}?limit=5").json()["items"]
        assert items, entity["table"]
        wanted = {f["name"] for f in stored(entity)} - ({"text"} if entity["type"] == "document" else set())
        missing = wanted - set(items[0])
        assert not missing, (entity["table"], missing)


def test_import_bodies_match_the_openapi_description(spec, server):
    """ImportReport and ImportError name what the server sends (lines, counts)."""
    components = spec["components"]["schemas"]
    header = json.dumps({"type": "header", "format": "claimdb-ndjson", "version": 1}) + "\n"
    ok = requests.post(server.base + "/v1/import", params={"dry_run": "true"}, data=header.encode(), timeout=60, headers=server.auth)
    assert ok.status_code == 200, ok.text
    assert set(ok.json()) == property_names(components["ImportReport"])
    bad = requests.post(server.base + "/v1/import", data=(header + '{"type": "actor"}\n').encode(), timeout=60, headers=server.auth)
    assert bad.status_code == 422, bad.text
    err = bad.json()["error"]
    described = components["ImportError"]["properties"]["error"]
    assert set(err) <= property_names(described) and set(described["required"]) <= set(err), err


def test_openapi_entity_schemas_are_regenerated(description):
    """schema/openapi.json carries every described field (`make openapi` adds
    the missing ones, scripts/openapi_entities.py): stale, it fails here."""
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "openapi_entities.py"),
                        os.path.join(ROOT, "schema", "openapi.json"), "--check"],
                       input=json.dumps(description), capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_openapi_generator_adds_a_described_field(description, spec, tmp_path):
    """The generator writes a new field's properties from its description:
    a nullable string with a limit in the entity, create and patch schemas."""
    desc = json.loads(json.dumps(description))
    claim = next(e for e in desc["entities"] if e["type"] == "claim")
    at = next(i for i, f in enumerate(claim["fields"]) if f["name"] == "note") + 1
    claim["fields"].insert(at, {"name": "probe_note", "sql_type": "text", "kind": "string", "required": False,
                                "nullable": True, "enum": None, "max_length": 300, "create": True, "patch": True,
                                "server": False, "export": True, "doc": "A probe."})
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    script = os.path.join(ROOT, "scripts", "openapi_entities.py")
    stale = subprocess.run([sys.executable, script, str(path), "--check"], input=json.dumps(desc), capture_output=True, text=True)
    assert stale.returncode == 1 and "Claim.probe_note" in stale.stdout, stale.stdout
    subprocess.run([sys.executable, script, str(path)], input=json.dumps(desc), check=True, capture_output=True, text=True)
    written = json.loads(path.read_text(encoding="utf-8"))["components"]["schemas"]
    for name in ("Claim", "ClaimCreate", "ClaimPatch"):
        props = list(written[name]["properties"])
        assert props[props.index("note") + 1] == "probe_note", (name, props)
    assert written["ClaimCreate"]["properties"]["probe_note"] == {"type": ["string", "null"], "maxLength": 300,
                                                                 "description": "A probe."}
    assert written["Claim"]["properties"]["probe_note"] == {"type": ["string", "null"], "description": "A probe."}
    assert "probe_note" in written["Claim"]["required"]
    again = subprocess.run([sys.executable, script, str(path), "--check"], input=json.dumps(desc), capture_output=True, text=True)
    assert again.returncode == 0, again.stdout
