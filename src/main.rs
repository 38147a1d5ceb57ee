//! The `camguard` binary: command-line parsing, output and exit codes. The work itself lives
//! in the library crates under `crates/` (see ARCHITECTURE.md).

mod cli;
mod cli_accounts;
mod cli_registry;
mod cli_report;
mod cli_serve;
mod cmd;
mod env;
mod errors;
mod i18n;
mod output;

use clap::Parser;
use std::process::ExitCode;

/// Exit status of the scan-output contract: 0 done, 1 internal error, 2 bad usage or input,
/// 3 refused (out of scope).
pub mod exit {
    pub const OK: u8 = 0;
    pub const INTERNAL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const REFUSED: u8 = 3;
    pub const INTERRUPTED: u8 = 130;
}

/// An error that carries its exit status; anything else is an internal error.
#[derive(Debug)]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

pub fn usage(message: impl std::fmt::Display) -> anyhow::Error {
    Exit {
        code: exit::USAGE,
        message: message.to_string(),
    }
    .into()
}

pub fn refused(message: impl std::fmt::Display) -> anyhow::Error {
    Exit {
        code: exit::REFUSED,
        message: message.to_string(),
    }
    .into()
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.verbose);
    i18n::init(cli.lang);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("camguard: cannot start the async runtime: {e}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    let result = runtime.block_on(cmd::run(cli));
    // Do not wait for lingering tasks (a tarpit read, say) once the command is done.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            for cause in err.chain() {
                if let Some(io) = cause.downcast_ref::<std::io::Error>()
                    && io.kind() == std::io::ErrorKind::BrokenPipe
                {
                    return ExitCode::from(exit::OK);
                }
            }
            let code = err
                .chain()
                .find_map(|c| c.downcast_ref::<Exit>().map(|e| e.code))
                .unwrap_or(exit::INTERNAL);
            eprintln!("camguard: {err:#}");
            ExitCode::from(code)
        }
    }
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = env::log_filter()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
