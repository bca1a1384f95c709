//! The timestamp type of generated clients.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_smithy_types::date_time::Format as SmithyFormat;

/// Wire formats of a timestamp (Smithy `@timestampFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimestampFormat {
    /// RFC 3339 date-time in UTC, e.g. `2024-01-02T03:04:05.123Z`.
    DateTime,
    /// IMF-fixdate (RFC 7231), e.g. `Tue, 02 Jan 2024 03:04:05 GMT`.
    HttpDate,
    /// Seconds since the Unix epoch, with an optional fraction.
    EpochSeconds,
}

/// An instant in time with nanosecond precision, as carried by Smithy `timestamp` shapes.
///
/// Converts to and from [`SystemTime`]; formats and parses every Smithy timestamp format.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    seconds: i64,
    nanos: u32,
}

/// A timestamp that could not be parsed or formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeError {
    message: String,
}

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DateTimeError {}

impl DateTime {
    /// Seconds since the Unix epoch.
    pub const fn from_secs(seconds: i64) -> Self {
        Self { seconds, nanos: 0 }
    }

    /// Seconds since the Unix epoch plus a sub-second part in nanoseconds (values of a
    /// second or more are carried into the seconds).
    pub const fn from_secs_and_nanos(seconds: i64, nanos: u32) -> Self {
        Self {
            seconds: seconds + (nanos / 1_000_000_000) as i64,
            nanos: nanos % 1_000_000_000,
        }
    }

    /// Milliseconds since the Unix epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self {
            seconds: millis.div_euclid(1000),
            nanos: (millis.rem_euclid(1000) as u32) * 1_000_000,
        }
    }

    /// Fractional seconds since the Unix epoch.
    pub fn from_secs_f64(value: f64) -> Self {
        let seconds = value.floor();
        let nanos = ((value - seconds) * 1e9).round() as u32;
        Self::from_secs_and_nanos(seconds as i64, nanos)
    }

    /// Whole seconds since the Unix epoch (rounded toward negative infinity).
    pub const fn secs(&self) -> i64 {
        self.seconds
    }

    /// The sub-second part, in nanoseconds.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Seconds since the Unix epoch as a float.
    pub fn as_secs_f64(&self) -> f64 {
        self.seconds as f64 + self.nanos as f64 / 1e9
    }

    /// Parses `text` in `format`.
    pub fn parse(text: &str, format: TimestampFormat) -> Result<Self, DateTimeError> {
        let parsed = match format {
            TimestampFormat::DateTime => {
                if let Some(t) = parse_plain_utc(text) {
                    return Ok(t);
                }
                aws_smithy_types::DateTime::from_str(text, SmithyFormat::DateTimeWithOffset)
            }
            TimestampFormat::HttpDate => {
                aws_smithy_types::DateTime::from_str(text, SmithyFormat::HttpDate)
            }
            TimestampFormat::EpochSeconds => {
                aws_smithy_types::DateTime::from_str(text, SmithyFormat::EpochSeconds)
            }
        };
        parsed
            .map(|d| Self::from_secs_and_nanos(d.secs(), d.subsec_nanos()))
            .map_err(|e| DateTimeError {
                message: format!("invalid {format:?} timestamp {text:?}: {e}"),
            })
    }

    /// Formats this instant in `format`.
    pub fn format(&self, format: TimestampFormat) -> Result<String, DateTimeError> {
        let smithy = aws_smithy_types::DateTime::from_secs_and_nanos(self.seconds, self.nanos);
        let f = match format {
            TimestampFormat::DateTime => SmithyFormat::DateTime,
            TimestampFormat::HttpDate => SmithyFormat::HttpDate,
            TimestampFormat::EpochSeconds => SmithyFormat::EpochSeconds,
        };
        smithy.fmt(f).map_err(|e| DateTimeError {
            // Not `{self:?}`: Debug formats through this function.
            message: format!(
                "cannot format {}s + {}ns as {format:?}: {e}",
                self.seconds, self.nanos
            ),
        })
    }
}

/// The form services send, `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (years 1970 to 9999), read
/// without the general parser: response bodies carry many. Anything else returns `None` and
/// goes the general way, which gives the same result for this form.
fn parse_plain_utc(text: &str) -> Option<DateTime> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[b.len() - 1] != b'Z'
    {
        return None;
    }
    let digits = |d: &[u8]| {
        d.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (year, month, day) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    let nanos = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if !(1970..=9999).contains(&year)
        || day == 0
        || day > month_days
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (years counted from March).
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era_day = 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + day - 1;
    let days = i64::from(era_day) - 719_468;
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(DateTime::from_secs_and_nanos(secs, nanos))
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format(TimestampFormat::DateTime) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "DateTime({}s + {}ns)", self.seconds, self.nanos),
        }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl From<SystemTime> for DateTime {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(d) => Self::from_secs_and_nanos(d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => {
                let d = e.duration();
                if d.subsec_nanos() == 0 {
                    Self::from_secs(-(d.as_secs() as i64))
                } else {
                    Self::from_secs_and_nanos(
                        -(d.as_secs() as i64) - 1,
                        1_000_000_000 - d.subsec_nanos(),
                    )
                }
            }
        }
    }
}

impl TryFrom<DateTime> for SystemTime {
    type Error = DateTimeError;

    fn try_from(value: DateTime) -> Result<Self, Self::Error> {
        let out_of_range = || DateTimeError {
            message: format!("{value:?} is out of the range of SystemTime"),
        };
        if value.seconds >= 0 {
            UNIX_EPOCH
                .checked_add(Duration::new(value.seconds as u64, value.nanos))
                .ok_or_else(out_of_range)
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(value.seconds.unsigned_abs()))
                .and_then(|t| t.checked_add(Duration::from_nanos(value.nanos as u64)))
                .ok_or_else(out_of_range)
        }
    }
}

