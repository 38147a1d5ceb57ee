#!/usr/bin/env python3
"""Build an identification corpus from WhatWeb's plugins (a source camguard had not mined).

Usage: bench/identify/whatweb/extract.py WHATWEB_GIT_DIR COMMIT
(WHATWEB_GIT_DIR: a clone or bare mirror of https://github.com/urbanadventurer/WhatWeb)

Every plugin (`plugins/*.rb`) names a product and lists what its web interface sends. Taken,
mechanically, are the strings the plugin says the device literally sends in an identity field:
- `<title>…</title>` in a body `:text` match, or in a body regexp that is a literal (→ http.title);
- the `Server` header (`:search=>"headers[server]"` with `:text`, or a literal regexp, or a
  passive `@headers["server"] =~ /…/` / `== "…"`) (→ http.server);
- the `WWW-Authenticate` header likewise (→ http.www_authenticate, the whole header value).
A regexp is taken only when it is literal after removing anchors and escapes, or a literal with
groups of literal alternatives (`(A|B)`, `( X| Y)?`), each expansion being one sample (at most
4 per regexp). Anything with character classes, repetition or wildcards is skipped: no string
is made up.

Label (mechanical, from the plugin's own `name` and `description`): a camera, DVR, NVR, web cam,
video server/encoder, CCTV or surveillance system is a camera; everything else is a decoy, video
conferencing included. The expected vendor is set only where the sample text names the maker
(the plugin's maker, via VENDOR below, appears in the text). Label corrections are the
documented rules of relabel.toml (keyed by plugin file, with the public facts that justify
them), applied to both parts alike.

Split: sha256(id)[0] < 102 (about 40 %) is held out (corpus-heldout.jsonl), the rest is the
training part (corpus-train.jsonl), the same rule as the Recog corpus. Prints only counts.
"""
import json, os, re, subprocess, sys, tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from labels import held_out, write_parts  # noqa: E402

CAMERA = re.compile(r"\b(ip ?cam(era)?s?|cameras?|web ?cams?|netcam|dvrs?|nvrs?|network video recorder|"
                    r"video recorders?|video servers?|video encoders?|surveillance|cctv)\b", re.I)
NOT_CAMERA = re.compile(r"video ?conferenc|conferenc|video decoder", re.I)
# Surveillance makers as the plugins' names spell them -> camguard vendor ids (fixed before any
# rule was written from this corpus). Only the first word of the plugin name is looked up.
VENDOR = {
    "acti": "acti", "avtech": "avtech", "axis": "axis", "canon": "canon", "d-link": "d-link",
    "hikvision": "hikvision", "intellinet": "intellinet", "iqeye": "iqinvision",
    "linksys": "linksys", "mobotix": "mobotix", "panasonic": "panasonic", "sony": "sony",
    "stardot": "stardot", "toshiba": "toshiba", "vivotek": "vivotek", "everfocus": "everfocus",
    "dedicated": "dedicated-micros", "heitel": "heitel", "geovision": "geovision",
    "dahua": "dahua", "foscam": "foscam", "trendnet": "trendnet", "edimax": "edimax",
    "zavio": "zavio", "planet": "planet", "samsung": "hanwha", "bosch": "bosch",
    "pelco": "pelco", "arecont": "arecont", "grandstream": "grandstream", "lilin": "lilin",
    "ubiquiti": "ubiquiti", "uniview": "uniview", "netgear": "netgear", "tp-link": "tp-link",
    "webeye": "webgate", "orite": "orite", "veo": "veo", "intellinet": "intellinet",
}
VENDOR_WORD = {"iqinvision": "iqeye", "dedicated-micros": "dedicated micros", "hanwha": "samsung"}

# Makers that sell surveillance products only (public fact, fixed list): a product of theirs is
# a camera / recorder / video management system whatever words its name uses. Added after the
# first measurement (see README.md): the word rule missed model-named products (nvr301, s14).
SURVEILLANCE_MAKERS = {
    "hikvision", "dahua", "dahuasecurity", "uniview", "nuuo", "acti", "avtech", "axis", "vivotek",
    "geovision", "mobotix", "foscam", "reolink", "tiandy", "hanwha", "milesight", "tvt", "jovision",
    "avigilon", "pelco", "lilin", "everfocus", "iqinvision", "arecont", "zavio", "hipcam",
    "xiongmai", "ezviz", "imou", "lorex", "amcrest", "swann", "annke", "genetec", "milestone",
    "exacq", "instar", "wansview", "zmodo", "sunell", "brickcom", "idis", "vicon", "dallmeier",
    "infinova", "geutebruck", "stardot", "dedicated-micros", "heitel",
}


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", repo, *args], check=True, capture_output=True).stdout


def ruby_str(tok):
    q, body = tok[0], tok[1:-1]
    if q == "'":
        return body.replace("\\'", "'").replace("\\\\", "\\")
    return re.sub(r'\\(["\\/])', r"\1", body).replace("\\n", "\n").replace("\\t", "\t")


STR = r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
RE = r"/((?:[^/\\\n]|\\.)+)/([a-z]*)"


