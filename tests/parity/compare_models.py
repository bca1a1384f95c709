#!/usr/bin/env python3
"""List the wire-relevant differences between botocore's ivschat model and the
pinned Smithy model.

Usage: compare_models.py [path/to/ivschat.json]
(default: ../shared/models/ivschat.json relative to the repository root).
Run with the interpreter that has the pinned botocore installed.
"""

import gzip
import json
import sys
from pathlib import Path

import botocore

NS = "com.amazonaws.ivschat#"
PRELUDE = {
    "smithy.api#String": "string",
    "smithy.api#Integer": "integer",
    "smithy.api#Boolean": "boolean",
    "smithy.api#Timestamp": "timestamp",
}


def botocore_data_dir():
    root = Path(botocore.__file__).parent / "data" / "ivschat"
    (version,) = [p for p in root.iterdir() if p.is_dir()]
    return version


def load_botocore():
    with gzip.open(botocore_data_dir() / "service-2.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def lower_param_types(rules):
    # botocore spells rule-set parameter types in lower case ("string"), Smithy capitalised.
    rules = json.loads(json.dumps(rules))
    for param in rules.get("parameters", {}).values():
        param["type"] = param["type"].lower()
    return rules


def smithy_shape(shape_id, shapes):
    """Translate one Smithy shape into the botocore attributes we compare."""
    shape = shapes[shape_id]
    traits = shape.get("traits", {})
    out = {"type": "structure" if shape["type"] == "union" else shape["type"]}
    if shape["type"] == "union":
        out["union"] = True
    if "smithy.api#length" in traits:
        out.update({k: v for k, v in traits["smithy.api#length"].items()})
    if "smithy.api#range" in traits:
        out.update({k: v for k, v in traits["smithy.api#range"].items()})
    if "smithy.api#pattern" in traits:
        out["pattern"] = traits["smithy.api#pattern"]
    if "smithy.api#enum" in traits:
        out["enum"] = [e["value"] for e in traits["smithy.api#enum"]]
    if "smithy.api#sensitive" in traits:
        out["sensitive"] = True
    if "smithy.api#timestampFormat" in traits:
        out["timestampFormat"] = traits["smithy.api#timestampFormat"]
    if "smithy.api#default" in traits:
        out["default"] = traits["smithy.api#default"]
    if "smithy.api#error" in traits:
        out["error"] = {"httpStatusCode": traits.get("smithy.api#httpError")}
        out["fault"] = traits["smithy.api#error"]
    for key in ("member", "key", "value"):
        if key in shape:
            out[key] = shape[key]["target"].split("#")[1]
    if "members" in shape:
        members = {}
        required = []
        for name, member in shape["members"].items():
            mt = member.get("traits", {})
            entry = {"shape": member["target"].split("#")[1]}
            if "smithy.api#httpLabel" in mt:
                entry["location"] = "uri"
            if "smithy.api#httpQuery" in mt:
                entry["location"] = "querystring"
                entry["locationName"] = mt["smithy.api#httpQuery"]
            if "smithy.api#httpHeader" in mt:
                entry["location"] = "header"
                entry["locationName"] = mt["smithy.api#httpHeader"]
            if "smithy.api#jsonName" in mt:
                entry["locationName"] = mt["smithy.api#jsonName"]
            if "smithy.api#default" in mt:
                entry["default"] = mt["smithy.api#default"]
            if "smithy.api#required" in mt:
                required.append(name)
            members[name] = entry
        out["members"] = members
        out["required"] = sorted(required)
    return out


def botocore_shape(shape):
    out = {k: v for k, v in shape.items() if k not in ("documentation", "exception", "box")}
    if "members" in out:
        out["members"] = {
            n: {k: v for k, v in m.items() if k not in ("documentation",) and not (k == "locationName" and m.get("location") == "uri")}
            for n, m in out["members"].items()
        }
        out["required"] = sorted(out.get("required", []))
    for key in ("member", "key", "value"):
        if key in out:
            out[key] = out[key]["shape"]
    if "error" in out:
        # The fault side is compared separately (botocore: senderFault/fault flags).
        out["error"] = {"httpStatusCode": out["error"].get("httpStatusCode")}
    out.pop("fault", None)
    return out


def main():
    default = Path(__file__).resolve().parents[2] / ".." / "shared" / "models" / "ivschat.json"
    smithy_path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    with open(smithy_path, encoding="utf-8") as f:
        smithy = json.load(f)["shapes"]
    boto = load_botocore()
    diffs = []

    service = [v for v in smithy.values() if v["type"] == "service"][0]
    sigv4 = service["traits"]["aws.auth#sigv4"]["name"]
    if boto["metadata"]["signingName"] != sigv4:
        diffs.append(f"signing name: botocore {boto['metadata']['signingName']!r}, smithy {sigv4!r}")
    if boto["metadata"]["apiVersion"] != service["version"]:
        diffs.append(f"api version: botocore {boto['metadata']['apiVersion']}, smithy {service['version']}")

    with gzip.open(botocore_data_dir() / "endpoint-rule-set-1.json.gz", "rt", encoding="utf-8") as f:
        boto_rules = json.load(f)
    smithy_rules = service["traits"]["smithy.rules#endpointRuleSet"]
    if lower_param_types(boto_rules) != lower_param_types(smithy_rules):
        diffs.append("endpoint rule sets differ")
    elif boto_rules != smithy_rules:
        diffs.append("endpoint rule sets equal except the case of parameter type names (botocore 'string'/'boolean', smithy 'String'/'Boolean')")
    with open(botocore_data_dir() / "paginators-1.json", encoding="utf-8") as f:
        boto_pages = json.load(f).get("pagination", {})

    ops = {k[len(NS):]: v for k, v in smithy.items() if v["type"] == "operation"}
    if set(ops) != set(boto["operations"]):
        diffs.append(f"operation sets differ: only smithy {sorted(set(ops) - set(boto['operations']))}, only botocore {sorted(set(boto['operations']) - set(ops))}")
    for name in sorted(set(ops) & set(boto["operations"])):
        s, b = ops[name], boto["operations"][name]
        http = s["traits"]["smithy.api#http"]
        sh = (http["method"], http["uri"], http.get("code", 200))
        bh = (b["http"]["method"], b["http"]["requestUri"], b["http"].get("responseCode", 200))
        if sh != bh:
            diffs.append(f"{name}: http binding botocore {bh}, smithy {sh}")
        se = sorted(e["target"].split("#")[1] for e in s.get("errors", []))
        be = sorted(e["shape"] for e in b.get("errors", []))
        if se != be:
            diffs.append(f"{name}: errors botocore {be}, smithy {se}")
        elif [e["target"].split("#")[1] for e in s.get("errors", [])] != [e["shape"] for e in b.get("errors", [])]:
            diffs.append(f"{name}: same errors, listed in a different order")
        if ("smithy.api#idempotent" in s.get("traits", {})) != bool(b.get("idempotent")):
            diffs.append(f"{name}: idempotent differs")
        paginated = s.get("traits", {}).get("smithy.api#paginated")
        if paginated and name not in boto_pages:
            diffs.append(f"{name}: smithy @paginated {json.dumps(paginated, sort_keys=True)}; botocore has no paginator for it")
        if "smithy.api#readonly" in s.get("traits", {}):
            diffs.append(f"{name}: smithy @readonly has no botocore counterpart")
        for io in ("input", "output"):
            st = s.get(io, {}).get("target", "smithy.api#Unit").split("#")[1]
            bt = b.get(io, {}).get("shape", "Unit")
            if st != bt:
                diffs.append(f"{name}: {io} botocore {bt}, smithy {st}")

    sshapes = {k[len(NS):]: k for k in smithy if k.startswith(NS) and smithy[k]["type"] not in ("operation", "service")}
    only_s = set(sshapes) - set(boto["shapes"])
    only_b = set(boto["shapes"]) - set(sshapes)
    if only_s or only_b:
        diffs.append(f"shape sets differ: only smithy {sorted(only_s)}, only botocore {sorted(only_b)}")
    for name in sorted(set(sshapes) & set(boto["shapes"])):
        s = smithy_shape(sshapes[name], smithy)
        b = botocore_shape(boto["shapes"][name])
        if "error" in s:
            raw = boto["shapes"][name]
            bfault = "server" if raw.get("fault") else "client" if raw["error"].get("senderFault") else "(unset)"
            if bfault != s["fault"]:
                diffs.append(f"{name}: fault botocore {bfault}, smithy {s['fault']}")
            s.pop("fault")
        for key in sorted(set(s) | set(b)):
            sv, bv = s.get(key), b.get(key)
            if key == "pattern" and sv is not None and bv is not None:
                if sv.strip("^$") == bv or sv == "^" + bv + "$":
                    continue
            if key == "timestampFormat" and (sv, bv) == ("date-time", "iso8601"):
                continue
            if sv != bv:
                diffs.append(f"{name}.{key}: botocore {json.dumps(bv)}, smithy {json.dumps(sv)}")

    print(f"botocore {botocore.__version__} ivschat model vs {smithy_path.name}:")
    for d in diffs:
        print(" -", d)
    if not diffs:
        print(" (no differences)")


if __name__ == "__main__":
    main()
