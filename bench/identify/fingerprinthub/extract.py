#!/usr/bin/env python3
"""Build an identification corpus from FingerprintHub's web fingerprints (not mined before).

Usage: bench/identify/fingerprinthub/extract.py FINGERPRINTHUB_GIT_DIR COMMIT
(a clone or bare mirror of https://github.com/0x727/FingerprintHub)

Each `web-fingerprint/<vendor>/<product>.yaml` is a nuclei-format fingerprint with
`info.metadata` (vendor, product, fofa-query / shodan-query) and matchers. Taken, mechanically,
are the matchers that state what the page literally sends in an identity field:
- a title regexp `(?mi)<title[^>]*>TEXT.*?</title>` (the title starts with TEXT; FingerprintHub
  writes it lower-cased) or a body word `<title>TEXT</title>` (-> http.title TEXT);
- a header word `server: TEXT` (-> http.server) or `www-authenticate: TEXT`
  (-> http.www_authenticate).
TEXT must be literal (escapes removed; no classes, repetition or wildcards): no string is made
up. Favicon hashes and other body words are not used.

Label (mechanical, from the fingerprint's own name, product, vendor directory and queries):
camera, web cam, IPC, DVR/NVR/XVR, video recorder, video server/encoder, surveillance, CCTV, and
the Chinese 摄像 (camera), 录像 (recorder), 视频监控 (video surveillance) = camera; video
conferencing (视频会议) = decoy; a product of a maker in SURVEILLANCE_MAKERS (vendor directory or
first word of the name) = camera. Corrections: relabel.toml (by file, with reasons). Expected
vendor only where the text names the maker (VENDOR below). Split: sha256(id)[0] < 102 held out.
Prints only counts.
"""
import json, os, re, subprocess, sys, tomllib
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from labels import SURVEILLANCE_MAKERS, held_out, write_parts  # noqa: E402

CAMERA = re.compile(r"\b(ip ?cam(era)?s?|cameras?|web ?cams?|netcam|ipc|dvrs?|nvrs?|xvrs?|network video recorder|"
                    r"video recorders?|video servers?|video encoders?|surveillance|cctv)\b|摄像|录像|视频监控", re.I)
NOT_CAMERA = re.compile(r"video ?conferenc|conferenc|视频会议|video decoder", re.I)
VENDOR = {
    "hikvision": "hikvision", "dahua": "dahua", "dahuasecurity": "dahua", "uniview": "uniview",
    "nuuo": "nuuo", "acti": "acti", "avtech": "avtech", "axis": "axis", "vivotek": "vivotek",
    "geovision": "geovision", "mobotix": "mobotix", "foscam": "foscam", "reolink": "reolink",
    "tiandy": "tiandy", "kedacom": "kedacom", "hanwha": "hanwha", "sony": "sony", "bosch": "bosch",
    "pelco": "pelco", "milesight": "milesight", "tvt": "tvt", "jovision": "jovision",
    "d-link": "d-link", "dlink": "d-link", "tp-link": "tp-link", "trendnet": "trendnet",
}
# SURVEILLANCE_MAKERS (../labels.py, one list for every corpus): makers that sell surveillance
# products only (public fact, fixed list); a product of theirs is a camera / recorder / video
# management system whatever words its name uses. Added after the first measurement (see
# README.md): the word rule missed model-named products (nvr301, s14).


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", repo, *args], check=True, capture_output=True).stdout


def literal(rx):
    out, i = "", 0
    while i < len(rx):
        c = rx[i]
        if c == "\\" and i + 1 < len(rx):
            if rx[i + 1].isalnum():
                return None
            out += rx[i + 1]
            i += 2
        elif c in "[](){}.*+?|^$":
            return None
        else:
            out += c
            i += 1
    return out.strip() or None


