//! Command-line interface definition (clap derive). Help texts teach: each says what the
//! option does, its default, and when to change it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "camguard",
    version,
    about = "Find, identify and assess IP surveillance cameras in an authorised scope (Directive 23/CT-TTg)",
    long_about = "camguard finds IP cameras, NVRs and DVRs on networks you are authorised to scan, \
identifies their vendor, model and firmware, checks them harmlessly against the national baseline \
(QCVN 135:2024/BTTTT, QCVN 11:2026/BCA, QĐ 724/QĐ-BTTTT), and keeps the registry the directive \
asks for: organisations and their scopes, camera systems and their security levels, inventory and \
certificates, stored assessments with their findings, deadlines and compliance status (an \
embedded SQLite file, or PostgreSQL for a shared service).\n\n\
Scan only what you are allowed to: public addresses require --scope FILE.",
    after_help = "Examples:\n  camguard demo                                  start a simulated fleet, scan it, show the result\n  camguard scan 192.168.1.0/24                   find and identify the cameras of a LAN\n  camguard scan @sites.txt --scope scope.txt --format json -o scan.json\n  camguard sim --base 127.66.0.0 --hosts 16384 --seed 1 --truth truth.json\n\nRegistry:\n  camguard org add AG --name \"UBND tỉnh An Giang\" --kind province --scope 10.80.0.0/16\n  camguard camera import cameras.xlsx\n  camguard scan 10.80.1.0/24 --org AG --save\n  camguard status AG\n\nExit status: 0 done, 1 internal error, 2 bad usage or input, 3 refused (out of scope), 4 rows rejected (import), 5/6 catalogue check warned/unknown, 7 audit chain broken, 130 interrupted."
)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug); CAMGUARD_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Language of what is printed for people (tables, finding titles and remediation, level
    /// reasons, status, messages): vi or en. Default: CAMGUARD_LANG, else the locale
    /// (LC_ALL/LC_MESSAGES/LANG starting with "en" gives English), else Vietnamese. JSON, JSONL
    /// and CSV are the same in every language.
    #[arg(long, global = true, value_enum, env = crate::env::CAMGUARD_LANG, value_name = "LANG")]
    pub lang: Option<LangArg>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Find and identify cameras on the given targets
    Scan(ScanArgs),
    /// Run a simulated camera fleet on loopback addresses (for tests, demos and benchmarks)
    Sim(SimArgs),
    /// Start a small simulated fleet, scan it and show what was found
    Demo(DemoArgs),
    /// Knowledge base: show it, install update bundles, import CISA KEV and NVD data
    Kb(KbArgs),
    /// Baseline clauses (QCVN 135, QCVN 11, QĐ 724, ETSI EN 303 645) and the findings behind them
    Baseline(BaselineArgs),
    /// Organisations (province/ministry → agency → unit) with their authorised scopes
    Org(crate::cli_registry::OrgArgs),
    /// Information systems that use cameras: security level questionnaire and dossier
    System(crate::cli_registry::SystemArgs),
    /// Camera inventory and certificates: import/export CSV and XLSX, list, history
    Camera(crate::cli_registry::CameraArgs),
    /// Certified and warned models: import, check a model before buying, check the inventory
    Catalogue(crate::cli_registry::CatalogueArgs),
    /// Stored scans (assessments) and the lifecycle of their findings
    Assess(crate::cli_registry::AssessArgs),
    /// The directive's and provinces' deadlines
    Deadline(crate::cli_registry::DeadlineArgs),
    /// Compliance status of every unit, duty by duty, rolled up to the province
    Status(crate::cli_registry::StatusArgs),
    /// Reports as documents: a unit's assessment, the provincial report on Directive 23/CT-TTg,
    /// a site's pre-purchase / pre-operation record (PDF per Decree 30/2020, XLSX annex)
    Report(crate::cli_report::ReportArgs),
    /// Accounts of `camguard serve`: add, list, disable, set passwords, API tokens
    User(crate::cli_accounts::UserArgs),
    /// The hash-chained audit log: verify it, list it
    Audit(crate::cli_accounts::AuditArgs),
    /// Serve the REST API (accounts, roles, tenancy, audit log) on the registry
    Serve(crate::cli_serve::ServeArgs),
    /// Print a shell completion script
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell. Install e.g. with
        /// `camguard completions bash > ~/.local/share/bash-completion/completions/camguard`
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout, or write every page to a directory
    #[command(
        after_help = "Install:\n  camguard man --dir ~/.local/share/man/man1   # camguard.1 and camguard-<command>.1 for every command\n  man camguard-scan"
    )]
    Man {
        /// Write camguard.1 and one page per command and subcommand (camguard-scan.1,
        /// camguard-org-add.1, …: every page the main page names) into DIR
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// Tiếng Việt
    Vi,
    /// English
    En,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    Quick,
    Default,
    Thorough,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IntrusiveArg {
    Lockout,
    Cve,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people (default on a terminal)
    Table,
    /// One JSON document for the whole scan (docs/spec/scan-output.md)
    Json,
    /// One JSON host object per line, as hosts finish
    Jsonl,
    /// One row per host, for spreadsheets
    Csv,
}

#[derive(Args, Debug, Clone, Default)]
pub struct KbOpts {
    /// Lay a directory of newer knowledge-base files (same layout as kb/) over the built-in ones
    #[arg(long, value_name = "DIR")]
    pub kb: Option<PathBuf>,
    /// Add the fingerprint rules of every *.toml file in DIR
    #[arg(long, value_name = "DIR")]
    pub fingerprints: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// What to scan: addresses, CIDRs (10.0.0.0/24), ranges (10.0.0.1-10.0.0.50 or 10.0.0.1-50),
    /// hostnames, IPv6, or @FILE with one target per line ('#' comments)
    #[arg(required_unless_present = "resume", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Scan for this registry organisation: targets must lie inside its authorised scope
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// Store the scan in the registry as it streams in (needs --org): hosts matched to the
    /// inventory, findings opened, verified or reopened
    #[arg(long, requires = "org")]
    pub save: bool,
    /// Who ran the scan, for the registry (default: $USER)
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Resume an interrupted stored scan with its original settings
    #[arg(long, value_name = "SCAN", conflicts_with_all = ["targets", "org", "save"])]
    pub resume: Option<i64>,
    #[command(flatten)]
    pub db: crate::cli_registry::DbOpts,
    /// Leave these out (same forms as TARGET); repeatable
    #[arg(long, short = 'x', value_name = "TARGET")]
    pub exclude: Vec<String>,
    /// File of CIDRs you are authorised to scan; any target outside it is refused (exit 3).
    /// Without it only non-public space (loopback, RFC 1918, CGNAT, link-local, ULA) is allowed.
    #[arg(long, value_name = "FILE")]
    pub scope: Option<PathBuf>,
    /// Ports: a list (80,554,8000-8010), 'default' (the camera set) or 'all-known'
    #[arg(long, short = 'p', default_value = "default", value_name = "PORTS")]
    pub ports: String,
    /// Maximum connection attempts per second over the whole scan (0 = no limit)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub rate: u32,
    /// Connect timeout in milliseconds; raise it on slow or lossy links
    #[arg(long, default_value_t = 1500, value_name = "MS")]
    pub timeout: u64,
    /// Extra connect attempts after a timeout (a refusal is final)
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub retries: u32,
    /// Simultaneous sockets over the whole scan (default: from the open-file limit, ≤ 8192)
    #[arg(long, value_name = "N")]
    pub max_sockets: Option<usize>,
    /// Hosts worked on at once
    #[arg(long, default_value_t = 1024, value_name = "N")]
    pub hosts: usize,
    /// Simultaneous discovery connections to one host (politeness)
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub per_host: usize,
    /// Upper bound, in seconds, on probing one host; a device that hangs is cut off here
    #[arg(long, default_value_t = 12, value_name = "S")]
    pub host_timeout: u64,
    /// Only find open ports: no probes, no identification (fastest)
    #[arg(long)]
    pub discovery_only: bool,
    /// Do not send unicast WS-Discovery (UDP 3702) or SSDP (UDP 1900) probes
    #[arg(long)]
    pub no_wsd: bool,
    /// Show only cameras, NVRs and DVRs
    #[arg(long)]
    pub cameras_only: bool,
    /// Output format [default: table on a terminal, else from --output's extension, else json]
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,
    /// Write results to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No progress bar and no summary on stderr
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Seed of the randomised target order (default: random)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// How deep to assess: quick (few routes, 2 login attempts per protocol), default
    /// (20 routes, 4 attempts, frame check), thorough (all routes and known ports, paced attempts)
    #[arg(long, value_enum, default_value = "default")]
    pub profile: ProfileArg,
    /// Find and identify only: no assessment, no login attempts
    #[arg(long)]
    pub no_assess: bool,
    /// Opt-in checks that may lock accounts or create sessions: lockout (QĐ 724 lockout test:
    /// six wrong passwords in 30 s), cve (CVE confirmations that log in). Comma-separated
    #[arg(long, value_delimiter = ',', value_name = "CHECK")]
    pub intrusive: Vec<IntrusiveArg>,
    /// Show found passwords and stream credentials in the output (redacted as **** otherwise)
    #[arg(long)]
    pub reveal_secrets: bool,
    /// Assess every host with an open port, not only cameras, NVRs, DVRs and RTSP servers
    #[arg(long)]
    pub assess_all: bool,
    /// Most failed login attempts per protocol per device (default from --profile; never
    /// five within 30 s, the QĐ 724 lockout threshold)
    #[arg(long, value_name = "N")]
    pub credential_budget: Option<usize>,
    #[command(flatten)]
    pub kb: KbOpts,
}

#[derive(Args, Debug)]
pub struct SimArgs {
    /// First loopback address of the fleet
    #[arg(long, default_value = "127.66.0.0")]
    pub base: std::net::Ipv4Addr,
    /// Number of consecutive addresses
    #[arg(long, default_value_t = 1024)]
    pub hosts: u32,
    /// Seed: the same seed gives the same fleet
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the ground truth (every device, its ports and expected findings) to FILE
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Extra or replacement device profiles (*.toml)
    #[arg(long, value_name = "DIR")]
    pub profiles: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// First loopback address of the demo fleet
    #[arg(long, default_value = "127.77.0.0")]
    pub base: std::net::Ipv4Addr,
    /// Number of addresses in the demo fleet
    #[arg(long, default_value_t = 256)]
    pub hosts: u32,
    /// Seed of the demo fleet
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Also write the scan as JSON to FILE
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Where the demo serves the dashboard and the API (a loopback address; when the port is
    /// taken, any free port of that address)
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    /// Stop after the scan and the registry instead of serving the dashboard
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Args, Debug)]
pub struct KbArgs {
    #[command(flatten)]
    pub kb: KbOpts,
    #[command(subcommand)]
    pub action: Option<KbAction>,
}

#[derive(Subcommand, Debug)]
pub enum KbAction {
    /// List the data files with their versions, checksums and origins (the default)
    Show {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Install a knowledge-base update bundle (checked, validated, then installed; no new binary needed)
    Install {
        /// The bundle file (made by `camguard kb bundle`)
        file: PathBuf,
        /// Refuse the bundle unless its SHA-256 is this (as published next to it)
        #[arg(long, value_name = "HEX")]
        sha256: Option<String>,
    },
    /// Make an update bundle from a directory in the kb/ layout (default: the built-in data)
    Bundle {
        /// Directory of *.toml files in the kb/ layout
        dir: Option<PathBuf>,
        /// Bundle file to write
        #[arg(long, short = 'o')]
        output: PathBuf,
        /// Version of the bundle
        #[arg(long, default_value = "local")]
        version: String,
    },
    /// Flag known-exploited CVEs from CISA's KEV catalog (known_exploited_vulnerabilities.json), offline
    ImportKev {
        /// CISA's known_exploited_vulnerabilities.json, downloaded beforehand
        file: PathBuf,
    },
    /// Add camera CVEs with firmware ranges from an NVD CVE API 2.0 JSON file, offline
    ImportNvd {
        /// An NVD CVE API 2.0 JSON file, downloaded beforehand
        file: PathBuf,
    },
    /// Print the user knowledge-base directory (where updates are installed)
    Path,
}

#[derive(Args, Debug)]
pub struct BaselineArgs {
    #[command(subcommand)]
    pub action: BaselineAction,
    /// Output: table (for people, titles in --lang) or json (both languages, for other tools)
    #[arg(long, short = 'f', global = true, value_enum, default_value = "table")]
    pub format: crate::cli_registry::OutFormat,
    /// Deprecated: use --format json
    #[arg(long, global = true, hide = true)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum BaselineAction {
    /// List every clause: id, standard, reference, whether it can be tested remotely, title
    List {
        /// Only clauses of this standard (e.g. "QCVN 135", "ETSI")
        #[arg(long)]
        standard: Option<String>,
    },
    /// Explain one clause and the findings that are evidence against it
    Show {
        /// Clause id (see `camguard baseline list`)
        id: String,
    },
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every subcommand and every option or argument of every subcommand says what it is for.
    #[test]
    fn every_command_and_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if a.is_hide_set() || id == "help" || id == "version" {
                    continue;
                }
                let help = a
                    .get_help()
                    .map(std::string::ToString::to_string)
                    .unwrap_or_default();
                if help.trim().is_empty() {
                    missing.push(format!("{path} <{id}>"));
                }
            }
            for s in cmd.get_subcommands() {
                let name = format!("{path} {}", s.get_name());
                if s.get_name() == "help" {
                    continue;
                }
                if s.get_about()
                    .is_none_or(|h| h.to_string().trim().is_empty())
                {
                    missing.push(name.clone());
                }
                walk(s, &name, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "camguard", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }
}
