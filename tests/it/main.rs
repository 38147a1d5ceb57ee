//! Integration tests of the `camguard` binary: one test binary (fast to link), modules by area.
//! Every packet goes to 127.0.0.0/8.

mod accounts;
mod browser;
mod cli;
mod demo;
mod files;
mod fleet;
mod hostile;
mod interrupt;
mod kb;
mod lang;
mod registry;
mod report;
mod secrets;
mod serve;

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long one run of a command may take before the test fails (the longest, a scan of a
/// simulated fleet, takes well under a minute; a hang must fail the suite, not block it).
const RUN_LIMIT: Duration = Duration::from_secs(600);

/// `cmd.output()`, but killed and failed after [`RUN_LIMIT`], naming the command.
pub fn bounded_output(cmd: &mut Command) -> Output {
    bounded_output_within(cmd, RUN_LIMIT)
}

/// `cmd.output()`, killed and failed after `limit`.
pub fn bounded_output_within(cmd: &mut Command, limit: Duration) -> Output {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {shown}: {e}"));
    // Read both pipes while waiting, so that a child writing much is not blocked on them.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let err = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
            panic!("{shown} still running after {limit:?}: killed; its stderr:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

pub fn camguard(args: &[&str]) -> Output {
    bounded_output(
        Command::new(env!("CARGO_BIN_EXE_camguard"))
            .args(args)
            .env("CAMGUARD_LOG", "error"),
    )
}

/// A simulated fleet on its own runtime (two workers), for tests that run the binary against it.
pub fn start_fleet(
    base: &str,
    hosts: u32,
    seed: u64,
) -> (tokio::runtime::Runtime, camguard_sim::Fleet) {
    use camguard_sim::{Fleet, FleetConfig};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let fleet = rt
        .block_on(Fleet::start(FleetConfig::new(
            base.parse().unwrap(),
            hosts,
            seed,
        )))
        .unwrap();
    (rt, fleet)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn camguard_env(args: &[&str], env: &[(&str, &std::path::Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_camguard"));
    c.args(args).env("CAMGUARD_LOG", "error");
    for (k, v) in env {
        c.env(k, v);
    }
    bounded_output(&mut c)
}
