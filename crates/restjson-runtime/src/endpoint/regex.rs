//! A small backtracking matcher for the `regionRegex` patterns of a partition table.
//!
//! Partition patterns are short, anchored expressions such as `^(us|eu|ap)\-\w+\-\d+$`. Pulling in a
//! full regex engine for them would cost more compile time than the whole rules interpreter, so this
//! module supports exactly the subset such patterns use, and rejects anything else at parse time
//! instead of guessing:
//!
//! - literals, `.`, escaped punctuation (`\-`, `\.`), the classes `\d \D \w \W \s \S` (ASCII, as in Java);
//! - bracket classes `[a-z0-9_]`, `[^...]`, with ranges and escapes;
//! - groups `( )` and `(?: )` with alternation `|`;
//! - quantifiers `* + ? {n} {n,} {n,m}` (a trailing lazy `?` is accepted: it cannot change whether a
//!   match exists);
//! - anchors `^` and `$`.
//!
//! Matching has "find" semantics (like `Regex::is_match`); partition patterns are anchored at both
//! ends, so this equals a whole-string match. Work is bounded: inputs longer than
//! [`MAX_INPUT_CHARS`] never match (no region or host name is that long) and a step budget stops
//! pathological backtracking.

use std::cell::Cell;

/// Longest input the matcher considers; DNS names are at most 253 characters.
pub(crate) const MAX_INPUT_CHARS: usize = 255;
const MAX_STEPS: u32 = 200_000;
const MAX_NESTING: usize = 16;
const MAX_REPEAT: u32 = 1000;
const MAX_PATTERN_CHARS: usize = 512;

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Regex {
    /// The whole pattern as one group, matched exactly once.
    root: Item,
}

#[derive(Debug, Clone)]
struct Item {
    node: Node,
    min: u32,
    max: u32,
}

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class(Class),
    Group(Vec<Vec<Item>>),
    Start,
    End,
}

#[derive(Debug, Clone)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

#[derive(Debug, Clone, Copy)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

impl ClassItem {
    fn matches(self, c: char) -> bool {
        match self {
            ClassItem::Range(lo, hi) => lo <= c && c <= hi,
            ClassItem::Digit(pos) => c.is_ascii_digit() == pos,
            ClassItem::Word(pos) => (c.is_ascii_alphanumeric() || c == '_') == pos,
            ClassItem::Space(pos) => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') == pos,
        }
    }
}

impl Class {
    fn matches(&self, c: char) -> bool {
        self.items.iter().any(|i| i.matches(c)) != self.negated
    }
}

impl Regex {
    /// Compiles `pattern`, or explains which construct is unsupported or malformed.
    pub(crate) fn new(pattern: &str) -> Result<Regex, String> {
        let chars: Vec<char> = pattern.chars().collect();
        // Matching recurses once per pattern item, so the pattern size bounds the stack depth.
        if chars.len() > MAX_PATTERN_CHARS {
            return Err(format!(
                "pattern longer than {MAX_PATTERN_CHARS} characters"
            ));
        }
        let mut parser = Parser {
            chars: &chars,
            pos: 0,
        };
        let alternatives = parser.alternation(0)?;
        if parser.pos != chars.len() {
            return Err(format!("unbalanced `)` at character {}", parser.pos));
        }
        Ok(Regex {
            root: Item {
                node: Node::Group(alternatives),
                min: 1,
                max: 1,
            },
        })
    }

    /// Whether the pattern matches somewhere in `input`.
    pub(crate) fn is_match(&self, input: &str) -> bool {
        let chars: Vec<char> = input.chars().take(MAX_INPUT_CHARS + 1).collect();
        if chars.len() > MAX_INPUT_CHARS {
            return false;
        }
        let m = Matcher {
            input: &chars,
            steps: Cell::new(0),
        };
        (0..=chars.len()).any(|start| m.item(&self.root, 0, start, &Cont::Done))
    }
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn alternation(&mut self, depth: usize) -> Result<Vec<Vec<Item>>, String> {
        if depth > MAX_NESTING {
            return Err("groups nested too deeply".to_owned());
        }
        let mut alternatives = vec![self.sequence(depth)?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alternatives.push(self.sequence(depth)?);
        }
        Ok(alternatives)
    }

