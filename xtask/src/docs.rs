//! Converts the HTML documentation of Smithy models into rustdoc Markdown.
//!
//! The HTML is parsed leniently into a small tree (unclosed tags are closed at the end, stray
//! end tags are ignored, a `<` that does not start a known tag is text), then rendered to
//! Markdown in which every character that rustdoc could read as markup is escaped, except the
//! markup written here: emphasis, code spans, links to absolute URLs, lists and `text` code
//! blocks. Because text never carries an unescaped `[`, `]`, `<`, `>`, `` ` ``, `*` or `~`,
//! and URLs outside links are wrapped as `<https://...>`, rustdoc cannot report broken
//! intra-doc links, unclosed HTML tags or bare URLs for generated docs.

/// Paragraph width in characters; longer paragraphs are wrapped at spaces.
const WIDTH: usize = 96;

/// Deeper nesting than this is flattened (its tags dropped, its text kept), so hostile input
/// cannot exhaust the stack.
const MAX_DEPTH: usize = 48;

/// Tags understood or at least recognised as HTML. A `<word>` whose name is not listed is
/// text, as in `<region>` placeholders written without entities.
const KNOWN_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "body",
    "br",
    "caption",
    "caution",
    "cite",
    "code",
    "col",
    "colgroup",
    "danger",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "examples",
    "fullname",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "html",
    "i",
    "img",
    "important",
    "kbd",
    "li",
    "note",
    "ol",
    "p",
    "para",
    "pre",
    "programlisting",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "title",
    "tip",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "warning",
    "wbr",
];

const VOID_TAGS: &[&str] = &["br", "col", "hr", "img", "wbr"];

/// Tags that start a new block in the output.
const BLOCK_TAGS: &[&str] = &[
    "blockquote",
    "body",
    "br",
    "caption",
    "caution",
    "danger",
    "dd",
    "div",
    "dl",
    "dt",
    "examples",
    "fullname",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "html",
    "important",
    "li",
    "note",
    "ol",
    "p",
    "para",
    "pre",
    "programlisting",
    "section",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tip",
    "title",
    "tr",
    "ul",
    "warning",
];

/// Converts model documentation (HTML) into the lines of a `///` comment, without the `///`
/// and without the space that usually follows it. Blocks are separated by empty lines; there
/// are no leading or trailing empty lines. Never panics, whatever the input.
pub fn doc_lines(html: &str) -> Vec<String> {
    // Control characters have no place in docs (and NUL marks unbreakable spaces below).
    let html: String = html
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r'))
        .collect();
    let tree = parse(&html);
    let mut blocks = Vec::new();
    flow(&tree, &mut blocks);
    let mut lines = Vec::new();
    render_blocks(&blocks, &mut lines);
    lines
}

// ---------------------------------------------------------------------------------------------
// Parsing

#[derive(Debug)]
enum Node {
    Text(String),
    Elem(Elem),
}

#[derive(Debug)]
struct Elem {
    name: String,
    href: Option<String>,
    children: Vec<Node>,
}

enum Token {
    Text(String),
    Start {
        name: String,
        href: Option<String>,
        self_closing: bool,
    },
    End(String),
}

fn tokenize(html: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut rest = html;
    while let Some(pos) = rest.find(['<', '&']) {
        text.push_str(&rest[..pos]);
        rest = &rest[pos..];
        if rest.starts_with('&') {
            let (decoded, used) = decode_entity(rest);
            text.push_str(&decoded);
            rest = &rest[used..];
            continue;
        }
        match read_tag(rest) {
            Some((token, used)) => {
                if !text.is_empty() {
                    tokens.push(Token::Text(std::mem::take(&mut text)));
                }
                if let Some(token) = token {
                    tokens.push(token);
                }
                rest = &rest[used..];
            }
            None => {
                text.push('<');
                rest = &rest[1..];
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        tokens.push(Token::Text(text));
    }
    tokens
}

/// Reads a tag, comment or declaration at the start of `s` (which starts with `<`). Returns
/// the token (none for comments and declarations) and the bytes used, or `None` when the `<`
/// is text.
fn read_tag(s: &str) -> Option<(Option<Token>, usize)> {
    if let Some(body) = s.strip_prefix("<!--") {
        let end = body.find("-->").map_or(s.len(), |e| 4 + e + 3);
        return Some((None, end));
    }
    if s.starts_with("<!") || s.starts_with("<?") {
        return s.find('>').map(|e| (None, e + 1));
    }
    let (closing, after) = match s.strip_prefix("</") {
        Some(after) => (true, after),
        None => (false, &s[1..]),
    };
    let name_len = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
        .unwrap_or(after.len());
    let name = &after[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name = name.to_ascii_lowercase();
    if !KNOWN_TAGS.contains(&name.as_str()) {
        return None;
    }
    let attrs_start = s.len() - after.len() + name_len;
    let (attrs, end) = scan_attributes(&s[attrs_start..])?;
    let used = attrs_start + end;
    if closing {
        return Some((Some(Token::End(name)), used));
    }
    let self_closing = attrs.trim_end().ends_with('/');
    let href = if name == "a" {
        attribute(attrs, "href")
    } else {
        None
    };
    Some((
        Some(Token::Start {
            name,
            href,
            self_closing,
        }),
        used,
    ))
}

/// Finds the `>` that ends a tag, skipping quoted attribute values. Returns the attribute text
/// and the bytes up to and including `>`, or `None` if the tag never ends.
fn scan_attributes(s: &str) -> Option<(&str, usize)> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '>' => return Some((&s[..i], i + 1)),
            // A new tag before this one ended: this `<` was text after all.
            None if c == '<' => return None,
            None => {}
        }
    }
    None
}

