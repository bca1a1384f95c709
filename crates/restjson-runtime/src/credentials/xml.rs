//! A small, strict XML reader for STS answers (awsQuery), and nothing more: it takes the place
//! of a general XML crate so that a client's default build compiles one crate less.
//!
//! It accepts an optional byte-order mark and `<?xml ...?>` declaration, elements with
//! attributes (namespace prefixes are kept in names, never resolved), text with the five
//! predefined entities and character references, CDATA sections, comments and whitespace
//! around the root element. It refuses document type declarations (so no entity is ever
//! defined or expanded), other processing instructions, more than one root element, text
//! outside it, and anything not well-formed. Work is linear in the input and nesting depth is
//! bounded; errors give a byte offset, never the document's content (it may hold secrets).

use std::borrow::Cow;

/// One piece of a document.
#[derive(Debug, PartialEq)]
pub(super) enum Token<'a> {
    /// An element starts; [`Reader::open`] ends with its name. `empty` for `<name/>`, which
    /// has no [`Token::End`].
    Start { empty: bool },
    /// The innermost open element ends.
    End,
    /// Character data inside an element (entities resolved, line ends normalized), from text
    /// or a CDATA section.
    Text(Cow<'a, str>),
}

/// Reads a document token by token.
#[derive(Debug)]
pub(super) struct Reader<'a> {
    text: &'a str,
    at: usize,
    /// Qualified names of the open elements, outermost first.
    open: Vec<&'a str>,
    max_depth: usize,
    root_seen: bool,
    /// The last token was an empty element, still on `open` for the caller to see.
    close_empty: bool,
}

impl<'a> Reader<'a> {
    /// A reader of `text` refusing elements nested deeper than `max_depth`.
    pub(super) fn new(text: &'a str, max_depth: usize) -> Self {
        Self {
            text,
            at: if text.starts_with('\u{feff}') { 3 } else { 0 },
            open: Vec::new(),
            max_depth,
            root_seen: false,
            close_empty: false,
        }
    }

    /// Qualified names of the open elements, outermost first.
    pub(super) fn open(&self) -> &[&'a str] {
        &self.open
    }

