#!/usr/bin/env python3
"""Build a knowledge set (training only) from IoT-identification research and from more
signatures written by people who had the devices: DevTag (wanshangfeng/DevTag, a banner-tagging
tool that merges the NMAP, ZTAG and ARE rule sets, with its test files of real FTP and HTTP
banners captured on the Internet and the tags it gives them), a public sample of port-scanner
banners (zh250/Banner-Data-Cheatsheet), Tenable's Nessus plugins other than the network-camera
plugin 33523 (through Freem93/grammar_nasl_v2) and Exploit-DB advisories that quote a device's
reply (through the mirror threatcode/searchexploit).

Usage: bench/identify/research/build.py

`rows.jsonl` holds the rows as extracted (2026-12-06), each a string a device sends in one
identity field (Server header, title, realm, FTP/telnet banner without its reply code, RTSP
Server, certificate subject) with the device the source ties it to, its repository, file and
commit. Values are verbatim from the files; where a rule gives a regex, the shortest literal it
matches (the row's `product` says so). DevTag's tags are a tool's output, not ground truth:
rows whose tag is plainly wrong (a router tagged as a camera, a bare BusyBox banner) were left
out when `rows.jsonl` was written. The expected vendor is given only where the string names the
maker.

**A knowledge set, and what it must not hold.** As for ../scanners/ and ../tools/: a row whose
(kind, value) an earlier corpus holds (../labels.py BUILD_ORDER), or whose value contains a
held-out value of the same kind or is contained in one, is left out, mechanically, printing
counts only. Every sample is training.
"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from labels import knowledge_set_from_rows  # noqa: E402

knowledge_set_from_rows(os.path.dirname(os.path.abspath(__file__)), "research")
