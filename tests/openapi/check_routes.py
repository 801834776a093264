#!/usr/bin/env python3
"""OpenAPI document <-> gateway consistency check (TAP).

usage: check_routes.py ROUTES_EXE OPENAPI_JSON SOURCE_ROOT

ROUTES_EXE prints the router's table (tests/openapi/routes.c), so the
check compares the document with the table the gateway is built from, not
with a copy of it:

  1. every route of the router is an operation of the document, and every
     operation of the document is a route of the router (method + pattern);
  2. security and scopes: public routes have `security: []`, token routes
     the bearer scheme and `x-required-scopes` equal to the router's scopes;
     event streams (a 200 of text/event-stream) the bearer scheme or the
     `access_token` query scheme, and no other operation that query scheme;
  3. request body media types: upload routes multipart/form-data, form routes
     (webhook callbacks) application/x-www-form-urlencoded, the others
     application/json;
  4. every {param} of a pattern is declared as a path parameter, and no other;
  5. every $ref resolves;
  6. token routes document 401 and 403, body routes 400, 413 and 415, event
     streams 400 (access_token), 404 (events off), 429 (too many streams)
     and 503;
  7. the create and join request schemas list every parameter of
     src/bbb/bbb_params.c's create_params / join_params with its JSON type;
  8. the Problem `code` enum is exactly the code table of src/core/err.c;
  9. info.version is the meson project version;
 10. a JSON success response has no other media type (BBB's XML escape
     hatch is the operation's `x-bbb-xml-reply`, kept out of `content` so
     that generated clients type the body as JSON only), and only
     BBB-backed operations (`x-bbb-call`) are marked with it;
 11. the create and join bodies admit no undeclared member in the schema
     (no typed `additionalProperties`, which generators turn into an index
     signature that lets a misspelt member through): raw BBB parameters go
     in their `bbb` member.
"""
import json
import re
import subprocess
import sys

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, name, problems):
        self.n += 1
        if problems:
            self.failed += 1
            print(f"not ok {self.n} - {name}")
            for p in problems:
                print(f"# {p}")
        else:
            print(f"ok {self.n} - {name}")


def router_table(exe):
    out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    routes = {}
    for line in out.splitlines():
        method, pattern, auth, scopes, body = line.split("\t")
        routes[(method.lower(), pattern)] = {
            "auth": auth,
            "scopes": [] if scopes == "-" else scopes.split(","),
            "body": body,
        }
    return routes


def doc_operations(doc):
    ops = {}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method in METHODS:
                ops[(method, path)] = (item, op)
    return ops


def is_stream(doc, op):
    """True for an operation whose 200 response is an event stream (text/event-stream)."""
    ok = resolve(doc, op.get("responses", {}).get("200"))
    return isinstance(ok, dict) and "text/event-stream" in ok.get("content", {})


def resolve(doc, node):
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        node = pointer(doc, node["$ref"])
        seen += 1
        if node is None or seen > 20:
            return None
    return node


def pointer(doc, ref):
    if not ref.startswith("#/"):
        return None
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def all_refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                out.append(v)
            else:
                all_refs(v, out)
    elif isinstance(node, list):
        for v in node:
            all_refs(v, out)


def c_param_table(source, name):
    m = re.search(r"static const struct gw_bbb_param " + name + r"\[\] = \{(.*?)\n\};", source, re.S)
    if m is None:
        return None
    return re.findall(r'\{"([A-Za-z0-9_-]+)",\s*([SIBLJ])\}', m.group(1))


def schema_types(doc, schema):
    """The set of JSON types a (resolved) property schema admits, or None for any."""
    schema = resolve(doc, schema)
    if not isinstance(schema, dict):
        return None
    if "oneOf" in schema or "anyOf" in schema:
        types = set()
        for s in schema.get("oneOf", []) + schema.get("anyOf", []):
            t = schema_types(doc, s)
            if t is None:
                return None
            types |= t
        return types
    t = schema.get("type")
    if t is None:
        return None
    return set(t) if isinstance(t, list) else {t}


# JSON types the gateway accepts for each parameter type (src/bbb/bbb_params.c, gw_bbb_param_text)
PARAM_TYPES = {
    "S": {"string"},
    "I": {"integer", "string"},
    "B": {"boolean"},
    "L": {"array", "string"},
    "J": None,
}


