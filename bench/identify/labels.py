"""The mechanical labeller, label corrections and split shared by the corpora built from
fingerprint lists keyed by a product name (kscan, goby). One owner for the rule, so that two
corpora labelled "by the same rule" are.

Label (mechanical, from the product name only; names glue words, so words are matched inside
names): camera, webcam, netcam, ipcam, IPC, DVR/NVR/XVR, video recorder/server/encoder,
surveillance, CCTV and the Chinese 摄像 (camera), 录像 (recorder), 视频监控 (video surveillance)
= camera, plus a source's own category words (`extra_camera`); video conferencing (视频会议),
decoders, TV walls (电视墙, 解码) = decoy; a product of a maker in SURVEILLANCE_MAKERS (first word
of the name; or a name starting with such a maker of five letters or more not followed by a
digit; or the Chinese maker names) = camera.
Expected vendor (VENDOR: the name's first word or prefix, or a Chinese maker name in it) only for
cameras (final label), where the sample text names that maker.
Split: sha256(id)[0] < 102 held out (depends on the id only).
"""
import glob, hashlib, json, os, re, sys, tomllib

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


class Product:
    """What the name alone says: `label` camera/decoy, `words` (the name with - and _ as spaces),
    `vendor` (the maker the name starts with or holds, whatever the label)."""

    def __init__(self, name, extra_camera=None, category_camera=False):
        self.name = name
        self.words = name.replace("_", " ").replace("-", " ")
        first = re.split(r"[-_\s()/]+", name.lower())[0]
        # Names glue words (`HikvisioniVMS-5060`, `AVTECHavc`, `NUUONVR`): a name that starts
        # with a maker of five letters or more, not followed by a digit, is that maker's too.
        glued = re.sub(r"[^a-z0-9]", "", name.lower())
        prefixed = any(glued.startswith(m.replace("-", "")) and len(m.replace("-", "")) >= 5
                       and not glued[len(m.replace("-", "")):][:1].isdigit()
                       for m in SURVEILLANCE_MAKERS)
        maker = first in SURVEILLANCE_MAKERS or prefixed or any(m in name for m in CN_MAKERS)
        worded = bool(CAMERA.search(self.words)) or bool(extra_camera and extra_camera.search(self.words)) \
            or category_camera
        self.label = "camera" if (worded or maker) and not NOT_CAMERA.search(self.words) else "decoy"
        low = name.lower()
        self.vendor = VENDOR.get(first) or next((v for k, v in sorted(VENDOR.items()) if low.startswith(k)), None) \
            or next((v for k, v in CN_VENDOR if k in name), None)

    def device_type(self, rule=None):
        """camera / nvr / dvr for a camera (a relabel rule's own type first)."""
        return (rule.get("device_type") if rule else None) or (
            "nvr" if re.search(r"nvr|network ?video ?recorder", self.words, re.I)
            else "dvr" if re.search(r"[dx]vr|video ?recorder|录像", self.words, re.I) else "camera")

    def expected_vendor(self, value):
        """The vendor, when the sample's text names it (the caller asks for cameras only)."""
        vid = self.vendor
        names = [vid] + [k for k, v in CN_VENDOR if v == vid] if vid else []
        if any(n.replace("-", "") in value.lower().replace(" ", "").replace("-", "") for n in names):
            return vid
        return None


# The corpora of bench/identify in the order they were built (Recog's, at the top, came first):
# a corpus leaves out the strings of those before it, and only those, so that rebuilding an
# older one gives the same samples whatever was added after it.
BUILD_ORDER = ("retina", "whatweb", "fingerprinthub", "kscan", "goby", "nmap-probes", "nuclei", "goby-export",
               "dorks", "scanners", "tools", "queries", "research")


def earlier(here):
    """(kind, lower-cased value) of every sample of the corpora built before the caller's
    (BUILD_ORDER; the top-level Recog corpus is first of all)."""
    name = os.path.basename(os.path.abspath(here))
    root = os.path.dirname(os.path.abspath(here))
    before = BUILD_ORDER[:BUILD_ORDER.index(name)]
    files = glob.glob(os.path.join(root, "corpus-*.jsonl"))
    for d in before:
        files += glob.glob(os.path.join(root, d, "corpus-*.jsonl"))
    seen = set()
    for f in sorted(files):
        for line in open(f, encoding="utf-8"):
            s = json.loads(line)
            seen.add((s["kind"], s["value"].lower()))
    return seen


NAME_KEYS = ("product", "fp_name", "fp_product", "plugin_name")


def norm(name):
    """A product name reduced to lower-case letters, digits and Han characters."""
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", name.lower())


def held_out_parts(here):
    """Product names (normalised) and (kind, lower-cased value) of every held-out part but the
    caller's own: what a knowledge set must leave out. Read mechanically, never printed."""
    here = os.path.abspath(here)
    names, values = set(), set()
    for f in glob.glob(os.path.join(here, "..", "**", "corpus-heldout.jsonl"), recursive=True):
        if os.path.abspath(f).startswith(here + os.sep):
            continue
        for line in open(f, encoding="utf-8"):
            s = json.loads(line)
            names.update(norm(s[k]) for k in NAME_KEYS if s.get(k))
            values.add((s["kind"], s["value"].lower()))
    return names, values