    /// The next token, `None` at the end of a complete document.
    pub(super) fn next_token(&mut self) -> Result<Option<Token<'a>>, String> {
        if std::mem::take(&mut self.close_empty) {
            self.open.pop();
        }
        loop {
            let rest = &self.text[self.at..];
            if rest.is_empty() {
                if self.open.is_empty() {
                    return Ok(None);
                }
                return Err("truncated XML (an element is not closed)".to_owned());
            }
            if !rest.starts_with('<') {
                let raw = &rest[..rest.find('<').unwrap_or(rest.len())];
                let start = self.at;
                self.at += raw.len();
                if !self.open.is_empty() {
                    return decode(raw, start).map(|t| Some(Token::Text(t)));
                }
                if !raw.bytes().all(is_space) {
                    return Err(self.malformed(start, "text outside the root element"));
                }
                continue;
            }
            if rest.starts_with("<!--") {
                self.at = self.skip_past("-->", 4)?;
            } else if rest.starts_with("<![CDATA[") {
                if self.open.is_empty() {
                    return Err(self.malformed(self.at, "a CDATA section outside the root element"));
                }
                let start = self.at + 9;
                self.at = self.skip_past("]]>", 9)?;
                let raw = &self.text[start..self.at - 3];
                return Ok(Some(Token::Text(normalize_line_ends(raw))));
            } else if rest.starts_with("<!") {
                return Err(self.malformed(self.at, "a document type declaration (not supported)"));
            } else if rest.starts_with("<?") {
                let declaration = (rest.starts_with("<?xml ") || rest.starts_with("<?xml?"))
                    && self.text[..self.at]
                        .trim_start_matches('\u{feff}')
                        .is_empty();
                if !declaration {
                    return Err(self.malformed(self.at, "a processing instruction (not supported)"));
                }
                self.at = self.skip_past("?>", 5)?;
            } else if rest.starts_with("</") {
                return self.end_tag().map(Some);
            } else {
                return self.start_tag().map(Some);
            }
        }
    }

    fn start_tag(&mut self) -> Result<Token<'a>, String> {
        let start = self.at;
        if self.open.is_empty() && self.root_seen {
            return Err(self.malformed(start, "a second root element"));
        }
        if self.open.len() >= self.max_depth {
            return Err(format!(
                "XML nested deeper than {} elements",
                self.max_depth
            ));
        }
        self.at += 1;
        let name = self.name()?;
        let empty = loop {
            let spaced = self.skip_spaces();
            let rest = &self.text[self.at..];
            if rest.starts_with("/>") {
                self.at += 2;
                break true;
            }
            if rest.starts_with('>') {
                self.at += 1;
                break false;
            }
            if rest.is_empty() {
                return Err("truncated XML (inside a tag)".to_owned());
            }
            if !spaced {
                return Err(self.malformed(self.at, "no space before an attribute"));
            }
            self.attribute()?;
        };
        self.open.push(name);
        self.root_seen = true;
        self.close_empty = empty;
        Ok(Token::Start { empty })
    }

    /// `name = "value"` (or single quotes); the value is checked, not kept.
    fn attribute(&mut self) -> Result<(), String> {
        self.name()?;
        self.skip_spaces();
        if !self.text[self.at..].starts_with('=') {
            return Err(self.malformed(self.at, "an attribute without `=`"));
        }
        self.at += 1;
        self.skip_spaces();
        let rest = &self.text[self.at..];
        let quote = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => q,
            None => return Err("truncated XML (inside a tag)".to_owned()),
            Some(_) => return Err(self.malformed(self.at, "an attribute value without quotes")),
        };
        let Some(len) = rest[1..].find(quote) else {
            return Err("truncated XML (inside a tag)".to_owned());
        };
        let value = &rest[1..1 + len];
        if let Some(i) = value.find('<') {
            return Err(self.malformed(self.at + 1 + i, "`<` in an attribute value"));
        }
        decode(value, self.at + 1)?;
        self.at += len + 2;
        Ok(())
    }

    fn end_tag(&mut self) -> Result<Token<'a>, String> {
        let start = self.at;
        self.at += 2;
        let name = self.name()?;
        self.skip_spaces();
        match self.text[self.at..].chars().next() {
            Some('>') => self.at += 1,
            None => return Err("truncated XML (inside a tag)".to_owned()),
            Some(_) => return Err(self.malformed(self.at, "an end tag not closed by `>`")),
        }
        match self.open.last() {
            Some(open) if *open == name => {
                self.open.pop();
                Ok(Token::End)
            }
            Some(_) => Err(self.malformed(start, "an end tag that does not match its start tag")),
            None => Err(self.malformed(start, "an end tag without a start tag")),
        }
    }

    /// An element or attribute name (ASCII rules; any other character is a name character).
    fn name(&mut self) -> Result<&'a str, String> {
        let rest = &self.text[self.at..];
        let len = rest
            .char_indices()
            .find(|&(i, c)| !is_name_char(c, i == 0))
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            if rest.is_empty() {
                return Err("truncated XML (inside a tag)".to_owned());
            }
            return Err(self.malformed(self.at, "a missing or invalid name"));
        }
        self.at += len;
        Ok(&rest[..len])
    }

    /// Skips XML whitespace; says whether there was any.
    fn skip_spaces(&mut self) -> bool {
        let rest = &self.text.as_bytes()[self.at..];
        let n = rest.iter().take_while(|b| is_space(**b)).count();
        self.at += n;
        n > 0
    }

    /// The offset just past the first `end` found `skip` bytes after the current position.
    fn skip_past(&self, end: &str, skip: usize) -> Result<usize, String> {
        let from = self.at + skip;
        match self.text.get(from..).and_then(|rest| rest.find(end)) {
            Some(i) => Ok(from + i + end.len()),
            None => Err(
                "truncated XML (a comment, CDATA section or declaration is not closed)".to_owned(),
            ),
        }
    }

    fn malformed(&self, at: usize, what: &str) -> String {
        format!("not well-formed XML (near byte {at}): {what}")
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_name_char(c: char, first: bool) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '_' | ':')
        || !c.is_ascii()
        || (!first && (c.is_ascii_digit() || matches!(c, '-' | '.')))
}

