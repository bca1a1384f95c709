//! Naming rules (provisional minimal version).

pub fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out.trim_end_matches('_').to_string()
}

pub fn pascal_case(s: &str) -> String {
    snake_case(s)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

/// Field / function name of a member.
pub fn member_name(wire: &str) -> String {
    let mut s = snake_case(wire);
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("_{s}");
    }
    match s.as_str() {
        "self" | "super" | "crate" | "_" | "build" | "send" | "customize" | "builder" => {
            format!("{s}_value")
        }
        _ if KEYWORDS.contains(&s.as_str()) => format!("r#{s}"),
        _ => s,
    }
}

pub fn module_name(wire: &str) -> String {
    let s = snake_case(wire);
    if KEYWORDS.contains(&s.as_str()) || matches!(s.as_str(), "self" | "super" | "crate") {
        format!("{s}_")
    } else {
        s
    }
}

pub fn type_name(wire: &str) -> String {
    let s = pascal_case(wire);
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

pub fn variant_name(wire: &str) -> String {
    let s = type_name(wire);
    if s == "Unknown" {
        "UnknownValue".into()
    } else if s == "Self" {
        "SelfValue".into()
    } else {
        s
    }
}
