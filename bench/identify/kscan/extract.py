#!/usr/bin/env python3
"""Build an identification corpus from kscan's web fingerprint list (not mined before).

Usage: bench/identify/kscan/extract.py KSCAN_GIT_DIR COMMIT
(a clone or bare mirror of https://github.com/lcvvvv/kscan)

`static/fingerprint.txt` holds one rule per line: `PRODUCT<TAB>EXPRESSION`, where EXPRESSION is
FOFA-style clauses (`Title="…"`, `Header="…"`, `Body="…"`, `Cert="…"`, `Response="…"`, …, `!=`
for negation, `~=` for a regexp) joined by `&&` / `||`. Taken, mechanically, from rules without a
negated clause, are the positive clauses that state what a product literally sends in an
identity field:
- `Title="TEXT"` -> http.title TEXT;
- `Header="server: TEXT"` -> http.server TEXT (kscan writes most headers lower-cased);
- `Header="basic realm=\"R\""` / `Header="digest realm=\"R\""` -> http.www_authenticate as
  written; `Header="realm=\"R\""` -> http.www_authenticate `Basic realm="R"` (the realm is
  literal; the scheme is the fixture's, kscan does not state it).
Regexp clauses (`~=`), body words, certificates, icons and banners are not used. No string is
made up.

Samples whose (kind, value) an earlier corpus of bench/identify already holds (Recog, WhatWeb,
FingerprintHub, either part) are left out, so that this corpus measures strings nobody wrote
camguard rules from.

Labels, expected vendor and split: `../labels.py` (mechanical, from the PRODUCT name only; the
rule was written for this corpus and is shared with the Goby corpus).
Label corrections are the documented rules of relabel.toml, keyed by exact kscan PRODUCT name
(`label`, optional `device_type` camera/nvr/dvr for cameras, and a `reason` citing the public
fact), from a blind audit of both parts by one rubric (README.md, "Label audit of both parts");
they are applied to both parts alike. A relabelled sample keeps `label_mechanical` and names its
rule in `relabel`. The script refuses (exits non-zero) a rule that changes nothing or matches no
product.
Prints only counts.
"""
import os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from labels import Corpus  # noqa: E402

CLAUSE = re.compile(r'(\w+)\s*(!=|~=|=)\s*"((?:[^"\\]|\\.)*)"')


def unescape(s):
    return re.sub(r"\\(.)", r"\1", s)


def samples_of(expr):
    clauses = CLAUSE.findall(expr)
    if not clauses or any(op == "!=" for _, op, _ in clauses):
        return []
    out = []
    for field, op, raw in clauses:
        if op != "=":
            continue
        v = unescape(raw).strip()
        f = field.lower()
        if f == "title" and v:
            out.append(("http.title", v))
        elif f == "header":
            k, _, rest = v.partition(":")
            if k.strip().lower() == "server" and rest.strip():
                out.append(("http.server", rest.strip()))
            elif re.match(r'(?i)(basic|digest) realm="[^"]+"$', v):
                out.append(("http.www_authenticate", v))
            elif re.match(r'(?i)realm="[^"]+"$', v):
                out.append(("http.www_authenticate", "Basic " + v))
    return [(k, v) for k, v in out if 2 <= len(v) < 300]


def main():
    repo, commit = sys.argv[1], sys.argv[2]
    text = subprocess.run(["git", "--git-dir", repo, "show", f"{commit}:static/fingerprint.txt"],
                          check=True, capture_output=True).stdout.decode("utf-8", "replace")
    corpus = Corpus(HERE, "kscan")
    for lineno, line in enumerate(text.splitlines(), 1):
        name, sep, expr = line.partition("\t")
        if not sep:
            continue
        corpus.add(name.strip(), samples_of(expr),
                   {"repository": "lcvvvv/kscan", "file": "static/fingerprint.txt", "line": lineno,
                    "commit": commit})
    corpus.finish()


main()
