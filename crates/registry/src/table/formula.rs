//! Cells a spreadsheet would run as formulas ("CSV injection", OWASP).
//!
//! Excel, LibreOffice and Google Sheets treat a CSV cell that begins with `=`, `+`, `-` or `@`
//! as a formula, and a tab or carriage return in front of those does not stop them. A value
//! camguard writes to CSV may come from someone else: an imported inventory file, or a
//! hostile device's model or firmware string in `scan --format csv`. As OWASP recommends,
//! [`neutralize`] puts a single quote in front of such a value, which spreadsheets show as
//! text and do not evaluate.
//!
//! Rules (the same for every CSV camguard writes):
//!
//! * a value whose first character is `=`, `+`, `-`, `@`, tab or carriage return, after any
//!   leading single quotes, gets one more single quote in front;
//! * except a plain number (`-5`, `+84912345678`, `-12.5`, `3,5`): a spreadsheet reads it as
//!   that number, never as a formula, and quoting it would spoil signed values;
//! * IPv6 addresses (`::1`, `fe80::1`), MACs and dates never begin with those characters.
//!
//! Reading a CSV file undoes it ([`strip_neutralizing_quote`]): a value that begins with a single quote
//! followed (after any further single quotes) by one of those characters loses one quote. As
//! the writer adds exactly one quote to exactly those values, reading back a file camguard
//! wrote gives the values it was given, including values that themselves began with quotes.
//! XLSX cells are written as typed string cells, which spreadsheets never evaluate, so they
//! are written unchanged, and a quote read from a workbook cell is kept (it is the user's).

use std::borrow::Cow;

/// First characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `-5`, `+84912345678`, `12.5`, `-3,25`: an optional sign, digits, an optional decimal part.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = match digits.split_once(['.', ',']) {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && frac.is_none_or(all_digits)
}

/// Would a spreadsheet evaluate `s` once its leading single quotes are gone?
fn looks_like_formula(s: &str) -> bool {
    let core = s.trim_start_matches('\'');
    core.starts_with(FORMULA_TRIGGERS) && !is_plain_number(core)
}

/// The value as it is written to CSV: with a neutralising single quote in front when a
/// spreadsheet would otherwise run it as a formula (see the module documentation).
pub fn neutralize(s: &str) -> Cow<'_, str> {
    if looks_like_formula(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The value [`neutralize`] was given, from what it wrote.
pub fn strip_neutralizing_quote(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_like_values_are_quoted() {
        for (value, written) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("'=1", "''=1"),
            ("-", "'-"),
        ] {
            assert_eq!(neutralize(value), written, "{value:?}");
            assert_eq!(strip_neutralizing_quote(written), value, "{written:?}");
        }
    }

    #[test]
    fn ordinary_values_are_unchanged() {
        for value in [
            "-5",
            "+84912345678",
            "-12.5",
            "3,25",
            "::1",
            "fe80::1",
            "aa:bb:cc:dd:ee:ff",
            "2024-01-31",
            "DS-2CD2143G0-I",
            "'quoted",
            "",
            "a=b",
        ] {
            assert_eq!(neutralize(value), value);
            assert_eq!(strip_neutralizing_quote(value), value);
        }
    }

    proptest! {
        #[test]
        fn reading_back_gives_the_value(s in "['=+@\\-\t\ra-z0-9.,]{0,8}") {
            let written = neutralize(&s);
            prop_assert_eq!(strip_neutralizing_quote(&written), s.as_str());
            prop_assert!(!written.starts_with(FORMULA_TRIGGERS) || is_plain_number(&written));
        }
    }
}
