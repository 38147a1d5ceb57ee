"""How Goby's literal features map to identity samples, shared by the corpora built from Goby's
rules (`goby/`, the list chainreactors/fingers publishes, and `goby-export/`, Goby 1.8.279's own
export). A feature is a string Goby looks for in a reply."""
import re


def header_sample(v):
    """`Server: TEXT` -> http.server TEXT; `realm="R` (Goby matches a prefix, so R may be cut
    short; a closing `"` or `\\"` ends it; a `Basic ` / `Digest ` / `WWW-Authenticate: ` before it
    is kept as scheme) -> http.www_authenticate `Basic realm="R"`; else None."""
    if m := re.match(r"(?i)server:\s*(.+)$", v):
        return ("http.server", m.group(1).strip())
    if m := re.match(r'(?i)(?:www-authenticate:\s*)?(basic |digest )?realm=\\?"(.*)$', v):
        realm = re.split(r'\\?"', m.group(2))[0].rstrip("\\").strip()
        if realm:
            scheme = (m.group(1) or "basic ").strip().capitalize()
            return ("http.www_authenticate", f'{scheme} realm="{realm}"')
    return None


def cert_sample(v):
    """`CommonName: TEXT` / `Organization: TEXT` (any case) -> tls.subject `CN=TEXT` / `O=TEXT`
    (commas escaped); else None."""
    if m := re.match(r"(?i)(commonname|organization):\s*(.+)$", v):
        attr = "CN" if m.group(1).lower() == "commonname" else "O"
        return ("tls.subject", f"{attr}=" + m.group(2).strip().replace("\\", "\\\\").replace(",", "\\,"))
    return None


def keep(samples):
    """Samples of a plausible length (2 to 299 characters)."""
    return [(k, v) for k, v in samples if 2 <= len(v) < 300]