def overlaps_held_out(values):
    """A test of whether a (kind, value) contains a held-out value of the same kind or is
    contained in one (both of 4 characters or more, case-insensitive)."""
    by_kind = {}
    for k, v in values:
        if len(v) >= 4:
            by_kind.setdefault(k, []).append(v)

    def test(kind, value):
        low = value.lower()
        return len(low) >= 4 and any(h in low or low in h for h in by_kind.get(kind, ()))
    return test


def knowledge_set(here, prefix, rows):
    """Writes a knowledge set (all training) from (source tag, sample without id) rows: leaves
    out repeated strings, those of earlier corpora and those overlapping a held-out string
    (counts only), numbers the rest `PREFIX/TAG/N` and writes both parts."""
    before = earlier(here)
    overlapping_held_out = overlaps_held_out(held_out_parts(here)[1])
    seen, out, counters = set(), [], {}
    dup = in_earlier = overlapping = 0
    for tag, sample in rows:
        key = (sample["kind"], sample["value"].lower())
        if key in seen:
            dup += 1
            continue
        seen.add(key)
        if key in before:
            in_earlier += 1
            continue
        if overlapping_held_out(*key):
            overlapping += 1
            continue
        counters[tag] = counters.get(tag, 0) + 1
        out.append({"id": f"{prefix}/{tag}/{counters[tag]}", **sample})
    print(f"rows: {len(rows)}; repeated: {dup}; left out as already in an earlier corpus: "
          f"{in_earlier}; left out as overlapping a held-out string: {overlapping}")
    write_parts(here, out, [])


def knowledge_set_from_rows(here, prefix):
    """A hand-extracted knowledge set: reads `rows.jsonl` beside the builder (samples without
    id, each with its `source`), strips the reply code from FTP banners quoted whole (the replay
    fixture sends `220` itself) and writes it with `knowledge_set`, each row tagged by the owner
    of its source repository."""
    rows = [json.loads(line) for line in open(os.path.join(here, "rows.jsonl"), encoding="utf-8")]
    for r in rows:
        if r["kind"] == "ftp.banner" and re.match(r"220[- ]", r["value"]):
            r["value"] = r["value"][4:].strip()
    knowledge_set(here, prefix, [(r["source"]["repository"].split("/")[0], r) for r in rows])


def load_relabel(here):
    """relabel.toml: [[relabel]] product (exact name), label, optional device_type, reason."""
    path = os.path.join(here, "relabel.toml")
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


def held_out(sid):
    return hashlib.sha256(sid.encode()).digest()[0] < 102


class Corpus:
    """One corpus being built from a fingerprint list: labels each product (with relabel.toml's
    corrections), leaves out repeated strings and those of earlier corpora, numbers each product's
    samples (`PREFIX/PRODUCT/N`), splits, and writes both parts."""

    def __init__(self, here, prefix, extra_camera=None):
        self.here, self.prefix, self.extra_camera = here, prefix, extra_camera
        self.before = earlier(here)
        self.relabel = load_relabel(here)
        self.used, self.seen, self.counters = set(), set(), {}
        self.train, self.held, self.dropped = [], [], 0

    def add(self, name, samples, source, category_camera=False):
        """The (kind, value) samples of product `name`, with the provenance `source`
        (`category_camera`: the source's own category calls the product a surveillance product)."""
        product = Product(name, extra_camera=self.extra_camera, category_camera=category_camera)
        label = product.label
        rule = self.relabel.get(name)
        if rule and rule["label"] == label:
            sys.exit(f"relabel rule that changes nothing: {name}")
        final = rule["label"] if rule else label
        dtype = product.device_type(rule) if final == "camera" else None
        for kind, value in samples:
            key = (kind, value.lower())
            if key in self.seen:
                continue
            self.seen.add(key)
            if key in self.before:
                self.dropped += 1
                continue
            n = self.counters.get(name, 0)
            self.counters[name] = n + 1
            sid = f"{self.prefix}/{name}/{n}"
            expected = product.expected_vendor(value) if final == "camera" else None
            s = {"id": sid, "kind": kind, "value": value, "label": final, "device_type": dtype,
                 "vendor_expected": expected, "product": name, "source": source}
            if rule:
                s["label_mechanical"] = label
                s["relabel"] = name
                self.used.add(name)
            (self.held if held_out(sid) else self.train).append(s)

    def finish(self, heading=""):
        """Refuses relabel rules that matched no product, prints counts, writes both parts."""
        unused = sorted(set(self.relabel) - self.used)
        if unused:
            sys.exit(f"relabel rules that match no product: {unused}")
        print(f"{heading}left out as already in an earlier corpus: {self.dropped}; "
              f"relabel rules applied: {len(self.used)}")
        write_parts(self.here, self.train, self.held)


def write_parts(here, train, held):
    """Writes corpus-{train,heldout}.jsonl and prints only counts."""
    for fname, part in (("corpus-train.jsonl", train), ("corpus-heldout.jsonl", held)):
        with open(os.path.join(here, fname), "w") as out:
            for s in part:
                out.write(json.dumps(s, ensure_ascii=False) + "\n")
        cams = sum(s["label"] == "camera" for s in part)
        vend = sum(s["vendor_expected"] is not None for s in part)
        kinds = {}
        for s in part:
            kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
        print(f"{fname}: {len(part)} samples, {cams} cameras, {len(part) - cams} decoys, "
              f"{vend} name the maker; {kinds}")
