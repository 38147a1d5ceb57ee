#!/usr/bin/env python3
"""Build the identification benchmark corpus from Rapid7 Recog's fingerprint files.

Usage: bench/identify/extract.py RECOG_GIT_DIR COMMIT
(RECOG_GIT_DIR: a clone or bare mirror of https://github.com/rapid7/recog)

Every <example> of the files below is a banner, title, realm, certificate subject or RTSP Server
header captured from a real device (Recog's own test data). The label comes mechanically from
Recog's parameters (hw.device / os.device / hw.product / hw.family / os.product / description):
a camera, DVR, NVR, web cam or video encoder is a camera; anything else is a decoy (video
conferencing and video decoders included). The expected vendor is set only where the example
text itself names Recog's hw.vendor / os.vendor (the "evidence names the maker" case).

Label corrections: bench/identify/relabel.toml (rules keyed by Recog's fingerprint description
and/or a regex on the example text, with the public facts that justify them) are applied to both
parts alike; a relabelled sample keeps `label_mechanical` and names its rule in `relabel`.

The split is fixed by a hash of the sample id: sha256(id)[0] < 102 (about 40 %) is held out
(corpus-heldout.jsonl), the rest is the training part (corpus-train.jsonl). The split was made
before any rule was written from the corpus, and the held-out file was not read while rules
were written. This script prints only counts.
"""
import base64, hashlib, json, os, re, subprocess, sys, tomllib
import xml.etree.ElementTree as ET

FILES = {
    "http_servers": "http.server",
    "html_title": "http.title",
    "http_wwwauth": "http.www_authenticate",
    "telnet_banners": "telnet.banner",
    "ftp_banners": "ftp.banner",
    "ssh_banners": "ssh.banner",
    "rtsp_servers": "rtsp.server",
    "x509_subjects": "tls.subject",
    "x509_issuers": "tls.issuer",
}
CAMERA = re.compile(r"\b(ip ?camera|camera|web ?cam|dvr|nvr|network video recorder|video recorder|"
                    r"video server|video encoder|surveillance|cctv)\b", re.I)
NOT_CAMERA = re.compile(r"video conferenc|video decoder|conferenc", re.I)
# Vendor names as Recog spells them -> camguard vendor ids (fixed before rules were written).
VENDOR_ALIASES = {
    "hangzhou hikvision": "hikvision", "hikvision": "hikvision",
    "zhejiang dahua": "dahua", "dahua": "dahua",
    "samsung techwin": "hanwha", "hanwha techwin": "hanwha", "hanwha": "hanwha", "samsung": "hanwha",
    "tp-link": "tp-link", "d-link": "d-link", "axis communications": "axis",
    "bosch security systems": "bosch", "bosch": "bosch", "panasonic": "panasonic",
    "sony": "sony", "canon": "canon", "mobotix": "mobotix", "vivotek": "vivotek",
    "geovision": "geovision", "avtech": "avtech", "foscam": "foscam", "ubiquiti": "ubiquiti",
    "hipcam": "hipcam", "zavio": "zavio", "trendnet": "trendnet", "edimax": "edimax",
    "linksys": "linksys", "cisco": "cisco", "honeywell": "honeywell", "pelco": "pelco",
    "acti": "acti", "lilin": "lilin", "merit lilin": "lilin", "arecont vision": "arecont",
    "iqinvision": "iqinvision", "grandstream": "grandstream", "planet": "planet",
    "uniview": "uniview", "reolink": "reolink", "amcrest": "dahua", "lorex": "dahua",
    "xiongmai": "xiongmai", "netwave": "netwave", "avigilon": "avigilon",
}

def git_show(repo, commit, path):
    return subprocess.run(["git", "--git-dir", repo, "show", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout

def vendor_id(name):
    n = name.strip().lower()
    if n in VENDOR_ALIASES:
        return VENDOR_ALIASES[n]
    first = re.split(r"[\s,]+", n)[0]
    return VENDOR_ALIASES.get(first, re.sub(r"[^a-z0-9]+", "-", first).strip("-"))

RELABEL = tomllib.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "relabel.toml"), "rb"))["relabel"]

