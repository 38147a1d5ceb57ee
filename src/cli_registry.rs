//! Command-line definitions of the registry commands: org, system, camera, catalogue, assess,
//! deadline and status.

use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Where the registry is.
#[derive(Args, Debug, Clone, Default)]
pub struct DbOpts {
    /// Registry database: a SQLite file path (default ~/.local/share/camguard/registry.db) or
    /// postgres://user:password@host/db for a shared PostgreSQL registry
    #[arg(long, value_name = "URL", env = crate::env::CAMGUARD_DATABASE, global = true)]
    pub database: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// Aligned columns for people
    #[default]
    Table,
    /// JSON for other tools
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    /// The inventory columns of docs/spec/inventory-csv.md
    Csv,
}

#[derive(Args, Debug)]
pub struct OrgArgs {
    #[command(flatten)]
    pub db: DbOpts,
    #[command(subcommand)]
    pub command: OrgCommand,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OrgKindArg {
    Province,
    Ministry,
    Agency,
    Enterprise,
    Isp,
    Unit,
}

#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Add an organisation (province/ministry → agency → unit) with its authorised scope
    #[command(
        after_help = "Examples:\n  camguard org add AG --name \"UBND tỉnh An Giang\" --kind province --scope 10.80.0.0/16 --deadlines an-giang\n  camguard org add AG-STTTT --name \"Sở TTTT An Giang\" --parent AG --scope 10.80.1.0/24"
    )]
    Add {
        /// Short unique code (letters, digits, '-', '_', '.')
        code: String,
        /// Full name, as in official documents (e.g. "Sở TTTT An Giang")
        #[arg(long)]
        name: String,
        /// Parent organisation's code
        #[arg(long, value_name = "CODE")]
        parent: Option<String>,
        /// Place in the hierarchy: province or ministry at the top, then agency, unit; enterprise and isp for others
        #[arg(long, value_enum, default_value = "unit")]
        kind: OrgKindArg,
        /// Address range the organisation is authorised to scan (repeat for several); a unit's
        /// scope must lie inside its parent's
        #[arg(long, value_name = "CIDR")]
        scope: Vec<String>,
        /// Deadline sets that bind it and its subtree (see `camguard deadline list`); the
        /// national set always applies
        #[arg(long, value_name = "SET", value_delimiter = ',')]
        deadlines: Vec<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Add organisations from a CSV file (columns: code, name, parent, kind, scope, deadlines;
    /// scope and deadlines space-separated); parents before children
    #[command(
        after_help = "Exit status: 0 every row added, 4 some rows rejected (each named with its line and reason)."
    )]
    Import {
        /// CSV file of organisations (code, name, parent, kind, scope, deadlines)
        file: PathBuf,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// List organisations as a tree
    List {
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Show one organisation
    Show {
        /// Code of the organisation
        code: String,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Add address ranges to an organisation's scope
    Scope {
        /// Code of the organisation
        code: String,
        /// Address ranges to add (CIDR or single address); each must lie inside the parent's scope
        #[arg(required = true, value_name = "CIDR")]
        cidrs: Vec<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Bind deadline sets to an organisation
    Deadlines {
        /// Code of the organisation
        code: String,
        /// Deadline set ids (see `camguard deadline list`)
        #[arg(required = true, value_name = "SET")]
        sets: Vec<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Record the unit's internal security regulation and whether it covers cameras
    Regulation {
        /// Code of the organisation
        code: String,
        /// Document number, e.g. "05/QĐ-STTTT"
        #[arg(long)]
        number: String,
        /// Issue date (YYYY-MM-DD or DD/MM/YYYY)
        #[arg(long)]
        date: String,
        /// The regulation has provisions on cameras
        #[arg(long)]
        covers_cameras: bool,
        /// Free text kept with the record (who, why); shown by `show` and in JSON
        #[arg(long)]
        note: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Record a duty done that no other record shows (e.g. report-submitted)
    Done {
        /// Code of the organisation
        code: String,
        /// One of: level-approved, plan-deployed, report-submitted, cameras-reviewed,
        /// assessment-done, regulation-issued
        duty: String,
        /// Date the duty was done (YYYY-MM-DD or DD/MM/YYYY)
        #[arg(long)]
        date: String,
        /// The document that shows it (report number …)
        #[arg(long = "ref", value_name = "DOC")]
        reference: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
}

#[derive(Args, Debug)]
pub struct SystemArgs {
    #[command(flatten)]
    pub db: DbOpts,
    #[command(subcommand)]
    pub command: SystemCommand,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DossierArg {
    Draft,
    Submitted,
    Appraised,
    Approved,
}

#[derive(Subcommand, Debug)]
pub enum SystemCommand {
    /// Register an information system that uses cameras
    Add {
        /// Short unique code of the new information system
        code: String,
        /// Full name, as in official documents (e.g. "Sở TTTT An Giang")
        #[arg(long)]
        name: String,
        /// Owner (chủ quản)
        #[arg(long, value_name = "ORG")]
        org: String,
        /// Operating unit (đơn vị vận hành), when not the owner
        #[arg(long, value_name = "ORG")]
        operator: Option<String>,
        /// What the system is for (e.g. "traffic monitoring"), kept in its dossier
        #[arg(long)]
        purpose: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Determine the security level with the questionnaire (Decree 85/2016 Arts. 7-11)
    #[command(
        after_help = "Answers come from --answer ID=VALUE (repeat; sets as a,b), from --answers FILE.json, or are asked on the terminal.\nSee the questions with `camguard system questions`.\n\nExample:\n  camguard system level AG-CCTV --answer system-type=infrastructure --answer info=personal --answer infra-reach=regional"
    )]
    Level {
        /// Code of the information system
        code: String,
        /// Answer one question: ID=VALUE (repeatable; ids from `camguard system questions`)
        #[arg(long = "answer", value_name = "ID=VALUE")]
        answers: Vec<String>,
        /// A JSON object of answers {"question-id": value, …} (see `camguard system questions --format json`)
        #[arg(long = "answers", value_name = "FILE")]
        answers_file: Option<PathBuf>,
        /// Rule set id (default: the one in force today)
        #[arg(long)]
        ruleset: Option<String>,
        /// Show the decision without storing it
        #[arg(long)]
        dry_run: bool,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Print the level questionnaire
    Questions {
        /// Rule set id of the level questionnaire (default: the one in force today; `camguard system questions` lists it)
        #[arg(long)]
        ruleset: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Move the level dossier: draft → submitted → appraised → approved
    Dossier {
        /// Code of the information system
        code: String,
        /// New state of the level dossier; the values are listed below
        #[arg(value_enum)]
        state: DossierArg,
        /// Date of the step (default today)
        #[arg(long)]
        date: Option<String>,
        /// Who appraised or approved
        #[arg(long)]
        by: Option<String>,
        /// Decision number
        #[arg(long = "ref", value_name = "DOC")]
        reference: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Record the protection plan's deployment and the assessment interval
    Plan {
        /// Code of the information system
        code: String,
        /// Date the level-appropriate security plan was deployed (YYYY-MM-DD or DD/MM/YYYY)
        #[arg(long, value_name = "DATE")]
        deployed: Option<String>,
        /// Months between periodic assessments (default: the level's)
        #[arg(long, value_name = "MONTHS")]
        interval: Option<u32>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// List systems (of an organisation's subtree)
    List {
        /// Only this organisation and the units under it (code)
        org: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Show one system with its level reasons and dossier history
    Show {
        /// Code of the information system
        code: String,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
}

#[derive(Args, Debug)]
pub struct CameraArgs {
    #[command(flatten)]
    pub db: DbOpts,
    #[command(subcommand)]
    pub command: CameraCommand,
}

#[derive(Subcommand, Debug)]
pub enum CameraCommand {
    /// Import an inventory (CSV or XLSX, docs/spec/inventory-csv.md); bad rows are named
    #[command(
        after_help = "Exit status: 0 every row imported, 4 some rows rejected (each named with its line and reason), 2 unreadable file or missing columns (nothing imported)."
    )]
    Import {
        /// Inventory file (CSV or XLSX, columns of docs/spec/inventory-csv.md)
        file: PathBuf,
        /// Organisation for rows that name none
        #[arg(long)]
        org: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// List cameras
    List {
        /// Only this organisation and the units under it (code)
        #[arg(long)]
        org: Option<String>,
        /// Only cameras of this information system (code)
        #[arg(long)]
        system: Option<String>,
        /// Show at most N rows (the newest first)
        #[arg(long)]
        limit: Option<usize>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Export the inventory (CSV, or XLSX by the file's extension)
    Export {
        /// File to write: .csv or .xlsx (columns of docs/spec/inventory-csv.md)
        file: PathBuf,
        /// Only this organisation and the units under it (code)
        #[arg(long)]
        org: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Every stored scan that saw a camera
    History {
        /// Number of the camera in the registry (see `camguard camera list`)
        id: i64,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
}

#[derive(Args, Debug)]
pub struct CatalogueArgs {
    #[command(flatten)]
    pub db: DbOpts,
    #[command(subcommand)]
    pub command: CatalogueCommand,
}

#[derive(Subcommand, Debug)]
pub enum CatalogueCommand {
    /// Import certified / warned models (CSV or XLSX: status, vendor, model, document, date …)
    #[command(
        after_help = "Exit status: 0 every row imported, 4 some rows rejected (each named with its line and reason), 2 unreadable file or missing columns (nothing imported)."
    )]
    Import {
        /// Catalogue file (CSV or XLSX): vendor, model, status certified|warned, source
        file: PathBuf,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Is a model certified, warned or unknown? (exit 0 certified, 5 warned, 6 unknown)
    Check {
        /// Vendor or brand as written on the device or invoice (e.g. "Hikvision", "HIK", "Dahua")
        vendor: String,
        /// Model as written on the device (case, spaces and dashes do not matter)
        model: String,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// List the catalogue
    List {
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Check the inventory against the catalogue
    Inventory {
        /// Only this organisation and the units under it (code)
        #[arg(long)]
        org: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
}

#[derive(Args, Debug)]
pub struct AssessArgs {
    #[command(flatten)]
    pub db: DbOpts,
    #[command(subcommand)]
    pub command: AssessCommand,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FindingStateArg {
    Open,
    Fixed,
    Verified,
    Accepted,
}

#[derive(Subcommand, Debug)]
pub enum AssessCommand {
    /// Store a scan done earlier (camguard scan -f json or jsonl output) for an organisation
    #[command(
        after_help = "Every host must lie inside the organisation's scope (exit 3 otherwise); a malformed file is refused whole (exit 2)."
    )]
    Import {
        /// A camguard scan file: `scan --format json` document or `--format jsonl` lines
        file: PathBuf,
        /// Organisation the scan belongs to; every host must lie inside its scope
        #[arg(long)]
        org: String,
        /// Who ran the scan (default: $USER)
        #[arg(long)]
        operator: Option<String>,
        /// Assessment profile of the scan, when the file does not say (jsonl)
        #[arg(long, default_value = "default")]
        profile: String,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Stored scans (assessments), newest first
    List {
        /// Only this organisation and the units under it (code)
        org: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// One stored scan: summary and cameras not in the inventory
    Show {
        /// Number of the stored scan (see `camguard assess list`)
        scan: i64,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Findings and their state
    Findings {
        /// Only this organisation and the units under it (code)
        org: Option<String>,
        /// Only findings in this state
        #[arg(long, value_enum)]
        state: Option<FindingStateArg>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Say a finding is fixed; the next complete scan verifies it (or reopens it)
    Fix {
        /// Number of the stored finding (see `camguard assess findings`)
        finding: i64,
        /// Date it happened (YYYY-MM-DD or DD/MM/YYYY); default today
        #[arg(long)]
        date: Option<String>,
        /// Free text kept with the record (who, why); shown by `show` and in JSON
        #[arg(long)]
        note: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Accept a finding's risk, with a reason, until a date
    Accept {
        /// Number of the stored finding (see `camguard assess findings`)
        finding: i64,
        /// Why the risk is accepted (kept in the finding history)
        #[arg(long)]
        reason: String,
        /// Date the acceptance ends and the finding counts again (YYYY-MM-DD or DD/MM/YYYY)
        #[arg(long, value_name = "DATE")]
        until: String,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Reopen a finding
    Reopen {
        /// Number of the stored finding (see `camguard assess findings`)
        finding: i64,
        /// Free text kept with the record (who, why); shown by `show` and in JSON
        #[arg(long)]
        note: Option<String>,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// A finding's history
    History {
        /// Number of the stored finding (see `camguard assess findings`)
        finding: i64,
        /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    pub db: DbOpts,
    /// Organisation (its subtree); default every top-level organisation
    pub org: Option<String>,
    /// Compute as of this date (default today)
    #[arg(long)]
    pub date: Option<String>,
    /// Show only the organisation itself, not every unit under it
    #[arg(long)]
    pub summary: bool,
    /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutFormat,
}

#[derive(Args, Debug)]
pub struct DeadlineArgs {
    /// `list` (the default and only action)
    #[arg(value_parser = ["list"])]
    pub action: Option<String>,
    /// Output: table (aligned columns in --lang, for people) or json (stable field names, for scripts)
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutFormat,
}
