#!/usr/bin/env python3
"""Build a knowledge set (training only) from an older, fuller export of Goby's rules.

Usage: bench/identify/goby-export/extract.py FINGERPRINT_GIT_DIR COMMIT
(a clone or bare mirror of https://github.com/r0eXpeR/fingerprint, which keeps
`Goby/Goby-Ver1.8.279-fingerprint.json`, the rule list of Goby 1.8.279, 6,098 rules)

Each rule is `{"product", "company", "category", "parent_category", "rules": [[feature, …], …]}`
(the outer list is OR, each inner list AND); a feature is `{"match": KIND, "content": TEXT}` with
TEXT lower-cased by Goby. Unlike the list `../goby/` reads, this export keeps Goby's own
category, and 360 products are in "Cameras and Surveillance". Taken, mechanically, are the
features that state what a product literally sends in an identity field:
- `title` / `title_contains` -> http.title TEXT;
- `server` / `server_contains` -> http.server TEXT;
- `header_contains` and `banner_contains` (Goby's banner of a web reply is its header block)
  holding `server: TEXT` -> http.server, `realm="R` -> http.www_authenticate `Basic realm="R"`
  (R may be cut short, as in ../goby/);
- `cert_contains` holding `commonname: TEXT` / `organization: TEXT` -> tls.subject CN= / O=.
Body words, banners of other protocols, icons and the rest are not used. No string is made up.

**A knowledge set, and what it must not hold.** Every sample is training (corpus-heldout.jsonl
is empty), so rules may be written from all of it. The held-out parts of the other corpora stay
unseen through it:
- a sample whose (kind, value) any earlier corpus already holds (either part) is left out;
- every product whose name, lower-cased and stripped of all but letters and digits, is the name
  of a product in a held-out part (kscan and goby `product`, FingerprintHub `fp_name` /
  `fp_product`, WhatWeb `plugin_name`) is left out whole: Goby's products and kscan's share
  names, and another string of a set-aside product is still that product;
- a sample whose value contains a held-out value of the same kind, or is contained in one
  (both of 4 characters or more, case-insensitive), is left out.
The script compares these mechanically and prints only counts.

Labels: a product in Goby's category "Cameras and Surveillance" is a camera; any other product
is labelled by the rule of the other corpora (`../labels.py`, from its name, with Goby's category
words of ../goby/); video conferencing, decoders and TV walls stay decoys. Expected vendor as in
`../labels.py`. Prints only counts.
"""
import glob, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from goby_features import cert_sample, header_sample, keep  # noqa: E402
from labels import Corpus, held_out_parts, norm, overlaps_held_out  # noqa: E402

FILE = "Goby/Goby-Ver1.8.279-fingerprint.json"
GOBY_CAMERA = re.compile(r"video ?monitoring|monitoring ?video", re.I)
def samples_of(rule):
    out = []
    for group in rule.get("rules", []):
        for f in group:
            kind, v = f.get("match", ""), (f.get("content") or "").strip()
            if kind in ("title", "title_contains"):
                out.append(("http.title", v))
            elif kind in ("server", "server_contains"):
                out.append(("http.server", v))
            elif kind in ("header_contains", "banner_contains") and (sample := header_sample(v)):
                out.append(sample)
            elif kind == "cert_contains" and (sample := cert_sample(v)):
                out.append(sample)
    return keep(out)


def main():
    repo, commit = sys.argv[1], sys.argv[2]
    raw = subprocess.run(["git", "--git-dir", repo, "show", f"{commit}:{FILE}"],
                         check=True, capture_output=True).stdout
    rules = json.loads(raw.decode("utf-8"))
    names, held = held_out_parts(HERE)
    overlapping_held_out = overlaps_held_out(held)
    corpus = Corpus(HERE, "goby-export", extra_camera=GOBY_CAMERA)
    products_out = overlapping = 0
    for index, r in enumerate(rules):
        name = (r.get("product") or "").strip()
        if not name:
            continue
        if norm(name) in names:
            products_out += 1
            continue
        samples = []
        for k, v in samples_of(r):
            if overlapping_held_out(k, v):
                overlapping += 1
                continue
            samples.append((k, v))
        corpus.add(name, samples, {"repository": "r0eXpeR/fingerprint", "file": FILE, "rule": index,
                                   "rule_id": r.get("rule_id"), "company": r.get("company"),
                                   "category": r.get("category"), "commit": commit},
                   category_camera=r.get("category") == "Cameras and Surveillance")
    # A knowledge set: everything is training.
    corpus.train += corpus.held
    corpus.held = []
    corpus.finish(f"rules: {len(rules)}; products left out as held out elsewhere: {products_out}; "
                  f"samples left out as overlapping a held-out string: {overlapping}; ")


main()
