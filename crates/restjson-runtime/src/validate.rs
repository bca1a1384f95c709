//! Client-side validation of operation inputs against the model: required members and the
//! `@length`, `@range` and `@pattern` constraints.
//!
//! Before a request is sent, the runtime checks that every required member of the input is
//! set, and the constraints of the input and of every structure, list and map nested in it. It
//! reports every problem at once in one [`ValidationError`] (reachable with
//! `SdkError::as_validation_error()`): each missing member and each violated constraint with
//! its path (`destinationConfiguration.s3.bucketName`, `tags["team"]`, `items[2]`), like the
//! `fieldList` of a service `ValidationException`. Nothing is sent when there is one.
//!
//! Two modes:
//! - **default**: only what validating AWS SDKs check, which the service enforces as well:
//!   minimum lengths and minimum values. A request the service would accept is never refused.
//! - **strict** (`Config::builder().strict_validation(true)`): also maximum lengths, maximum
//!   values and patterns. Patterns come from the model and are not always what the service
//!   enforces (a model pattern may be narrower than the identifiers the service really accepts),
//!   so strict mode can refuse requests the service would accept. Patterns are matched as
//!   ECMA-262 expressions with search semantics (the model anchors them with `^`/`$` where it
//!   means to); a pattern this engine cannot compile is not checked. Patterns are checked only
//!   with the `patterns` feature (the generated crate's feature of that name turns it on): it
//!   compiles a regex engine that most programs do not need.
//!
//! Lengths count Unicode scalar values for strings, bytes for blobs, and entries for lists and
//! maps, as Smithy defines them. Values are never copied into error messages (they may be
//! sensitive); only paths and constraints are.

use std::error::Error as StdError;
use std::fmt;

/// A bound of a `@range` constraint, typed like the member it constrains: integers for
/// integer members. `Debug` and `Display` print the number alone (`1`, `0.5`).
#[derive(Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Bound {
    /// A bound of an integer member (`byte` to `long`).
    Integer(i64),
    /// A bound of a `float` or `double` member.
    Float(f64),
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Integer(n) => write!(f, "{n}"),
            Self::Float(n) => write!(f, "{n}"),
        }
    }
}

impl fmt::Debug for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Integer(n) => write!(f, "{n}"),
            Self::Float(n) => write!(f, "{n:?}"),
        }
    }
}

/// What is wrong with one member.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Constraint {
    /// `@required`: the member is not set.
    Required,
    /// `@length(min)`: the value is shorter.
    MinLength {
        /// The minimum.
        min: u64,
        /// The value's length.
        actual: u64,
    },
    /// `@length(max)`: the value is longer (strict mode).
    MaxLength {
        /// The maximum.
        max: u64,
        /// The value's length.
        actual: u64,
    },
    /// `@range(min)`: the value is smaller.
    Min {
        /// The minimum.
        min: Bound,
    },
    /// `@range(max)`: the value is larger (strict mode).
    Max {
        /// The maximum.
        max: Bound,
    },
    /// `@pattern`: the value does not match (strict mode).
    Pattern {
        /// The pattern, as written in the model.
        pattern: &'static str,
    },
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Required => f.write_str("is required but not set"),
            Self::MinLength { min, actual } => {
                write!(f, "has length {actual}, below the minimum of {min}")
            }
            Self::MaxLength { max, actual } => {
                write!(f, "has length {actual}, above the maximum of {max}")
            }
            Self::Min { min } => write!(f, "is below the minimum of {min}"),
            Self::Max { max } => write!(f, "is above the maximum of {max}"),
            Self::Pattern { pattern } => write!(f, "does not match the pattern {pattern}"),
        }
    }
}

/// One problem with one member: missing, or a violated constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldViolation {
    path: String,
    constraint: Constraint,
}

impl FieldViolation {
    /// The member's path from the input, using the model's member names, e.g.
    /// `destinationConfiguration.s3.bucketName` or `tags["team"]`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong: [`Constraint::Required`] for a missing member, else the violated
    /// constraint.
    pub fn constraint(&self) -> &Constraint {
        &self.constraint
    }
}

