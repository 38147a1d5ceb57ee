"""A knowledge set, not a test corpus: the identity strings that Nmap's `nmap-service-probes` says
cameras, webcams, DVRs, NVRs and video servers send, for writing rules from (everything is
training; there is no held-out part). Usage:

    python3 bench/identify/nmap-probes/extract.py /usr/share/nmap/nmap-service-probes

Which match lines: those whose `d/` is `webcam` or whose product/info (`p/`, `i/`) names a camera
by the shared word rule of labels.py (camera, webcam, DVR/NVR, video server/encoder,
surveillance, ...), minus video conferencing and decoders (labels.NOT_CAMERA: nmap files Polycom
and Tandberg units under `d/webcam/`). Which strings: from the line's regex, only what a device
sends in a field camguard reads: an HTTP `Server:` header, a `WWW-Authenticate` realm, a
`<title>`, an RTSP `Server:`, the first line of an FTP `220` greeting, an SSH version's software
part, the printable text of a telnet greeting. A field is taken only when its regex is literal
apart from version-like groups, which are filled with a fixed neutral value (`[\\d.]+` → `1.0`,
`\\d+` → `1`, `\\w+` and `[\\w._-]+` → `100`, so `DCS-\\w+` reads `DCS-100`): that value is the
extractor's, not the device's, and README.md says so. Provenance per sample: the file's line
number and the Nmap version of the file's header.
"""
import json, os, re, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import labels  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LINE = re.compile(r"^(?:soft)?match (\S+) m(.)")
FIELD_P = re.compile(r" (p|i|d|v|o|h)/([^/]*)/")

# Version-like groups and classes, and what stands for them in a sample.
FILL = [
    (r"\(\[\\d\.\]\+\)", "1.0"), (r"\[\\d\.\]\+", "1.0"), (r"\(\[\\d\.\]\*\)", "1.0"),
    (r"\(\[\\w\._-\]\+\)", "100"), (r"\[\\w\._-\]\+", "100"), (r"\(\[\\w\.-\]\+\)", "100"),
    (r"\(\[\\w-\]\+\)", "100"), (r"\(\\w\+\)", "100"), (r"\\w\+", "100"),
    (r"\(\\d\+\)", "1"), (r"\\d\+", "1"), (r"\\d", "1"), (r"\(\[\\d-\]\+\)", "1"),
]
ESC = {r"\.": ".", r"\(": "(", r"\)": ")", r"\"": '"', r"\/": "/", r"\-": "-", r"\ ": " ",
       r"\[": "[", r"\]": "]", r"\+": "+", r"\*": "*", r"\?": "?", r"\|": "|", r"\$": "$",
       r"\{": "{", r"\}": "}", r"\:": ":", r"\=": "=", r"\&": "&", r"\,": ",", r"\'": "'",
       r"\#": "#", r"\@": "@", r"\!": "!", r"\%": "%", r"\_": "_", r"\~": "~", r"\;": ";"}


def literal(rx):
    """The sample a regex fragment stands for, or None when it is not literal enough."""
    for pat, val in FILL:
        rx = re.sub(pat, lambda _m, v=val: "\x00" + v + "\x01", rx)
    out, i = [], 0
    while i < len(rx):
        c = rx[i]
        if c == "\x00":
            j = rx.index("\x01", i)
            out.append(rx[i + 1:j])
            i = j + 1
            continue
        if c == "\\":
            two = rx[i:i + 2]
            if two in ESC:
                out.append(ESC[two])
                i += 2
                continue
            if re.match(r"\\x[0-9a-fA-F]{2}", rx[i:i + 4]):
                ch = chr(int(rx[i + 2:i + 4], 16))
                out.append(ch if ch.isprintable() else " ")
                i += 4
                continue
            if two in (r"\r", r"\n", r"\t"):
                out.append("\n" if two == r"\n" else " " if two == r"\t" else "")
                i += 2
                continue
            return None
        if c in "[]()|*+?{}^$.":
            return None
        out.append(c)
        i += 1
    s = re.sub(r"[ \t]+", " ", "".join(out)).strip()
    return s or None


