//! Ctrl-C (issue 8): a scan stops within moments even with a low `--rate`, keeps what it
//! found, and a second Ctrl-C quits at once. Simulated fleets on 127.112/16 and 127.113/16.

use camguard_sim::Fleet;
use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

fn fleet(base: &str, hosts: u32) -> (tokio::runtime::Runtime, Fleet) {
    super::start_fleet(base, hosts, 8)
}

fn sigint(child: &Child) {
    #[expect(unsafe_code, reason = "kill(2) has no safe wrapper in std")]
    // SAFETY: kill(2) on our own child's pid, which we have not reaped yet.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
}

/// Wait at most `limit`; kill the child if it is still running then.
fn wait_at_most(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn ctrl_c_stops_a_rate_limited_scan_at_once_and_keeps_what_was_found() {
    let (_rt, _fleet) = fleet("127.112.0.1", 127);
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out.jsonl"), dir.path().join("stderr"));
    // 128 addresses x 3 ports at 8 connects/s: about 48 s for the whole scan, all of it in
    // flight at once (the default 1,024 hosts in flight).
    let mut child = Command::new(env!("CARGO_BIN_EXE_camguard"))
        .args([
            "scan",
            "127.112.0.0/25",
            "--rate",
            "8",
            "--ports",
            "80,554,8000",
        ])
        .args(["--no-wsd", "-f", "jsonl", "-o", out.to_str().unwrap()])
        .env("CAMGUARD_LOG", "error")
        .env("CAMGUARD_LANG", "en")
        .stdin(Stdio::null())
        .stderr(File::create(&err).unwrap())
        .spawn()
        .unwrap();
    // Interrupt once something was found (not at a fixed time: a loaded machine may be slow to
    // start, and a signal before the handler is installed would kill the process).
    let deadline = Instant::now() + Duration::from_secs(60);
    let found = loop {
        let found = lines(&out).len();
        if found > 0 {
            break found;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the scan ended before the test interrupted it: {}",
            std::fs::read_to_string(&err).unwrap_or_default()
        );
        assert!(Instant::now() < deadline, "the scan found nothing in 60 s");
        std::thread::sleep(Duration::from_millis(100));
    };
    let interrupted = Instant::now();
    sigint(&child);
    // Before the fix, the scan finished every address already started: some 40 s more.
    let status = wait_at_most(&mut child, Duration::from_secs(10));
    let took = interrupted.elapsed();
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    let status = status.unwrap_or_else(|| {
        panic!("the scan was still running 10 s after Ctrl-C; stderr:\n{stderr}")
    });
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("INTERRUPTED"), "{stderr}");
    // What was found before the interruption is in the output, whole.
    let kept = lines(&out);
    assert!(
        kept.len() >= found,
        "{} hosts written before Ctrl-C, {} after",
        found,
        kept.len()
    );
    assert!(
        kept.iter()
            .all(|h| h["ip"].is_string() && h["open_ports"].is_array())
    );
    eprintln!(
        "stopped {took:.1?} after Ctrl-C with {} hosts ({found} before)",
        kept.len()
    );
}

/// The kernel function a blocked thread waits in (`/proc/PID/wchan`: `pipe_write`, or
/// `anon_pipe_write` on newer kernels, while blocked on a full pipe).
fn wchan(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/wchan")).unwrap_or_default()
}

#[test]
fn a_second_ctrl_c_quits_at_once() {
    let (_rt, _fleet) = fleet("127.113.0.1", 31);
    let dir = tempfile::tempdir().unwrap();
    let err = dir.path().join("stderr");
    // The output goes to a small pipe nobody reads (a pager the user walked away from): the
    // first Ctrl-C cannot finish the output, only a second one can end the process.
    let mut fds = [0; 2];
    #[expect(unsafe_code, reason = "pipe(2)/fcntl(2) have no safe wrapper in std")]
    // SAFETY: pipe(2) and fcntl(2) on descriptors we own; the write end goes to the child.
    let (read_end, write_end) = unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
        libc::fcntl(fds[1], libc::F_SETPIPE_SZ, 4096);
        use std::os::fd::FromRawFd;
        (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1]))
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_camguard"))
        .args([
            "scan",
            "127.113.0.0/27",
            "--no-wsd",
            "--no-assess",
            "-f",
            "jsonl",
        ])
        .env("CAMGUARD_LOG", "error")
        .env("CAMGUARD_LANG", "en")
        .stdin(Stdio::null())
        .stdout(write_end)
        .stderr(File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !wchan(child.id()).ends_with("pipe_write") {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the scan ended without filling the pipe: {}",
            std::fs::read_to_string(&err).unwrap_or_default()
        );
        assert!(
            Instant::now() < deadline,
            "the scan never blocked on its output"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    sigint(&child);
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the first Ctrl-C ended a scan whose output is blocked"
    );
    sigint(&child);
    let status = wait_at_most(&mut child, Duration::from_secs(10));
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    drop(read_end);
    let status =
        status.unwrap_or_else(|| panic!("a second Ctrl-C did not end the scan; stderr:\n{stderr}"));
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted again"), "{stderr}");
}