def literal(rx):
    """The strings a regexp matches when it is literal up to groups of literal alternatives."""
    rx = re.sub(r"^(\\A|\^)", "", rx)
    rx = re.sub(r"(\\z|\\Z|\$)$", "", rx)
    outs = [""]
    i = 0
    while i < len(rx):
        c = rx[i]
        if c == "\\" and i + 1 < len(rx):
            n = rx[i + 1]
            if n.isalnum():
                if n == "s":
                    outs = [o + " " for o in outs]
                    i += 2
                    continue
                return []
            outs = [o + n for o in outs]
            i += 2
        elif c == "(":
            j = rx.find(")", i)
            if j < 0:
                return []
            inner = rx[i + 1:j]
            if inner.startswith("?:"):
                inner = inner[2:]
            alts = inner.split("|")
            if any(re.search(r"[\\\[\]().*+?{}^$]", a) for a in alts):
                return []
            i = j + 1
            if i < len(rx) and rx[i] == "?":
                alts = alts + [""]
                i += 1
            outs = [o + a for o in outs for a in alts]
            if len(outs) > 4:
                return []
        elif c in "[]{}.*+?|^$)":
            return []
        else:
            outs = [o + c for o in outs]
            i += 1
    return [o for o in outs if o.strip()]


def title_of(text):
    m = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    return m.group(1).strip() if m and m.group(1).strip() else None


def samples_of(src):
    """(kind, value) pairs a plugin says the device literally sends."""
    out = []
    for line in src.splitlines():
        s = line.strip()
        if s.startswith("#"):
            continue
        # hash entries: { :search=>"headers[x]", :text=>'...' / :regexp=>/.../ }
        if "{" in s and (":text" in s or ":regexp" in s):
            srch = re.search(r':search\s*=>\s*"([^"]*)"', s)
            where = srch.group(1).lower() if srch else "body"
            texts = [ruby_str(m.group(1)) for m in re.finditer(r":text\s*=>\s*" + STR, s)]
            for m in re.finditer(r":regexp\s*=>\s*" + RE, s):
                texts += literal(m.group(1))
            for t in texts:
                if where == "headers[server]":
                    out.append(("http.server", t))
                elif where == "headers[www-authenticate]":
                    out.append(("http.www_authenticate", t if re.match(r"(?i)(basic|digest)\s", t) else None))
                elif where == "body":
                    ti = title_of(t)
                    if ti:
                        out.append(("http.title", ti))
        # passive code: @headers["server"] =~ /.../  or == "..."
        for m in re.finditer(r'@headers\["(server|www-authenticate)"\]\s*(=~\s*' + RE + r"|==\s*" + STR + ")", s):
            kind = "http.server" if m.group(1) == "server" else "http.www_authenticate"
            vals = literal(m.group(3)) if m.group(3) is not None else [ruby_str(m.group(5))]
            for v in vals:
                out.append((kind, v))
        for m in re.finditer(r"@body\s*=~\s*" + RE, s):
            for v in literal(m.group(1)):
                ti = title_of(v)
                if ti:
                    out.append(("http.title", ti))
    return [(k, v.strip()) for k, v in out if v and v.strip() and len(v) < 300]


def meta(src, key):
    m = re.search(r"^\s*" + key + r"\s+" + STR, src, re.M | re.S)
    return ruby_str(m.group(1)) if m else ""


def main():
    repo, commit = sys.argv[1], sys.argv[2]
    relabel = {r["plugin"]: r for r in tomllib.load(open(os.path.join(HERE, "relabel.toml"), "rb"))["relabel"]}
    used, seen, train, held = set(), set(), [], []
    files = [l.split("\t")[1] for l in git(repo, "ls-tree", "-r", commit, "plugins").decode().splitlines()
             if l.endswith(".rb")]
    for path in sorted(files):
        plugin = os.path.basename(path)
        src = git(repo, "show", f"{commit}:{path}").decode("utf-8", "replace")
        name, desc = meta(src, "name"), meta(src, "description")
        facts = f"{name.replace('-', ' ')} | {desc}"
        site = meta(src, "website").lower()
        maker = any(re.search(r"[/.]" + re.escape(m) + r"[-.]?[a-z]*\.(com|net|de|tw|cn|co|eu)", site)
                    for m in SURVEILLANCE_MAKERS)
        is_cam = (bool(CAMERA.search(facts)) or maker) and not NOT_CAMERA.search(facts)
        label = "camera" if is_cam else "decoy"
        rule = relabel.get(plugin)
        if rule and rule["label"] != label:
            used.add(plugin)
        elif rule:
            sys.exit(f"relabel rule that changes nothing: {plugin}")
        final = rule["label"] if rule else label
        dtype = None
        if final == "camera":
            dtype = rule.get("device_type") if rule and rule.get("device_type") else (
                "nvr" if re.search(r"\bnvr\b|network video recorder", facts, re.I)
                else "dvr" if re.search(r"\bdvr\b|video recorder", facts, re.I) else "camera")
        vid = VENDOR.get(re.split(r"[-\s]+", name.strip().lower())[0]) if name else None
        if rule and "vendor" in rule:
            vid = rule["vendor"] or None
        for j, (kind, value) in enumerate(samples_of(src)):
            if (kind, value) in seen:
                continue
            seen.add((kind, value))
            sid = f"whatweb/{plugin[:-3]}/{j}"
            expected = None
            if final == "camera" and vid:
                word = VENDOR_WORD.get(vid, vid)
                if re.search(r"(?i)\b" + re.escape(word).replace(r"\-", "[- ]?"), value):
                    expected = vid
            s = {"id": sid, "kind": kind, "value": value, "label": final, "device_type": dtype,
                 "vendor_expected": expected, "plugin_name": name, "description": desc[:300],
                 "source": {"repository": "urbanadventurer/WhatWeb", "file": path, "commit": commit}}
            if rule:
                s["label_mechanical"] = label
                s["relabel"] = plugin
            (held if held_out(sid) else train).append(s)
    unused = sorted(set(relabel) - used)
    if unused:
        sys.exit(f"relabel rules for plugins that gave no change: {unused}")
    write_parts(HERE, train, held)


main()
