//! Command-line definitions of the account and audit commands: `user` and `audit`.

use crate::cli_registry::{DbOpts, OutFormat};
use clap::{Args, Subcommand, ValueEnum};

#[derive(Args, Debug)]
pub struct UserArgs {
    #[command(flatten)]
    pub db: DbOpts,
    #[command(subcommand)]
    pub command: UserCommand,
}

/// Roles of docs/spec/api.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Everything, including accounts (no organisation)
    Admin,
    /// A province's or ministry's subtree: reads all, urges units, approves dossiers
    Regulator,
    /// Its organisation's subtree: inventory, systems, scans inside its scope, findings
    Unit,
    /// Its ISP organisation: scans inside its scope, subscribers, notifications
    Isp,
    /// The organisations it is assigned to: scans and assessment reports
    Assessor,
    /// Its organisation's subtree, read-only, and the audit log
    Auditor,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input (one line)
    #[command(
        after_help = "Examples:\n  printf '%s\\n' \"$PASSWORD\" | camguard user add admin --role admin --password-stdin\n  camguard user add it.ag --role unit --org AG-STTTT --password-stdin < password.txt\n\nPasswords: at least 12 characters, not a common password, not containing the username.\nThere is no default account: create the first admin this way.\nExit status: 0 created, 2 bad input (weak password, unknown organisation, role that does not fit it, existing username)."
    )]
    Add {
        /// Username (letters, digits, '.', '_', '-', '@'; stored lower-case)
        username: String,
        /// What the account may see and do
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The account's organisation (required for every role but admin)
        #[arg(long, value_name = "CODE")]
        org: Option<String>,
        /// Read the password from standard input (the only way: never on the command line)
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Output: table (one line for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// List accounts (never their passwords or tokens)
    List {
        /// Output: table (aligned columns, for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Disable an account: no login, its tokens and sessions stop working
    Disable {
        /// The account to disable
        username: String,
        /// Output: table (one line for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Set an account's password (read from standard input); its sessions end
    Passwd {
        /// The account whose password changes
        username: String,
        /// Read the password from standard input (the only way: never on the command line)
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Create an API token for an account and print it once (only its hash is kept)
    #[command(
        after_help = "The token is printed once on standard output; its id and expiry go to standard error.\nUse it as `Authorization: Bearer TOKEN`; revoke it with `camguard user revoke-token ID`."
    )]
    Token {
        /// The account the token acts as (its role and organisation)
        username: String,
        /// Days until the token expires (1-3650)
        #[arg(long, value_name = "N", default_value_t = 90)]
        expires_days: u32,
        /// Output: table (the token alone on a line) or json (id, username, token, expires_at)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Assign an assessor account to an organisation: it may then work on its subtree
    #[command(
        after_help = "Example:\n  camguard user assign danh.gia@congty.vn --org AG-STTTT\n\nAn assessor reaches only the organisations it is assigned to (and everything below them)."
    )]
    Assign {
        /// The assessor account
        username: String,
        /// The organisation it now works for
        #[arg(long, value_name = "CODE")]
        org: String,
    },
    /// Revoke an API token by its id
    RevokeToken {
        /// The token's id (printed by `camguard user token`)
        id: i64,
        /// Output: table (one line for people) or json (stable field names, for scripts)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(flatten)]
    pub db: DbOpts,
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the audit log's hash chain; name the first altered, missing or reordered entry
    #[command(
        after_help = "Exit status: 0 the chain is intact, 7 it is broken (the first bad entry is named), 2 no registry."
    )]
    Verify {
        /// Output: table (one line for people) or json ({"entries", "first_bad"})
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// List audit entries (who, when, from where, what, before/after)
    List {
        /// Only entries at or after this time (RFC 3339, e.g. 2026-01-31T00:00:00+07:00)
        #[arg(long, value_name = "RFC3339")]
        since: Option<String>,
        /// Output: table (aligned columns, for people) or json (every field)
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
}