/// Conversions to and from the `time` crate (feature `time`).
#[cfg(feature = "time")]
mod time_conversions {
    use super::{DateTime, DateTimeError};

    impl From<time::OffsetDateTime> for DateTime {
        fn from(value: time::OffsetDateTime) -> Self {
            let nanos = value.unix_timestamp_nanos();
            // `OffsetDateTime` spans about ±10,000 years, well inside `i64` seconds.
            Self {
                seconds: nanos.div_euclid(1_000_000_000) as i64,
                nanos: nanos.rem_euclid(1_000_000_000) as u32,
            }
        }
    }

    impl TryFrom<DateTime> for time::OffsetDateTime {
        type Error = DateTimeError;

        /// Fails for instants outside the range of `OffsetDateTime`.
        fn try_from(value: DateTime) -> Result<Self, Self::Error> {
            let nanos = i128::from(value.seconds) * 1_000_000_000 + i128::from(value.nanos);
            time::OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|e| DateTimeError {
                message: format!(
                    "{}s + {}ns is out of the range of time::OffsetDateTime: {e}",
                    value.seconds, value.nanos
                ),
            })
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn converts_to_and_from_offset_date_time() {
            let t = DateTime::from_secs_and_nanos(-2, 500_000_000);
            let odt = time::OffsetDateTime::try_from(t).unwrap();
            assert_eq!(odt.unix_timestamp_nanos(), -1_500_000_000);
            assert_eq!(DateTime::from(odt), t);
            let err = time::OffsetDateTime::try_from(DateTime::from_secs(i64::MAX)).unwrap_err();
            assert!(err.to_string().contains("out of the range"), "{err}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn general(text: &str) -> Option<DateTime> {
        aws_smithy_types::DateTime::from_str(text, SmithyFormat::DateTimeWithOffset)
            .ok()
            .map(|d| DateTime::from_secs_and_nanos(d.secs(), d.subsec_nanos()))
    }

    #[test]
    fn the_plain_utc_form_reads_as_the_general_parser_reads_it() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..20_000 {
            let secs = rng.i64(0..253_402_300_800);
            let digits = rng.usize(0..=9);
            let nanos = rng.u32(0..1_000_000_000);
            let base = DateTime::from_secs(secs)
                .format(TimestampFormat::DateTime)
                .unwrap();
            let text = if digits == 0 {
                base
            } else {
                let fraction = format!("{nanos:09}");
                format!("{}.{}Z", &base[..19], &fraction[..digits])
            };
            let fast = parse_plain_utc(&text);
            assert!(fast.is_some(), "{text}");
            assert_eq!(fast, general(&text), "{text}");
        }
        for edge in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59.999999999Z",
            "2024-12-31T23:59:59Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert_eq!(parse_plain_utc(edge), general(edge), "{edge}");
        }
        // Not the plain form, or not a date: the general parser decides.
        for other in [
            "2023-02-29T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T23:59:60Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00.1234567890Z",
            "2024-01-01t00:00:00z",
            "2024-01-01T00:00:00+00:00",
            "1969-12-31T23:59:59Z",
            "+024-01-01T00:00:00Z",
            "2024-01-0aT00:00:00Z",
            "2024-01-01T00:0/:00Z",
            "2024-01-01T00:00:00.12a4Z",
            "2024-01-01T00:00:00.:Z",
        ] {
            assert_eq!(parse_plain_utc(other), None, "{other}");
        }
    }

    #[test]
    fn formats_and_parses_every_format() {
        let t = DateTime::from_secs_and_nanos(1_704_164_645, 123_000_000);
        assert_eq!(
            t.format(TimestampFormat::DateTime).unwrap(),
            "2024-01-02T03:04:05.123Z"
        );
        assert_eq!(
            t.format(TimestampFormat::EpochSeconds).unwrap(),
            "1704164645.123"
        );
        assert_eq!(
            DateTime::from_secs(1_704_164_645)
                .format(TimestampFormat::HttpDate)
                .unwrap(),
            "Tue, 02 Jan 2024 03:04:05 GMT"
        );
        assert_eq!(
            DateTime::parse("2024-01-02T03:04:05.123Z", TimestampFormat::DateTime).unwrap(),
            t
        );
        assert_eq!(
            DateTime::parse("2024-01-02T04:04:05.123+01:00", TimestampFormat::DateTime).unwrap(),
            t
        );
        assert_eq!(
            DateTime::parse("Tue, 02 Jan 2024 03:04:05 GMT", TimestampFormat::HttpDate).unwrap(),
            DateTime::from_secs(1_704_164_645)
        );
        let err = DateTime::parse("yesterday", TimestampFormat::DateTime).unwrap_err();
        assert!(err.to_string().contains("\"yesterday\""), "{err}");
    }

    #[test]
    fn converts_to_and_from_system_time() {
        let before = DateTime::from(UNIX_EPOCH - Duration::from_millis(1500));
        assert_eq!((before.secs(), before.subsec_nanos()), (-2, 500_000_000));
        assert_eq!(
            SystemTime::try_from(before).unwrap(),
            UNIX_EPOCH - Duration::from_millis(1500)
        );
        let after = DateTime::from_millis(1_704_164_645_123);
        assert_eq!(
            SystemTime::try_from(after).unwrap(),
            UNIX_EPOCH + Duration::from_millis(1_704_164_645_123)
        );
    }
}
