#!/usr/bin/env python3
"""Generates geo_tables.cpp (ISO 3166-1 countries, ISO 3166-2 subdivisions and the lookup
hash tables over their normalised names) from Debian's iso-codes data.

Run by CMake at build time; never edit the output by hand. The key normalisation below must
stay byte-for-byte identical to place_key.cpp: both use the fold table this script emits, and
the unit tests look up every generated name through the C++ side to prove it.

It also builds Salesforce's default State and Country/Territory picklists: ISO data plus the
reviewed deviations of salesforce_defaults.tsv (--salesforce).

usage: gen_geo_tables.py --iso-json DIR --locale-dir DIR --aliases FILE --salesforce FILE
                         --out FILE
"""

import argparse
import glob
import gettext
import json
import os
import re
import sys
import unicodedata

# Code point ranges covered by the fold table; everything else passes through unchanged.
FOLD_RANGES = [(0x80, 0x2500), (0x3000, 0x3040), (0xFF00, 0xFFF0)]
DROP, SEP, PASS = 0, 0xFE, 0xFF
# Apostrophe-like marks vanish ("Côte d’Ivoire" -> "cote divoire", "Hawaiʻi" -> "hawaii").
APOSTROPHES = {0x2018, 0x2019, 0x201B, 0x02BC, 0x02BB, 0x02BE, 0x02BF, 0x00B4, 0x2032, 0x02C8}
# Letters that carry no Unicode decomposition but have an obvious ASCII spelling.
SPECIAL = {'ø': 'o', 'đ': 'd', 'ł': 'l', 'æ': 'ae', 'œ': 'oe', 'þ': 'th', 'ð': 'd', 'ħ': 'h',
           'ı': 'i', 'ŧ': 't', 'ŀ': 'l', 'ĸ': 'k', 'ß': 'ss', 'ẞ': 'ss'}

MAX_INPUT = 512  # keep in sync with kMaxPlaceInput in place_key.h
KEY_CAPACITY = 1024  # keep in sync with kPlaceKeyCapacity


def strip_marks(s):
    return ''.join(ch for ch in unicodedata.normalize('NFKD', s)
                   if not unicodedata.category(ch).startswith('M'))


def fold_entry(cp):
    c = chr(cp)
    if cp in APOSTROPHES:
        return DROP, ''
    cat = unicodedata.category(c)
    if cat.startswith('M'):
        return DROP, ''
    if cat[0] in 'ZPSC':
        return SEP, ''
    low = c.lower()
    if low in SPECIAL:
        return len(SPECIAL[low]), SPECIAL[low]
    s = strip_marks(strip_marks(c).casefold())
    s = ''.join(SPECIAL.get(ch, ch) for ch in s)
    if not s:
        return DROP, ''
    for ch in s:
        o = ord(ch)
        if o < 0x80:
            if not (ch.isdigit() or ('a' <= ch <= 'z')):
                return SEP, ''
        elif unicodedata.category(ch)[0] not in 'LN':
            return SEP, ''
    b = s.encode('utf-8')
    if len(b) > 4:
        return PASS, ''
    if s == c:
        return PASS, ''
    return len(b), s


FOLD = {}
for lo, hi in FOLD_RANGES:
    for cp in range(lo, hi):
        FOLD[cp] = fold_entry(cp)


PARITY = {}  # raw text -> key, for the parity test (--dump-parity)


def normalise(text):
    """Mirror of place_key.cpp: returns the key or None when it would be rejected."""
    key = normalise_impl(text)
    PARITY[text] = key
    return key


def normalise_impl(text):
    if len(text.encode('utf-8')) > MAX_INPUT:
        return None
    tokens = []
    cur = []

    def sep():
        if cur:
            tokens.append(''.join(cur))
            cur.clear()

    for ch in text:
        cp = ord(ch)
        if cp < 0x80:
            if 'A' <= ch <= 'Z':
                cur.append(ch.lower())
            elif 'a' <= ch <= 'z' or '0' <= ch <= '9':
                cur.append(ch)
            elif ch in "'`.":
                pass
            elif ch == '&':
                sep()
                tokens.append('and')
            else:
                sep()
            continue
        kind, rep = FOLD.get(cp, (PASS, ''))
        if kind == DROP:
            continue
        if kind == SEP:
            sep()
        elif kind == PASS:
            cur.append(ch)
        else:
            cur.append(rep)
    sep()
    # Token rewrites: "st" -> "saint" and a leading "the" vanish, but only when more follows,
    # so that "ST" (São Tomé) and a bare "the" stay as typed.
    if len(tokens) > 1 and tokens[0] == 'the':
        tokens = tokens[1:]
    if len(tokens) > 1:
        tokens = ['saint' if t == 'st' else t for t in tokens]
    key = ' '.join(tokens)
    if len(key.encode('utf-8')) > KEY_CAPACITY - 8:
        return None
    return key


