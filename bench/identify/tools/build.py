#!/usr/bin/env python3
"""Build a knowledge set (training only) from the camera signatures of open-source network tools
and of Chinese vulnerability write-up collections: nmap's default-account fingerprints, Censys's
ztag annotations, intrigue-ident's checks, the camera scanners Ingram, CamTRON and camcheckr,
and the FOFA / Hunter queries of GobyVuls, wy876/POC, oFx, fofax, 1earn, Awesome-FOFA, Reconcli
and advanced-shodan-queries.

Usage: bench/identify/tools/build.py

`rows.jsonl` holds the rows as extracted (2026-12-06): each a string a device literally sends
in one identity field (Server header, title, realm, FTP banner, certificate subject) that the
tool or query ties to a camera, NVR, DVR, video server or video surveillance platform (or, as a
decoy, to a router, printer, firewall, OA system, access-control or conferencing product listed
beside them), with its repository, file and commit. Every value was checked verbatim against
its file at that commit; where a tool matches a substring, the substring is the value. Rows
whose value was not literal in the file (an IQeye banner completed from a regex, a Blue Iris
Server header with a version added), whose label the source does not support (a plain
`Boa/0.94.14rc21` in a webcam section, a Dahua cloud-gateway platform), or that no device
sends whole (Ingram's `DCS` realm prefix, the title of `/login.rsp`) were dropped before
`rows.jsonl` was written. The expected vendor is kept only where the string names the maker
(`ADH` is AD Holdings, Dedicated Micros' group), not where only the query's product tag does.

**A knowledge set, and what it must not hold.** As for ../scanners/: a row whose (kind, value)
an earlier corpus holds (../labels.py BUILD_ORDER), or whose value contains a held-out value of
the same kind or is contained in one, is left out, mechanically, printing counts only. Every
sample is training.
"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from labels import knowledge_set_from_rows  # noqa: E402

knowledge_set_from_rows(os.path.dirname(os.path.abspath(__file__)), "tools")