def iac_stripped(rx):
    """A telnet greeting's regex without its option negotiation (IAC sequences)."""
    return re.sub(r"^(?:\\xff\\x[0-9a-fA-F]{2}(?:\\x[0-9a-fA-F]{2}|[!-~])?)+", "", rx.lstrip("^"))


# Per service: where an identity field sits in a match line's regex, and the sample it gives. A
# pattern starting with `\^` is anchored at the regex's start (a greeting), the others are
# searched anywhere in it.
SERVER = r"\\r\\nServer: (.*?)\\r\\n"
FIELDS = {
    "http": [(SERVER, "http.server", "{}"), (r'realm=\\?"(.*?)\\?"', "http.www_authenticate", 'Basic realm="{}"'),
             (r"(?i)<title>(.*?)</title>", "http.title", "{}")],
    "rtsp": [(SERVER, "rtsp.server", "{}")],
    "ftp": [(r"\^220[- ](.*?)\\r\\n", "ftp.banner", "{}")],
    "ssh": [(r"\^SSH-[\\\d.]+-(.*?)\\r\\n", "ssh.banner", "{}")],
}
FIELDS["http-proxy"] = FIELDS["upnp"] = FIELDS["http"]


def fields(service, rx):
    """(kind, value) samples of one match line's regex."""
    out = []
    for pattern, kind, form in FIELDS.get(service, []):
        found = [re.match(pattern, rx)] if pattern.startswith(r"\^") else re.finditer(pattern, rx)
        for m in filter(None, found):
            v = literal(m.group(1))
            if v:
                out.append((kind, form.format(v)))
    if service == "telnet":
        body = iac_stripped(rx)
        # The greeting up to the first construct that is not literal, cut at a line end.
        parts = re.split(r"\\r\\n|\\n", body)
        text = []
        for p in parts:
            v = literal(p) if p else ""
            if v is None:
                break
            text.append(v)
        v = "\n".join(t for t in text if t).strip()
        if len(v) >= 4:
            out.append(("telnet.banner", v))
    return out


def main(path):
    version = "unknown"
    train, seen, counters = [], set(), {}
    for no, raw in enumerate(open(path, encoding="latin-1"), 1):
        if raw.startswith("# Nmap service detection probe list") or raw.startswith("# $Id"):
            version = raw.strip("# \n")
        m = LINE.match(raw)
        if not m:
            continue
        service, delim = m.group(1), m.group(2)
        start = m.end()
        end = raw.index(delim, start)
        rx, rest = raw[start:end], raw[end + 1:]
        meta = dict(FIELD_P.findall(" " + rest.split(" ", 1)[-1]))
        text = " ".join([meta.get("p", ""), meta.get("i", "")])
        webcam = meta.get("d") == "webcam"
        worded = bool(labels.CAMERA.search(text))
        if not (webcam or worded) or labels.NOT_CAMERA.search(text) or re.search(
                r"polycom|tandberg|lifesize|vsx|conferenc|video ?phone|codec", text, re.I):
            continue
        product = re.sub(r"\$\d", "", meta.get("p", service)).strip()
        named = labels.Product(product)
        dtype = named.device_type() if worded else "camera"
        for kind, value in fields(service, rx):
            key = (kind, value.lower())
            if key in seen:
                continue
            seen.add(key)
            n = counters.get(product, 0)
            counters[product] = n + 1
            train.append({"id": f"nmap/{product}/{n}", "kind": kind, "value": value, "label": "camera",
                          "device_type": dtype, "vendor_expected": named.expected_vendor(value),
                          "product": product,
                          "source": {"repository": "nmap/nmap", "file": "nmap-service-probes",
                                     "line": no, "version": version}})
    labels.write_parts(HERE, train, [])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/nmap/nmap-service-probes")