def variants(name):
    """Spelling variants of an ISO name as (text, is_fragment): 'Korea, Republic of' ->
    'Republic of Korea' and the fragment 'Korea'; 'A Coruña [La Coruña]' -> 'A Coruña' and
    the fragment 'La Coruña'. Fragments are weaker evidence: 'Saint-Martin (Francia)' must
    not claim 'Francia'."""
    out = []
    base = name
    for m in re.finditer(r'[\[(]([^\])]*)[\])]', name):
        out.append((m.group(1), True))
    stripped = re.sub(r'\s*[\[(][^\])]*[\])]\s*', ' ', name).strip()
    if stripped != name:
        out.append((stripped, False))
        base = stripped
    if ', ' in base:
        head, tail = base.split(', ', 1)
        out.append((head, True))
        out.append((tail + ' ' + head, False))
    return out


# Chinese subdivision names in ISO carry their administrative type ("Guangdong Sheng");
# Salesforce labels and people drop it.
CN_SUFFIXES = {'Sheng', 'Shi', 'Zizhiqu', 'Zhuangzu', 'Huizi', 'Uygur', 'SAR'}


def subdivision_label(code, name):
    """The label Salesforce-style pick lists show: ISO name without Chinese type suffixes and
    without the transliteration marks of Indian names."""
    if code.startswith('CN-'):
        words = name.split()
        while len(words) > 1 and words[-1] in CN_SUFFIXES:
            words.pop()
        return ' '.join(words)
    if code.startswith('IN-'):
        return unicodedata.normalize('NFC', strip_marks(name))
    return name


def fnv1a(data):
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


class KeyTable:
    """Maps normalised keys to a value with a priority; equal-priority clashes between
    different values make the key ambiguous (it is then dropped) unless prefer() decides."""

    def __init__(self, prefer=None):
        self.best = {}  # key -> (priority, value)
        self.ambiguous = {}  # key -> priority
        self.prefer = prefer

    def add(self, key, value, priority):
        if not key:
            return
        if key in self.ambiguous and self.ambiguous[key] <= priority:
            return
        cur = self.best.get(key)
        if cur is None or priority < cur[0]:
            self.best[key] = (priority, value)
            self.ambiguous.pop(key, None)
        elif priority == cur[0] and value != cur[1]:
            winner = self.prefer(cur[1], value) if self.prefer else None
            if winner is None:
                del self.best[key]
                self.ambiguous[key] = priority
            else:
                self.best[key] = (priority, winner)

    def items(self):
        return sorted((k, v[1]) for k, v in self.best.items())


def c_string(s):
    out = []
    for b in s.encode('utf-8'):
        if b == 0x22 or b == 0x5C:
            out.append('\\' + chr(b))
        elif 0x20 <= b < 0x7F and b != 0x3F:  # '?' escaped to dodge trigraphs
            out.append(chr(b))
        else:
            out.append('\\%03o' % b)
    return '"' + ''.join(out) + '"'


class Pool:
    def __init__(self):
        self.parts = []
        self.size = 0
        self.index = {}

    def add(self, s):
        b = s.encode('utf-8')
        if s in self.index:
            return self.index[s], len(b)
        off = self.size
        self.parts.append(s)
        self.size += len(b)
        self.index[s] = off
        return off, len(b)


def emit_hash(lines, name, items, pool):
    size = 1
    while size < max(16, 2 * len(items)):
        size *= 2
    slots = [None] * size
    for key, value in items:
        off, ln = pool.add(key)
        h = fnv1a(key.encode('utf-8')) & (size - 1)
        while slots[h] is not None:
            h = (h + 1) & (size - 1)
        slots[h] = (off, ln, value)
    lines.append(f'const HashSlot {name}[{size}] = {{')
    row = []
    for s in slots:
        row.append('{0,0,0xFFFF}' if s is None else '{%d,%d,%d}' % s)
        if len(row) == 8:
            lines.append('  ' + ','.join(row) + ',')
            row = []
    if row:
        lines.append('  ' + ','.join(row) + ',')
    lines.append('};')
    lines.append(f'const std::uint32_t {name}_mask = {size - 1}u;')