def relabel(desc, text):
    """The first relabel rule matching a fingerprint description and an example text."""
    for r in RELABEL:
        if "description" in r and r["description"] != desc:
            continue
        if "value" in r and not re.search(r["value"], text):
            continue
        return r
    return None

def main():
    repo, commit = sys.argv[1], sys.argv[2]
    used = set()
    seen, train, held = set(), [], []
    for f, kind in FILES.items():
        path = f"xml/{f}.xml"
        root = ET.fromstring(git_show(repo, commit, path))
        for i, fp in enumerate(root.iter("fingerprint")):
            params = {p.get("name"): p.get("value") or "" for p in fp.iter("param")}
            desc = (fp.findtext("description") or "").strip()
            facts = " | ".join(params.get(k, "") for k in
                               ("hw.device", "os.device", "hw.product", "hw.family", "os.product",
                                "os.family")) + " | " + desc
            is_cam = bool(CAMERA.search(facts)) and not NOT_CAMERA.search(facts)
            dtype = None
            if is_cam:
                dtype = ("nvr" if re.search(r"\bnvr\b|network video recorder", facts, re.I)
                         else "dvr" if re.search(r"\bdvr\b|video recorder", facts, re.I) else "camera")
            vname = params.get("hw.vendor") or params.get("os.vendor") or params.get("service.vendor") or ""
            for j, ex in enumerate(fp.iter("example")):
                text = ex.text or ""
                if ex.get("_encoding") == "base64":
                    try:
                        text = base64.b64decode(text).decode("utf-8", "replace")
                    except Exception:
                        continue
                text = text.strip("\n")
                if not text.strip() or (kind, text) in seen:
                    continue
                seen.add((kind, text))
                sid = f"recog/{f}/{i:04d}/{j}"
                label = "camera" if is_cam else "decoy"
                ex_cam, ex_type, rule = is_cam, dtype, relabel(desc, text)
                if rule and rule["label"] != label:
                    used.add(rule["id"])
                    ex_cam = rule["label"] == "camera"
                    ex_type = rule.get("device_type", "camera") if ex_cam else None
                else:
                    rule = None
                expected = None
                if ex_cam and vname and not (rule and rule.get("no_vendor")) and "{" not in vname:
                    key = re.split(r"[\s,]+", vname.strip())[0]
                    if len(key) >= 3 and key.lower() in text.lower():
                        expected = vendor_id(vname)
                s = {
                    "id": sid, "kind": kind, "value": text,
                    "label": "camera" if ex_cam else "decoy", "device_type": ex_type,
                    "vendor_expected": expected, "recog_vendor": vname or None,
                    "recog_device": params.get("hw.device") or params.get("os.device") or None,
                    "description": desc,
                    "source": {"repository": "rapid7/recog", "file": path, "commit": commit},
                }
                if rule:
                    s["label_mechanical"] = label
                    s["relabel"] = rule["id"]
                h = hashlib.sha256(sid.encode()).digest()[0]
                (held if h < 102 else train).append(s)
    unused = [r["id"] for r in RELABEL if r["id"] not in used]
    if unused:
        sys.exit(f"relabel rules that changed nothing: {unused}")
    for name, part in (("corpus-train.jsonl", train), ("corpus-heldout.jsonl", held)):
        with open(f"bench/identify/{name}", "w") as out:
            for s in part:
                out.write(json.dumps(s, ensure_ascii=False) + "\n")
        cams = sum(s["label"] == "camera" for s in part)
        vend = sum(s["vendor_expected"] is not None for s in part)
        print(f"{name}: {len(part)} samples, {cams} cameras, {len(part) - cams} decoys, {vend} name the maker")

main()
