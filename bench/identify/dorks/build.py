#!/usr/bin/env python3
"""Build a knowledge set (training only) from curated public query lists ("dorks") for Shodan,
Censys and BinaryEdge: the webcam, CCTV, DVR and NVR entries people wrote to find cameras, and,
as decoys, the same lists' printers, routers, NAS, ICS, VoIP and media servers.

Usage: bench/identify/dorks/build.py [MIRRORS]
(MIRRORS: a directory holding a clone or bare mirror of each source as OWNER+NAME or
OWNER+NAME/repo, default /work/.mirror; sources and commits in SRC)

Unlike the other corpora, the rows are picked by hand (ROWS): a query becomes a sample only when
it names one identity field with a concrete string (title:"X" -> http.title X, "Server: X" ->
http.server X, a realm -> http.www_authenticate); favicon hashes, body words, ports and filters
are not used. The label is the list's own section (a camera only when the list files it under
webcams, cameras, CCTV, DVR or NVR; Kamerka: the entries of its GUI's "Camera" menu); the
expected vendor only where the string names the maker. Every value is checked to occur verbatim
in its source at the listed commit; a query language's substring match means a few values are
prefixes of what devices send (`U S Software Web`, `ui3 -`).

**A knowledge set, and what it must not hold.** Every sample is training (corpus-heldout.jsonl
is empty). As for ../goby-export/, a sample whose (kind, value) an earlier corpus holds
(../labels.py BUILD_ORDER), or whose value contains a held-out value of the same kind or is
contained in one, is left out, mechanically, printing counts only.
"""
import os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from labels import knowledge_set  # noqa: E402

SRC = {
    "jake": ("jakejarvis/awesome-shodan-queries", "readme.md",
             "b3439d187b037211b98ac6c12b94a7bdf43af729"),
    "dootss": ("dootss/shodan-dorks", "dorks.yaml",
               "c88c9d04e4865f842d8f0beb38cae3b6d0ff9f12"),
    "quest": ("andr6/Shodan-Quest", "README.md",
              "a6cee32115388432f76ecee8877b760ee838a4e4"),
    "shorlak": ("shorlak/Shodan_search_terms", "searches.txt",
                "5c6d7da95f59698fb639b9061655130a16b0fc86"),
    "kamerka": ("woj-ciech/Kamerka-GUI", "kamerka/tasks.py",
                "7312013e8a2d78f20c22e14e603d2afbd355b972"),
    "binaryedge": ("balgan/binaryedge-cheatsheet", "README.md",
                   "5d2429031aef109a74b93a2b20885b957140207e"),
    "censys": ("thehappydinoa/awesome-censys-queries", "README.md",
               "56ae5ce0bc14fd0b9b989188a12b4ca4831b2973"),
}

T, S, A = "http.title", "http.server", "http.www_authenticate"
C, D = "camera", "decoy"

