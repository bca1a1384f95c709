//! The fixed inputs and pre-serialized responses every benchmark uses, so the SDK and the
//! floor send the same requests and parse the same bytes.

/// Region the benchmark clients sign for.
pub const REGION: &str = "us-west-2";
/// Access key id of the static benchmark credentials.
pub const ACCESS_KEY_ID: &str = "AKIDBENCHMARK";
/// Secret key of the static benchmark credentials (not a real secret).
pub const SECRET_ACCESS_KEY: &str = "bench-secret-access-key";
/// Session token of the static benchmark credentials, so both clients sign one more header,
/// as callers with role credentials do.
pub const SESSION_TOKEN: &str = "bench-session-token";

/// The room every `GetRoom` and `CreateChatToken` names.
pub const ROOM_ARN: &str = "arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L6";
/// The user id of every `CreateChatToken`.
pub const USER_ID: &str = "user-0001";
/// The session duration of every `CreateChatToken`.
pub const SESSION_MINUTES: i32 = 60;
/// Pages in one `ListRooms` walk.
pub const LIST_PAGES: usize = 5;
/// Rooms per `ListRooms` page.
pub const ROOMS_PER_PAGE: usize = 10;
/// `maxResults` of every `ListRooms` request.
pub const LIST_MAX_RESULTS: i32 = ROOMS_PER_PAGE as i32;

/// The operations the benchmarks exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// One `GetRoom` call.
    GetRoom,
    /// One `CreateChatToken` call.
    CreateChatToken,
    /// A walk of [`LIST_PAGES`] `ListRooms` pages, following `nextToken`.
    ListRooms,
}

impl Op {
    /// Every operation, in report order.
    pub const ALL: [Op; 3] = [Op::GetRoom, Op::CreateChatToken, Op::ListRooms];

    /// The command-line and report name.
    pub fn name(self) -> &'static str {
        match self {
            Op::GetRoom => "get-room",
            Op::CreateChatToken => "create-chat-token",
            Op::ListRooms => "list-rooms-5p",
        }
    }

    /// The operation named `name` (as printed by [`Op::name`]).
    pub fn parse(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }

    /// HTTP requests one run of the operation sends.
    pub fn requests(self) -> usize {
        match self {
            Op::ListRooms => LIST_PAGES,
            _ => 1,
        }
    }
}

/// The `nextToken` the page after `page` (0-based) is requested with.
pub fn page_token(page: usize) -> String {
    format!("page-{page}-AQICAHhQ8N2mIf7LdVvBq0xJ9hZ")
}

fn room_fields(out: &mut String, n: usize) {
    out.push_str(&format!(
        "\"arn\":\"arn:aws:ivschat:us-west-2:123456789012:room/r{n:011}\",\"id\":\"r{n:011}\",\
         \"name\":\"bench-room-{n}\",\"createTime\":\"2026-01-02T03:04:05.678Z\",\
         \"updateTime\":\"2026-01-02T03:04:06Z\",\
         \"messageReviewHandler\":{{\"uri\":\"arn:aws:lambda:us-west-2:123456789012:function:review\",\
         \"fallbackResult\":\"ALLOW\"}},\"tags\":{{\"team\":\"video\",\"env\":\"bench\"}},\
         \"loggingConfigurationIdentifiers\":[\"arn:aws:ivschat:us-west-2:123456789012:logging-configuration/L1\"]"
    ));
}

/// The body of the `GetRoom` response.
pub fn get_room_body() -> String {
    let mut out = String::from("{");
    room_fields(&mut out, 1);
    out.push_str(",\"maximumMessageRatePerSecond\":10,\"maximumMessageLength\":500}");
    out
}

/// The body of the `CreateChatToken` response.
pub fn create_chat_token_body() -> String {
    // Real tokens are about 300 characters of base64.
    let token: String = "AQICAHhQ8N2mIf7LdVvBq0xJ9hZ"
        .chars()
        .cycle()
        .take(320)
        .collect();
    format!(
        "{{\"token\":\"{token}\",\"tokenExpirationTime\":\"2026-01-02T04:04:05Z\",\
         \"sessionExpirationTime\":\"2026-01-02T04:04:05Z\"}}"
    )
}

/// The body of `ListRooms` page `page` (0-based): [`ROOMS_PER_PAGE`] summaries and, except on
/// the last page, a `nextToken`.
pub fn list_rooms_body(page: usize) -> String {
    let mut out = String::from("{\"rooms\":[");
    for i in 0..ROOMS_PER_PAGE {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        room_fields(&mut out, page * ROOMS_PER_PAGE + i);
        out.push('}');
    }
    out.push(']');
    if page + 1 < LIST_PAGES {
        out.push_str(&format!(",\"nextToken\":\"{}\"", page_token(page + 1)));
    }
    out.push('}');
    out
}

/// The request id every canned response carries.
pub const REQUEST_ID: &str = "8f4c6d2e-1b3a-4c5d-9e7f-0a1b2c3d4e5f";

/// A whole HTTP/1.1 200 response with `body`.
pub fn http_response(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-amzn-requestid: {REQUEST_ID}\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_json_with_the_expected_shape() {
        let room: serde_json::Value = serde_json::from_str(&get_room_body()).unwrap();
        assert_eq!(room["maximumMessageLength"], 500);
        let token: serde_json::Value = serde_json::from_str(&create_chat_token_body()).unwrap();
        assert_eq!(token["token"].as_str().unwrap().len(), 320);
        for page in 0..LIST_PAGES {
            let v: serde_json::Value = serde_json::from_str(&list_rooms_body(page)).unwrap();
            assert_eq!(v["rooms"].as_array().unwrap().len(), ROOMS_PER_PAGE);
            let next = v.get("nextToken").and_then(|t| t.as_str());
            if page + 1 < LIST_PAGES {
                assert_eq!(next, Some(page_token(page + 1).as_str()));
            } else {
                assert_eq!(next, None);
            }
        }
    }

    #[test]
    fn op_names_round_trip() {
        for op in Op::ALL {
            assert_eq!(Op::parse(op.name()), Some(op));
        }
        assert_eq!(Op::parse("nope"), None);
    }
}
