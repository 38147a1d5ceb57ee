//! One module per subcommand.

mod accounts;
mod baseline;
mod demo;
pub mod kb;
pub mod registry;
mod report;
mod scan;
mod serve;
mod sim;

use crate::cli::{Cli, Command, KbOpts};
use crate::exit;
use clap::CommandFactory;

pub async fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(args) => scan::run(args).await,
        Command::Sim(args) => sim::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Kb(args) => kb::run(args),
        Command::Baseline(args) => baseline::run(args),
        Command::Org(args) => registry::org(args).await,
        Command::System(args) => registry::system(args).await,
        Command::Camera(args) => registry::camera(args).await,
        Command::Catalogue(args) => registry::catalogue(args).await,
        Command::Assess(args) => registry::assess(args).await,
        Command::Deadline(args) => registry::deadline(args),
        Command::Status(args) => registry::status(args).await,
        Command::Report(args) => report::run(args).await,
        Command::User(args) => accounts::user(args).await,
        Command::Audit(args) => accounts::audit(args).await,
        Command::Serve(args) => serve::serve(args).await,
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "camguard",
                &mut std::io::stdout(),
            );
            Ok(exit::OK)
        }
        Command::Man { dir: None } => {
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(exit::OK)
        }
        Command::Man { dir: Some(dir) } => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| crate::usage(format!("{}: {e}", dir.display())))?;
            clap_mangen::generate_to(Cli::command(), &dir)
                .map_err(|e| crate::usage(format!("{}: {e}", dir.display())))?;
            eprintln!("camguard: man pages written to {}", dir.display());
            Ok(exit::OK)
        }
    }
}

/// Load the knowledge base with the user's overrides; a broken data file is bad input.
pub fn load_kb(opts: &KbOpts) -> anyhow::Result<camguard_kb::Kb> {
    let mut b = camguard_kb::Kb::builder();
    // Updates installed with `camguard kb install/import-*` first, then --kb on top.
    if let Some(d) = kb::user_kb_dir().filter(|d| d.is_dir()) {
        b = b.overlay_dir(d);
    }
    if let Some(d) = &opts.kb {
        b = b.overlay_dir(d);
    }
    if let Some(d) = &opts.fingerprints {
        b = b.fingerprint_dir(d);
    }
    b.build().map_err(crate::usage)
}

/// Resolves when the process gets SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
