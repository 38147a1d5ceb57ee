//! Dates as every camguard file, table and database writes them (`YYYY-MM-DD`), and as people
//! write them in inventory files (`DD/MM/YYYY`, day first, as in Vietnam).

use time::{Date, Month};

/// Parses a date written `YYYY-MM-DD` (also `YYYY/MM/DD`) or `DD/MM/YYYY` (also `D/M/YYYY`,
/// `DD-MM-YYYY`, `DD.MM.YYYY`); day first, as written in Vietnam. Impossible dates
/// (`31/02/2024`) and years outside 1–9999 are rejected.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let sep = s.bytes().find(|b| !b.is_ascii_digit())?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let mut parts = s.split(sep as char);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let num = |p: &str, max_len: usize| -> Option<u32> {
        if p.is_empty() || p.len() > max_len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let (y, m, d) = if a.len() == 4 && sep != b'.' {
        (num(a, 4)?, num(b, 2)?, num(c, 2)?)
    } else if c.len() == 4 {
        (num(c, 4)?, num(b, 2)?, num(a, 2)?)
    } else {
        return None;
    };
    if y == 0 {
        return None;
    }
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

/// A date as `YYYY-MM-DD`, the form every camguard file, table and database uses.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(crate) mod opt_date {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.serialize_some(&super::format_date(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|s| {
            super::parse_date(&s).ok_or_else(|| D::Error::custom(format!("invalid date {s:?}")))
        })
        .transpose()
    }
}

/// A date given as `"YYYY-MM-DD"` or as a bare TOML date.
pub(crate) fn date_value(v: &toml::Value) -> Result<Date, String> {
    match v {
        toml::Value::String(s) => date_serde::parse(s),
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                let month = time::Month::try_from(d.month)
                    .map_err(|_| format!("{dt} is not a valid date"))?;
                Date::from_calendar_date(i32::from(d.year), month, d.day)
                    .map_err(|_| format!("{dt} is not a valid date"))
            }
            _ => Err(format!("{dt} must be a date without a time (YYYY-MM-DD)")),
        },
        other => Err(format!(
            "expected a date \"YYYY-MM-DD\", found {}",
            other.type_str()
        )),
    }
}

/// `YYYY-MM-DD` (de)serialisation of [`time::Date`] (the workspace does not enable `time`'s
/// serde feature).
pub(crate) mod date_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day]");

    pub(crate) fn format(d: Date) -> String {
        super::format_date(d)
    }

    pub(crate) fn parse(s: &str) -> Result<Date, String> {
        Date::parse(s.trim(), FORMAT)
            .map_err(|_| format!("`{s}` is not a valid date (expected YYYY-MM-DD)"))
    }

    pub(crate) fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(serde::de::Error::custom)
    }

    pub(crate) mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Date;

        pub(crate) fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&super::format(*d)),
                None => s.serialize_none(),
            }
        }

        #[expect(dead_code, reason = "kept beside its serialize twin for serde(with)")]
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Date>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| super::parse(&s).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}
