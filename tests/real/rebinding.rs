//! DNS rebinding cannot lead a scan outside its scope (issue 8, defect 1).
//!
//! A name whose answer changes between lookups (first an address outside the scope, then one
//! inside it) must be scanned at the address that was checked. Everything runs inside a
//! private network namespace and mount namespace (`unshare -n -m`): a private
//! `/etc/resolv.conf` points at a tiny DNS responder on 127.0.0.1:53 written below, the
//! "outside" address 198.51.100.7 (TEST-NET-2) exists only on that namespace's `lo`, and TCP
//! listeners on the outside address and on the in-scope 127.77.0.1 count the connections they
//! receive. The test asserts on those connections (and on the number of lookups), not only on
//! the exit code. No packet leaves the namespace.

use crate::harness::{self, Need};
use serde_json::Value;
use std::process::{Command, Stdio};

/// In the namespace only: the address the first lookup answers.
const OUTSIDE: &str = "198.51.100.7";
/// In scope (127.0.0.0/8): the address every later lookup answers.
const INSIDE: &str = "127.77.0.1";
const PORT: u16 = 8081;

/// The DNS responder, the listeners and the scans, run inside the namespaces. Argument 1: a
/// JSON list of scenarios `{"name", "argv"}`; prints one JSON object per scenario.
const SCRIPT: &str = r#"
import json, socket, struct, subprocess, sys, threading, time

OUTSIDE, INSIDE, PORT = sys.argv[2], sys.argv[3], int(sys.argv[4])
state = {"a_queries": 0, "connects": {OUTSIDE: 0, INSIDE: 0}}
lock = threading.Lock()

def answer(q):
    tid, flags, qd = struct.unpack("!HHH", q[:6])
    i = 12
    labels = []
    while q[i] != 0:
        n = q[i]; labels.append(q[i+1:i+1+n].decode().lower()); i += 1 + n
    qtype, qclass = struct.unpack("!HH", q[i+1:i+5])
    question = q[12:i+5]
    name = ".".join(labels)
    if name not in ("cam.rebind.test", "ok.rebind.test"):
        return struct.pack("!HHHHHH", tid, 0x8183, 1, 0, 0, 0) + question
    if qtype != 1:  # AAAA and the rest: no data
        return struct.pack("!HHHHHH", tid, 0x8180, 1, 0, 0, 0) + question
    with lock:
        if name == "cam.rebind.test":
            state["a_queries"] += 1
            ip = OUTSIDE if state["a_queries"] == 1 else INSIDE
        else:
            ip = INSIDE
    rr = struct.pack("!HHHIH", 0xC00C, 1, 1, 0, 4) + socket.inet_aton(ip)
    return struct.pack("!HHHHHH", tid, 0x8180, 1, 1, 0, 0) + question + rr

def dns():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 53))
    while True:
        q, peer = s.recvfrom(4096)
        try:
            s.sendto(answer(q), peer)
        except Exception as e:
            print("dns: bad query:", e, file=sys.stderr)

def listen(ip):
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((ip, PORT))
    l.listen(128)
    while True:
        c, _ = l.accept()
        with lock:
            state["connects"][ip] += 1
        c.close()

for target, arg in [(dns, None), (listen, OUTSIDE), (listen, INSIDE)]:
    threading.Thread(target=target, args=() if arg is None else (arg,), daemon=True).start()
time.sleep(0.3)

for sc in json.loads(sys.argv[1]):
    with lock:
        state["a_queries"] = 0
        state["connects"] = {OUTSIDE: 0, INSIDE: 0}
    p = subprocess.run(sc["argv"], capture_output=True, text=True, timeout=120)
    time.sleep(0.3)  # let the listeners accept what reached them
    with lock:
        print(json.dumps({"name": sc["name"], "exit": p.returncode, "stderr": p.stderr[-2000:],
                          "a_queries": state["a_queries"], "outside": state["connects"][OUTSIDE],
                          "inside": state["connects"][INSIDE]}), flush=True)
"#;

fn needs() -> Vec<Need> {
    vec![
        Need::Root,
        Need::Exe("/usr/bin/unshare".into()),
        Need::Exe("/bin/mount".into()),
        Need::Exe("/bin/ip".into()),
        Need::Exe(harness::PYTHON.into()),
    ]
}

