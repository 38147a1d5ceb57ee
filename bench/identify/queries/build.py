#!/usr/bin/env python3
"""Build a knowledge set (training only) from the search queries that vulnerability templates
and proof-of-concept collections write for each product: the `shodan-query` / `fofa-query` /
`google-query` metadata of nuclei templates (projectdiscovery/nuclei-templates, read through
the runZeroInc fork at a commit of projectdiscovery's history), and the FOFA / Hunter / Goby
queries of afrog's POCs, Threekiii/Awesome-POC, luck-ying/Library-POC, MD-SEC/MDPOCS and
lal0ne/vulnerability.

Usage: bench/identify/queries/build.py

`rows.jsonl` holds the rows as extracted (2026-12-06): the title, `Server` header or realm
inside a query the author wrote to find one product (a camera, NVR, DVR, video encoder,
intercom or video management system; as decoys, routers, NAS, printers, phones, conferencing,
access control and the like from the same collections), with its repository, file and commit.
Every value was checked verbatim against its file at that commit. The expected vendor is given
only where the string itself names the maker. Camera rows that no device could be told by (a
bare `login` title, a plain `thttpd/2.25b`), or whose product is not a camera or recorder (a
video-analytics panel, a transcoding server, a bare 联网网关 "networking gateway"), were dropped
before `rows.jsonl` was written.

**A knowledge set, and what it must not hold.** As for ../scanners/ and ../tools/: a row whose
(kind, value) an earlier corpus holds (../labels.py BUILD_ORDER), or whose value contains a
held-out value of the same kind or is contained in one, is left out, mechanically, printing
counts only. Every sample is training.
"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from labels import knowledge_set_from_rows  # noqa: E402

knowledge_set_from_rows(os.path.dirname(os.path.abspath(__file__)), "queries")
