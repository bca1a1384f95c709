//! Line-level parser of the shared config and credentials files, and the per-file rules that
//! turn raw sections into profiles, `sso-session` and `services` sections.

use std::collections::BTreeMap;
use std::path::Path;

use super::{ProfileFileError, Section};

/// Which of the two shared files is being read: the rules for section headers differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Config,
    Credentials,
}

impl FileKind {
    fn describe(self) -> &'static str {
        match self {
            FileKind::Config => "config file",
            FileKind::Credentials => "credentials file",
        }
    }
}

/// A section exactly as written, before the per-file naming rules apply.
struct RawSection {
    header: String,
    line: usize,
    section: Section,
}

/// The property that continuation lines currently extend.
enum Current {
    None,
    /// A property whose name was invalid and is being skipped, continuation lines included.
    Ignored,
    Property(String),
}

/// The sections of one file, sorted into their namespaces.
#[derive(Default)]
pub(crate) struct ParsedFile {
    pub(crate) profiles: Vec<(String, Section)>,
    pub(crate) sso_sessions: Vec<(String, Section)>,
    pub(crate) services: Vec<(String, Section)>,
}

/// Profile, section and property names: the characters the AWS SDKs accept.
pub(crate) fn is_valid_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Cuts a property line at the first `#` or `;` that follows whitespace; a comment character
/// directly after other text belongs to the value.
fn strip_property_comment(line: &str) -> &str {
    let mut previous_blank = false;
    for (i, c) in line.char_indices() {
        if previous_blank && (c == '#' || c == ';') {
            return &line[..i];
        }
        previous_blank = is_blank(c);
    }
    line
}

fn error(path: &Path, line: usize, message: impl Into<String>) -> ProfileFileError {
    ProfileFileError::malformed(path, line, message.into())
}

/// Splits `name = value`. Error messages never repeat the line: it may hold a secret.
fn split_property<'a>(
    path: &Path,
    line_number: usize,
    text: &'a str,
    what: &str,
) -> Result<(&'a str, &'a str), ProfileFileError> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(error(
            path,
            line_number,
            format!("expected a {what} definition `name = value`, found no `=`"),
        ));
    };
    let name = name.trim_matches(is_blank);
    if name.is_empty() {
        return Err(error(
            path,
            line_number,
            format!("{what} definition has an empty name"),
        ));
    }
    Ok((name, value.trim_matches(is_blank)))
}

/// Parses the text of one file into raw sections.
fn parse_sections(path: &Path, text: &str) -> Result<Vec<RawSection>, ProfileFileError> {
    let mut sections: Vec<RawSection> = Vec::new();
    let mut current = Current::None;

    for (index, raw_line) in text.lines().enumerate() {
        let line_number = index + 1;
        // `lines()` leaves a `\r` only when it is not part of a `\r\n` pair.
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }

        if line.starts_with('[') {
            let without_comment = match line.find(['#', ';']) {
                Some(i) => &line[..i],
                None => line,
            };
            let Some(inner) = without_comment
                .trim_end_matches(is_blank)
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
            else {
                return Err(error(path, line_number, "section header must end with `]`"));
            };
            sections.push(RawSection {
                header: inner.trim_matches(is_blank).to_string(),
                line: line_number,
                section: Section::default(),
            });
            current = Current::None;
            continue;
        }

        let Some(section) = sections.last_mut() else {
            return Err(error(
                path,
                line_number,
                "expected a section header such as `[default]` before any property",
            ));
        };

        if line.starts_with(is_blank) {
            let continuation = line.trim_matches(is_blank);
            match &current {
                Current::None => {
                    return Err(error(
                        path,
                        line_number,
                        "indented line continues no property (only property values can \
                         continue on indented lines)",
                    ));
                }
                Current::Ignored => {}
                Current::Property(name) => {
                    let Some(property) = section.section.properties.get_mut(name) else {
                        continue;
                    };
                    if let Some(sub_properties) = &mut property.sub_properties {
                        let (sub_name, sub_value) =
                            split_property(path, line_number, continuation, "sub-property")?;
                        if is_valid_identifier(sub_name) {
                            sub_properties
                                .insert(sub_name.to_ascii_lowercase(), sub_value.to_string());
                        } else {
                            tracing::warn!(
                                file = %path.display(),
                                line = line_number,
                                "ignoring a sub-property with an invalid name"
                            );
                        }
                    }
                    property.value.push('\n');
                    property.value.push_str(continuation);
                }
            }
            continue;
        }

        let (name, value) =
            split_property(path, line_number, strip_property_comment(line), "property")?;
        if !is_valid_identifier(name) {
            tracing::warn!(
                file = %path.display(),
                line = line_number,
                "ignoring a property with an invalid name"
            );
            current = Current::Ignored;
            continue;
        }
        let key = name.to_ascii_lowercase();
        section.section.properties.insert(
            key.clone(),
            super::Property {
                value: value.to_string(),
                // An empty value followed by indented `name = value` lines holds sub-properties.
                sub_properties: value.is_empty().then(BTreeMap::new),
            },
        );
        current = Current::Property(key);
    }
    Ok(sections)
}

/// Parses one file and applies the naming rules of its kind.
pub(crate) fn parse_file(
    path: &Path,
    text: &str,
    kind: FileKind,
) -> Result<ParsedFile, ProfileFileError> {
    let raw = parse_sections(path, text)?;
    let mut parsed = ParsedFile::default();
    // In the config file, `[profile default]` wins over `[default]` wherever either appears.
    let has_prefixed_default = kind == FileKind::Config
        && raw.iter().any(|s| {
            matches!(s.header.split_once(is_blank), Some(("profile", rest)) if rest.trim_matches(is_blank) == "default")
        });

    for RawSection {
        header,
        line,
        section,
    } in raw
    {
        let ignore = |why: &str| {
            tracing::warn!(
                file = %path.display(),
                line,
                "ignoring a section of the {}: {why}",
                kind.describe()
            );
        };
        let (prefix, name) = match header.split_once(is_blank) {
            Some((prefix, rest)) => (Some(prefix), rest.trim_matches(is_blank)),
            None => (None, header.as_str()),
        };
        if !is_valid_identifier(name) {
            ignore("its name is empty or has invalid characters");
            continue;
        }
        let target = match (kind, prefix) {
            (FileKind::Credentials, None) => &mut parsed.profiles,
            (FileKind::Credentials, Some(_)) => {
                ignore("sections of the credentials file are plain `[name]` profiles");
                continue;
            }
            (FileKind::Config, None) if name == "default" => {
                if has_prefixed_default {
                    ignore("`[profile default]` takes precedence over `[default]`");
                    continue;
                }
                &mut parsed.profiles
            }
            (FileKind::Config, None) => {
                ignore("profiles in the config file are written `[profile name]`");
                continue;
            }
            (FileKind::Config, Some("profile")) => &mut parsed.profiles,
            (FileKind::Config, Some("sso-session")) => &mut parsed.sso_sessions,
            (FileKind::Config, Some("services")) => &mut parsed.services,
            (FileKind::Config, Some(_)) => {
                ignore("unknown section type");
                continue;
            }
        };
        target.push((name.to_string(), section));
    }
    Ok(parsed)
}
