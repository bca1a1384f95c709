//! The value-level parts of the rules-engine standard library and the AWS extension functions.
//!
//! Each function here is total: it never panics and reports "no value" (`None`) where the
//! specification says the function returns an empty optional.

/// Parts of a URL as `parseURL` reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedUrl {
    pub(crate) scheme: String,
    pub(crate) authority: String,
    pub(crate) path: String,
    pub(crate) normalized_path: String,
    pub(crate) is_ip: bool,
}

/// `parseURL`: only `http`/`https` URLs with a host and no query are accepted.
///
/// Userinfo (`user@host`) and fragments are rejected: neither belongs in an endpoint URL, and
/// the returned authority must not contain userinfo.
pub(crate) fn parse_url(url: &str) -> Option<ParsedUrl> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    if rest.contains('?') || rest.contains('#') {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let is_ip = if let Some(inner) = authority.strip_prefix('[') {
        let (host, after) = inner.split_once(']')?;
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return None;
        }
        if !valid_port_suffix(after) {
            return None;
        }
        true
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        if host.is_empty() || !host.chars().all(is_host_char) {
            return None;
        }
        if let Some(p) = port
            && (p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        is_ipv4(host)
    };
    if path.chars().any(|c| c.is_control() || c == ' ') {
        return None;
    }
    let mut normalized_path = String::with_capacity(path.len() + 2);
    if !path.starts_with('/') {
        normalized_path.push('/');
    }
    normalized_path.push_str(path);
    if !normalized_path.ends_with('/') {
        normalized_path.push('/');
    }
    Some(ParsedUrl {
        scheme,
        authority: authority.to_owned(),
        path: path.to_owned(),
        normalized_path,
        is_ip,
    })
}

fn valid_port_suffix(after: &str) -> bool {
    match after.strip_prefix(':') {
        None => after.is_empty(),
        Some(port) => !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()),
    }
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '%')
}

/// Four dot-separated decimal numbers, each 0..=255.
pub(crate) fn is_ipv4(host: &str) -> bool {
    let mut parts = 0;
    for part in host.split('.') {
        parts += 1;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        if part.parse::<u16>().map_or(true, |n| n > 255) {
            return false;
        }
    }
    parts == 4
}

/// `isValidHostLabel`: an RFC 1123 label of 1 to 63 ASCII letters, digits and hyphens, not
/// starting with a hyphen; with `allow_sub_domains`, one or more such labels joined by dots.
pub(crate) fn is_valid_host_label(value: &str, allow_sub_domains: bool) -> bool {
    if allow_sub_domains {
        value
            .split('.')
            .all(|label| is_valid_host_label(label, false))
    } else {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= 63
            && bytes[0] != b'-'
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
    }
}

/// `substring`: `None` for non-ASCII input or when the string is too short.
pub(crate) fn substring(input: &str, start: i64, stop: i64, reverse: bool) -> Option<String> {
    if !input.is_ascii() {
        return None;
    }
    let len = i64::try_from(input.len()).ok()?;
    if start < 0 || start >= stop || len < stop {
        return None;
    }
    let (from, to) = if reverse {
        (len - stop, len - start)
    } else {
        (start, stop)
    };
    let from = usize::try_from(from).ok()?;
    let to = usize::try_from(to).ok()?;
    input.get(from..to).map(str::to_owned)
}

/// `uriEncode`: percent-encodes every byte except RFC 3986 unreserved characters, upper-case hex.
pub(crate) fn uri_encode(input: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len());
    for &b in input.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// `split`: `limit` 0 splits everywhere, `n > 0` yields at most `n` parts. The delimiter is non-empty.
pub(crate) fn split(input: &str, delimiter: &str, limit: usize) -> Vec<String> {
    if input.is_empty() || limit == 1 || delimiter.is_empty() {
        return vec![input.to_owned()];
    }
    if limit == 0 {
        input.split(delimiter).map(str::to_owned).collect()
    } else {
        input.splitn(limit, delimiter).map(str::to_owned).collect()
    }
}