/// Text with its references resolved and line ends normalized; `at` is its offset in the
/// document, for errors.
fn decode(raw: &str, at: usize) -> Result<Cow<'_, str>, String> {
    if !raw.contains('&') {
        return Ok(normalize_line_ends(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&normalize_line_ends(&rest[..amp]));
        let reference = &rest[amp + 1..];
        let position = at + (raw.len() - rest.len()) + amp;
        // The longest reference is `&#x10FFFF;`; stop looking for `;` well before a long text.
        let Some(end) = reference.bytes().take(12).position(|b| b == b';') else {
            return Err(format!(
                "not well-formed XML (near byte {position}): a `&` that starts no reference"
            ));
        };
        let name = &reference[..end];
        match name {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            _ => match name.strip_prefix('#') {
                Some(number) => out.push(character_reference(number).ok_or_else(|| {
                    format!(
                        "not well-formed XML (near byte {position}): an invalid character reference"
                    )
                })?),
                None => {
                    return Err(format!(
                        "XML with an undefined entity reference (near byte {position})"
                    ));
                }
            },
        }
        rest = &reference[end + 1..];
    }
    out.push_str(&normalize_line_ends(rest));
    Ok(Cow::Owned(out))
}

/// The character of `&#number;` (decimal, or hexadecimal after `x`), if XML allows it.
fn character_reference(number: &str) -> Option<char> {
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(digits, radix).ok()?)?;
    let allowed = matches!(c, '\t' | '\n' | '\r')
        || ('\u{20}'..='\u{d7ff}').contains(&c)
        || ('\u{e000}'..='\u{fffd}').contains(&c)
        || c >= '\u{10000}';
    allowed.then_some(c)
}