# (source, kind, value, label, device_type, vendor_expected, product)
ROWS = [
    # ---- jakejarvis/awesome-shodan-queries ----
    ("jake", S, "yawcam", C, "camera", None, "Yawcams (Webcams section)"),
    ("jake", S, "IP Webcam Server", C, "camera", None, "Android IP Webcam Server (Webcams section)"),
    ("jake", S, "Prismview Player", D, None, None, "Samsung Electronic Billboards (ICS)"),
    ("jake", T, "Tesla PowerPack System", D, None, "tesla", "Tesla PowerPack charging status (ICS)"),
    ("jake", T, "Slocum Fleet Mission Control", D, None, None, "Submarine mission control dashboards (ICS)"),
    ("jake", S, "CarelDataServer", D, None, "carel", "CAREL PlantVisor refrigeration units (ICS)"),
    ("jake", T, "Nordex Control", D, None, "nordex", "Nordex wind turbine farms (ICS)"),
    ("jake", S, "EIG Embedded Web Server", D, None, "eig", "GaugeTech electricity meters (ICS)"),
    ("jake", T, "Weave Scope", D, None, None, "Weave Scope dashboards (Network Infrastructure)"),
    ("jake", S, "Bomgar", D, None, "bomgar", "Bomgar help desk portal (Network Infrastructure)"),
    ("jake", S, "Microsoft-IIS/7.0", D, None, "microsoft", "Outlook Web Access, Exchange 2007 (Network Infrastructure)"),
    ("jake", S, "Logitech Media Server", D, None, "logitech", "Logitech Media Servers (NAS section)"),
    ("jake", S, "HP HTTP", D, None, "hp", "HP printers (Printers & Copiers)"),
    ("jake", S, "EPSON_Linux UPnP", D, None, "epson", "Epson printers (Printers & Copiers)"),
    ("jake", S, "EPSON-HTTP", D, None, "epson", "Epson printers (Printers & Copiers)"),
    ("jake", S, "KS_HTTP", D, None, None, "Canon printers (Printers & Copiers)"),
    ("jake", S, "CANON HTTP Server", D, None, "canon", "Canon printers (Printers & Copiers)"),
    ("jake", S, "AV_Receiver", D, None, None, "Yamaha stereos (Home Devices)"),
    ("jake", T, "OctoPrint", D, None, None, "OctoPrint 3D printer controllers (Random Stuff)"),

    # ---- dootss/shodan-dorks (dorks.yaml) ----
    ("dootss", S, "webcamxp", C, "camera", None, "Webcams running on webcamXP (Cameras)"),
    ("dootss", S, "webcam 7", C, "camera", None, "Webcams running on webcam 7 (Cameras)"),
    ("dootss", T, "blue iris remote view", C, "nvr", None, "Webcams running on Blue Iris (Cameras)"),
    ("dootss", T, "ui3 -", C, "nvr", None, "UI3 - the HTML5 web interface for Blue Iris (Cameras)"),
    ("dootss", T, "Network Camera VB-M600", C, "camera", None, "Canon-manufactured megapixel security cameras (Cameras)"),
    ("dootss", T, "IPCam Client", C, "camera", None, "Webcams running on IPCam Client (Cameras)"),
    ("dootss", S, "GeoHttpServer", C, "camera", "geovision", "Older webcams running on GeoVision (Cameras)"),
    ("dootss", S, "VVTK-HTTP-Server", C, "camera", "vivotek", "Vivotek IP cameras (Cameras)"),
    ("dootss", T, "Avigilon", C, "camera", "avigilon", "Avigilion-brand camera/monitoring devices (Cameras)"),
    ("dootss", A, "Merit LILIN Ent. Co., Ltd", C, "camera", "lilin", "A UK-based IP camera provider [Merit LILIN] (Cameras); list gives realm text only"),
    ("dootss", T, "+tm01+", C, "camera", None, "Unsecured Linksys webcams (Cameras)"),
    ("dootss", S, "i-Catcher Console", C, "nvr", None, "i-Catcher IP-based CCTV systems (Cameras)"),
    ("dootss", T, "ContaCam", C, "camera", None, "ContaCam cameras (Cameras)"),
    ("dootss", T, "xzeres wind", D, None, "xzeres", "XZERES wind turbine (ICS)"),
    ("dootss", S, "CouchDB/2.1.0", D, None, None, "Vulnerable CouchDB instances (Network Infrastructure)"),
    ("dootss", T, "syncthru web service", D, None, None, "Samsung printers with SyncThru Web Service (Printers)"),

    # ---- andr6/Shodan-Quest README ----
    ("quest", S, "SQ-WEBCAM", C, "camera", None, "Find webcams"),
    ("quest", T, "Sony Network Camera", C, "camera", "sony", "Sony Video Surveillance Camera"),
    ("quest", T, "network camera vb-", C, "camera", None, "Canon Video Surveillance Camera"),
    ("quest", T, "INSTAR Full-HD IP-Camera", C, "camera", "instar", "INSTAR Video Surveillance Camera"),
    ("quest", T, "VideoIQ Camera Login", C, "camera", "videoiq", "VideoIQ Video Surveillance Camera"),
    ("quest", T, "Milesight Network Camera", C, "camera", "milesight", "Milesight Video Surveillance Camera"),
    ("quest", T, "Alphafinity Network Camera", C, "camera", "alphafinity", "Alphafinity Video Surveillance Camera"),
    ("quest", T, "IP Network Camera", C, "camera", None, "Panasonic Video Surveillance Camera"),
    ("quest", T, "Gekko", D, None, None, "Gekko UI crypto currency trading bot"),

    # ---- shorlak/Shodan_search_terms (searches.txt) ----
    ("shorlak", S, "IQinVision Embedded 1.0", C, "camera", "iqinvision", "IQinVision camera (web- cameras)"),
    ("shorlak", S, "DVRDVS-Webs", C, "dvr", None, "hikvision (web- cameras)"),
    ("shorlak", S, "App-webs/", C, "camera", None, "hikvision (web- cameras)"),
    ("shorlak", S, "OwnServer1.0", C, "camera", None, "web camera (web- cameras)"),
    ("shorlak", S, "U S Software Web", C, "camera", None, "web camera (web- cameras); truncated prefix of Server header"),
    ("shorlak", S, "VB100", C, "camera", None, "web camera (web- cameras)"),
    ("shorlak", S, "VCS-VideoJet-Webserver", C, "camera", None, "VideoJet video server (web- cameras)"),
    ("shorlak", T, "NetCamXL", C, "camera", None, "NetCamXL (web- cameras)"),
    ("shorlak", T, "WVC210 Wireless-G PTZ Internet Camera with Audio", C, "camera", None, "WVC210 PTZ internet camera (web- cameras)"),
    ("shorlak", T, "Login cgicc form", C, "camera", None, "web camera, admin/ (web- cameras)"),
    ("shorlak", T, "DCS-5220 IP camera", C, "camera", None, "DCS-5220 IP camera (web- cameras)"),
    ("shorlak", T, "Web Viewer for Samsung DVR", C, "dvr", "samsung", "Samsung DVR web viewer (web- cameras)"),
    ("shorlak", T, "IP CAMERA Viewer", C, "camera", None, "IP camera viewer (web- cameras)"),
    ("shorlak", A, 'realm="Westermo MRD-310"', D, None, "westermo", "Westermo MRD-310 (ICS); list gives realm only"),
    ("shorlak", T, "ICT Protege WX&reg;", D, None, None, "ICT Protege WX (ICS)"),
    ("shorlak", T, "NPort Web Console", D, None, None, "NPort web console (ICS)"),
    ("shorlak", T, "Login | PACS WebAdmin", D, None, None, "PACS web admin (MEDICAL)"),
    ("shorlak", T, "CARESTREAM SOLUTIONS", D, None, "carestream", "Carestream (MEDICAL)"),
    ("shorlak", T, "iConnect® Access", D, None, None, "iConnect Access (MEDICAL)"),
    ("shorlak", S, "Virata-EmWeb/R6_2_1", D, None, None, "HP printer (printers)"),
    ("shorlak", S, "debut/1.20", D, None, None, "brother printer (printers)"),
    ("shorlak", T, "login to ICC pro", D, None, None, "water farm system (unknown IoT)"),
    ("shorlak", T, "Central unit", D, None, None, "somfy (unknown IoT)"),
    ("shorlak", S, "MisterHouse", D, None, None, "MisterHouse home automation (unknown IoT)"),
    ("shorlak", T, "sunny webbox", D, None, None, "Sunny WebBox solar monitor (unknown IoT)"),
    ("shorlak", T, "solar-log", D, None, None, "Solar-Log (unknown IoT)"),
    ("shorlak", T, "Loxone Smart Home", D, None, "loxone", "Loxone Smart Home (unknown IoT)"),
    ("shorlak", S, "ADB Broadband HTTP Server", D, None, None, "router (routers)"),
    ("shorlak", T, "mx230", D, None, None, "malaysia cellular router (routers)"),
    ("shorlak", T, "+home_42+", D, None, None, "belkin router (routers)"),
    ("shorlak", T, "Login unifi controller", D, None, None, "UniFi controller (routers)"),
    ("shorlak", T, ":::AceManager:::", D, None, None, "sierra router (routers)"),
    ("shorlak", T, "GitLab", D, None, None, "GitLab (Applications)"),
    ("shorlak", T, "jenkins", D, None, None, "Jenkins (Applications)"),
    ("shorlak", T, "rancher", D, None, None, "Rancher (Applications)"),
    ("shorlak", T, "zabbix", D, None, None, "Zabbix (Applications)"),
    ("shorlak", T, "solarwinds", D, None, None, "SolarWinds (Applications)"),
    ("shorlak", T, "kibana", D, None, None, "Kibana (Applications)"),
    ("shorlak", T, "Projector LAN Control", D, None, None, "Projector LAN control (general)"),

    # ---- woj-ciech/Kamerka-GUI kamerka/tasks.py ----
    # camera entries: keys listed under the "Camera" <select> in app_kamerka/templates/search_main.html
    ("kamerka", S, "Camera Web Server", C, "camera", None, "Kamerka key 'dlink' (UI label Dlink, Camera group)"),
    ("kamerka", S, "BBVS", C, "camera", None, "Kamerka key 'bbvs' (UI label SecuritySpy, Camera group)"),
    ("kamerka", T, "Loxone Intercom Video", C, "camera", "loxone", "Kamerka key 'loxone_intercom' (Camera group; IP intercom with video)"),
    # ICS group (ics_queries)
    ("kamerka", S, "AKCP Embedded Web Server", D, None, "akcp", "Kamerka ics 'akcp'"),
    ("kamerka", S, "IQ3", D, None, None, "Kamerka ics 'iq3'"),
    ("kamerka", S, "VTScada", D, None, None, "Kamerka ics 'vtscada'"),
    ("kamerka", S, "DELTA enteliTOUCH", D, None, "delta", "Kamerka ics 'entelitouch'"),
    ("kamerka", S, "EA-HTTP/1.0", D, None, None, "Kamerka ics 'automation_direct_hmi'"),
    ("kamerka", S, "atvise", D, None, None, "Kamerka ics 'atvise'"),
    ("kamerka", S, "upshttpd", D, None, None, "Kamerka ics 'upshttpd'"),
    ("kamerka", T, "Somfy", D, None, "somfy", "Kamerka ics 'somfy'"),
    ("kamerka", T, "PowerLogic", D, None, None, "Kamerka ics 'power_logic'"),
    ("kamerka", T, "sensoteq", D, None, None, "Kamerka ics 'sensoteq'"),
    ("kamerka", T, "Innotech BMS", D, None, "innotech", "Kamerka ics 'innotech_bms'"),
    ("kamerka", T, "skylog", D, None, None, "Kamerka ics 'skylog'"),
    ("kamerka", T, "Miele@home", D, None, "miele", "Kamerka ics 'miele@home'"),
    ("kamerka", T, "Alphacom", D, None, None, "Kamerka ics 'alphacom'"),
    ("kamerka", T, "fronius", D, None, "fronius", "Kamerka ics 'fronius'"),
    ("kamerka", T, "Siemens Sm@rtClient", D, None, "siemens", "Kamerka ics 'Siemens Sm@rtClient'"),
    ("kamerka", T, "wago ethernet", D, None, "wago", "Kamerka ics 'WAGO'"),
    ("kamerka", T, "Unitronics PLC", D, None, "unitronics", "Kamerka ics 'unitronics'"),
    ("kamerka", T, "YouLess", D, None, None, "Kamerka ics 'youless'"),
    ("kamerka", T, "IntelliSlot", D, None, None, "Kamerka ics 'intelliSlot'"),
    ("kamerka", T, "web scada", D, None, None, "Kamerka ics 'web_scada'"),
    ("kamerka", T, "ASI Controls", D, None, None, "Kamerka ics 'asi_controls'"),
    ("kamerka", T, "myscada", D, None, None, "Kamerka ics 'myscada'"),
    ("kamerka", T, "iB-COM", D, None, None, "Kamerka ics 'iB-COM'"),
    ("kamerka", T, "building operation", D, None, None, "Kamerka ics 'building_operation_webstation'"),
    ("kamerka", T, "ConnectUPS", D, None, None, "Kamerka ics 'connect_ups'"),
    ("kamerka", T, "CS121 SNMP/Web Adapter", D, None, None, "Kamerka ics 'CS121'"),
    ("kamerka", T, "Jeedom", D, None, None, "Kamerka ics 'jeedom'"),
    ("kamerka", T, "Heatmiser Wifi Thermostat", D, None, "heatmiser", "Kamerka ics 'heatmiser_thermostat'"),
    ("kamerka", T, "wallbox", D, None, "wallbox", "Kamerka ics 'wallbox'"),
    ("kamerka", T, "traccar", D, None, None, "Kamerka ics 'traccar'"),
    ("kamerka", T, "spaceLYnk", D, None, None, "Kamerka ics 'spacelynk'"),
    # healthcare_queries
    ("kamerka", T, "Wall of Analytics", D, None, None, "Kamerka healthcare 'wall_of_analytics'"),
    ("kamerka", T, "Orthanc Explorer", D, None, None, "Kamerka healthcare 'orthanc_explorer'"),
    ("kamerka", T, "Marco pacs", D, None, None, "Kamerka healthcare 'Marco Pacs'"),
    ("kamerka", T, "EEG Laboratory", D, None, None, "Kamerka healthcare 'neuropro'"),
    ("kamerka", T, "TMW Document Imaging", D, None, None, "Kamerka healthcare 'tmw_document_imaging'"),
    ("kamerka", T, "eRez Imaging", D, None, None, "Kamerka healthcare 'erez'"),
    ("kamerka", T, "Grandmed Glucose", D, None, None, "Kamerka healthcare 'grandmed_glucose'"),
    ("kamerka", T, "Philips Digital Pathology", D, None, "philips", "Kamerka healthcare 'philips_digital_pathology'"),
    ("kamerka", T, "TriCore Pathology", D, None, None, "Kamerka healthcare 'tricore_pathology'"),
    ("kamerka", T, "Iris EMR", D, None, None, "Kamerka healthcare 'iris_emr'"),
    ("kamerka", T, "Web EMR Login Page", D, None, None, "Kamerka healthcare 'eclinicalworks_emr'"),
    ("kamerka", T, "OSCAR EMR", D, None, None, "Kamerka healthcare 'oscar_emr'"),
    ("kamerka", T, "McKesson Radiology", D, None, "mckesson", "Kamerka healthcare 'mckesson_radiology'"),
    ("kamerka", T, "Carestream PACS", D, None, "carestream", "Kamerka healthcare 'kodak_carestream'"),
    ("kamerka", T, "OCT Webview", D, None, None, "Kamerka healthcare 'optical_coherence_tomography'"),
    ("kamerka", T, "Brainlab Origin Server", D, None, "brainlab", "Kamerka healthcare 'brainlab'"),
    ("kamerka", T, "HCO Telemedicine", D, None, None, "Kamerka healthcare 'asthma_monitoring_adamm'"),
    ("kamerka", T, "N.M.S. - Nursecall Message Service", D, None, None, "Kamerka healthcare 'nursecall_message_service'"),
    ("kamerka", T, "XERO Viewer", D, None, None, "Kamerka healthcare 'xero_viewer'"),

    # ---- balgan/binaryedge-cheatsheet ----
    ("binaryedge", T, "Blue Iris Login", C, "nvr", None, "Blue Iris Video surveillance"),
    ("binaryedge", T, "NETSurveillance WEB", C, "camera", None, "Xiongmai NetSurveillance"),
    ("binaryedge", T, "Netscaler", D, None, None, "Citrix NetScaler"),
    ("binaryedge", T, "Endpoint Management - Console - Logon", D, None, None, "Citrix Endpoint Management"),
    ("binaryedge", T, "BIG-IP®- Redirect", D, None, None, "F5 BIG-IP"),
    ("binaryedge", T, "E-Business Suite Home Page Redirect", D, None, None, "Oracle E-Business Suite"),
    ("binaryedge", T, "Webmin", D, None, None, "Webmin"),
    ("binaryedge", T, "Log in to TeamCity", D, None, None, "TeamCity"),
    ("binaryedge", T, "Keenetic Web", D, None, "keenetic", "Keenetic smart home / router"),
    ("binaryedge", T, "Home Assistant", D, None, None, "Home Assistant smart home"),
    ("binaryedge", T, "FRITZ!Box", D, None, None, "Fritz!Box SOHO router"),
    ("binaryedge", T, "EMTA", D, None, None, "CoSHIP SOHO"),
    ("binaryedge", T, "movistar", D, None, None, "MoviStar FIOS router"),
    ("binaryedge", T, "ePMP", D, None, None, "Cambium Networks ePMP"),
    ("binaryedge", T, "Server Backup Manager", D, None, None, "Server Backup Manager"),
    ("binaryedge", T, "Vigor Login Page", D, None, None, "DrayTek Vigor router"),
    ("binaryedge", T, "APC | Log On", D, None, None, "APC power (UPS)"),
    ("binaryedge", T, "F660", D, None, None, "ZTE router"),
    ("binaryedge", T, "Policy Jump", D, None, None, "SonicWall"),
    ("binaryedge", T, "myhome", D, None, None, "Tilgin SOHO router"),
    ("binaryedge", T, "Advanced Setup - Security - Admin User Name", D, None, None, "ActionTec router"),
    ("binaryedge", T, "GPON", D, None, None, "GPON router"),
    ("binaryedge", T, "RouterOS", D, None, None, "Mikrotik"),
    ("binaryedge", T, "3CX Phone System Management Console", D, None, None, "3CX VOIP"),

    # ---- thehappydinoa/awesome-censys-queries ----
    ("censys", T, "CAREL Pl@ntVisor", D, None, "carel", "Carel PlantVisor (ICS)"),
    ("censys", T, "XZERES Wind", D, None, "xzeres", "XZERES wind turbines (ICS)"),
    ("censys", A, 'Basic realm= "Mein Automower (Robonect Hx+)"', D, None, None, "Mein Automowers (IoT)"),
    ("censys", T, "Emerson Site Supervisor", D, None, "emerson", "Emerson Site Supervisor (IoT)"),
    ("censys", S, "CAL1.0", D, None, None, "Elnet power meters (IoT)"),
    ("censys", T, "shell2http", D, None, None, "shell2http (Random Services)"),
    ("censys", T, "Home - Mongo Express", D, None, None, "Mongo Express (Random Services)"),
]


def source_text(mirrors, repo, path, commit):
    base = os.path.join(mirrors, repo.replace("/", "+"))
    git_dir = os.path.join(base, "repo") if os.path.isdir(os.path.join(base, "repo")) else base
    out = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{path}"],
                         check=True, capture_output=True).stdout
    return out.decode("utf-8")


def main():
    mirrors = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror"
    texts = {k: source_text(mirrors, *v) for k, v in SRC.items()}
    errors = [f"not found in {src}: {value!r}" for src, _, value, *_ in ROWS if value not in texts[src]]
    if errors:
        sys.exit("\n".join(errors))
    rows = []
    for src, kind, value, label, dtype, vendor, product in ROWS:
        repo, path, commit = SRC[src]
        rows.append((src, {
            "kind": kind, "value": value, "label": label,
            "device_type": dtype if label == "camera" else None,
            "vendor_expected": vendor if label == "camera" else None, "product": product,
            "source": {"repository": repo, "file": path, "commit": commit},
        }))
    knowledge_set(HERE, "dorks", rows)


main()
