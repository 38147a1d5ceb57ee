//! What every real-server test shares: prerequisites (skip or, with
//! `CAMGUARD_REAL_SERVERS=require`, fail), a server guard that kills the server's whole process
//! group on drop (and prints its log when the test failed), waiting for a port, running
//! `camguard scan` with a deadline and comparing its findings exactly.

use serde_json::Value;
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL_HINT: &str =
    "run as root after scripts/install-test-deps, which installs every server these tests start";

/// How long a server may take to accept connections.
pub const START_DEADLINE: Duration = Duration::from_secs(30);
/// Upper bound on one `camguard scan` of one host (the scanner has its own per-host cut-off;
/// this only keeps a hung scanner from hanging the test suite).
pub const SCAN_DEADLINE: Duration = Duration::from_secs(300);

/// `tests/real/fixtures/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/real/fixtures")
        .join(name)
}

/// The ipycam virtual environment made by scripts/install-test-deps.
pub fn test_cache() -> PathBuf {
    if let Some(dir) = std::env::var_os("CAMGUARD_TEST_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    Path::new(&home).join(".cache/camguard-test")
}

fn required() -> bool {
    std::env::var("CAMGUARD_REAL_SERVERS").is_ok_and(|v| v == "require")
}

/// A prerequisite of a test.
pub enum Need {
    /// Effective uid 0: ports below 1024, `unshare -n`, servers that drop privileges.
    Root,
    /// An executable file.
    Exe(String),
    /// Any file.
    File(String),
    /// A command that must exit 0 (e.g. a Python import), with what it checks.
    Check(Vec<String>, String),
}

fn effective_uid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn unmet(need: &Need) -> Option<String> {
    match need {
        Need::Root => (effective_uid() != Some(0))
            .then(|| "needs root (ports below 1024, network namespaces)".to_string()),
        Need::Exe(path) => {
            let ok = fs::metadata(path)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
            (!ok).then(|| format!("{path} is missing"))
        }
        Need::File(path) => (!Path::new(path).exists()).then(|| format!("{path} is missing")),
        Need::Check(argv, what) => {
            let ok = Command::new(&argv[0])
                .args(&argv[1..])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            (!ok).then(|| format!("{what} is missing ({} failed)", argv.join(" ")))
        }
    }
}

/// Are the prerequisites of `test` met? If not: print `SKIP: …` and return false, or panic
/// with the install hint when `CAMGUARD_REAL_SERVERS=require`.
pub fn ready(test: &str, needs: &[Need]) -> bool {
    let missing: Vec<String> = needs.iter().filter_map(unmet).collect();
    if missing.is_empty() {
        return true;
    }
    let why = missing.join("; ");
    assert!(
        !required(),
        "{test}: {why}; {INSTALL_HINT} (CAMGUARD_REAL_SERVERS=require turns this skip into a failure)"
    );
    // Straight to the process's stderr, past the test harness's output capture, so that a
    // skip shows in a normal `cargo test` run.
    let _ = writeln!(std::io::stderr(), "SKIP: {test}: {why}; {INSTALL_HINT}");
    false
}

/// A temporary directory the servers' unprivileged workers (www-data, the FTP guest) can read.
pub fn workdir(prefix: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("camguard-real-{prefix}-"))
        .tempdir()
        .expect("temporary directory");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod workdir");
    dir
}

/// Write a file (mode 0644) and return its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    path
}