/// `\r\n` and a lone `\r` read as `\n`, as XML requires.
fn normalize_line_ends(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\r') {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens of `doc` as text: `<name`, `<name/`, `>` for an end, and text in quotes.
    fn tokens(doc: &str) -> Result<Vec<String>, String> {
        let mut reader = Reader::new(doc, 8);
        let mut out = Vec::new();
        while let Some(token) = reader.next_token()? {
            out.push(match token {
                Token::Start { empty } => {
                    let name = reader.open().last().unwrap();
                    if empty {
                        format!("<{name}/")
                    } else {
                        format!("<{name}")
                    }
                }
                Token::End => ">".to_owned(),
                Token::Text(t) => format!("{t:?}"),
            });
        }
        Ok(out)
    }

    #[test]
    fn reads_elements_attributes_text_and_declarations() {
        let doc = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n\
                   <a:R xmlns:a='urn:x' b = \"1 &amp; 2\"><B>x<!-- c --><![CDATA[<&>]]>\r\ny</B>\
                   <C/><D k=\"v\" /></a:R>\n";
        assert_eq!(
            tokens(doc).unwrap(),
            [
                "<a:R", "<B", "\"x\"", "\"<&>\"", "\"\\ny\"", ">", "<C/", "<D/", ">"
            ]
        );
    }

    #[test]
    fn resolves_the_predefined_entities_and_character_references() {
        assert_eq!(
            tokens("<a>&lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#x1F600; &#13;\r</a>").unwrap(),
            ["<a", "\"<>&\\\"' AB\u{1F600} \\r\\n\"", ">"]
        );
    }

    #[test]
    fn an_empty_document_has_no_tokens() {
        assert_eq!(tokens("").unwrap(), Vec::<String>::new());
        assert_eq!(
            tokens("<?xml version='1.0'?>\n").unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn refuses_what_is_not_well_formed_naming_the_fault_not_the_content() {
        let cases = [
            (
                "<a><b>x</a>",
                "near byte 7): an end tag that does not match",
            ),
            (
                "<a>x</a></b>",
                "near byte 8): an end tag without a start tag",
            ),
            ("<a>x", "truncated XML (an element is not closed)"),
            ("<a><b", "truncated XML (inside a tag)"),
            ("<a b='1", "truncated XML (inside a tag)"),
            ("<a><!-- x", "truncated XML (a comment"),
            ("<a><![CDATA[x", "truncated XML (a comment, CDATA"),
            (
                "<a>&secret;</a>",
                "undefined entity reference (near byte 3)",
            ),
            (
                "<a>&amp</a>",
                "near byte 3): a `&` that starts no reference",
            ),
            ("<a>& b;</a>", "undefined entity reference"),
            ("<a>&#0;</a>", "an invalid character reference"),
            ("<a>&#xD800;</a>", "an invalid character reference"),
            ("<a>&#x110000;</a>", "an invalid character reference"),
            ("<a>&#12a;</a>", "an invalid character reference"),
            ("<a>&#;</a>", "an invalid character reference"),
            ("<a b='&bad;'/>", "undefined entity reference"),
            ("<a b='<'/>", "`<` in an attribute value"),
            ("<a b=1/>", "an attribute value without quotes"),
            ("<a b/>", "an attribute without `=`"),
            ("<a b='1'c='2'/>", "no space before an attribute"),
            ("<1a/>", "a missing or invalid name"),
            ("< a/>", "a missing or invalid name"),
            ("<a></a >x", "text outside the root element"),
            ("x<a/>", "near byte 0): text outside the root element"),
            ("<a/><b/>", "a second root element"),
            (
                "<![CDATA[x]]><a/>",
                "a CDATA section outside the root element",
            ),
            (
                "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
                "a document type declaration",
            ),
            ("<a><?php x?></a>", "a processing instruction"),
            ("<a/><?xml version='1.0'?>", "a processing instruction"),
            ("<a></b >", "an end tag that does not match"),
            ("<a></a x>", "an end tag not closed by `>`"),
        ];
        for (doc, expected) in cases {
            let error = tokens(doc).unwrap_err();
            assert!(error.contains(expected), "{doc}: {error}");
            for secret in ["secret", "php", "bad"] {
                assert!(!error.contains(secret), "{doc}: {error}");
            }
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "<a>".repeat(9);
        assert_eq!(
            tokens(&deep).unwrap_err(),
            "XML nested deeper than 8 elements"
        );
        let fits = format!("{}{}", "<a>".repeat(8), "</a>".repeat(8));
        assert_eq!(tokens(&fits).unwrap().len(), 16);
    }

    #[test]
    fn huge_inputs_are_read_in_linear_time_or_refused_early() {
        // A megabyte of text, of `&`s without `;`, and of an unclosed comment.
        let text = format!("<a>{}</a>", "x&amp;".repeat(200_000));
        assert_eq!(tokens(&text).unwrap().len(), 3);
        let amps = format!("<a>{}</a>", "&".repeat(1 << 20));
        assert!(tokens(&amps).unwrap_err().contains("starts no reference"));
        let comment = format!("<a><!--{}", "-".repeat(1 << 20));
        assert!(tokens(&comment).unwrap_err().starts_with("truncated XML"));
        let attributes = format!("<a{}/>", " b='1'".repeat(100_000));
        assert_eq!(tokens(&attributes).unwrap(), ["<a/"]);
    }

    #[test]
    fn multibyte_text_and_names_keep_their_characters() {
        assert_eq!(
            tokens("<ré a='é'>ü &#xE9;</ré>").unwrap(),
            ["<ré", "\"ü é\"", ">"]
        );
    }
}