/// Parts of an ARN as `aws.parseArn` reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arn {
    pub(crate) partition: String,
    pub(crate) service: String,
    pub(crate) region: String,
    pub(crate) account_id: String,
    pub(crate) resource_id: Vec<String>,
}

/// `aws.parseArn`: `arn:partition:service:region:account:resource`, with partition, service and
/// resource non-empty; the resource is split on both `:` and `/`.
pub(crate) fn parse_arn(input: &str) -> Option<Arn> {
    let mut parts = input.splitn(6, ':');
    let (arn, partition, service, region, account_id, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if arn != "arn" || partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(Arn {
        partition: partition.to_owned(),
        service: service.to_owned(),
        region: region.to_owned(),
        account_id: account_id.to_owned(),
        resource_id: resource.split([':', '/']).map(str::to_owned).collect(),
    })
}

/// `aws.isVirtualHostableS3Bucket`: a bucket name usable as a DNS label (or labels, with
/// `allow_sub_domains`): 3 to 63 lower-case letters, digits, hyphens (and dots), starting and
/// ending with a letter or digit, no `.-`/`-.`/`..`, and not shaped like an IPv4 address.
pub(crate) fn is_virtual_hostable_s3_bucket(value: &str, allow_sub_domains: bool) -> bool {
    let bytes = value.as_bytes();
    let lower_alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.len() < 3 || bytes.len() > 63 {
        return false;
    }
    if !lower_alnum(bytes[0]) || !lower_alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    if !allow_sub_domains {
        return bytes.iter().all(|&b| lower_alnum(b) || b == b'-');
    }
    let mut last = bytes[0];
    for &b in &bytes[1..] {
        let ok = match b {
            b'.' => last != b'.' && last != b'-',
            b'-' => last != b'.',
            _ => lower_alnum(b),
        };
        if !ok {
            return false;
        }
        last = b;
    }
    !is_ipv4(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_url_examples() {
        let u = parse_url("https://example.com").expect("valid");
        assert_eq!(
            (
                u.scheme.as_str(),
                u.authority.as_str(),
                u.path.as_str(),
                u.normalized_path.as_str(),
                u.is_ip
            ),
            ("https", "example.com", "", "/", false)
        );
        let u = parse_url("http://example.com:80/foo/bar").expect("valid");
        assert_eq!(
            (
                u.authority.as_str(),
                u.path.as_str(),
                u.normalized_path.as_str()
            ),
            ("example.com:80", "/foo/bar", "/foo/bar/")
        );
        let u = parse_url("https://example.com/").expect("valid");
        assert_eq!((u.path.as_str(), u.normalized_path.as_str()), ("/", "/"));
        assert!(parse_url("https://127.0.0.1").expect("valid").is_ip);
        assert!(parse_url("https://127.0.0.1:8443/x").expect("valid").is_ip);
        assert!(!parse_url("https://127.0.0.256").expect("valid").is_ip);
        let u = parse_url("https://[fe80::1]").expect("valid");
        assert_eq!((u.authority.as_str(), u.is_ip), ("[fe80::1]", true));
        assert_eq!(
            parse_url("HTTPS://Example.com").expect("valid").scheme,
            "https"
        );
        for bad in [
            "https://example.com:8443?foo=bar&faz=baz",
            "ftp://example.com",
            "example.com",
            "https://",
            "https:///path",
            "https://user@example.com",
            "https://example.com#frag",
            "https://exa mple.com",
            "https://example.com:",
            "https://example.com:x1",
            "https://[fe80::1",
            "https://[zz]",
        ] {
            assert_eq!(parse_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn host_labels() {
        assert!(is_valid_host_label("a", false));
        assert!(is_valid_host_label("us-east-1", false));
        assert!(!is_valid_host_label("", false));
        assert!(!is_valid_host_label("-a", false));
        assert!(!is_valid_host_label("a.b", false));
        assert!(is_valid_host_label("a.b", true));
        assert!(!is_valid_host_label("a..b", true));
        assert!(!is_valid_host_label("a.b.", true));
        assert!(!is_valid_host_label("a_b", true));
        assert!(!is_valid_host_label("é", false));
        assert!(!is_valid_host_label(&"a".repeat(64), false));
        assert!(is_valid_host_label(
            &format!("{0}.{0}", "a".repeat(63)),
            true
        ));
    }

    #[test]
    fn substrings() {
        assert_eq!(substring("abcdef", 0, 4, false).as_deref(), Some("abcd"));
        assert_eq!(substring("abcdef", 0, 4, true).as_deref(), Some("cdef"));
        assert_eq!(substring("abcdef", 1, 3, true).as_deref(), Some("de"));
        assert_eq!(substring("abcdef", 0, 6, false).as_deref(), Some("abcdef"));
        assert_eq!(substring("abc", 0, 4, false), None);
        assert_eq!(substring("abcdef", 3, 3, false), None);
        assert_eq!(substring("abcdef", -1, 3, false), None);
        assert_eq!(substring("abcdé", 0, 2, false), None);
    }

    #[test]
    fn uri_encoding() {
        assert_eq!(uri_encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(
            uri_encode("/:,?#[]{}|@! $&'()*+;=%<>\"^`\\"),
            "%2F%3A%2C%3F%23%5B%5D%7B%7D%7C%40%21%20%24%26%27%28%29%2A%2B%3B%3D%25%3C%3E%22%5E%60%5C"
        );
        assert_eq!(uri_encode("é"), "%C3%A9");
    }

    #[test]
    fn splitting() {
        let s = |i, d, l| split(i, d, l);
        assert_eq!(s("a--b--c", "--", 0), ["a", "b", "c"]);
        assert_eq!(s("a--b--c", "--", 2), ["a", "b--c"]);
        assert_eq!(s("--b--", "--", 0), ["", "b", ""]);
        assert_eq!(s("", "--", 0), [""]);
        assert_eq!(s("----", "--", 0), ["", "", ""]);
        assert_eq!(s("mybucket", "--", 1), ["mybucket"]);
        assert_eq!(
            s("--x-s3--azid--suffix", "--", 4),
            ["", "x-s3", "azid", "suffix"]
        );
        assert_eq!(s("--", "--", 0), ["", ""]);
    }

    #[test]
    fn arns() {
        let a = parse_arn("arn:aws:s3:us-east-2:012345678:outpost:op-1234").expect("valid");
        assert_eq!(a.resource_id, ["outpost", "op-1234"]);
        let a = parse_arn("arn:aws:s3:::my_bucket/Dev/*").expect("valid");
        assert_eq!((a.region.as_str(), a.account_id.as_str()), ("", ""));
        assert_eq!(a.resource_id, ["my_bucket", "Dev", "*"]);
        let a = parse_arn("arn:aws:iam::123:role/a:b").expect("valid");
        assert_eq!(a.resource_id, ["role", "a", "b"]);
        for bad in [
            "arn:aws:s3:us-east-2:012345678:",
            "arn:aws:s3",
            "ar:aws:s3:r:a:x",
            "arn::s3:r:a:x",
            "arn:aws::r:a:x",
        ] {
            assert_eq!(parse_arn(bad), None, "{bad}");
        }
    }

    #[test]
    fn s3_buckets() {
        assert!(is_virtual_hostable_s3_bucket("a--b--x-s3", false));
        assert!(is_virtual_hostable_s3_bucket("my.bucket", true));
        assert!(!is_virtual_hostable_s3_bucket("my.bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("a-.b-.c", true));
        assert!(!is_virtual_hostable_s3_bucket("a.-b", true));
        assert!(!is_virtual_hostable_s3_bucket("a..b", true));
        assert!(!is_virtual_hostable_s3_bucket("ab", false));
        assert!(!is_virtual_hostable_s3_bucket("Abc", false));
        assert!(!is_virtual_hostable_s3_bucket("abc-", false));
        assert!(!is_virtual_hostable_s3_bucket("192.168.5.4", true));
        assert!(!is_virtual_hostable_s3_bucket(&"a".repeat(64), false));
    }
}
