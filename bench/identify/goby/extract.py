#!/usr/bin/env python3
"""Build an identification corpus from Goby's web fingerprint rules (not mined before).

Usage: bench/identify/goby/extract.py FINGERS_GIT_DIR COMMIT
(a clone or bare mirror of https://github.com/chainreactors/fingers, which publishes Goby's rules
as `resources/goby.json.gz`)

The file is a JSON list of rules `{"name": PRODUCT, "logic": "a||(b&&c)", "rule": [{"label": "a",
"feature": TEXT, "is_equal": true|false}, …]}`; a feature is a literal string Goby looks for in
a reply (`is_equal: false` negates it). Taken, mechanically, are the positive features that state
what a product literally sends in an identity field. Unlike kscan's, rules with a negated feature
are used too: Goby's negations guard a rule against other products (`couchdb`, `drupal`, …), and
about half of its camera rules carry one; a positive feature is still a literal string of the
product. (Decided from the counts, before anything was scored: without them the corpus held 35
cameras.)
- `<title>TEXT</title>` -> http.title TEXT;
- `Server: TEXT` -> http.server TEXT;
- `realm="R` (Goby matches a prefix, so R may be cut short; a closing `"` or `\\"` ends it; a
  `Basic ` / `Digest ` / `WWW-Authenticate: ` before it is kept as scheme) ->
  http.www_authenticate `Basic realm="R"` (the realm is literal; the scheme is the fixture's
  where Goby does not state it);
- `CommonName: TEXT` / `Organization: TEXT` -> tls.subject `CN=TEXT` / `O=TEXT` (Goby's
  certificate fields; commas escaped).
Body words, banners of other protocols, cookies, icons and the rest are not used. No string is
made up.

Samples whose (kind, value) an earlier corpus of bench/identify already holds (Recog, WhatWeb,
FingerprintHub, kscan, either part; case-insensitive) are left out, so that this corpus measures
strings nobody wrote camguard rules from.

Labels, expected vendor and split: `../labels.py`, the rule of the kscan corpus, with Goby's own
category words for surveillance products ("Video Monitoring", "Monitoring Video", its English
for 视频监控) added to the camera words. Label corrections, if any, are the documented rules of
relabel.toml, keyed by exact Goby PRODUCT name, applied to both parts alike; the script refuses a
rule that changes nothing or matches no product. Prints only counts.
"""
import gzip, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from goby_features import cert_sample, header_sample, keep  # noqa: E402
from labels import Corpus  # noqa: E402

FILE = "resources/goby.json.gz"
GOBY_CAMERA = re.compile(r"video ?monitoring|monitoring ?video", re.I)


def features(rule):
    """Every feature of a rule (two rules nest rules inside rules)."""
    for f in rule.get("rule", []):
        if "feature" in f:
            yield f
        else:
            yield from features(f)


def samples_of(rule):
    out = []
    for f in features(rule):
        if f.get("is_equal") is False:
            continue
        v = f["feature"].strip()
        if m := re.fullmatch(r"(?is)<title>(.+?)</title>", v):
            out.append(("http.title", m.group(1).strip()))
        elif sample := header_sample(v) or cert_sample(v):
            out.append(sample)
    return keep(out)


def main():
    repo, commit = sys.argv[1], sys.argv[2]
    raw = subprocess.run(["git", "--git-dir", repo, "show", f"{commit}:{FILE}"],
                         check=True, capture_output=True).stdout
    rules = json.loads(gzip.decompress(raw).decode("utf-8"))
    corpus = Corpus(HERE, "goby", extra_camera=GOBY_CAMERA)
    for index, r in enumerate(rules):
        name = r.get("name", "").strip()
        if name:
            corpus.add(name, samples_of(r), {"repository": "chainreactors/fingers", "file": FILE,
                                             "rule": index, "commit": commit})
    corpus.finish(f"rules: {len(rules)}; ")


main()
