#!/usr/bin/env python3
"""Builds the complete builtin CRM schemas from schemas/ and Debian's iso-codes.

The committed JSON under schemas/ is exactly what the APIs return, except that the Salesforce
State and Country picklist code fields (B10) carry empty `picklistValues`: this script fills them
with the values Salesforce ships, built from iso-codes plus the reviewed deviations of
stdlib/native/geo/salesforce_defaults.tsv by the same code as the stdlib's default table
(gen_geo_tables.salesforce_defaults; see schemas/README.md), writes the complete files to
--out-dir, and writes a C++ source that embeds them (compact, as the APIs send them) for
runtime/schema. Run by CMake at build time; never edit its outputs.
"""
import argparse
import base64
import json
import os
import sys
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "stdlib",
                                "native", "geo"))
import gen_geo_tables  # noqa: E402  (the stdlib's generator: one definition of the table)


class SchemaError(Exception):
    pass


def fold(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def load_iso(iso_dir, deviations):
    with open(os.path.join(iso_dir, "iso_3166-1.json"), encoding="utf-8") as f:
        countries = json.load(f)["3166-1"]
    with open(os.path.join(iso_dir, "iso_3166-2.json"), encoding="utf-8") as f:
        subdivisions = json.load(f)["3166-2"]
    table = gen_geo_tables.salesforce_defaults(deviations, countries, subdivisions)
    # Salesforce lists countries alphabetically by label, accents ignored ("Aland Islands"
    # comes second), and states alphabetically within their country.
    ordered = sorted(table, key=lambda c: fold(c[1]).casefold())
    countries = [(code, label) for code, label, _ in ordered]
    states = {}
    for code, _, subs in ordered:
        if subs:
            states[code] = sorted(((s[0], s[1], s[3]) for s in subs),
                                  key=lambda s: fold(s[1]).casefold())
    return countries, states


def entry(value, label, valid_for=None, active=True):
    return {"active": active, "defaultValue": False, "label": label, "value": value,
            "validFor": valid_for}


def valid_for(index, count):
    # Bit i (most significant bit first within each byte) marks controller value i.
    bits = bytearray((count + 7) // 8)
    bits[index // 8] |= 0x80 >> (index % 8)
    return base64.b64encode(bytes(bits)).decode("ascii")


def fill_address_picklists(describe, countries, states, path):
    fields = describe["fields"]
    by_name = {f["name"]: f for f in fields}
    for field in fields:
        if (field["name"].endswith("CountryCode") and field["type"] == "picklist"
                and not field["picklistValues"]):
            field["picklistValues"] = [entry(code, name) for code, name in countries]
    for field in fields:
        if not (field["name"].endswith("StateCode") and field.get("dependentPicklist")
                and not field["picklistValues"]):
            continue
        controller = by_name.get(field.get("controllerName") or "")
        if controller is None or not controller["picklistValues"]:
            raise SchemaError(f"{path}: {field['name']} has no controlling country picklist")
        values = [v["value"] for v in controller["picklistValues"]]
        picklist = []
        # Grouped by country in the controller's order, alphabetical within a country.
        for index, country in enumerate(values):
            if country not in states:
                continue
            bitmap = valid_for(index, len(values))
            picklist += [entry(code, label, bitmap, active)
                         for code, label, active in states[country]]
        field["picklistValues"] = picklist


def check_shape(crm, name, data, path):
    if crm == "hubspot":
        if not isinstance(data.get("results"), list):
            raise SchemaError(f"{path}: expected {{\"results\": [property...]}}")
    else:
        if data.get("name") != name or not isinstance(data.get("fields"), list):
            raise SchemaError(f"{path}: expected a describe of {name} with fields[]")


def cpp_literal(text, delimiter="sl"):
    if f"){delimiter}\"" in text:
        raise SchemaError("schema text contains the raw-string delimiter")
    return f'R"{delimiter}({text}){delimiter}"'


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", required=True, help="the schemas/ folder")
    parser.add_argument("--iso-codes", required=True, help="iso-codes json folder")
    parser.add_argument("--salesforce-defaults", required=True,
                        help="stdlib/native/geo/salesforce_defaults.tsv")
    parser.add_argument("--out-dir", required=True, help="where the complete JSON files go")
    parser.add_argument("--cpp", required=True, help="the C++ source to write")
    args = parser.parse_args()

    countries, states = load_iso(args.iso_codes, args.salesforce_defaults)
    builtins = []  # (crm enum, name, compact json)
    for crm, enum in (("hubspot", "kHubSpot"), ("salesforce", "kSalesforce")):
        folder = os.path.join(args.src, crm)
        os.makedirs(os.path.join(args.out_dir, crm), exist_ok=True)
        for file in sorted(os.listdir(folder)):
            if not file.endswith(".json"):
                continue
            name, path = file[:-5], os.path.join(folder, file)
            with open(path, encoding="utf-8") as f:
                try:
                    data = json.load(f)
                except json.JSONDecodeError as e:
                    raise SchemaError(f"{path}: {e}") from e
            check_shape(crm, name, data, path)
            if crm == "salesforce":
                fill_address_picklists(data, countries, states, path)
            with open(os.path.join(args.out_dir, crm, file), "w", encoding="utf-8") as f:
                json.dump(data, f, indent=2, ensure_ascii=False)
                f.write("\n")
            builtins.append((enum, name, json.dumps(data, ensure_ascii=False,
                                                    separators=(",", ":"))))

    lines = ["// Generated by schemas/generate_schemas.py from schemas/ and iso-codes. Do not edit.",
             '#include "schema/builtin_schemas.h"', "", "namespace syncline::schema::internal {",
             "namespace {"]
    for i, (_, _, text) in enumerate(builtins):
        lines.append(f"constexpr char kJson{i}[] = {cpp_literal(text)};")
    lines += ["constexpr BuiltinSchema kSchemas[] = {"]
    for i, (enum, name, _) in enumerate(builtins):
        lines.append(f'    {{Crm::{enum}, "{name}", {{kJson{i}, sizeof(kJson{i}) - 1}}}},')
    lines += ["};", "}  // namespace", "",
              "std::span<const BuiltinSchema> BuiltinSchemas() { return kSchemas; }", "",
              "}  // namespace syncline::schema::internal", ""]
    text = "\n".join(lines)
    # Rewrite only on change so an unchanged schema set does not recompile the library.
    try:
        with open(args.cpp, encoding="utf-8") as f:
            if f.read() == text:
                return 0
    except OSError:
        pass
    with open(args.cpp, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (SchemaError, OSError, KeyError) as e:
        print(f"generate_schemas.py: error: {e}", file=sys.stderr)
        sys.exit(1)