def samples_of(doc):
    out = []
    for h in doc.get("http") or []:
        for m in h.get("matchers") or []:
            part = m.get("part", "body")
            for r in m.get("regex") or []:
                mm = re.fullmatch(r"\(\?mi\)<title\[\^>\]\*>(.*?)\.\*\?</title>", r)
                if mm and part == "body":
                    v = literal(mm.group(1))
                    if v:
                        out.append(("http.title", v))
            for w in m.get("words") or []:
                w = str(w)
                if part == "header":
                    k, _, v = w.partition(":")
                    k = k.strip().lower()
                    if k == "server" and v.strip():
                        out.append(("http.server", v.strip()))
                    elif k == "www-authenticate" and re.match(r"(?i)\s*(basic|digest)\s", v):
                        out.append(("http.www_authenticate", v.strip()))
                else:
                    mm = re.fullmatch(r"(?is)<title>(.+?)</title>", w.strip())
                    if mm and "<" not in mm.group(1):
                        out.append(("http.title", mm.group(1).strip()))
    return [(k, v) for k, v in out if len(v) < 300]


def main():
    repo, commit = sys.argv[1], sys.argv[2]
    relabel = {r["file"]: r for r in tomllib.load(open(os.path.join(HERE, "relabel.toml"), "rb"))["relabel"]}
    used, seen, train, held = set(), set(), [], []
    ls = git(repo, "ls-tree", "-r", "-z", commit, "web-fingerprint").decode().split("\0")
    files = sorted(l.split("\t", 1)[1] for l in ls if l.endswith(".yaml"))
    for path in files:
        try:
            doc = yaml.safe_load(git(repo, "show", f"{commit}:{path}").decode("utf-8", "replace"))
        except yaml.YAMLError:
            continue
        if not isinstance(doc, dict):
            continue
        info = doc.get("info") or {}
        md = info.get("metadata") or {}
        vdir = path.split("/")[1]
        q = " ".join(str(x) for k in ("fofa-query", "shodan-query") for x in (md.get(k) or []))
        facts = f"{info.get('name', '')} | {md.get('product', '')} | {md.get('vendor', '')} | {q}".replace("_", " ").replace("-", " ")
        first = re.split(r"[-_\s]+", str(info.get("name", "")).lower())[0]
        maker = vdir.lower() in SURVEILLANCE_MAKERS or first in SURVEILLANCE_MAKERS
        is_cam = (bool(CAMERA.search(facts)) or maker) and not NOT_CAMERA.search(facts)
        label = "camera" if is_cam else "decoy"
        rel = path[len("web-fingerprint/"):]
        rule = relabel.get(rel)
        if rule and rule["label"] == label:
            sys.exit(f"relabel rule that changes nothing: {rel}")
        if rule:
            used.add(rel)
        final = rule["label"] if rule else label
        dtype = None
        if final == "camera":
            dtype = rule.get("device_type") if rule and rule.get("device_type") else (
                "nvr" if re.search(r"\bnvr\b|network video recorder", facts, re.I)
                else "dvr" if re.search(r"\b[dx]vr\b|video recorder|录像", facts, re.I) else "camera")
        name = str(info.get("name", ""))
        vid = VENDOR.get(vdir) or VENDOR.get(re.split(r"[-_\s]+", name.lower())[0])
        for j, (kind, value) in enumerate(samples_of(doc)):
            if (kind, value.lower()) in seen:
                continue
            seen.add((kind, value.lower()))
            sid = f"fingerprinthub/{rel[:-5]}/{j}"
            expected = None
            if final == "camera" and vid and re.search(r"(?i)\b" + re.escape(vid), value):
                expected = vid
            s = {"id": sid, "kind": kind, "value": value, "label": final, "device_type": dtype,
                 "vendor_expected": expected, "fp_name": name, "fp_vendor": md.get("vendor"),
                 "fp_product": md.get("product"), "fp_query": q[:200] or None,
                 "source": {"repository": "0x727/FingerprintHub", "file": path, "commit": commit}}
            if rule:
                s["label_mechanical"] = label
                s["relabel"] = rel
            (held if held_out(sid) else train).append(s)
    unused = sorted(set(relabel) - used)
    if unused:
        sys.exit(f"relabel rules for files that gave no sample: {unused}")
    write_parts(HERE, train, held)


main()