def load_catalogues(locale_dir, domain):
    cats = []
    for path in sorted(glob.glob(os.path.join(locale_dir, '*', 'LC_MESSAGES', domain + '.mo'))):
        with open(path, 'rb') as f:
            try:
                cats.append(gettext.GNUTranslations(f)._catalog)
            except Exception:  # a broken catalogue must not break the build
                continue
    return cats


# Countries whose states Salesforce enables by default, and which ISO level they come from.
SALESFORCE_STATE_COUNTRIES = ['US', 'CA', 'AU', 'BR', 'CN', 'IN', 'IE', 'IT', 'MX', 'JP']
SALESFORCE_SECOND_LEVEL = {'IE', 'IT'}  # counties and provinces, not provinces and regions


def salesforce_defaults(path, countries, subs):
    """ISO countries and subdivisions with the deviations of salesforce_defaults.tsv applied.
    Returns [(code, label, [(code, label, iso_part, active)])] in code order."""
    iso_names = {c['alpha_2']: c['name'] for c in countries}
    table = {}  # code -> [label, {code: [label, iso_part, active]}]
    for code, name in iso_names.items():
        table[code] = [name, {}]
    for s in subs:
        cc, part = s['code'].split('-', 1)
        if cc not in SALESFORCE_STATE_COUNTRIES:
            continue
        if (cc in SALESFORCE_SECOND_LEVEL) != ('parent' in s):
            continue
        table[cc][1][part] = [subdivision_label(s['code'], s['name']), part, True]
    counts = {}
    renamed = {}  # (country, iso part) -> new code, applied after every line is read

    def fail(lineno, msg):
        sys.exit(f'{path}:{lineno}: {msg}')

    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = re.sub(r'\t+#.*$', '', line.rstrip('\n'))
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            cols = line.split('\t') + [''] * 6
            op, cc, iso, code, label, flags = cols[:6]
            if flags not in ('', 'inactive'):
                fail(lineno, f'unknown flag {flags!r}')
            active = flags != 'inactive'
            if op == 'count':
                counts[cc] = int(iso)
                continue
            if op == 'add-country':
                if cc in table:
                    fail(lineno, f'{cc} already exists')
                table[cc] = [label, {}]
                continue
            if cc not in table:
                fail(lineno, f'unknown country {cc}')
            states = table[cc][1]
            if op == 'drop-country':
                del table[cc]
            elif op == 'country':
                table[cc][0] = label
            elif op == 'drop-state':
                if iso not in states:
                    fail(lineno, f'unknown subdivision {cc}-{iso}')
                del states[iso]
            elif op == 'add-state':
                if code in states:
                    fail(lineno, f'{cc}-{code} already exists')
                states[code] = [label, '', active]
            elif op == 'state':
                if iso not in states:
                    fail(lineno, f'unknown subdivision {cc}-{iso}')
                if label != '=':
                    states[iso][0] = label
                states[iso][2] = active
                if code != '=':
                    renamed[(cc, iso)] = code
            else:
                fail(lineno, f'unknown operation {op!r}')
    for cc in set(cc for cc, _ in renamed):
        states = table[cc][1]
        moved = {renamed[(cc, iso)]: states.pop(iso) for (c, iso) in list(renamed) if c == cc}
        for code, row in moved.items():
            if code in states:
                sys.exit(f'{path}: {cc}-{code} is used twice')
            states[code] = row
    out = [(cc, table[cc][0], sorted((code, r[0], r[1], r[2]) for code, r in table[cc][1].items()))
           for cc in sorted(table)]
    for cc, want in counts.items():
        got = len(out) if cc == '*' else len(table[cc][1]) if cc in table else -1
        if got != want:
            sys.exit(f'{path}: {cc} has {got} entries, the count line says {want}')
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--iso-json', required=True)
    ap.add_argument('--locale-dir', required=True)
    ap.add_argument('--aliases', required=True)
    ap.add_argument('--salesforce', required=True,
                    help='salesforce_defaults.tsv: deviations of Salesforce\'s picklists from ISO')
    ap.add_argument('--out', required=True)
    ap.add_argument('--dump-keys', help='write country keys as TSV (for debugging)')
    ap.add_argument('--dump-parity', help='write every normalised text and its key as TSV, '
                    'for the unit test that checks place_key.cpp gives the same keys')
    args = ap.parse_args()

    countries = json.load(open(os.path.join(args.iso_json, 'iso_3166-1.json'),
                               encoding='utf-8'))['3166-1']
    countries.sort(key=lambda c: c['alpha_2'])
    subs = json.load(open(os.path.join(args.iso_json, 'iso_3166-2.json'),
                          encoding='utf-8'))['3166-2']
    subs.sort(key=lambda s: s['code'])
    cidx = {c['alpha_2']: i for i, c in enumerate(countries)}

    country_aliases, sub_aliases = [], []
    with open(args.aliases, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            cols = line.split('\t')
            if cols[0] == 'country' and len(cols) >= 3:
                country_aliases.append((cols[1], cols[2]))
            elif cols[0] == 'subdivision' and len(cols) >= 3:
                sub_aliases.append((cols[1], cols[2]))
            else:
                sys.exit(f'{args.aliases}:{lineno}: bad alias line')

    # ---- country keys. Priorities: 0 codes, 1 English names, 2 aliases, 3 derived English
    # variants (3.5 fragments), 4 translations (5 fragments).
    ct = KeyTable()
    for i, c in enumerate(countries):
        ct.add(normalise(c['alpha_2']), i, 0)
        ct.add(normalise(c['alpha_3']), i, 0)
        ct.add(c['numeric'], i, 0)
        ct.add(str(int(c['numeric'])), i, 0)
        for field in ('name', 'official_name', 'common_name'):
            if field in c:
                ct.add(normalise(c[field]), i, 1)
                for v, fragment in variants(c[field]):
                    ct.add(normalise(v), i, 3.5 if fragment else 3)
    for alias, code in country_aliases:
        if code not in cidx:
            sys.exit(f'alias {alias!r}: unknown country {code}')
        ct.add(normalise(alias), cidx[code], 2)
    english = {}
    for i, c in enumerate(countries):
        for field in ('name', 'official_name', 'common_name'):
            if field in c:
                english.setdefault(c[field], set()).add(i)
    for cat in load_catalogues(args.locale_dir, 'iso_3166-1'):
        for msgid, text in cat.items():
            if not msgid or msgid not in english or not isinstance(text, str):
                continue
            for i in english[msgid]:
                for t, fragment in [(text, False)] + variants(text):
                    k = normalise(t)
                    if k and len(k.encode('utf-8')) >= 3:
                        ct.add(k, i, 5 if fragment else 4)

    # ---- subdivision keys, scoped by country: "<alpha2 lowercase>:<key>".
    sub_has_parent = {s['code']: ('parent' in s) for s in subs}
    sub_index = {s['code']: i for i, s in enumerate(subs)}

    def prefer_sub(a, b):
        pa, pb = sub_has_parent[subs[a]['code']], sub_has_parent[subs[b]['code']]
        if pa != pb:
            return a if not pa else b
        return min(a, b)

    st = KeyTable(prefer_sub)
    by_name = {}
    for i, s in enumerate(subs):
        cc, part = s['code'].split('-', 1)
        pre = cc.lower() + ':'
        st.add(pre + normalise(part), i, 0)
        st.add(pre + normalise(s['name']), i, 1)
        st.add(pre + normalise(subdivision_label(s['code'], s['name'])), i, 1)
        for v, fragment in variants(s['name']):
            st.add(pre + normalise(v), i, 3.5 if fragment else 3)
        by_name.setdefault(s['name'], []).append(i)
    for alias, code in sub_aliases:
        if code not in sub_index:
            sys.exit(f'alias {alias!r}: unknown subdivision {code}')
        st.add(code.split('-')[0].lower() + ':' + normalise(alias), sub_index[code], 2)
    for cat in load_catalogues(args.locale_dir, 'iso_3166-2'):
        for msgid, text in cat.items():
            if not msgid or msgid not in by_name or not isinstance(text, str):
                continue
            for i in by_name[msgid]:
                pre = subs[i]['code'].split('-')[0].lower() + ':'
                for t, fragment in [(text, False)] + variants(text):
                    k = normalise(t)
                    if k:
                        st.add(pre + k, i, 5 if fragment else 4)

    if args.dump_keys:
        with open(args.dump_keys, 'w', encoding='utf-8') as f:
            for k, v in ct.items():
                f.write(f'{k}\t{countries[v]["alpha_2"]}\n')

    if args.dump_parity:
        with open(args.dump_parity, 'w', encoding='utf-8') as f:
            for raw, key in sorted(PARITY.items()):
                if key is None or '\t' in raw or '\n' in raw or '\\' in raw:
                    continue
                f.write(f'{raw}\t{key}\n')

    # ---- emit
    pool = Pool()
    lines = ['// Generated by stdlib/native/geo/gen_geo_tables.py from iso-codes. Do not edit.',
             '#include "geo/geo_tables.h"', '', 'namespace syncline::stdlib::geo::detail {', '']

    # Fold table: one entry per code point in FOLD_RANGES, in order.
    lines.append('const FoldEntry kFold[] = {')
    row = []
    for lo, hi in FOLD_RANGES:
        for cp in range(lo, hi):
            kind, rep = FOLD[cp]
            b = rep.encode('utf-8') if kind not in (DROP, SEP, PASS) else b''
            chars = ','.join(str(x) for x in (list(b) + [0] * (4 - len(b))))
            row.append('{%d,{%s}}' % (kind, chars))
            if len(row) == 8:
                lines.append('  ' + ','.join(row) + ',')
                row = []
    if row:
        lines.append('  ' + ','.join(row) + ',')
    lines.append('};')
    offs = []
    total = 0
    for lo, hi in FOLD_RANGES:
        offs.append('{0x%X,0x%X,%d}' % (lo, hi, total))
        total += hi - lo
    lines.append('const FoldRange kFoldRanges[%d] = {%s};' % (len(FOLD_RANGES), ','.join(offs)))
    lines.append('')

    def sv(s):
        off, ln = pool.add(s)
        return '{%d,%d}' % (off, ln)

    lines.append(f'const CountryRow kCountries[{len(countries)}] = {{')
    sub_begin = {}
    for i, s in enumerate(subs):
        cc = s['code'].split('-')[0]
        sub_begin.setdefault(cc, [i, i])
        sub_begin[cc][1] = i + 1
    for c in countries:
        b, e = sub_begin.get(c['alpha_2'], [0, 0])
        lines.append('  {%s,%s,%s,%s,%s,%s,%d,%d},' % (
            sv(c['alpha_2']), sv(c['alpha_3']), sv(c['numeric']), sv(c['name']),
            sv(c.get('official_name', '')), sv(c.get('common_name', '')), b, e))
    lines.append('};')
    lines.append(f'const SubdivisionRow kSubdivisions[{len(subs)}] = {{')
    for s in subs:
        cc, part = s['code'].split('-', 1)
        parent = s.get('parent', '')
        if parent and '-' in parent:
            parent = parent.split('-', 1)[1]
        lines.append('  {%s,%s,%s,%s,%s,%d},' % (
            sv(s['code']), sv(s['name']), sv(subdivision_label(s['code'], s['name'])),
            sv(s['type']), sv(parent), cidx[cc]))
    lines.append('};')
    lines.append('')
    # Salesforce's default picklists.
    sf = salesforce_defaults(args.salesforce, countries, subs)
    sf_states = []
    lines.append(f'const SalesforceCountryRow kSalesforceCountries[{len(sf)}] = {{')
    for cc, label, states in sf:
        lines.append('  {%s,%s,%d,%d},' % (sv(cc), sv(label), len(sf_states),
                                           len(sf_states) + len(states)))
        sf_states.extend(states)
    lines.append('};')
    lines.append(f'const SalesforceStateRow kSalesforceStates[{max(1, len(sf_states))}] = {{')
    for code, label, iso, active in sf_states:
        lines.append('  {%s,%s,%s,%d},' % (sv(code), sv(label), sv(iso), 1 if active else 0))
    lines.append('};')
    lines.append(f'const std::uint32_t kSalesforceCountryCount = {len(sf)};')
    lines.append('')
    emit_hash(lines, 'kCountryHash', ct.items(), pool)
    emit_hash(lines, 'kSubdivisionHash', st.items(), pool)
    lines.append('')
    # The pool: one string literal, split into source lines.
    lines.append(f'const char kPool[{pool.size + 1}] =')
    chunk, width = [], 0
    for part in pool.parts:
        lit = c_string(part)
        chunk.append(lit)
        width += len(lit)
        if width > 90:
            lines.append('  ' + ''.join(chunk))
            chunk, width = [], 0
    if chunk:
        lines.append('  ' + ''.join(chunk))
    lines.append(';')
    lines.append(f'const std::uint32_t kCountryCount = {len(countries)};')
    lines.append(f'const std::uint32_t kSubdivisionCount = {len(subs)};')
    lines.append('')
    lines.append('}  // namespace syncline::stdlib::geo::detail')
    tmp = args.out + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    os.replace(tmp, args.out)


if __name__ == '__main__':
    main()