/// The decoded value of attribute `wanted` in an attribute list.
fn attribute(attrs: &str, wanted: &str) -> Option<String> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let (raw, remaining) = match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &after_eq[1..];
                    let end = inner.find(q).unwrap_or(inner.len());
                    (&inner[..end], inner.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                    (&after_eq[..end], &after_eq[end..])
                }
            };
            value = decode_entities(raw);
            rest = remaining;
        }
        if name == wanted {
            return Some(value);
        }
        if name_end == 0 && !rest.starts_with('=') {
            // Nothing consumed: skip one character so the loop always advances.
            let mut chars = rest.chars();
            chars.next();
            rest = chars.as_str();
        }
    }
}

fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let (decoded, used) = decode_entity(&rest[pos..]);
        out.push_str(&decoded);
        rest = &rest[pos + used..];
    }
    out.push_str(rest);
    out
}

/// Decodes the entity at the start of `s` (which starts with `&`). Returns the text and the
/// bytes used; an `&` that does not start a known entity is itself.
fn decode_entity(s: &str) -> (String, usize) {
    let literal = ("&".to_owned(), 1);
    let body = &s[1..];
    let Some(semi) = body.find(';').filter(|&p| p <= 32) else {
        return literal;
    };
    let name = &body[..semi];
    let used = semi + 2;
    let decoded = if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        match code {
            Some(0) => Some('\u{FFFD}'),
            Some(c) => Some(char::from_u32(c).unwrap_or('\u{FFFD}')),
            None => None,
        }
    } else {
        match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            "ndash" => Some('–'),
            "mdash" => Some('—'),
            "hellip" => Some('…'),
            "lsquo" => Some('‘'),
            "rsquo" => Some('’'),
            "ldquo" => Some('“'),
            "rdquo" => Some('”'),
            "bull" => Some('•'),
            "middot" => Some('·'),
            "copy" => Some('©'),
            "reg" => Some('®'),
            "trade" => Some('™'),
            "times" => Some('×'),
            "larr" => Some('←'),
            "rarr" => Some('→'),
            "le" => Some('≤'),
            "ge" => Some('≥'),
            _ => None,
        }
    };
    match decoded {
        Some(c) => (c.to_string(), used),
        None => literal,
    }
}

fn parse(html: &str) -> Vec<Node> {
    // stack[0] is the document root.
    let mut stack: Vec<Elem> = vec![Elem {
        name: String::new(),
        href: None,
        children: Vec::new(),
    }];
    for token in tokenize(html) {
        match token {
            Token::Text(t) => push_node(&mut stack, Node::Text(t)),
            Token::Start {
                name,
                href,
                self_closing,
            } => {
                if VOID_TAGS.contains(&name.as_str()) || self_closing {
                    push_node(
                        &mut stack,
                        Node::Elem(Elem {
                            name,
                            href,
                            children: Vec::new(),
                        }),
                    );
                    continue;
                }
                if stack.len() > MAX_DEPTH {
                    continue;
                }
                // An open item ends where the next one of its list starts.
                let (item, scopes): (&[&str], &[&str]) = match name.as_str() {
                    "li" => (&["li"], &["ul", "ol"]),
                    "dt" | "dd" => (&["dt", "dd"], &["dl"]),
                    "p" => (&["p"], &["li", "dd", "note", "important", "div", "td"]),
                    _ => (&[], &[]),
                };
                if let Some(pos) = stack.iter().rposition(|e| {
                    item.contains(&e.name.as_str()) || scopes.contains(&e.name.as_str())
                }) && pos > 0
                    && item.contains(&stack[pos].name.as_str())
                {
                    close_to(&mut stack, pos);
                }
                stack.push(Elem {
                    name,
                    href,
                    children: Vec::new(),
                });
            }
            Token::End(name) => {
                if let Some(pos) = stack.iter().rposition(|e| e.name == name)
                    && pos > 0
                {
                    close_to(&mut stack, pos);
                }
            }
        }
    }
    close_to(&mut stack, 1);
    stack.pop().map(|root| root.children).unwrap_or_default()
}

fn push_node(stack: &mut [Elem], node: Node) {
    let Some(top) = stack.last_mut() else {
        return;
    };
    // Text split only by comments or ignored tags is one text, so URLs in it are found whole.
    match (top.children.last_mut(), node) {
        (Some(Node::Text(last)), Node::Text(t)) => last.push_str(&t),
        (_, node) => top.children.push(node),
    }
}

