#!/usr/bin/env python3
"""Second identification corpus: real RTSP replies captured from cameras, from Retina's test data.

Usage: bench/identify/retina/extract.py RETINA_GIT_DIR COMMIT
(RETINA_GIT_DIR: a clone or bare mirror of https://github.com/scottlamb/retina)

Retina (a Rust RTSP client) keeps the replies of the cameras its author and users tested against
in src/client/testdata/. Each DESCRIBE / OPTIONS / 401 reply or bare SDP of a device is one
sample of kind "rtsp.reply" (value: the reply as captured; a bare SDP is served as the body of a
DESCRIBE reply). Replies of SETUP / PLAY / TEARDOWN are skipped (they repeat the device's Server
header at most). Labels from the file name's device, with public facts:
  * every named maker below sells IP cameras / recorders (camera);
  * bunny_* is Wowza Streaming Engine's public demo stream (a media server: decoy);
  * bad_rtptime.txt is a copy of bunny_play.txt (skipped: a PLAY reply);
  * missing_content_type_describe.txt names no device (libavformat; skipped: unknown device).
The expected vendor is set only where the sample's text names the maker (alphanumerics,
case-insensitive), as in ../extract.py.

Split: sha256(id)[0] < 102 is held out (corpus-heldout.jsonl), the rest is training
(corpus-train.jsonl), fixed before any rule was written from this corpus. Prints only counts.
"""
import hashlib, json, os, re, subprocess, sys

# file-name prefix -> (maker name as the text would spell it, camguard vendor id or None)
DEVICES = {
    "anjvision": ("anjvision", "anjvision"),
    "anpviz": ("anpviz", "anpviz"),
    "dahua": ("dahua", "dahua"),
    "foscam": ("foscam", "foscam"),
    "geovision": ("geovision", "geovision"),
    "gw": ("gw security", "gw-security"),
    "h264dvr": (None, None),
    "hikvision": ("hikvision", "hikvision"),
    "ipcam": (None, None),
    "longse": ("longse", "longse"),
    "macrovideo": ("macrovideo", "macrovideo"),
    "reolink": ("reolink", "reolink"),
    "tplink": ("tp-link", "tp-link"),
    "ubiquiti": ("ubiquiti", "ubiquiti"),
    "vstarcam": ("vstarcam", "vstarcam"),
    "bunny": (None, None),
}
DECOY = {"bunny"}
KEEP = re.compile(r"_(describe[a-z0-9_]*|sdp|unauthorized|options)\.txt$")


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", repo, *args], check=True, capture_output=True).stdout


def alnum(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def main():
    repo, commit = sys.argv[1], sys.argv[2]
    names = git(repo, "ls-tree", "--name-only", commit, "src/client/testdata/").decode().split()
    train, held = [], []
    for path in sorted(names):
        base = os.path.basename(path)
        if not KEEP.search(base):
            continue
        prefix = base.split("_")[0]
        if prefix not in DEVICES:
            continue
        text = git(repo, "show", f"{commit}:{path}").decode("utf-8", "replace")
        maker, vid = DEVICES[prefix]
        camera = prefix not in DECOY
        sid = f"retina/{base}"
        row = {
            "id": sid,
            "kind": "rtsp.reply",
            "value": text,
            "label": "camera" if camera else "decoy",
            "device_type": None,
            "vendor_expected": vid if camera and maker and alnum(maker) in alnum(text) else None,
            "device": prefix,
            "source": {"repository": "scottlamb/retina", "file": path, "commit": commit},
        }
        (held if hashlib.sha256(sid.encode()).digest()[0] < 102 else train).append(row)
    here = os.path.dirname(os.path.abspath(__file__))
    for name, rows in (("corpus-train.jsonl", train), ("corpus-heldout.jsonl", held)):
        with open(os.path.join(here, name), "w") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    for name, rows in (("training", train), ("held-out", held)):
        cams = sum(r["label"] == "camera" for r in rows)
        named = sum(r["vendor_expected"] is not None for r in rows)
        print(f"{name}: {len(rows)} samples, {cams} cameras, {named} naming the maker")


main()