impl fmt::Display for FieldViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.path, self.constraint)
    }
}

/// An input that the model does not allow; nothing was sent. Lists every problem at once:
/// each missing required member and each violated constraint, in member order.
///
/// `Display` reads like `invalid input (2 problems): `roomIdentifier` is required but not
/// set; `name` has length 0, below the minimum of 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    violations: Vec<FieldViolation>,
}

impl ValidationError {
    /// Every problem, in member order.
    pub fn violations(&self) -> &[FieldViolation] {
        &self.violations
    }

    /// The paths of the required members that are not set.
    pub fn missing(&self) -> impl Iterator<Item = &str> {
        self.violations
            .iter()
            .filter(|v| v.constraint == Constraint::Required)
            .map(FieldViolation::path)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.violations.len();
        write!(
            f,
            "invalid input ({n} {}): ",
            if n == 1 { "problem" } else { "problems" }
        )?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl StdError for ValidationError {}

/// The checks generated code runs (re-exported through `__private` only).
pub(crate) mod checks {
    use std::fmt;
    #[cfg(feature = "patterns")]
    use std::sync::OnceLock;

    use super::{Bound, Constraint, FieldViolation, ValidationError};

    /// A `@pattern` compiled on first use (only strict mode uses it, and only with the
    /// `patterns` feature: without it no pattern is checked).
    pub struct Pattern {
        source: &'static str,
        #[cfg(feature = "patterns")]
        compiled: OnceLock<Option<regex_lite::Regex>>,
    }

    impl fmt::Debug for Pattern {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_tuple("Pattern").field(&self.source).finish()
        }
    }

    impl Pattern {
        /// A pattern from the model.
        pub const fn new(source: &'static str) -> Self {
            Self {
                source,
                #[cfg(feature = "patterns")]
                compiled: OnceLock::new(),
            }
        }

        /// The pattern as written in the model.
        pub fn as_str(&self) -> &'static str {
            self.source
        }

        /// Whether `value` matches; `None` when the pattern cannot be compiled, or without the
        /// `patterns` feature.
        #[cfg(not(feature = "patterns"))]
        pub fn is_match(&self, _value: &str) -> Option<bool> {
            None
        }

        /// Whether `value` matches; `None` when the pattern cannot be compiled.
        #[cfg(feature = "patterns")]
        pub fn is_match(&self, value: &str) -> Option<bool> {
            self.compiled
                .get_or_init(|| {
                    let compiled = regex_lite::Regex::new(self.source);
                    if let Err(e) = &compiled {
                        tracing::debug!(pattern = self.source, error = %e, "pattern not checked");
                    }
                    compiled.ok()
                })
                .as_ref()
                .map(|re| re.is_match(value))
        }
    }

    /// Collects violations while generated code walks an input.
    #[derive(Debug)]
    pub struct Validator {
        strict: bool,
        path: String,
        violations: Vec<FieldViolation>,
    }

    impl Validator {
        /// A validator in default (`strict == false`) or strict mode.
        pub fn new(strict: bool) -> Self {
            Self {
                strict,
                path: String::new(),
                violations: Vec::new(),
            }
        }

        /// Whether maximums and patterns are checked.
        pub fn is_strict(&self) -> bool {
            self.strict
        }

        fn violation(&mut self, constraint: Constraint) {
            self.violations.push(FieldViolation {
                path: self.path.clone(),
                constraint,
            });
        }

        fn enter_segment(&mut self, segment: fmt::Arguments<'_>) -> usize {
            use fmt::Write;
            let len = self.path.len();
            let _ = self.path.write_fmt(segment);
            len
        }

        fn nest(&mut self, segment: fmt::Arguments<'_>, f: impl FnOnce(&mut Self)) {
            let len = self.enter_segment(segment);
            f(self);
            self.path.truncate(len);
        }

        /// Checks the member `name` of the current structure with `f`.
        pub fn field(&mut self, name: &str, f: impl FnOnce(&mut Self)) {
            let len = self.enter(name);
            f(self);
            self.path.truncate(len);
        }

