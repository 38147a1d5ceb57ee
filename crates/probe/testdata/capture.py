#!/usr/bin/env python3
"""Capture the replies of a real server on a loopback address, as camguard's probe asks.

    capture.py rtsp   ADDRESS PORT OUTDIR   # OPTIONS then DESCRIBE on one connection
    capture.py http   ADDRESS PORT OUTDIR   # GET /, GET /favicon.ico, ONVIF GetSystemDateAndTime
    capture.py banner ADDRESS PORT OUTDIR   # what the server says unprompted (2 s of quiet ends it)

Each reply is written byte for byte to OUTDIR/<request>.txt (banner: OUTDIR/banner.bin), the
names tests/fixtures.rs's replay server answers from. Loopback addresses only.
"""
import ipaddress
import os
import socket
import sys

UA = "camguard-fixture-capture"
QUIET = 2.0


def loopback(addr):
    if not ipaddress.ip_address(addr).is_loopback:
        sys.exit(f"refusing non-loopback address {addr}")


def read_reply(s, buf):
    """One HTTP/RTSP reply: head, then Content-Length bytes (or until close/quiet)."""
    s.settimeout(QUIET)
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            return buf, b""
        buf += chunk
    end = buf.index(b"\r\n\r\n") + 4
    head = buf[:end].decode("latin-1")
    length = None
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is not None:
        while len(buf) < end + length:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        return buf[: end + length], buf[end + length :]
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except socket.timeout:
        pass
    return buf, b""


def exchange(addr, port, request):
    with socket.create_connection((addr, port), timeout=5) as s:
        s.sendall(request)
        reply, _ = read_reply(s, b"")
        return reply


def rtsp(addr, port, out):
    url = f"rtsp://{addr}:{port}/"
    with socket.create_connection((addr, port), timeout=5) as s:
        rest = b""
        for cseq, method in ((1, "OPTIONS"), (2, "DESCRIBE")):
            req = f"{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\nUser-Agent: {UA}\r\n"
            if method == "DESCRIBE":
                req += "Accept: application/sdp\r\n"
            s.sendall((req + "\r\n").encode())
            reply, rest = read_reply(s, rest)
            save(out, f"{method}.txt", reply)


def http(addr, port, out):
    host = addr if port == 80 else f"{addr}:{port}"
    common = f"Host: {host}\r\nUser-Agent: {UA}\r\nAccept: */*\r\nConnection: close\r\n"
    for path, name in (("/", "GET_.txt"), ("/favicon.ico", "GET_favicon.ico.txt")):
        save(out, name, exchange(addr, port, f"GET {path} HTTP/1.1\r\n{common}\r\n".encode()))
    op = "GetSystemDateAndTime"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body><tds:' + op + "/></s:Body></s:Envelope>"
    ).encode()
    ct = f'application/soap+xml; charset=utf-8; action="http://www.onvif.org/ver10/device/wsdl/{op}"'
    req = (
        f"POST /onvif/device_service HTTP/1.1\r\n{common}Content-Type: {ct}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    save(out, f"POST_onvif_device_service_{op}.txt", exchange(addr, port, req))


def banner(addr, port, out):
    data = b""
    with socket.create_connection((addr, port), timeout=5) as s:
        s.settimeout(QUIET)
        try:
            while len(data) < 4096:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
    save(out, "banner.bin", data)


def save(out, name, data):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    print(f"{os.path.join(out, name)}: {len(data)} bytes")


if __name__ == "__main__":
    kind, addr, port, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    loopback(addr)
    {"rtsp": rtsp, "http": http, "banner": banner}[kind](addr, port, out)