/// Run a helper command to completion; panic with its output if it fails.
pub fn run(argv: &[&str]) -> String {
    let out = Command::new(argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", argv.join(" ")));
    assert!(
        out.status.success(),
        "{} failed ({}): {}{}",
        argv.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The system Python that runs the fixtures (gst-rtsp-server.py, check-client.py).
pub const PYTHON: &str = "/usr/bin/python3";

/// Self-check of a fixture with an independent client (`fixtures/check-client.py`), run
/// through `prefix` (e.g. `nsenter --net=…`): its one-line answer must be `want`. A test checks
/// that its server behaves as configured before it judges camguard's findings.
pub fn self_check(prefix: &[&str], args: &[&str], want: &str, what: &str) {
    let script = fixture("check-client.py").display().to_string();
    let mut argv: Vec<&str> = prefix.to_vec();
    argv.extend([PYTHON, script.as_str()]);
    argv.extend(args);
    let out = Command::new(argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", argv.join(" ")));
    let got = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        got == want,
        "fixture self-check failed, the server does not behave as the test configured it: {what}\n\
         `{}` answered {got:?}, expected {want:?}\n{}",
        argv.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Send `signal` to process group `pgid` (the guard made each server a group leader).
fn kill_group(pgid: u32, signal: &str) {
    let _ = Command::new("sh")
        .args([
            "-c",
            "kill -s \"$1\" -- -\"$2\" 2>/dev/null",
            "sh",
            signal,
            &pgid.to_string(),
        ])
        .stdin(Stdio::null())
        .status();
}

fn wait_deadline(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let end = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < end => std::thread::sleep(Duration::from_millis(50)),
            _ => return None,
        }
    }
}

fn tail(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// A running server (and everything it forked into its process group). Dropping it sends
/// SIGTERM to the group, then SIGKILL after a grace period, and reaps it; when the test is
/// failing it prints the server's log first.
pub struct Server {
    name: String,
    child: Child,
    log: PathBuf,
    extra_logs: Vec<PathBuf>,
}

impl Server {
    /// Start `cmd` as the leader of a new process group with stdout and stderr in `log`.
    pub fn spawn(name: &str, mut cmd: Command, log: &Path) -> Server {
        let out = File::create(log).expect("server log");
        let err = out.try_clone().expect("server log");
        cmd.stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: cannot start {cmd:?}: {e}"));
        Server {
            name: name.to_string(),
            child,
            log: log.to_path_buf(),
            extra_logs: Vec::new(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Another log file (the server's own error log) to print when the test fails.
    pub fn also_log(&mut self, path: PathBuf) {
        self.extra_logs.push(path);
    }

    pub fn logs(&self) -> String {
        let mut text = String::new();
        for path in std::iter::once(&self.log).chain(&self.extra_logs) {
            let body = fs::read_to_string(path).unwrap_or_else(|e| format!("({e})"));
            text.push_str(&format!(
                "--- {} ---\n{}\n",
                path.display(),
                tail(&body, 6000)
            ));
        }
        text
    }

    /// Panic (with the log) if the server has exited.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited before the test was done ({status}); its log follows",
                self.name
            );
        }
    }

    /// Wait until `addr` accepts TCP connections.
    pub fn wait_tcp(&mut self, addr: SocketAddr) {
        let end = Instant::now() + START_DEADLINE;
        loop {
            self.assert_running();
            if TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok() {
                return;
            }
            assert!(
                Instant::now() < end,
                "{} did not accept connections on {addr} within {START_DEADLINE:?}; its log follows",
                self.name,
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait until a line of the server's log contains `marker`.
    pub fn wait_log(&mut self, marker: &str) {
        let end = Instant::now() + START_DEADLINE;
        loop {
            self.assert_running();
            if fs::read_to_string(&self.log).is_ok_and(|t| t.contains(marker)) {
                return;
            }
            assert!(
                Instant::now() < end,
                "{} did not log {marker:?} within {START_DEADLINE:?}; its log follows",
                self.name,
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Processes of group `pgid` that are still running (not zombies), from /proc.
fn live_members(pgid: u32) -> usize {
    let Ok(entries) = fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(|e| fs::read_to_string(e.ok()?.path().join("stat")).ok())
        .filter(|stat| {
            // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
            let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
                return false;
            };
            let mut fields = after.split_whitespace();
            let state = fields.next().unwrap_or("Z");
            let pgrp = fields.nth(1).and_then(|f| f.parse::<u32>().ok());
            pgrp == Some(pgid) && state != "Z" && state != "X"
        })
        .count()
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "=== {} (pid {}) logs ===\n{}",
                self.name,
                self.child.id(),
                self.logs()
            );
        }
        // The leader is not reaped until the end (unless a check already saw it exit), so the
        // group id cannot be reused meanwhile; signals go only to a group that still has
        // running members.
        let pgid = self.child.id();
        if live_members(pgid) > 0 {
            kill_group(pgid, "TERM");
            let end = Instant::now() + Duration::from_secs(5);
            while live_members(pgid) > 0 && Instant::now() < end {
                std::thread::sleep(Duration::from_millis(50));
            }
            if live_members(pgid) > 0 {
                kill_group(pgid, "KILL");
            }
        }
        let _ = self.child.wait();
    }
}

/// Fail early, with a clear message, if something already listens where a test wants to bind
/// (a server left over from an interrupted run, or an address clash between tests).
pub fn assert_free(addr: SocketAddr) {
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_err(),
        "{addr} is already in use: a server from an interrupted run? (find it with `ss -ltnp`)"
    );
}

/// One `camguard scan` and its JSON document.
pub struct Scan {
    pub doc: Value,
    pub stderr: String,
    pub command: String,
}

/// The flags every real-server scan uses. `--assess-all`: these servers are not all cameras,
/// and the assessment is otherwise limited to cameras, NVRs and DVRs.
pub const SCAN_FLAGS: [&str; 4] = ["--format", "json", "--quiet", "--assess-all"];

/// `camguard scan IP --format json --quiet --assess-all`, optionally run through `prefix`
/// (e.g. `nsenter --net=…`), with a deadline.
pub fn scan(prefix: &[&str], ip: &str) -> Scan {
    scan_with(prefix, ip, &SCAN_FLAGS)
}

/// `camguard scan IP --format json --quiet` with the default assessment scope (camera systems
/// and RTSP video servers), as a user would run it.
pub fn scan_default(prefix: &[&str], ip: &str) -> Scan {
    scan_with(prefix, ip, &SCAN_FLAGS[..3])
}

fn scan_with(prefix: &[&str], ip: &str, flags: &[&str]) -> Scan {
    let bin = env!("CARGO_BIN_EXE_camguard");
    let mut argv: Vec<&str> = prefix.to_vec();
    argv.extend([bin, "scan", ip]);
    argv.extend(flags);
    let command = argv.join(" ");
    let dir = tempfile::tempdir().expect("temporary directory");
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut child = Command::new(argv[0])
        .args(&argv[1..])
        .env("CAMGUARD_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("scan stdout"))
        .stderr(File::create(&err_path).expect("scan stderr"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command}: {e}"));
    let started = Instant::now();
    let status = wait_deadline(&mut child, SCAN_DEADLINE);
    let stdout = fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = fs::read_to_string(&err_path).unwrap_or_default();
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "`{command}` did not finish within {SCAN_DEADLINE:?}\nstderr:\n{}",
            tail(&stderr, 4000)
        );
    };
    eprintln!("{command}: {status} in {:.1?}", started.elapsed());
    assert!(
        !(stderr.contains("--assess-all") && status.code() == Some(2)),
        "`{command}` refused --assess-all (exit 2): the flag that assesses hosts that are not \
         cameras is not implemented yet\nstderr:\n{}",
        tail(&stderr, 2000)
    );
    assert!(
        status.success(),
        "`{command}` failed ({status})\nstderr:\n{}\nstdout:\n{}",
        tail(&stderr, 4000),
        tail(&stdout, 4000)
    );
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "`{command}` did not print one JSON document: {e}\n{}",
            tail(&stdout, 4000)
        )
    });
    Scan {
        doc,
        stderr,
        command,
    }
}

/// What a test expects of one host.
pub struct Expect<'a> {
    /// A few words on the server and its configuration, for messages.
    pub what: &'a str,
    /// Open ports as `PORT/TRANSPORT SERVICE`, exactly.
    pub ports: &'a [&'a str],
    /// Finding ids, exactly.
    pub findings: &'a [&'a str],
    /// `Some(true)`: identified as a camera; `Some(false)`: not a camera; `None`: not checked.
    pub camera: Option<bool>,
}

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

fn as_set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(std::string::ToString::to_string).collect()
}