#[test]
fn a_rebinding_name_is_scanned_only_at_the_address_checked() {
    if !harness::ready("rebinding", &needs()) {
        return;
    }
    let dir = harness::workdir("rebinding");
    let d = dir.path();
    let script = harness::write(d, "rebind.py", SCRIPT);
    let resolv = harness::write(
        d,
        "resolv.conf",
        "nameserver 127.0.0.1\noptions attempts:2\n",
    );
    let nss = harness::write(d, "nsswitch.conf", "hosts: files dns\n");
    let hosts = harness::write(d, "hosts", "127.0.0.1 localhost\n");
    let scope = harness::write(d, "scope.txt", "127.0.0.0/8\n");
    let db = d.join("registry.db").display().to_string();
    let bin = env!("CARGO_BIN_EXE_camguard");

    // The organisation (authorised for 127.0.0.0/8), made outside the namespace: no packet.
    let o = Command::new(bin)
        .args(["org", "add", "HN", "--name", "Ha Noi", "--kind", "province"])
        .args(["--scope", "127.0.0.0/8"])
        .env("CAMGUARD_DATABASE", &db)
        .env("CAMGUARD_LOG", "error")
        .output()
        .expect("camguard org add");
    assert!(
        o.status.success(),
        "org add: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    let port = PORT.to_string();
    let scan = |target: &str, extra: &[&str]| -> Value {
        let mut argv = vec![
            bin,
            "scan",
            target,
            "--ports",
            &port,
            "--discovery-only",
            "--no-wsd",
            "--timeout",
            "1000",
            "--database",
            &db,
            "-q",
            "-f",
            "jsonl",
        ];
        argv.extend(extra);
        Value::from(argv)
    };
    let scope_arg = scope.display().to_string();
    let scenarios = serde_json::json!([
        // Control: a name that always answers inside the scope is scanned there (the DNS
        // responder, the namespace's resolver and the listeners work).
        {"name": "control", "argv": scan("ok.rebind.test", &["--scope", &scope_arg])},
        {"name": "scope", "argv": scan("cam.rebind.test", &["--scope", &scope_arg])},
        {"name": "org", "argv": scan("cam.rebind.test", &["--org", "HN", "--save"])},
    ]);

    let mut cmd = Command::new("/usr/bin/unshare");
    cmd.args(["-n", "-m", "--propagation", "private", "--", "sh", "-ec"])
        .arg(
            "ip link set lo up; ip addr add \"$1\"/32 dev lo; \
             mount --bind \"$2\" /etc/resolv.conf; mount --bind \"$3\" /etc/nsswitch.conf; \
             mount --bind \"$4\" /etc/hosts; shift 4; exec \"$@\"",
        )
        .arg("sh")
        .args([OUTSIDE])
        .args([&resolv, &nss, &hosts])
        .arg(harness::PYTHON)
        .arg(&script)
        .arg(scenarios.to_string())
        .args([OUTSIDE, INSIDE, &port])
        .env("CAMGUARD_LOG", "error")
        .stdin(Stdio::null());
    let out = cmd.output().expect("run unshare");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the namespace script failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let get = |name: &str| -> &Value {
        results
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no result for {name}: {stdout}"))
    };

    let control = get("control");
    assert_eq!(control["exit"], 0, "control scan: {control}");
    assert!(
        control["inside"].as_u64() >= Some(1),
        "the control scan never reached {INSIDE}: {control}"
    );
    assert_eq!(control["outside"], 0, "{control}");

    for name in ["scope", "org"] {
        let r = get(name);
        // The outside address is what the name resolved to when the scan looked it up: it is
        // the address checked, so the scan is refused and nothing is connected anywhere.
        assert_eq!(
            r["outside"], 0,
            "{name}: the scan connected to {OUTSIDE}, outside its scope: {r}"
        );
        assert_eq!(r["inside"], 0, "{name}: {r}");
        assert_eq!(
            r["a_queries"], 1,
            "{name}: the name was looked up more than once: {r}"
        );
        assert_eq!(r["exit"], 3, "{name}: expected a refusal: {r}");
        assert!(
            r["stderr"].as_str().unwrap_or("").contains(OUTSIDE),
            "{name}: the refusal names the address: {r}"
        );
    }
}