/// Closes the elements from the top of the stack down to and including `stack[pos]`.
fn close_to(stack: &mut Vec<Elem>, pos: usize) {
    while stack.len() > pos.max(1) {
        if let Some(elem) = stack.pop() {
            push_node(stack, Node::Elem(elem));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

#[derive(Debug)]
enum Block {
    /// Inline Markdown; `NBSP` marks spaces that must not become line breaks.
    Para(String),
    Code(String),
    List {
        ordered: bool,
        items: Vec<Vec<Block>>,
    },
}

/// A space that must not be used to wrap a line (inside code spans).
const NBSP: char = '\u{0}';

fn is_block(name: &str) -> bool {
    BLOCK_TAGS.contains(&name)
}

/// Renders a sequence of nodes as blocks: runs of inline content become paragraphs.
fn flow(nodes: &[Node], out: &mut Vec<Block>) {
    let mut inline = Inline::default();
    for node in nodes {
        match node {
            Node::Text(t) => inline.text(t),
            Node::Elem(e) if is_block(&e.name) => {
                inline.flush(out);
                block(e, out);
            }
            Node::Elem(e) => inline.element(e),
        }
    }
    inline.flush(out);
}

fn block(e: &Elem, out: &mut Vec<Block>) {
    match e.name.as_str() {
        "ul" | "ol" => {
            let mut items = Vec::new();
            let mut loose = Vec::new();
            for child in &e.children {
                match child {
                    Node::Elem(li) if li.name == "li" => {
                        push_item(&mut items, &loose);
                        loose.clear();
                        let mut item = Vec::new();
                        flow(&li.children, &mut item);
                        if !item.is_empty() {
                            items.push(item);
                        }
                    }
                    other => loose.push(other),
                }
            }
            push_item(&mut items, &loose);
            if !items.is_empty() {
                out.push(Block::List {
                    ordered: e.name == "ol",
                    items,
                });
            }
        }
        "li" => {
            let mut item = Vec::new();
            flow(&e.children, &mut item);
            if !item.is_empty() {
                out.push(Block::List {
                    ordered: false,
                    items: vec![item],
                });
            }
        }
        "pre" | "programlisting" => {
            let mut raw = String::new();
            raw_text(&e.children, &mut raw);
            let code = dedent(&raw);
            if !code.is_empty() {
                out.push(Block::Code(code));
            }
        }
        "note" | "important" | "warning" | "caution" | "danger" | "tip" => {
            let label = match e.name.as_str() {
                "important" => "Important:",
                "warning" => "Warning:",
                "caution" => "Caution:",
                "danger" => "Danger:",
                "tip" => "Tip:",
                _ => "Note:",
            };
            let mut inner = Vec::new();
            flow(&e.children, &mut inner);
            match inner.first_mut() {
                Some(Block::Para(p)) => *p = format!("**{label}** {p}"),
                _ => inner.insert(0, Block::Para(format!("**{label}**"))),
            }
            out.extend(inner);
        }
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "dt" | "title" => {
            let mut inline = Inline {
                bold: 1,
                ..Inline::default()
            };
            inline.children(&e.children);
            let text = inline.finish();
            if !text.is_empty() {
                out.push(Block::Para(format!("**{text}**")));
            }
        }
        "tr" => {
            // Cells of a table row on one line.
            let mut inline = Inline::default();
            for (i, cell) in e.children.iter().enumerate() {
                if i > 0 {
                    inline.space();
                }
                inline.node(cell);
            }
            inline.flush(out);
        }
        // `<br>`, `<hr>` and the like only separate paragraphs.
        _ => flow(&e.children, out),
    }
}

fn push_item(items: &mut Vec<Vec<Block>>, loose: &[&Node]) {
    if loose.is_empty() {
        return;
    }
    let mut item = Vec::new();
    let mut inline = Inline::default();
    for node in loose {
        match node {
            Node::Elem(e) if is_block(&e.name) => {
                inline.flush(&mut item);
                block(e, &mut item);
            }
            other => inline.node(other),
        }
    }
    inline.flush(&mut item);
    if !item.is_empty() {
        items.push(item);
    }
}

fn raw_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Elem(e) if e.name == "br" => out.push('\n'),
            Node::Elem(e) => raw_text(&e.children, out),
        }
    }
}

