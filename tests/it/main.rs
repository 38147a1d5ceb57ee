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

use std::process::{Command, Output};

pub fn camguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_camguard"))
        .args(args)
        .env("CAMGUARD_LOG", "error")
        .output()
        .expect("run camguard")
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
    c.output().expect("run camguard")
}