    fn sequence(&mut self, depth: usize) -> Result<Vec<Item>, String> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            let node = match c {
                '|' | ')' => break,
                '(' => {
                    self.pos += 1;
                    if self.peek() == Some('?') {
                        if self.chars.get(self.pos + 1) == Some(&':') {
                            self.pos += 2;
                        } else {
                            return Err(format!(
                                "unsupported group syntax at character {}",
                                self.pos
                            ));
                        }
                    }
                    let inner = self.alternation(depth + 1)?;
                    if self.peek() != Some(')') {
                        return Err("unclosed `(`".to_owned());
                    }
                    self.pos += 1;
                    Node::Group(inner)
                }
                '[' => {
                    self.pos += 1;
                    Node::Class(self.class()?)
                }
                '\\' => {
                    self.pos += 1;
                    match self.escape()? {
                        Escaped::Char(c) => Node::Char(c),
                        Escaped::Class(item) => Node::Class(Class {
                            negated: false,
                            items: vec![item],
                        }),
                    }
                }
                '.' => {
                    self.pos += 1;
                    Node::Any
                }
                '^' => {
                    self.pos += 1;
                    Node::Start
                }
                '$' => {
                    self.pos += 1;
                    Node::End
                }
                '*' | '+' | '?' | '{' => {
                    return Err(format!(
                        "quantifier `{c}` with nothing to repeat at character {}",
                        self.pos
                    ));
                }
                _ => {
                    self.pos += 1;
                    Node::Char(c)
                }
            };
            let (min, max) = self.quantifier()?;
            items.push(Item { node, min, max });
        }
        Ok(items)
    }

    fn quantifier(&mut self) -> Result<(u32, u32), String> {
        let (min, max) = match self.peek() {
            Some('*') => (0, u32::MAX),
            Some('+') => (1, u32::MAX),
            Some('?') => (0, 1),
            Some('{') => {
                self.pos += 1;
                let min = self.number()?;
                let max = if self.peek() == Some(',') {
                    self.pos += 1;
                    if self.peek() == Some('}') {
                        u32::MAX
                    } else {
                        self.number()?
                    }
                } else {
                    min
                };
                if self.peek() != Some('}') {
                    return Err("malformed `{n,m}` quantifier".to_owned());
                }
                if max < min {
                    return Err("quantifier `{n,m}` has m < n".to_owned());
                }
                (min, max)
            }
            _ => return Ok((1, 1)),
        };
        self.pos += 1;
        match self.peek() {
            // Laziness changes which match is found, never whether one exists.
            Some('?') => self.pos += 1,
            Some('+') => return Err("possessive quantifiers are not supported".to_owned()),
            _ => {}
        }
        Ok((min, max))
    }

    fn number(&mut self) -> Result<u32, String> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        match digits.parse::<u32>() {
            Ok(n) if n <= MAX_REPEAT => Ok(n),
            _ => Err("malformed or too large repetition count".to_owned()),
        }
    }

    fn escape(&mut self) -> Result<Escaped, String> {
        let Some(c) = self.peek() else {
            return Err("pattern ends with `\\`".to_owned());
        };
        self.pos += 1;
        Ok(match c {
            'd' => Escaped::Class(ClassItem::Digit(true)),
            'D' => Escaped::Class(ClassItem::Digit(false)),
            'w' => Escaped::Class(ClassItem::Word(true)),
            'W' => Escaped::Class(ClassItem::Word(false)),
            's' => Escaped::Class(ClassItem::Space(true)),
            'S' => Escaped::Class(ClassItem::Space(false)),
            'n' => Escaped::Char('\n'),
            't' => Escaped::Char('\t'),
            c if !c.is_ascii_alphanumeric() => Escaped::Char(c),
            c => return Err(format!("unsupported escape `\\{c}`")),
        })
    }

    fn class(&mut self) -> Result<Class, String> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err("unclosed `[`".to_owned());
            };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            self.pos += 1;
            let lo = if c == '\\' {
                match self.escape()? {
                    Escaped::Char(c) => c,
                    Escaped::Class(item) => {
                        items.push(item);
                        continue;
                    }
                }
            } else if c == '[' {
                return Err("nested `[` in a character class is not supported".to_owned());
            } else {
                c
            };
            // A range `lo-hi`, unless the `-` is the last character before `]`.
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&n| n != ']') {
                self.pos += 1;
                let Some(mut hi) = self.peek() else {
                    return Err("unclosed `[`".to_owned());
                };
                self.pos += 1;
                if hi == '\\' {
                    match self.escape()? {
                        Escaped::Char(c) => hi = c,
                        Escaped::Class(_) => {
                            return Err("a class escape cannot end a range".to_owned());
                        }
                    }
                }
                if hi < lo {
                    return Err(format!("character range `{lo}-{hi}` is reversed"));
                }
                items.push(ClassItem::Range(lo, hi));
            } else {
                items.push(ClassItem::Range(lo, lo));
            }
        }
        Ok(Class { negated, items })
    }
}

enum Escaped {
    Char(char),
    Class(ClassItem),
}

/// What remains to be matched after the current item: a linked list living on the call stack.
enum Cont<'a> {
    Done,
    Seq(&'a [Item], &'a Cont<'a>),
    /// One more iteration of a group ended; `count` iterations are complete, the last began at `start`.
    Rep {
        item: &'a Item,
        count: u32,
        start: usize,
        next: &'a Cont<'a>,
    },
}

