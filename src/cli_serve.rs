//! Command-line definition of `camguard serve`.

use crate::cli_registry::DbOpts;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(after_help = "\
First start (no account exists until you create one; there is no default password):
  printf '%s\\n' \"$ADMIN_PASSWORD\" | camguard user add admin --role admin --password-stdin
  camguard serve --listen 127.0.0.1:8080
  curl -s http://127.0.0.1:8080/healthz
  curl -s -c jar -H 'content-type: application/json' \\
       -d '{\"username\":\"admin\",\"password\":\"…\"}' http://127.0.0.1:8080/api/v1/login

The API is described at /api/v1/openapi.json (docs/openapi.json in the sources).
SIGTERM or Ctrl-C: stop accepting, let requests in flight finish (up to --grace), exit 0.
Exit status: 0 stopped cleanly, 2 bad arguments or no registry, 1 could not serve (address in use, TLS files).")]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbOpts,
    /// Address and port to listen on (use 0.0.0.0:PORT only behind a firewall or with TLS)
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// TLS certificate chain (PEM); with --tls-key, serve HTTPS and mark cookies Secure
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM) for --tls-cert
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Hours a login session lasts
    #[arg(long, value_name = "HOURS", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=168))]
    pub session_hours: u64,
    /// Largest request body in MiB (an inventory upload is the largest)
    #[arg(long, value_name = "MIB", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub max_body_mib: u64,
    /// Scan workers in this process (0: queue scans only, for `camguard-worker` processes
    /// elsewhere to run)
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub workers: usize,
    /// Seconds between a worker's heartbeats; a worker silent for two is taken for dead and
    /// its scans resume in another (after a crash or `kill -9`)
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub heartbeat: u64,
    /// Seconds requests in flight may take to finish after SIGTERM
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub grace: u64,
}