def check_param_table(doc, source, table, schema_name):
    problems = []
    rows = c_param_table(source, table)
    if not rows:
        return [f"src/bbb/bbb_params.c: table {table} not found"]
    schema = resolve(doc, {"$ref": "#/components/schemas/" + schema_name}) or {}
    props = schema.get("properties", {})
    for name, t in rows:
        if name not in props:
            problems.append(f"{schema_name}: BBB parameter '{name}' ({t}) of {table} is missing")
            continue
        got = schema_types(doc, props[name])
        want = PARAM_TYPES[t]
        if got != want:
            problems.append(f"{schema_name}.{name}: types {sorted(got) if got else 'any'}, "
                            f"the gateway takes {sorted(want) if want else 'any'}")
    return problems


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    exe, doc_path, root = argv[1:]
    with open(doc_path, encoding="utf-8") as f:
        doc = json.load(f)
    routes = router_table(exe)
    ops = doc_operations(doc)
    tap = Tap()
    print("TAP version 13")
    print("1..11")

    # 1. the same routes
    problems = []
    for key in sorted(routes.keys() - ops.keys()):
        problems.append(f"router has {key[0].upper()} {key[1]}, the document does not")
    for key in sorted(ops.keys() - routes.keys()):
        problems.append(f"document has {key[0].upper()} {key[1]}, the router does not")
    if not routes:
        problems.append("the router table is empty")
    tap.check(f"the document and the router have the same {len(routes)} routes", problems)

    common = sorted(routes.keys() & ops.keys())

    # 2. security and scopes
    problems = []
    bearer = [{"bearerAuth": []}]
    # EventSource cannot send headers: the streams also take ?access_token= (and only they)
    stream_security = bearer + [{"accessTokenQuery": []}]
    for key in common:
        r = routes[key]
        _, op = ops[key]
        name = f"{key[0].upper()} {key[1]}"
        security = op.get("security", doc.get("security"))
        scopes = op.get("x-required-scopes")
        if is_stream(doc, op):
            if r["auth"] != "token":
                problems.append(f"{name}: an event stream, the router has it {r['auth']}")
            if security != stream_security:
                problems.append(f"{name}: an event stream, needs {stream_security}, has {security}")
            if scopes != r["scopes"]:
                problems.append(f"{name}: x-required-scopes {scopes}, the router needs {r['scopes']}")
        elif r["auth"] == "public":
            if security != []:
                problems.append(f"{name}: public route, needs \"security\": []")
            if scopes not in (None, []):
                problems.append(f"{name}: public route lists scopes {scopes}")
        elif r["auth"] == "token":
            if security != bearer:
                problems.append(f"{name}: needs the bearer scheme, has {security}")
            if scopes != r["scopes"]:
                problems.append(f"{name}: x-required-scopes {scopes}, the router needs {r['scopes']}")
        elif r["auth"] == "metrics":
            if security is None or {} not in security or bearer[0] not in security:
                problems.append(f"{name}: needs bearer or nothing (metrics.public), has {security}")
            if scopes != ["metrics"]:
                problems.append(f"{name}: x-required-scopes {scopes}, the router needs ['metrics']")
    schemes = doc.get("components", {}).get("securitySchemes", {})
    if schemes.get("bearerAuth", {}).get("scheme") != "bearer":
        problems.append("components.securitySchemes.bearerAuth is not an http bearer scheme")
    query = schemes.get("accessTokenQuery", {})
    if (query.get("type"), query.get("in"), query.get("name")) != ("apiKey", "query", "access_token"):
        problems.append("components.securitySchemes.accessTokenQuery is not an apiKey in the query "
                        "named access_token")
    tap.check("security and x-required-scopes match the router", problems)

    # 3. request body media types
    problems = []
    for key in common:
        _, op = ops[key]
        body = resolve(doc, op.get("requestBody"))
        if body is None:
            continue
        media = sorted(body.get("content", {}).keys())
        want = {"upload": ["multipart/form-data"],
                "form": ["application/x-www-form-urlencoded"]}.get(routes[key]["body"], ["application/json"])
        if media != want:
            problems.append(f"{key[0].upper()} {key[1]}: request body {media}, the router takes {want}")
    tap.check("request body media types match the router", problems)

    # 4. path parameters
    problems = []
    for key in common:
        item, op = ops[key]
        declared = set()
        for p in item.get("parameters", []) + op.get("parameters", []):
            p = resolve(doc, p)
            if p is None:
                continue
            if p.get("in") == "path":
                declared.add(p.get("name"))
                if p.get("required") is not True:
                    problems.append(f"{key[1]}: path parameter {p.get('name')} must be required")
        want = set(re.findall(r"\{([^}]+)\}", key[1]))
        if declared != want:
            problems.append(f"{key[0].upper()} {key[1]}: path parameters {sorted(declared)}, pattern has {sorted(want)}")
    tap.check("path parameters match the patterns", problems)

    # 5. refs
    refs = []
    all_refs(doc, refs)
    problems = [f"unresolved $ref {r}" for r in sorted(set(refs)) if pointer(doc, r) is None]
    tap.check(f"all {len(set(refs))} $refs resolve", problems)

    # 6. error statuses
    problems = []
    for key in common:
        _, op = ops[key]
        codes = set(op.get("responses", {}).keys())
        need = set()
        if routes[key]["auth"] == "token":
            need |= {"401", "403"}
        if "requestBody" in op:
            need |= {"400", "413", "415"}
        if is_stream(doc, op):
            need |= {"400", "404", "429", "503"}
        if not any(c.startswith("2") for c in codes):
            problems.append(f"{key[0].upper()} {key[1]}: no success response")
        for c in sorted(need - codes):
            problems.append(f"{key[0].upper()} {key[1]}: status {c} is not documented")
    tap.check("token and body routes document their error statuses", problems)

    # 7. BBB parameter tables
    with open(f"{root}/src/bbb/bbb_params.c", encoding="utf-8") as f:
        bbb_api = f.read()
    problems = check_param_table(doc, bbb_api, "create_params", "CreateMeetingRequest")
    problems += check_param_table(doc, bbb_api, "join_params", "JoinRequest")
    tap.check("create and join schemas list every parameter of src/bbb/bbb_params.c with its type", problems)

    # 8. problem codes
    with open(f"{root}/src/core/err.c", encoding="utf-8") as f:
        err_c = f.read()
    codes = set(re.findall(r'\{\s*\d+\s*,\s*"([a-z_]+)"\s*,', err_c)) - {"ok"}
    enum = set(resolve(doc, {"$ref": "#/components/schemas/Problem"})
               .get("properties", {}).get("code", {}).get("enum", []))
    problems = [f"code '{c}' of src/core/err.c is not in Problem.code" for c in sorted(codes - enum)]
    problems += [f"Problem.code '{c}' is not in src/core/err.c" for c in sorted(enum - codes)]
    if not codes:
        problems.append("no codes found in src/core/err.c")
    tap.check("Problem.code is the code table of src/core/err.c", problems)

    # 9. version
    with open(f"{root}/meson.build", encoding="utf-8") as f:
        m = re.search(r"version\s*:\s*'([^']+)'", f.read())
    want = m.group(1) if m else None
    got = doc.get("info", {}).get("version")
    tap.check(f"info.version is the project version ({want})",
              [] if got == want else [f"info.version {got}, meson.build says {want}"])

    # 10. JSON successes are JSON only; BBB's XML is x-bbb-xml-reply
    problems = []
    for key, (_, op) in sorted(ops.items()):
        name = f"{key[0].upper()} {key[1]}"
        for status, resp in op.get("responses", {}).items():
            media = sorted((resolve(doc, resp) or {}).get("content", {}).keys())
            if status.startswith("2") and "application/json" in media and len(media) > 1:
                problems.append(f"{name} {status}: {media}; BBB's XML goes in x-bbb-xml-reply, "
                                "not in content")
        if op.get("x-bbb-xml-reply") not in (None, True):
            problems.append(f"{name}: x-bbb-xml-reply is true or absent")
        if op.get("x-bbb-xml-reply") is True and "x-bbb-call" not in op:
            problems.append(f"{name}: x-bbb-xml-reply on an operation without x-bbb-call")
    tap.check("JSON success responses are JSON only (BBB's XML: x-bbb-xml-reply)", problems)

    # 11. create and join bodies: declared members only, raw BBB parameters in bbb
    problems = []
    for schema_name in ("CreateMeetingRequest", "JoinRequest"):
        schema = resolve(doc, {"$ref": "#/components/schemas/" + schema_name}) or {}
        if schema.get("additionalProperties", False) is not False:
            problems.append(f"{schema_name}: additionalProperties would let any member through")
        raw = resolve(doc, schema.get("properties", {}).get("bbb")) or {}
        if raw.get("type") != "object" or schema_types(doc, raw.get("additionalProperties")) != {
                "string", "integer", "boolean"}:
            problems.append(f"{schema_name}.bbb: not an object of strings, integers and booleans")
    tap.check("create and join bodies declare their members; raw BBB parameters in bbb", problems)

    print(f"# {tap.n - tap.failed} passed, {tap.failed} failed")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