struct Matcher<'a> {
    input: &'a [char],
    steps: Cell<u32>,
}

impl Matcher<'_> {
    fn budget(&self) -> bool {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        n <= MAX_STEPS
    }

    fn seq(&self, items: &[Item], pos: usize, k: &Cont) -> bool {
        match items.split_first() {
            None => self.cont(k, pos),
            Some((item, rest)) => self.item(item, 0, pos, &Cont::Seq(rest, k)),
        }
    }

    fn cont(&self, k: &Cont, pos: usize) -> bool {
        match *k {
            Cont::Done => true,
            Cont::Seq(items, next) => self.seq(items, pos, next),
            Cont::Rep {
                item,
                count,
                start,
                next,
            } => {
                if pos == start {
                    // An empty iteration: repeating it cannot consume more, so stop looping.
                    count >= item.min && self.cont(next, pos)
                        || count < item.min && self.item(item, count, pos, next)
                } else {
                    self.item(item, count, pos, next)
                }
            }
        }
    }

    /// Matches `item` having already matched it `count` times, greedily, then continues with `k`.
    fn item(&self, item: &Item, count: u32, pos: usize, k: &Cont) -> bool {
        if !self.budget() {
            return false;
        }
        let single = |pred: &dyn Fn(char) -> bool| self.input.get(pos).is_some_and(|&c| pred(c));
        if count < item.max {
            let more = match &item.node {
                Node::Char(c) => single(&|x| x == *c) && self.item(item, count + 1, pos + 1, k),
                Node::Any => single(&|x| x != '\n') && self.item(item, count + 1, pos + 1, k),
                Node::Class(class) => {
                    single(&|x| class.matches(x)) && self.item(item, count + 1, pos + 1, k)
                }
                Node::Group(alternatives) => {
                    let next = Cont::Rep {
                        item,
                        count: count + 1,
                        start: pos,
                        next: k,
                    };
                    alternatives.iter().any(|alt| self.seq(alt, pos, &next))
                }
                Node::Start => return pos == 0 && self.cont(k, pos),
                Node::End => return pos == self.input.len() && self.cont(k, pos),
            };
            if more {
                return true;
            }
        }
        count >= item.min && self.cont(k, pos)
    }
}

#[cfg(test)]
mod tests {
    use super::Regex;

    fn m(p: &str, s: &str) -> bool {
        Regex::new(p).expect("valid pattern").is_match(s)
    }

    #[test]
    fn partition_patterns() {
        let aws = r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$";
        assert!(m(aws, "us-east-1"));
        assert!(m(aws, "ap-southeast-10"));
        assert!(m(aws, "mx-central-1"));
    }

    #[test]
    fn gov_and_iso() {
        let aws = r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$";
        // `\w` excludes '-', so "us-gov-west-1" is left to the aws-us-gov pattern.
        assert!(!m(aws, "us-gov-west-1"));
        assert!(!m(aws, "cn-north-1"));
        assert!(!m(aws, "us-east-1 "));
        // `$` is the end of input only (as with a whole-string match), not "before a final newline".
        assert!(!m(aws, "us-east-1\n"));
        assert!(!m(aws, "xus-east-1"));
        assert!(m(r"^us\-gov\-\w+\-\d+$", "us-gov-west-1"));
        assert!(m(r"^eusc\-(de)\-\w+\-\d+$", "eusc-de-east-1"));
        assert!(!m(r"^eusc\-(de)\-\w+\-\d+$", "eusc-fr-east-1"));
        assert!(m(r"^cn\-\w+\-\d+$", "cn-northwest-1"));
        assert!(!m(r"^cn\-\w+\-\d+$", "cn--1"));
    }

    #[test]
    fn general_constructs() {
        assert!(m("a(b|c)*d", "xxabcbcd"));
        assert!(m("^a{2,3}$", "aaa"));
        assert!(!m("^a{2,3}$", "aaaa"));
        assert!(m("^[a-z0-9-]+$", "ab-9"));
        assert!(!m("^[^a-z]+$", "AbC"));
        assert!(m("^(?:ab)?c$", "c"));
        assert!(m("^(a*)*b$", "aaab"));
        assert!(!m("^(a*)*b$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaac"));
        assert!(m("^a.c$", "abc"));
        assert!(m(r"^\d+\.\d+$", "1.5"));
        assert!(m("^$", ""));
    }

    #[test]
    fn rejects_unsupported() {
        let long = "a".repeat(600);
        for p in [
            long.as_str(),
            "(?=a)",
            "a++",
            r"\bfoo",
            "(a",
            "a)",
            "[a",
            "*a",
            "a{3,1}",
            r"\1",
            "[z-a]",
        ] {
            assert!(Regex::new(p).is_err(), "{p} should be rejected");
        }
    }

    #[test]
    fn long_input_never_matches() {
        let long = "a".repeat(10_000);
        assert!(!m("a", &long));
    }
}
