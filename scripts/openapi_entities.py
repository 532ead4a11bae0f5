#!/usr/bin/env python3
"""Brings the entity schemas of schema/openapi.json up to the entity
descriptions (server/entities.c), read as `claimdb describe` prints them.

  build/claimdb describe | python3 scripts/openapi_entities.py schema/openapi.json [--check]

For every entity with a schema X in components: each stored field missing
from X, each creatable field missing from XCreate and each patchable one
missing from XPatch is added (after the field that precedes it in the
description), written from the field's kind, nullability, enumeration (a
$ref to the component with that enum), length limit and `doc`; a required
field joins XCreate's `required`, and a stored one X's. What is there is
kept: descriptions, examples and request options are written by hand, and
tests/api/test_description.py compares every property with the description.
`make openapi` runs this; with --check nothing is written and the exit
status is 1 when the file is not up to date (test_description runs that).
Standard library only; the output is json.dumps(indent=2) as the file is."""
import json
import sys

FORMATS = {"uuid": "uuid", "date": "date", "timestamp": "date-time"}
TYPES = {"string": "string", "uuid": "string", "date": "string", "timestamp": "string",
         "partial_date": "string", "integer": "integer", "boolean": "boolean", "object": "object",
         "string_array": "array", "array": "array"}


def enum_component(components, values):
    for name, schema in components.items():
        if schema.get("enum") == values:
            return name
    return None


def nullable_of(prop, nullable):
    """prop, accepting null too when nullable."""
    if not nullable:
        return prop
    if "type" in prop:
        prop = dict(prop)
        prop["type"] = [prop["type"], "null"]
        return prop
    return {"anyOf": [prop, {"type": "null"}]}


def property_for(field, components, writing):
    """The OpenAPI property of a described field; writing: in a Create/Patch body."""
    kind = field["kind"]
    if field["enum"]:
        ref = enum_component(components, field["enum"])
        prop = {"$ref": "#/components/schemas/" + ref} if ref else {"type": "string", "enum": field["enum"]}
    elif kind == "span":
        prop = {"$ref": "#/components/schemas/" + ("SpanInput" if writing else "Span")}
    else:
        prop = {"type": TYPES[kind]}
        if kind in FORMATS:
            prop["format"] = FORMATS[kind]
        if kind == "string_array":
            prop["items"] = {"type": "string"}
            if field["max_length"]:
                prop["items"]["maxLength"] = field["max_length"]
        if kind == "array":
            prop["items"] = {"type": "object"}
        if kind == "string" and field["max_length"] and writing:
            prop["maxLength"] = field["max_length"]
    prop = nullable_of(prop, field["nullable"])
    if field.get("doc"):
        prop["description"] = field["doc"]
    return prop


def insert_after(properties, name, prop, previous):
    """properties with name added right after the last of `previous` present (else first)."""
    out, placed = {}, False
    anchor = next((p for p in reversed(previous) if p in properties), None)
    if anchor is None:
        out[name] = prop
        placed = True
    for key, value in properties.items():
        out[key] = value
        if key == anchor and not placed:
            out[name] = prop
            placed = True
    return out


def bring_up(schema, fields, components, writing, required_fields, changes, label):
    props = schema.setdefault("properties", {})
    seen = []
    for f in fields:
        if f["name"] not in props:
            props = insert_after(props, f["name"], property_for(f, components, writing), seen)
            changes.append("%s.%s" % (label, f["name"]))
        seen.append(f["name"])
    schema["properties"] = props
    req = schema.get("required")
    wanted = [f["name"] for f in required_fields]
    if wanted and req is None:
        req = schema["required"] = []
    for name in wanted:
        if name not in req:
            req.append(name)
            changes.append("%s.required %s" % (label, name))


def update(spec, description):
    components = spec["components"]["schemas"]
    changes = []
    for entity in description["entities"]:
        name = entity["schema"]
        if name not in components:
            continue  # no API for it (projects)
        stored = [f for f in entity["fields"] if f["sql_type"]]
        shown = components[name]
        # a field added to the description is in every response; the older
        # ones keep the required list as written
        new = [f for f in stored if f["name"] not in shown.get("properties", {})]
        bring_up(shown, stored, components, False, new if "required" in shown else [], changes, name)
        for mode, suffix in (("create", "Create"), ("patch", "Patch")):
            body = components.get(name + suffix)
            if body is None:
                continue
            fields = [f for f in entity["fields"] if f[mode]]
            required = [f for f in fields if f["required"]] if mode == "create" else []
            bring_up(body, fields, components, True, required, changes, name + suffix)
    return changes


def main(argv):
    if len(argv) < 2 or len(argv) > 3 or (len(argv) == 3 and argv[2] != "--check"):
        sys.exit("usage: claimdb describe | openapi_entities.py schema/openapi.json [--check]")
    path, check = argv[1], len(argv) == 3
    description = json.load(sys.stdin)
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    changes = update(spec, description)
    if check:
        if changes:
            print("%s is not up to date with the entity descriptions (run `make openapi`): %s"
                  % (path, ", ".join(changes)))
            return 1
        return 0
    if changes:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(json.dumps(spec, indent=2, ensure_ascii=False) + "\n")
        import os
        os.replace(path + ".tmp", path)
        print("%s: added %s" % (path, ", ".join(changes)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