/// Trims blank lines at both ends, trailing spaces and the indentation common to all lines.
fn dedent(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n").replace(['\r', '\u{a0}'], " ");
    let lines: Vec<&str> = raw.lines().map(str::trim_end).collect();
    let start = lines.iter().position(|l| !l.is_empty());
    let end = lines.iter().rposition(|l| !l.is_empty());
    let (Some(start), Some(end)) = (start, end) else {
        return String::new();
    };
    let lines = &lines[start..=end];
    let indent = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").replace('\t', "    "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Builds the Markdown of one paragraph.
#[derive(Default)]
struct Inline {
    out: String,
    /// Whitespace was seen since the last output.
    space: bool,
    bold: usize,
    italic: usize,
    in_link: bool,
}

impl Inline {
    fn space(&mut self) {
        self.space = true;
    }

    /// Emits a pending space and then `s`.
    fn push(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.space && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.space = false;
        self.out.push_str(s);
    }

    fn text(&mut self, t: &str) {
        for (i, word) in t.split(|c: char| c.is_whitespace()).enumerate() {
            if i > 0 {
                self.space = true;
            }
            if word.is_empty() {
                continue;
            }
            let escaped = if self.in_link {
                escape_text(word)
            } else {
                escape_with_urls(word)
            };
            self.push(&escaped);
        }
    }

    fn children(&mut self, nodes: &[Node]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::Text(t) => self.text(t),
            Node::Elem(e) => self.element(e),
        }
    }

    /// Renders the children into a separate buffer; returns the Markdown and whether it was
    /// preceded and followed by whitespace.
    fn sub(
        &self,
        nodes: &[Node],
        bold: usize,
        italic: usize,
        in_link: bool,
    ) -> (String, bool, bool) {
        let mut inner = Inline {
            bold,
            italic,
            in_link,
            ..Inline::default()
        };
        let lead = leading_space(nodes);
        inner.children(nodes);
        let trail = inner.space;
        (inner.out, lead, trail)
    }

    /// Wraps rendered content in `marker`, keeping whitespace outside the markers (where
    /// Markdown needs it for the markers to count).
    fn wrapped(&mut self, (content, lead, trail): (String, bool, bool), marker: &str) {
        if lead {
            self.space = true;
        }
        if !content.is_empty() {
            self.push(&format!("{marker}{content}{marker}"));
        }
        if trail {
            self.space = true;
        }
    }

    fn element(&mut self, e: &Elem) {
        match e.name.as_str() {
            "b" | "strong" => {
                let marker = if self.bold == 0 { "**" } else { "" };
                let sub = self.sub(&e.children, self.bold + 1, self.italic, self.in_link);
                self.wrapped(sub, marker);
            }
            "i" | "em" | "cite" | "var" => {
                let marker = if self.italic == 0 { "*" } else { "" };
                let sub = self.sub(&e.children, self.bold, self.italic + 1, self.in_link);
                self.wrapped(sub, marker);
            }
            "code" | "tt" | "kbd" | "samp" => {
                if leading_space(&e.children) {
                    self.space = true;
                }
                let mut raw = String::new();
                raw_text(&e.children, &mut raw);
                let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
                let span = code_span(&collapsed);
                // Adjacent backtick runs would merge into one longer fence.
                if span.starts_with('`') && self.out.ends_with('`') {
                    self.space = true;
                }
                self.push(&span);
                if raw.ends_with(char::is_whitespace) {
                    self.space = true;
                }
            }
            "a" => self.link(e),
            "br" => self.space = true,
            _ if is_block(&e.name) => {
                // A block inside inline markup: keep its text, separated by spaces.
                self.space = true;
                self.children(&e.children);
                self.space = true;
            }
            _ => self.children(&e.children),
        }
    }

    fn link(&mut self, e: &Elem) {
        let url = if self.in_link {
            None
        } else {
            e.href.as_deref().and_then(link_url)
        };
        let Some(url) = url else {
            self.children(&e.children);
            return;
        };
        let (text, lead, trail) = self.sub(&e.children, self.bold, self.italic, true);
        if lead {
            self.space = true;
        }
        let mut raw = String::new();
        raw_text(&e.children, &mut raw);
        let raw = raw.trim();
        if text.is_empty() || raw == url || raw == e.href.as_deref().unwrap_or("").trim() {
            self.push(&format!("<{url}>"));
        } else {
            self.push(&format!("[{text}]({url})"));
        }
        if trail {
            self.space = true;
        }
    }

    fn flush(&mut self, out: &mut Vec<Block>) {
        let text = self.finish();
        if !text.is_empty() {
            out.push(Block::Para(text));
        }
    }

    fn finish(&mut self) -> String {
        self.space = false;
        std::mem::take(&mut self.out)
    }
}

fn leading_space(nodes: &[Node]) -> bool {
    match nodes.first() {
        Some(Node::Text(t)) => t.starts_with(char::is_whitespace),
        Some(Node::Elem(e)) => leading_space(&e.children),
        None => false,
    }
}

/// A code span for `code`, or escaped text when no code span can hold it safely.
fn code_span(code: &str) -> String {
    if code.is_empty() {
        return String::new();
    }
    // The fence must differ from every run of backticks inside.
    let mut runs = std::collections::BTreeSet::new();
    let mut run = 0;
    for c in code.chars().chain(std::iter::once(' ')) {
        if c == '`' {
            run += 1;
        } else if run > 0 {
            runs.insert(run);
            run = 0;
        }
    }
    let fence_len = (1..).find(|n| !runs.contains(n)).unwrap_or(1);
    if fence_len >= 3 {
        // Three backticks could open a fenced code block at the start of a line.
        return escape_with_urls(code);
    }
    let fence = "`".repeat(fence_len);
    let pad = if code.starts_with('`') || code.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{code}{pad}{fence}").replace(' ', &NBSP.to_string())
}

/// An absolute URL usable as a link destination, or `None`.
fn link_url(href: &str) -> Option<String> {
    let href = href.trim();
    let absolute = if href.starts_with("https://")
        || href.starts_with("http://")
        || (href.starts_with("mailto:") && href.len() > 7)
    {
        href.to_owned()
    } else if href.starts_with('/') && !href.starts_with("//") {
        // Model documentation links relative to the AWS documentation site.
        format!("https://docs.aws.amazon.com{href}")
    } else {
        return None;
    };
    let mut out = String::with_capacity(absolute.len());
    for c in absolute.chars() {
        match c {
            ' ' | '<' | '>' | '(' | ')' | '"' | '\\' | '`' | '[' | ']' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            c if c.is_control() || c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Escapes a word of text, wrapping URLs in it as `<url>`.
fn escape_with_urls(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(start) = find_url(rest) {
        out.push_str(&escape_text(&rest[..start]));
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| c.is_whitespace() || "<>\"`[]\\{}|".contains(c))
            .unwrap_or(candidate.len());
        let mut url = &candidate[..end];
        // Trailing punctuation belongs to the sentence, a `)` only if unbalanced.
        loop {
            let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '*', '_']);
            let trimmed = if trimmed.ends_with(')')
                && trimmed.matches(')').count() > trimmed.matches('(').count()
            {
                &trimmed[..trimmed.len() - 1]
            } else {
                trimmed
            };
            if trimmed.len() == url.len() {
                break;
            }
            url = trimmed;
        }
        let scheme_len = if url.starts_with("https://") { 8 } else { 7 };
        if url.len() > scheme_len {
            out.push('<');
            out.push_str(url);
            out.push('>');
        } else {
            out.push_str(&escape_text(url));
        }
        rest = &candidate[url.len()..];
    }
    out.push_str(&escape_text(rest));
    out
}