        /// Adds the member `name` to the path; returns the path's length before it. (Kept out
        /// of [`field`](Self::field), which is compiled once per member of every input.)
        fn enter(&mut self, name: &str) -> usize {
            // Every member of every input passes here: pushed as is, not formatted.
            let len = self.path.len();
            if len > 0 {
                self.path.push('.');
            }
            self.path.push_str(name);
            len
        }

        /// Checks item `index` of the current list with `f`.
        pub fn index(&mut self, index: usize, f: impl FnOnce(&mut Self)) {
            self.nest(format_args!("[{index}]"), f)
        }

        /// Checks the entry `key` of the current map with `f`.
        pub fn key(&mut self, key: &str, f: impl FnOnce(&mut Self)) {
            self.nest(format_args!("[{key:?}]"), f)
        }

        /// Checks the entry of a map whose keys are sensitive: the path does not show the key.
        pub fn hidden_key(&mut self, f: impl FnOnce(&mut Self)) {
            self.nest(format_args!("[*]"), f)
        }

        /// Checks a length against `@length(min, max)`.
        pub fn length(&mut self, actual: usize, min: Option<u64>, max: Option<u64>) {
            let actual = actual as u64;
            if let Some(min) = min.filter(|m| actual < *m) {
                self.violation(Constraint::MinLength { min, actual });
            }
            if let Some(max) = max.filter(|m| self.strict && actual > *m) {
                self.violation(Constraint::MaxLength { max, actual });
            }
        }

        /// Checks a string's length (in Unicode scalar values) against `@length(min, max)`.
        pub fn str_length(&mut self, value: &str, min: Option<u64>, max: Option<u64>) {
            // Counting is only needed when a bound could be violated: a string of n bytes
            // holds at least n/4 (rounded up) and at most n scalar values.
            let bytes = value.len() as u64;
            let below = min.is_some_and(|m| m > bytes.div_ceil(4));
            let above = self.strict && max.is_some_and(|m| m < bytes);
            if below || above {
                self.length(value.chars().count(), min, max);
            }
        }

        /// Records that the required member `name` of the current structure is not set.
        pub fn missing(&mut self, name: &str) {
            self.field(name, |v| v.violation(Constraint::Required));
        }

        /// Checks an integer against `@range(min, max)`.
        pub fn int_range(&mut self, value: i64, min: Option<i64>, max: Option<i64>) {
            if let Some(min) = min.filter(|m| value < *m) {
                self.violation(Constraint::Min {
                    min: Bound::Integer(min),
                });
            }
            if let Some(max) = max.filter(|m| self.strict && value > *m) {
                self.violation(Constraint::Max {
                    max: Bound::Integer(max),
                });
            }
        }

        /// Checks a floating-point number against `@range(min, max)`.
        pub fn float_range(&mut self, value: f64, min: Option<f64>, max: Option<f64>) {
            if let Some(min) = min.filter(|m| value < *m) {
                self.violation(Constraint::Min {
                    min: Bound::Float(min),
                });
            }
            if let Some(max) = max.filter(|m| self.strict && value > *m) {
                self.violation(Constraint::Max {
                    max: Bound::Float(max),
                });
            }
        }

        /// Checks a string against `@pattern` (strict mode only).
        pub fn pattern(&mut self, value: &str, pattern: &'static Pattern) {
            if self.strict && pattern.is_match(value) == Some(false) {
                self.violation(Constraint::Pattern {
                    pattern: pattern.as_str(),
                });
            }
        }

