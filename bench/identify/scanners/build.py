#!/usr/bin/env python3
"""Build a knowledge set (training only) from the camera signatures of vulnerability scanners:
Greenbone's community feed (NASL detection and vulnerability scripts), Tenable's
network-camera detection plugin (33523, `network_camera_detect.nasl`, 2008-2013) and three
Metasploit modules for cameras and DVRs.

Usage: bench/identify/scanners/build.py

`rows.jsonl` holds the rows as extracted by hand (2026-12-06): each a string a device literally
sends in one identity field (Server header, title, realm, FTP/telnet banner, RTSP Server) that
the script itself ties to a camera, NVR, DVR, video server or camera software (or, as a decoy,
to another product of the same maker), with its repository, file and commit. The strings were
checked verbatim against their files when extracted, except four the scripts give only as a
regex (their `product` says so). Sources:
- greenbone community feed, `openvas-feeds/nvt-feed/`, through the public mirror
  jbeasl7/openvas-feed-sync-local at 1801060e481a2dda16e6c3959478592ad04ddb5b;
- Tenable plugins through Freem93/grammar_nasl_v2 at 63834ebb8cd6e97050e155291c7500ad53bb20c6;
- rapid7/metasploit-framework (bavision_cameras.rb, dlink_dcs931l_upload.rb).

**A knowledge set, and what it must not hold.** As for ../goby-export/ and ../dorks/: a row
whose (kind, value) an earlier corpus holds (../labels.py BUILD_ORDER), or whose value contains
a held-out value of the same kind or is contained in one, is left out, mechanically, printing
counts only. Every sample is training.
"""
import json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from labels import knowledge_set  # noqa: E402


def main():
    rows = [json.loads(line) for line in open(os.path.join(HERE, "rows.jsonl"), encoding="utf-8")]
    knowledge_set(HERE, "scanners", [(r["source"]["repository"].split("/")[0], r) for r in rows])


main()
