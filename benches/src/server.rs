//! A canned IVS Chat server: a minimal HTTP/1.1 keep-alive responder on 127.0.0.1 that answers
//! from pre-serialized bytes, so the clients, not the server, set the pace.
//!
//! It reads the request head, the `content-length` body, and picks the response by path (and,
//! for `ListRooms`, by the `nextToken` in the body). It does not check signatures: the wire
//! tests do that; here only cost matters.

use std::io;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::canned;

/// Largest request head or body accepted; anything larger closes the connection.
const MAX_REQUEST: usize = 64 * 1024;

/// The responses, serialized once at start-up.
#[derive(Debug)]
pub struct Responses {
    get_room: Vec<u8>,
    create_chat_token: Vec<u8>,
    list_rooms: Vec<Vec<u8>>,
    page_tokens: Vec<String>,
    not_found: Vec<u8>,
    bad_request: Vec<u8>,
}

impl Default for Responses {
    fn default() -> Self {
        Self::new()
    }
}

impl Responses {
    /// Serializes every canned response.
    pub fn new() -> Self {
        let not_found_body = "{\"message\":\"no such operation\"}";
        let not_found = format!(
            "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\
             x-amzn-errortype: UnknownOperationException\r\ncontent-length: {}\r\n\r\n{not_found_body}",
            not_found_body.len()
        );
        Self {
            get_room: canned::http_response(&canned::get_room_body()),
            create_chat_token: canned::http_response(&canned::create_chat_token_body()),
            list_rooms: (0..canned::LIST_PAGES)
                .map(|p| canned::http_response(&canned::list_rooms_body(p)))
                .collect(),
            page_tokens: (0..canned::LIST_PAGES).map(canned::page_token).collect(),
            not_found: not_found.into_bytes(),
            bad_request:
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    .to_vec(),
        }
    }

    /// The response to a request for `path` with `body`.
    pub fn pick(&self, path: &[u8], body: &[u8]) -> &[u8] {
        match path {
            b"/GetRoom" => &self.get_room,
            b"/CreateChatToken" => &self.create_chat_token,
            b"/ListRooms" => {
                // Page 0 unless the body carries the token of a later page.
                let page = self
                    .page_tokens
                    .iter()
                    .enumerate()
                    .skip(1)
                    .find(|(_, t)| find(body, t.as_bytes()).is_some())
                    .map_or(0, |(i, _)| i);
                &self.list_rooms[page]
            }
            _ => &self.not_found,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What the head of one request says.
#[derive(Debug, PartialEq, Eq)]
pub struct Head<'a> {
    /// The request target (path and query).
    pub path: &'a [u8],
    /// The `content-length` (0 when absent).
    pub content_length: usize,
    /// Length of the head including the blank line.
    pub head_len: usize,
}

/// Parses the head at the start of `buf`: `Ok(None)` while it is incomplete, `Err` when it is
/// not a request this server can answer (chunked bodies, bad lengths).
pub fn parse_head(buf: &[u8]) -> Result<Option<Head<'_>>, &'static str> {
    let Some(end) = find(buf, b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = &buf[..end];
    let mut lines = head.split(|&b| b == b'\n');
    let request_line = lines.next().ok_or("empty request")?;
    let mut parts = request_line.split(|&b| b == b' ');
    let _method = parts.next().ok_or("no method")?;
    let path = parts.next().ok_or("no request target")?;
    let mut content_length = 0;
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") {
            content_length = std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.parse().ok())
                .ok_or("bad content-length")?;
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            return Err("transfer-encoding is not supported");
        }
    }
    Ok(Some(Head {
        path,
        content_length,
        head_len: end + 4,
    }))
}

async fn serve_connection(mut stream: TcpStream, responses: Arc<Responses>) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        let (path_range, body_start, total) = loop {
            match parse_head(&buf) {
                Ok(Some(head)) => {
                    let start = head.path.as_ptr() as usize - buf.as_ptr() as usize;
                    let total = head.head_len + head.content_length;
                    if total > MAX_REQUEST {
                        stream.write_all(&responses.bad_request).await?;
                        return Ok(());
                    }
                    break (start..start + head.path.len(), head.head_len, total);
                }
                Ok(None) if buf.len() > MAX_REQUEST => return Ok(()),
                Ok(None) => {}
                Err(_) => {
                    stream.write_all(&responses.bad_request).await?;
                    return Ok(());
                }
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        while buf.len() < total {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let response = responses.pick(&buf[path_range], &buf[body_start..total]);
        stream.write_all(response).await?;
        buf.drain(..total);
    }
}

/// Accepts connections on `listener` forever, one task per connection.
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    let responses = Arc::new(Responses::new());
    loop {
        let (stream, _) = listener.accept().await?;
        let responses = responses.clone();
        tokio::spawn(async move {
            // A client that goes away mid-request is not an error of the benchmark.
            let _ = serve_connection(stream, responses).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_heads() {
        let req =
            b"POST /GetRoom HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n{\"a\":\"b\"}   ";
        let head = parse_head(req).unwrap().unwrap();
        assert_eq!(head.path, b"/GetRoom");
        assert_eq!(head.content_length, 12);
        assert_eq!(head.head_len, req.len() - 12);
        assert_eq!(parse_head(b"POST /GetRoom HTTP/1.1\r\nHost"), Ok(None));
        assert_eq!(
            parse_head(b"POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"),
            Err("transfer-encoding is not supported")
        );
        assert_eq!(
            parse_head(b"POST / HTTP/1.1\r\ncontent-length: x\r\n\r\n"),
            Err("bad content-length")
        );
    }

    #[test]
    fn picks_list_pages_by_token() {
        let r = Responses::new();
        assert_eq!(
            r.pick(b"/ListRooms", b"{\"maxResults\":10}"),
            &r.list_rooms[0][..]
        );
        let body = format!("{{\"nextToken\":\"{}\"}}", canned::page_token(3));
        assert_eq!(r.pick(b"/ListRooms", body.as_bytes()), &r.list_rooms[3][..]);
        assert_eq!(r.pick(b"/GetRoom", b""), &r.get_room[..]);
        assert_eq!(r.pick(b"/Nope", b""), &r.not_found[..]);
    }

    #[tokio::test]
    async fn sdk_and_floor_clients_run_against_the_server() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(serve(listener));
        let all_rooms = canned::LIST_PAGES * canned::ROOMS_PER_PAGE;

        let sdk = crate::sdk::client(&endpoint);
        assert_eq!(
            crate::sdk::get_room(&sdk).await.unwrap(),
            "bench-room-1".len()
        );
        assert_eq!(crate::sdk::create_chat_token(&sdk).await.unwrap(), 320);
        assert_eq!(crate::sdk::list_rooms_walk(&sdk).await.unwrap(), all_rooms);

        let floor = crate::floor::FloorClient::new(&endpoint).unwrap();
        let room = floor.get_room(canned::ROOM_ARN).await.unwrap();
        assert_eq!(room.maximum_message_length(), Some(500));
        let token = floor
            .create_chat_token(canned::ROOM_ARN, canned::USER_ID, 60)
            .await
            .unwrap();
        assert_eq!(token.token().map(str::len), Some(320));
        let mut next: Option<String> = None;
        let mut rooms = 0;
        for _ in 0..canned::LIST_PAGES {
            let page = floor.list_rooms(10, next.as_deref()).await.unwrap();
            rooms += page.rooms.len();
            next = page.next_token;
        }
        assert_eq!((rooms, next), (all_rooms, None));
        assert!(!format!("{floor:?}").contains(canned::SECRET_ACCESS_KEY));
        server.abort();
    }
}