        /// Every violation found, as an error if there is any.
        pub fn finish(self) -> Result<(), ValidationError> {
            if self.violations.is_empty() {
                Ok(())
            } else {
                Err(ValidationError {
                    violations: self.violations,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::checks::{Pattern, Validator};
    use super::*;

    static ROOM_ARN: Pattern =
        Pattern::new("^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room/[a-zA-Z0-9-]+$");

    #[test]
    fn default_mode_checks_only_minimums() {
        let mut v = Validator::new(false);
        v.field("name", |v| {
            v.str_length("", Some(1), Some(3));
            v.str_length("abcdef", Some(1), Some(3));
            v.pattern("not an arn", &ROOM_ARN);
        });
        v.field("count", |v| {
            v.int_range(0, Some(1), Some(5));
            v.int_range(9, Some(1), Some(5));
        });
        v.missing("roomIdentifier");
        let err = v.finish().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input (3 problems): `name` has length 0, below the minimum of 1; `count` is below the minimum of 1; `roomIdentifier` is required but not set"
        );
        assert_eq!(err.missing().collect::<Vec<_>>(), ["roomIdentifier"]);
        // Integer bounds print as integers, in `Debug` too.
        assert_eq!(
            format!("{:?}", err.violations()[1].constraint()),
            "Min { min: 1 }"
        );
    }

    #[test]
    fn string_lengths_are_counted_in_scalar_values_whatever_their_bytes() {
        // One to four bytes per scalar value, around both bounds: the outcome is that of
        // counting every string, in both modes.
        let samples = [
            "",
            "a",
            "ab",
            "é",
            "€",
            "😀",
            "😀😀",
            "a😀",
            "é€x",
            "😀😀😀😀a",
        ];
        for strict in [false, true] {
            for value in samples {
                for min in [None, Some(0), Some(1), Some(2), Some(3), Some(5)] {
                    for max in [None, Some(0), Some(1), Some(2), Some(4), Some(8)] {
                        let mut v = Validator::new(strict);
                        v.str_length(value, min, max);
                        let mut counted = Validator::new(strict);
                        counted.length(value.chars().count(), min, max);
                        let outcome = |v: Validator| v.finish().map_err(|e| e.to_string());
                        assert_eq!(
                            outcome(v),
                            outcome(counted),
                            "{value:?} min {min:?} max {max:?} strict {strict}"
                        );
                    }
                }
            }
        }
        let mut v = Validator::new(false);
        v.field("name", |v| v.str_length("😀😀", Some(3), None));
        assert_eq!(
            v.finish().unwrap_err().to_string(),
            "invalid input (1 problem): `name` has length 2, below the minimum of 3"
        );
    }

    #[test]
    fn strict_mode_checks_everything_with_paths() {
        let mut v = Validator::new(true);
        v.field("outer", |v| {
            v.field("list", |v| {
                v.index(2, |v| v.str_length("é€x", None, Some(2)));
            });
            v.field("map", |v| {
                v.key("k", |v| {
                    v.pattern("arn:aws:ivschat:us-west-2:1:room/x", &ROOM_ARN)
                });
                v.key("bad", |v| v.pattern("nope", &ROOM_ARN));
                v.hidden_key(|v| v.float_range(7.0, None, Some(6.5)));
                v.missing("inner");
            });
        });
        let err = v.finish().unwrap_err();
        let got: Vec<(String, Constraint)> = err
            .violations()
            .iter()
            .map(|v| (v.path().to_owned(), v.constraint().clone()))
            .collect();
        let mut want = vec![(
            "outer.list[2]".to_owned(),
            Constraint::MaxLength { max: 2, actual: 3 },
        )];
        // Without the `patterns` feature no pattern is checked (no regex engine compiled in).
        if cfg!(feature = "patterns") {
            want.push((
                "outer.map[\"bad\"]".to_owned(),
                Constraint::Pattern {
                    pattern: ROOM_ARN.as_str(),
                },
            ));
        }
        want.extend([
            (
                "outer.map[*]".to_owned(),
                Constraint::Max {
                    max: Bound::Float(6.5),
                },
            ),
            ("outer.map.inner".to_owned(), Constraint::Required),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn uncompilable_patterns_are_not_checked() {
        static LOOKAHEAD: Pattern = Pattern::new("^(?=a)b$");
        let mut v = Validator::new(true);
        v.pattern("zzz", &LOOKAHEAD);
        assert_eq!(v.finish(), Ok(()));
    }
}
