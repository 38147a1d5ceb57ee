//! Integration tests of the `camguard` binary: one test binary (fast to link), modules by area.
//! Every packet goes to 127.0.0.0/8.

mod accounts;
mod cli;
mod demo;
mod files;
mod fleet;
mod hostile;
mod interrupt;
mod kb;
mod lang;
mod registry;
mod secrets;

use std::process::{Command, Output};

pub fn camguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_camguard"))
        .args(args)
        .env("CAMGUARD_LOG", "error")
        .output()
        .expect("run camguard")
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
