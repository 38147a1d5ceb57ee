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

Label (mechanical, from the PRODUCT name only; kscan glues words, so words are matched inside
names): camera, webcam, netcam, ipcam, IPC, DVR/NVR/XVR, video recorder/server/encoder,
surveillance, CCTV and the Chinese 摄像 (camera), 录像 (recorder), 视频监控 (video surveillance)
= camera; video conferencing (视频会议), decoders, TV walls (电视墙, 解码) = decoy; a product
of a maker in SURVEILLANCE_MAKERS (first word of the name; or a name starting with such a maker of
five letters or more not followed by a digit, as kscan glues words; or the Chinese maker names) =
camera.
Label corrections are the documented rules of relabel.toml, keyed by exact kscan PRODUCT name
(`label`, optional `device_type` camera/nvr/dvr for cameras, and a `reason` citing the public
fact), from a blind audit of both parts by one rubric (README.md, "Label audit of both parts");
they are applied to both parts alike. A relabelled sample keeps `label_mechanical` and names its
rule in `relabel`. The script refuses (exits non-zero) a rule that changes nothing or matches no
product.
Expected vendor (VENDOR below: the name's first word or prefix, or a Chinese maker name in it) only
for cameras (final label), where the sample text names that maker. Split:
sha256(id)[0] < 102 held out (depends on the id only; relabelling changes neither). Prints only
counts.
"""
import glob, hashlib, json, os, re, subprocess, sys, tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CAMERA = re.compile(r"camera|webcam|netcam|ipcam|\bipc\b|dvr|nvr|xvr|video ?recorder|video ?server|"
                    r"video ?encoder|surveillance|cctv|摄像|录像|视频监控", re.I)
NOT_CAMERA = re.compile(r"video ?conferenc|conferenc|视频会议|decoder|tv ?wall|电视墙|解码", re.I)
VENDOR = {
    "hikvision": "hikvision", "dahua": "dahua", "uniview": "uniview", "nuuo": "nuuo", "acti": "acti",
    "avtech": "avtech", "axis": "axis", "vivotek": "vivotek", "geovision": "geovision",
    "mobotix": "mobotix", "foscam": "foscam", "reolink": "reolink", "tiandy": "tiandy",
    "kedacom": "kedacom", "hanwha": "hanwha", "sony": "sony", "bosch": "bosch", "pelco": "pelco",
    "milesight": "milesight", "tvt": "tvt", "jovision": "jovision", "d-link": "d-link",
    "dlink": "d-link", "tp-link": "tp-link", "trendnet": "trendnet", "panasonic": "panasonic",
    "canon": "canon", "amcrest": "amcrest", "samsung": "hanwha", "avigilon": "avigilon",
    "lilin": "lilin", "zavio": "zavio", "infinova": "infinova", "vicon": "vicon",
}
# Makers that sell surveillance products only (public fact, fixed list, the one of the
# FingerprintHub script plus the Chinese names): a product of theirs is a camera / recorder /
# video management system whatever words its name uses.
SURVEILLANCE_MAKERS = {
    "hikvision", "dahua", "dahuasecurity", "uniview", "nuuo", "acti", "avtech", "axis", "vivotek",
    "geovision", "mobotix", "foscam", "reolink", "tiandy", "hanwha", "milesight", "tvt", "jovision",
    "avigilon", "pelco", "lilin", "everfocus", "iqinvision", "arecont", "zavio", "hipcam",
    "xiongmai", "ezviz", "imou", "lorex", "amcrest", "swann", "annke", "genetec", "milestone",
    "exacq", "instar", "wansview", "zmodo", "sunell", "brickcom", "idis", "vicon", "dallmeier",
    "infinova", "geutebruck", "stardot", "dedicated-micros", "heitel",
}
CN_MAKERS = ("海康威视", "海康", "大华", "宇视", "天地伟业")
CN_VENDOR = (("海康", "hikvision"), ("大华", "dahua"), ("宇视", "uniview"), ("天地伟业", "tiandy"))
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


def earlier():
    seen = set()
    for f in glob.glob(os.path.join(HERE, "..", "**", "corpus-*.jsonl"), recursive=True):
        if os.path.abspath(f).startswith(HERE):
            continue
        for line in open(f, encoding="utf-8"):
            s = json.loads(line)
            kind = {"http.www_authenticate": "http.www_authenticate"}.get(s["kind"], s["kind"])
            seen.add((kind, s["value"].lower()))
    return seen


def load_relabel():
    """relabel.toml: [[relabel]] product (exact kscan name), label, optional device_type, reason."""
    path = os.path.join(HERE, "relabel.toml")
    if not os.path.exists(path):
        return {}
    rules = {}
    for r in tomllib.load(open(path, "rb")).get("relabel", []):
        name, label = r.get("product"), r.get("label")
        if not name or label not in ("camera", "decoy") or not r.get("reason"):
            sys.exit(f"relabel rule needs product, label camera/decoy and reason: {r}")
        if r.get("device_type") is not None and (label != "camera" or r["device_type"] not in ("camera", "nvr", "dvr")):
            sys.exit(f"relabel rule device_type is camera/nvr/dvr and only for cameras: {name}")
        if set(r) - {"product", "label", "device_type", "reason"}:
            sys.exit(f"relabel rule with unknown keys: {name}")
        if name in rules:
            sys.exit(f"two relabel rules for one product: {name}")
        rules[name] = r
    return rules


def main():
    repo, commit = sys.argv[1], sys.argv[2]
    text = subprocess.run(["git", "--git-dir", repo, "show", f"{commit}:static/fingerprint.txt"],
                          check=True, capture_output=True).stdout.decode("utf-8", "replace")
    before = earlier()
    relabel = load_relabel()
    used = set()
    seen, train, held, dropped = set(), [], [], 0
    counters = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        name, sep, expr = line.partition("\t")
        if not sep:
            continue
        name = name.strip()
        words = name.replace("_", " ").replace("-", " ")
        first = re.split(r"[-_\s()/]+", name.lower())[0]
        # kscan glues words (`HikvisioniVMS-5060`, `AVTECHavc`, `NUUONVR`): a name that starts
        # with a maker of five letters or more, not followed by a digit, is that maker's too.
        glued = re.sub(r"[^a-z0-9]", "", name.lower())
        prefixed = any(glued.startswith(m.replace("-", "")) and len(m.replace("-", "")) >= 5
                       and not glued[len(m.replace("-", "")):][:1].isdigit()
                       for m in SURVEILLANCE_MAKERS)
        maker = first in SURVEILLANCE_MAKERS or prefixed or any(m in name for m in CN_MAKERS)
        is_cam = (bool(CAMERA.search(words)) or maker) and not NOT_CAMERA.search(words)
        label = "camera" if is_cam else "decoy"
        rule = relabel.get(name)
        if rule and rule["label"] == label:
            sys.exit(f"relabel rule that changes nothing: {name}")
        final = rule["label"] if rule else label
        dtype = None
        if final == "camera":
            dtype = (rule.get("device_type") if rule else None) or (
                "nvr" if re.search(r"nvr|network ?video ?recorder", words, re.I)
                else "dvr" if re.search(r"[dx]vr|video ?recorder|录像", words, re.I) else "camera")
        low = name.lower()
        vid = VENDOR.get(first) or next((v for k, v in sorted(VENDOR.items()) if low.startswith(k)), None) \
            or next((v for k, v in CN_VENDOR if k in name), None)
        for kind, value in samples_of(expr):
            key = (kind, value.lower())
            if key in seen:
                continue
            seen.add(key)
            if key in before:
                dropped += 1
                continue
            n = counters.get(name, 0)
            counters[name] = n + 1
            sid = f"kscan/{name}/{n}"
            expected = None
            names = [vid] + [k for k, v in CN_VENDOR if v == vid] if vid else []
            if final == "camera" and any(n.replace("-", "") in value.lower().replace(" ", "").replace("-", "")
                                         for n in names):
                expected = vid
            s = {"id": sid, "kind": kind, "value": value, "label": final, "device_type": dtype,
                 "vendor_expected": expected, "product": name,
                 "source": {"repository": "lcvvvv/kscan", "file": "static/fingerprint.txt",
                            "line": lineno, "commit": commit}}
            if rule:
                s["label_mechanical"] = label
                s["relabel"] = name
                used.add(name)
            h = hashlib.sha256(sid.encode()).digest()[0]
            (held if h < 102 else train).append(s)
    unused = sorted(set(relabel) - used)
    if unused:
        sys.exit(f"relabel rules that match no product: {unused}")
    print(f"left out as already in an earlier corpus: {dropped}; relabel rules applied: {len(used)}")
    for fname, part in (("corpus-train.jsonl", train), ("corpus-heldout.jsonl", held)):
        with open(os.path.join(HERE, fname), "w") as out:
            for s in part:
                out.write(json.dumps(s, ensure_ascii=False) + "\n")
        cams = sum(s["label"] == "camera" for s in part)
        vend = sum(s["vendor_expected"] is not None for s in part)
        kinds = {}
        for s in part:
            kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
        print(f"{fname}: {len(part)} samples, {cams} cameras, {len(part) - cams} decoys, "
              f"{vend} name the maker; {kinds}")


main()
