//! Every environment variable camguard reads, in one place (as uv's `uv-static` does): the name
//! as a constant (clap's `env = …` uses the same constants) and one reader each. Library crates
//! do not read the environment; the binary reads it here and passes values down.

use std::ffi::OsString;
use std::path::PathBuf;

/// The registry database (`--database`): a SQLite path or a `postgres://` URL.
pub const CAMGUARD_DATABASE: &str = "CAMGUARD_DATABASE";
/// The language of the terminal texts (`--lang`): `vi` or `en`.
pub const CAMGUARD_LANG: &str = "CAMGUARD_LANG";
/// A `tracing` filter for the log on stderr (overrides `-v`).
pub const CAMGUARD_LOG: &str = "CAMGUARD_LOG";
/// The user knowledge-base directory (where `camguard kb install` puts updates).
pub const CAMGUARD_KB_HOME: &str = "CAMGUARD_KB_HOME";
/// XDG base directory of user data (default `~/.local/share`).
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";
/// The user's home directory.
pub const HOME: &str = "HOME";
/// Who runs camguard (the default `--operator` of stored scans).
pub const USER: &str = "USER";
pub const LOGNAME: &str = "LOGNAME";
/// The POSIX locale variables, in the order they take precedence for messages.
pub const LC_ALL: &str = "LC_ALL";
pub const LC_MESSAGES: &str = "LC_MESSAGES";
pub const LANG: &str = "LANG";

/// A variable that is set and not empty.
fn var_os(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The log filter of `CAMGUARD_LOG`, if set.
pub fn log_filter() -> Option<String> {
    var(CAMGUARD_LOG)
}

/// The locale that decides the language of messages: `LC_ALL`, else `LC_MESSAGES`, else `LANG`
/// (the first that is set and not empty), as POSIX says.
pub fn messages_locale() -> Option<String> {
    [LC_ALL, LC_MESSAGES, LANG].into_iter().find_map(var)
}

/// The user's data directory: `$XDG_DATA_HOME`, else `~/.local/share`.
pub fn data_home() -> Option<PathBuf> {
    var_os(XDG_DATA_HOME)
        .map(PathBuf::from)
        .or_else(|| var_os(HOME).map(|h| PathBuf::from(h).join(".local/share")))
}

/// The user knowledge-base directory: `$CAMGUARD_KB_HOME`, else `<data home>/camguard/kb`.
pub fn kb_home() -> Option<PathBuf> {
    var_os(CAMGUARD_KB_HOME)
        .map(PathBuf::from)
        .or_else(|| data_home().map(|d| d.join("camguard/kb")))
}

/// The default registry file: `<data home>/camguard/registry.db` (`./camguard/registry.db`
/// when neither `XDG_DATA_HOME` nor `HOME` is set).
pub fn default_database_path() -> PathBuf {
    data_home()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("camguard")
        .join("registry.db")
}

/// Who is running camguard: `$USER`, else `$LOGNAME`.
pub fn user() -> Option<String> {
    var(USER).or_else(|| var(LOGNAME))
}