impl Scan {
    /// The host object for `ip`; panics with the document when it is missing.
    pub fn host(&self, ip: &str) -> &Value {
        let hosts = self.doc["hosts"].as_array().expect("hosts array");
        hosts.iter().find(|h| h["ip"] == ip).unwrap_or_else(|| {
            panic!(
                "`{}` reported no host {ip}\n{}\nstderr:\n{}",
                self.command,
                serde_json::to_string_pretty(&self.doc).unwrap_or_default(),
                tail(&self.stderr, 4000)
            )
        })
    }

    /// Compare the host's open ports, finding ids and camera flag with `expect`, exactly.
    pub fn assert_host(&self, ip: &str, expect: &Expect) {
        let host = self.host(ip);
        let pretty = serde_json::to_string_pretty(host).unwrap_or_default();
        let ports: BTreeSet<String> = host["open_ports"]
            .as_array()
            .expect("open_ports array")
            .iter()
            .map(|p| {
                format!(
                    "{}/{} {}",
                    p["port"],
                    p["transport"].as_str().unwrap_or("?"),
                    p["service"].as_str().unwrap_or("?")
                )
            })
            .collect();
        let findings = host["findings"].as_array().expect("findings array");
        let ids: BTreeSet<String> = findings
            .iter()
            .map(|f| f["id"].as_str().expect("finding id").to_string())
            .collect();
        for f in findings {
            let severity = f["severity"].as_str().unwrap_or("");
            assert!(
                SEVERITIES.contains(&severity),
                "{} ({ip}): finding {} has severity {severity:?}\n{pretty}",
                expect.what,
                f["id"]
            );
        }

        let mut problems = Vec::new();
        let want_ports = as_set(expect.ports);
        if ports != want_ports {
            problems.push(format!(
                "open ports differ\n  expected: {want_ports:?}\n  actual:   {ports:?}"
            ));
        }
        let want = as_set(expect.findings);
        if ids != want {
            let missing: Vec<_> = want.difference(&ids).collect();
            let unexpected: Vec<_> = ids.difference(&want).collect();
            problems.push(format!(
                "finding ids differ\n  expected:   {want:?}\n  actual:     {ids:?}\n  missing:    {missing:?}\n  unexpected: {unexpected:?}"
            ));
        }
        if let Some(camera) = expect.camera
            && host["is_camera"].as_bool() != Some(camera)
        {
            problems.push(format!(
                "is_camera is {}, expected {camera}",
                host["is_camera"]
            ));
        }
        assert!(
            problems.is_empty(),
            "{} ({ip}): {}\ncommand: {}\nhost: {pretty}\nscanner stderr:\n{}",
            expect.what,
            problems.join("\n"),
            self.command,
            tail(&self.stderr, 4000)
        );
    }
}

/// Is `path` a pair (user, password) of the generic credential list for `protocol`, within the
/// first `within` pairs an unidentified device is tried with? Keeps the tests honest when the
/// knowledge base changes: a test whose credential left the list fails here, not in the scan.
pub fn assert_generic_credential(protocol: &str, user: &str, password: &str, within: usize) {
    let kb = camguard_kb::Kb::embedded().expect("embedded knowledge base");
    let list = kb.credentials_for(None, protocol);
    let pos = list
        .iter()
        .position(|c| c.username == user && c.password == password)
        .unwrap_or_else(|| panic!("{user}/{password} is not a generic {protocol} credential of kb/assess/credentials.toml"));
    assert!(
        pos < within,
        "{user}/{password} is #{} of the generic {protocol} list; the test assumes the first {within}",
        pos + 1
    );
}