fn find_url(s: &str) -> Option<usize> {
    let http = s.find("http://");
    let https = s.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Escapes text so that Markdown shows it as it is.
fn escape_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p));
        let next = chars.get(i + 1);
        let alnum = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '~' | '|' => true,
            // Inside a word `_` cannot start or end emphasis (room_id stays readable).
            '_' => !(alnum(prev) && alnum(next)),
            // `&lt;` in text would otherwise be read as an entity.
            '&' => looks_like_entity(&chars[i + 1..]),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn looks_like_entity(after_amp: &[char]) -> bool {
    let body: Vec<&char> = after_amp
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .collect();
    !body.is_empty() && after_amp.get(body.len()) == Some(&';')
}

/// Escapes what Markdown reads as block syntax at the start of a line: headings, list
/// markers, setext underlines and thematic breaks.
fn escape_line_start(line: &str) -> String {
    if line.starts_with(['#', '-', '+', '=']) {
        return format!("\\{line}");
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with(['.', ')']) {
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    line.to_owned()
}

/// Wraps a paragraph at spaces into lines of at most [`WIDTH`] characters (longer words stay
/// whole), escaping block syntax at every line start.
fn wrap(para: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in para.split(' ').filter(|w| !w.is_empty()) {
        let word_len = word.chars().count();
        if len > 0 && len + 1 + word_len > WIDTH {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += word_len;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .iter()
        .map(|l| escape_line_start(l).replace(NBSP, " "))
        .collect()
}

fn render_blocks(blocks: &[Block], lines: &mut Vec<String>) {
    for block in blocks {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        match block {
            Block::Para(p) => lines.extend(wrap(p)),
            Block::Code(code) => {
                let longest = code
                    .lines()
                    .map(|l| l.trim_start().chars().take_while(|c| *c == '`').count())
                    .max()
                    .unwrap_or(0);
                let fence = "`".repeat(longest.max(2) + 1);
                lines.push(format!("{fence}text"));
                lines.extend(code.lines().map(str::to_owned));
                lines.push(fence);
            }
            Block::List { ordered, items } => {
                for (n, item) in items.iter().enumerate() {
                    let marker = if *ordered {
                        format!("{}. ", n + 1)
                    } else {
                        "- ".to_owned()
                    };
                    let indent = " ".repeat(marker.len());
                    let mut inner = Vec::new();
                    render_blocks(item, &mut inner);
                    for (i, line) in inner.into_iter().enumerate() {
                        lines.push(if i == 0 {
                            format!("{marker}{line}")
                        } else if line.is_empty() {
                            line
                        } else {
                            format!("{indent}{line}")
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (html, expected lines joined with '\n')
    const CASES: &[(&str, &str)] = &[
        ("", ""),
        ("   ", ""),
        ("<p></p>", ""),
        ("Plain text.", "Plain text."),
        (
            "<p>Creates a room that allows clients to connect and pass messages.</p>",
            "Creates a room that allows clients to connect and pass messages.",
        ),
        ("<p>One.</p><p>Two.</p>", "One.\n\nTwo."),
        ("<p>  spaced \n\t out  </p>", "spaced out"),
        (
            "<p>Use <code>CreateChatToken</code> with <code>roomIdentifier</code>.</p>",
            "Use `CreateChatToken` with `roomIdentifier`.",
        ),
        ("<code>a`b</code>", "``a`b``"),
        ("<code>`a</code>", "`` `a ``"),
        ("<code>a``b</code>", "`a``b`"),
        ("<code>a`b``c</code>", "a\\`b\\`\\`c"),
        (
            "<code>``` https://x.example `</code>",
            "`` ``` https://x.example ` ``",
        ),
        (
            "<code>`` https://x.example `</code>",
            "\\`\\` <https://x.example> \\`",
        ),
        (
            "see http://<!-- c -->example.com</h2>/x",
            "see <http://example.com/x>",
        ),
        ("<code>x [y] &lt;z&gt;</code>", "`x [y] <z>`"),
        ("<code></code>text", "text"),
        (
            "<p>See <a href=\"https://docs.aws.amazon.com/ivs/latest/ChatUserGuide/\">the user guide</a>.</p>",
            "See [the user guide](https://docs.aws.amazon.com/ivs/latest/ChatUserGuide/).",
        ),
        (
            "<a href='/general/latest/gr/aws-arns-and-namespaces.html'>ARNs</a>",
            "[ARNs](https://docs.aws.amazon.com/general/latest/gr/aws-arns-and-namespaces.html)",
        ),
        (
            "<a href=\"https://x.example/a(b) c\">x</a>",
            "[x](https://x.example/a%28b%29%20c)",
        ),
        (
            "<a href=\"https://x.example\">https://x.example</a>",
            "<https://x.example>",
        ),
        ("<a href=\"https://x.example\"></a>", "<https://x.example>"),
        ("<a href=\"relative.html\">text [1]</a>", "text \\[1\\]"),
        ("<a>no href</a>", "no href"),
        ("<a href=\"javascript:alert(1)\">x</a>", "x"),
        (
            "<a href=\"https://a.example\"><code>Op</code> and <b>more</b></a>",
            "[`Op` and **more**](https://a.example)",
        ),
        (
            "<b>bold</b> and <strong>strong</strong>",
            "**bold** and **strong**",
        ),
        ("<i>it</i> and <em>em</em>", "*it* and *em*"),
        ("a<b> spaced </b>b", "a **spaced** b"),
        ("<b><b>twice</b></b>", "**twice**"),
        ("<b></b>empty", "empty"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<ol><li>one</li><li>two</li></ol>", "1. one\n2. two"),
        ("<ul><li>unclosed<li>items</ul>", "- unclosed\n- items"),
        (
            "<ul><li><p>para</p><ul><li>nested</li></ul></li><li>next</li></ul>",
            "- para\n\n  - nested\n- next",
        ),
        (
            "<ol><li>first<ol><li>inner</li></ol></li></ol>",
            "1. first\n\n   1. inner",
        ),
        ("<ul> <li>a</li> stray </ul>", "- a\n- stray"),
        ("<li>orphan</li>", "- orphan"),
        ("<ul><li>1. not a list</li></ul>", "- 1\\. not a list"),
        (
            "<note><p>Rooms expire.</p></note>",
            "**Note:** Rooms expire.",
        ),
        (
            "<important>Read this.</important>",
            "**Important:** Read this.",
        ),
        ("<note><ul><li>x</li></ul></note>", "**Note:**\n\n- x"),
        ("line<br>break<br/>again", "line\n\nbreak\n\nagain"),
        ("<b>a<br>b</b>", "**a b**"),
        (
            "<pre><code>{\n  \"a\": [1]\n}\n</code></pre>",
            "```text\n{\n  \"a\": [1]\n}\n```",
        ),
        (
            "<pre>\n    indented\n      more\n</pre>",
            "```text\nindented\n  more\n```",
        ),
        (
            "<pre>```\ninner fence\n```</pre>",
            "````text\n```\ninner fence\n```\n````",
        ),
        ("<pre>  </pre>", ""),
        (
            "<ul><li><pre>code</pre></li></ul>",
            "- ```text\n  code\n  ```",
        ),
        (
            "&lt;b&gt; &amp; &quot;q&quot; &#39;s&#39; &#x41;&#66; &nbsp;x",
            "\\<b\\> & \"q\" 's' AB x",
        ),
        (
            "AT&T &amp b &; &#xZZ; &unknown; &#0;",
            "AT&T &amp b &; \\&#xZZ; \\&unknown; \u{FFFD}",
        ),
        ("&amp;lt; stays", "\\&lt; stays"),
        ("[brackets] and [x](y)", "\\[brackets\\] and \\[x\\](y)"),
        ("Use &lt;region&gt; here", "Use \\<region\\> here"),
        ("Use <region> raw", "Use \\<region\\> raw"),
        ("a < b and c > d", "a \\< b and c \\> d"),
        ("1 <2", "1 \\<2"),
        ("see https://example.com/x.", "see <https://example.com/x>."),
        (
            "(https://example.com/a_(b))",
            "(<https://example.com/a_(b)>)",
        ),
        ("(https://example.com/a)", "(<https://example.com/a>)"),
        ("https:// alone", "https:// alone"),
        (
            "url:https://a.example/p?q=1&r=2,",
            "url:<https://a.example/p?q=1&r=2>,",
        ),
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("+ no", "\\+ no"),
        ("2. not ordered", "2\\. not ordered"),
        ("3) nor this", "3\\) nor this"),
        ("==== no", "\\==== no"),
        (
            "*stars* and _under_ and snake_case_name",
            "\\*stars\\* and \\_under\\_ and snake_case_name",
        ),
        (
            "back`tick and back\\slash ~tilde~ a|b",
            "back\\`tick and back\\\\slash \\~tilde\\~ a\\|b",
        ),
        (
            "<unknowntag>kept</unknowntag>",
            "\\<unknowntag\\>kept\\</unknowntag\\>",
        ),
        (
            "<span class=\"x\">kept</span> <div>block</div>",
            "kept\n\nblock",
        ),
        ("<p>unclosed <b>bold", "unclosed **bold**"),
        ("<p>stray</i> end</p>", "stray end"),
        ("stray < and <", "stray \\< and \\<"),
        ("tag <p never closes", "tag \\<p never closes"),
        ("<p a=\"x>y\">quoted gt</p>", "quoted gt"),
        ("<!-- comment -->visible<!-- unterminated", "visible"),
        ("<!DOCTYPE html>doc", "doc"),
        ("<p>&", "&"),
        ("&#1114112; &#99999999999;", "\u{FFFD} \\&#99999999999;"),
        ("<h2>Heading</h2>text", "**Heading**\n\ntext"),
        (
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
            "a b\n\nc",
        ),
        ("<dl><dt>term<dd>definition</dl>", "**term**\n\ndefinition"),
        (
            "<fullname>Amazon IVS Chat</fullname><p>Intro</p>",
            "Amazon IVS Chat\n\nIntro",
        ),
        ("<P>Upper <B>case</B></P>", "Upper **case**"),
    ];

    #[test]
    fn converts_html() {
        for (html, expected) in CASES {
            assert_eq!(doc_lines(html).join("\n"), *expected, "input: {html:?}");
        }
    }

    #[test]
    fn wraps_long_paragraphs_and_escapes_each_line_start() {
        let filler = "a".repeat(WIDTH);
        let html = format!("<p>{filler} - dash {filler} 1. one {filler} # hash</p>");
        assert_eq!(
            doc_lines(&html),
            vec![
                filler.clone(),
                "\\- dash".to_owned(),
                filler.clone(),
                "1\\. one".to_owned(),
                filler.clone(),
                "\\# hash".to_owned(),
            ]
        );
        let word = "word ".repeat(30);
        let lines = doc_lines(&word);
        assert!(
            lines.iter().all(|l| l.chars().count() <= WIDTH),
            "{lines:#?}"
        );
        assert_eq!(lines.join(" "), word.trim_end());
        // Code spans are never split across lines.
        let html = format!("<p>{word}<code>a b c d e f g h</code></p>");
        let lines = doc_lines(&html);
        assert!(
            lines.iter().any(|l| l.contains("`a b c d e f g h`")),
            "{lines:#?}"
        );
    }

    #[test]
    fn list_continuation_lines_are_indented() {
        let long = "word ".repeat(40);
        let lines = doc_lines(&format!("<ul><li>{long}</li></ul>"));
        assert!(lines[0].starts_with("- word"));
        assert!(
            lines[1..].iter().all(|l| l.starts_with("  word")),
            "{lines:#?}"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<b><i><ul><li>".repeat(20_000) + "deep";
        let lines = doc_lines(&html);
        assert!(lines.join(" ").contains("deep"));
    }

    /// Checks the Markdown invariants that keep rustdoc quiet: outside code blocks, code spans,
    /// links and autolinks written by this module, no `[`, `]`, `<`, `>`, backtick or `~`
    /// appears unescaped, no URL is bare, and no line starts block syntax.
    fn assert_rustdoc_safe(html: &str, lines: &[String]) {
        let mut in_fence: Option<String> = None;
        // Link text may wrap over lines, never over a paragraph break.
        let mut link_depth = 0;
        for line in lines {
            if let Some(fence) = &in_fence {
                if line.trim() == fence {
                    in_fence = None;
                }
                continue;
            }
            if line.is_empty() {
                assert_eq!(
                    link_depth, 0,
                    "link text over a paragraph break in {lines:?} from {html:?}"
                );
            }
            // Strip list markers (an item may start with a nested list).
            let mut body = line.trim_start();
            loop {
                let d = body.bytes().take_while(u8::is_ascii_digit).count();
                let stripped = body.strip_prefix("- ").or_else(|| {
                    if d > 0 {
                        body[d..].strip_prefix(". ")
                    } else {
                        None
                    }
                });
                match stripped {
                    Some(rest) => {
                        assert_eq!(
                            link_depth, 0,
                            "link text over a list item in {lines:?} from {html:?}"
                        );
                        body = rest.trim_start();
                    }
                    None => break,
                }
            }
            if let Some(rest) = body.strip_prefix("```") {
                assert!(
                    rest.trim_start_matches('`') == "text",
                    "fence without `text`: {line:?} from {html:?}"
                );
                in_fence = Some(body.trim_end_matches("text").to_owned());
                continue;
            }
            assert!(
                !body.starts_with(['#', '-', '+', '=', '>', '|', '~', ' ', '\t']),
                "block syntax at line start: {line:?} from {html:?}"
            );
            let d = body.bytes().take_while(u8::is_ascii_digit).count();
            assert!(
                !(d > 0 && body[d..].starts_with(['.', ')'])),
                "ordered list marker: {line:?} from {html:?}"
            );
            let chars: Vec<char> = body.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                match chars[i] {
                    '\\' => i += 1,
                    '`' => {
                        let n = chars[i..].iter().take_while(|c| **c == '`').count();
                        // The span ends at the next run of exactly `n` backticks.
                        let mut j = i + n;
                        let close = loop {
                            let Some(start) = (j..chars.len()).find(|&k| chars[k] == '`') else {
                                panic!("unclosed code span: {line:?} from {html:?}");
                            };
                            let run = chars[start..].iter().take_while(|c| **c == '`').count();
                            if run == n {
                                break start;
                            }
                            j = start + run;
                        };
                        i = close + n - 1;
                    }
                    '<' => {
                        let rest: String = chars[i + 1..].iter().collect();
                        let close = rest
                            .find('>')
                            .unwrap_or_else(|| panic!("unescaped `<`: {line:?} from {html:?}"));
                        let url = &rest[..close];
                        assert!(
                            (url.starts_with("http://")
                                || url.starts_with("https://")
                                || url.starts_with("mailto:"))
                                && !url.contains(char::is_whitespace),
                            "`<` that is not an autolink: {line:?} from {html:?}"
                        );
                        i += url.chars().count() + 1;
                    }
                    '[' => link_depth += 1,
                    ']' => {
                        assert!(link_depth > 0, "unescaped `]`: {line:?} from {html:?}");
                        link_depth -= 1;
                        let rest: String = chars[i + 1..].iter().collect();
                        let dest = rest.strip_prefix('(').unwrap_or_else(|| {
                            panic!("`[...]` that is not a link: {line:?} from {html:?}")
                        });
                        let close = dest.find(')').unwrap_or(dest.len());
                        let url = &dest[..close];
                        assert!(
                            url.starts_with("https://")
                                || url.starts_with("http://")
                                || url.starts_with("mailto:"),
                            "link to a non-URL (an intra-doc link): {line:?} from {html:?}"
                        );
                        i += url.chars().count() + 2;
                    }
                    '>' | '~' => panic!("unescaped `{}`: {line:?} from {html:?}", chars[i]),
                    'h' if link_depth == 0 => {
                        let rest: String = chars[i..].iter().collect();
                        assert!(!matches_bare_url(&rest), "bare URL: {line:?} from {html:?}");
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        assert!(
            in_fence.is_none(),
            "unclosed code block in {lines:?} from {html:?}"
        );
        assert_eq!(link_depth, 0, "unclosed `[` in {lines:?} from {html:?}");
    }

    /// Whether `s` starts with what rustdoc's `bare_urls` lint reports: a scheme, one or more
    /// labels of two or more URL characters each ending in `.`, and a top-level domain of two
    /// or more letters (matched on the text after Markdown escapes are removed).
    fn matches_bare_url(s: &str) -> bool {
        let Some(rest) = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
        else {
            return false;
        };
        let mut text = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            let c = if c == '\\' {
                chars.next().unwrap_or(c)
            } else {
                c
            };
            if !(c.is_ascii_alphanumeric() || "-@:%._+~#=".contains(c)) {
                break;
            }
            text.push(c);
        }
        let labels: Vec<&str> = text.split('.').collect();
        labels.len() >= 2
            && labels[..labels.len() - 1].iter().enumerate().any(|(i, _)| {
                labels[..=i].join(".").len() >= 2
                    && labels[i + 1]
                        .chars()
                        .take_while(char::is_ascii_alphabetic)
                        .count()
                        >= 2
            })
    }

    #[test]
    fn bare_url_matcher() {
        assert!(matches_bare_url("https://example.com"));
        assert!(matches_bare_url("http://a.b.example.org/x"));
        assert!(matches_bare_url("https://\\_ab.com"));
        assert!(!matches_bare_url("https://"));
        assert!(!matches_bare_url("http://\\`\\`"));
        assert!(!matches_bare_url("https://.,;"));
    }

    #[test]
    fn table_outputs_are_rustdoc_safe() {
        for (html, _) in CASES {
            assert_rustdoc_safe(html, &doc_lines(html));
        }
    }

    /// Deterministic random HTML built from fragments that stress the converter.
    fn random_html(count: usize) -> Vec<String> {
        const PIECES: &[&str] = &[
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<i>",
            "</i>",
            "<code>",
            "</code>",
            "<a href=\"https://a.example/x\">",
            "<a href=\"rel\">",
            "<a href='/p (x)'>",
            "</a>",
            "<ul>",
            "</ul>",
            "<ol>",
            "</ol>",
            "<li>",
            "</li>",
            "<note>",
            "</note>",
            "<pre>",
            "</pre>",
            "<br>",
            "<br/>",
            "<",
            ">",
            "&",
            "&lt;",
            "&gt;",
            "&amp;",
            "&#",
            "&#x1F600;",
            ";",
            "[",
            "]",
            "(",
            ")",
            "`",
            "``",
            "```",
            "*",
            "_",
            "~",
            "#",
            "-",
            "+",
            "=",
            "1.",
            "2)",
            "|",
            "\\",
            " ",
            "\n",
            "  ",
            "word",
            "snake_case",
            "https://b.example/path_(x).",
            "http://",
            "<region>",
            "<p",
            "<!--",
            "-->",
            "é",
            "\u{0}",
            "<a href=\"https://c.example\">https://c.example</a>",
            "<important>",
            "<h2>",
            "</h2>",
        ];
        // Deterministic xorshift so failures reproduce.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let len = (next() % 24) as usize;
                (0..len)
                    .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn random_markup_never_panics_and_stays_rustdoc_safe() {
        for html in random_html(3000) {
            let lines = doc_lines(&html);
            assert_rustdoc_safe(&html, &lines);
            assert!(
                lines.first().is_none_or(|l| !l.is_empty())
                    && lines.last().is_none_or(|l| !l.is_empty()),
                "leading or trailing empty line from {html:?}: {lines:?}"
            );
        }
    }

    /// Runs rustdoc with warnings denied over the output for the table cases and random markup
    /// (and, when `DOCS_MODEL_JSON` names a Smithy JSON AST, every documentation string in it).
    /// Ignored by default because it spawns rustdoc: `cargo test -p xtask -- --ignored`.
    #[test]
    #[ignore = "spawns rustdoc"]
    fn rustdoc_accepts_output() {
        let mut docs: Vec<String> = CASES.iter().map(|(html, _)| (*html).to_owned()).collect();
        docs.extend(random_html(500));
        if let Ok(path) = std::env::var("DOCS_MODEL_JSON") {
            let text = std::fs::read_to_string(&path).expect("model");
            let model: serde_json::Value = serde_json::from_str(&text).expect("model json");
            fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
                match v {
                    serde_json::Value::Object(map) => {
                        for (k, v) in map {
                            match (k.as_str(), v) {
                                ("smithy.api#documentation", serde_json::Value::String(s)) => {
                                    out.push(s.clone())
                                }
                                _ => collect(v, out),
                            }
                        }
                    }
                    serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
                    _ => {}
                }
            }
            collect(&model, &mut docs);
        }
        let mut source = String::from("//! Generated documentation.\n");
        for (n, html) in docs.iter().enumerate() {
            for line in doc_lines(html) {
                source.push_str(&format!("#[doc = {:?}]\n", format!(" {line}")));
            }
            source.push_str(&format!("pub struct S{n};\n"));
        }
        let dir = std::env::temp_dir().join(format!("xtask-docs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("docs.rs");
        std::fs::write(&file, source).expect("write");
        let rustdoc = std::env::var("RUSTDOC").unwrap_or_else(|_| "rustdoc".to_owned());
        let output = std::process::Command::new(rustdoc)
            .args(["--edition", "2024", "--crate-type", "lib", "-D", "warnings"])
            .args(["-D", "rustdoc::unescaped_backticks", "-o"])
            .arg(dir.join("out"))
            .arg(&file)
            .output()
            .expect("run rustdoc");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            output.status.success() && stderr.trim().is_empty(),
            "rustdoc: {stderr}"
        );
    }
}
