//! The floor: what any client of the service must do per call, written directly on reqwest,
//! aws-sigv4 and serde, with nothing else. Build the body, sign, send, read, parse into typed
//! structs.

use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use serde::Deserialize;

use crate::canned;

/// Any failure of a floor call.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// `GetRoom` output, as the floor parses it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct Room {
    arn: Option<String>,
    id: Option<String>,
    name: Option<String>,
    create_time: Option<String>,
    update_time: Option<String>,
    maximum_message_rate_per_second: Option<i32>,
    maximum_message_length: Option<i32>,
    message_review_handler: Option<ReviewHandler>,
    tags: Option<std::collections::BTreeMap<String, String>>,
    logging_configuration_identifiers: Option<Vec<String>>,
}

impl Room {
    /// The maximum message length.
    pub fn maximum_message_length(&self) -> Option<i32> {
        self.maximum_message_length
    }
}

/// A message review handler.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ReviewHandler {
    uri: Option<String>,
    fallback_result: Option<String>,
}

/// `CreateChatToken` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ChatToken {
    token: Option<String>,
    token_expiration_time: Option<String>,
    session_expiration_time: Option<String>,
}

impl ChatToken {
    /// The token.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}

/// `ListRooms` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RoomPage {
    /// The rooms of the page.
    #[serde(default)]
    pub rooms: Vec<Room>,
    /// The token of the next page.
    pub next_token: Option<String>,
}

/// `GetRoom` body.
pub fn get_room_body(identifier: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "identifier": identifier })).unwrap_or_default()
}

/// `CreateChatToken` body.
pub fn create_chat_token_body(room: &str, user: &str, minutes: i32) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "roomIdentifier": room,
        "userId": user,
        "capabilities": ["SEND_MESSAGE"],
        "sessionDurationInMinutes": minutes,
    }))
    .unwrap_or_default()
}

/// `ListRooms` body.
pub fn list_rooms_body(max_results: i32, next_token: Option<&str>) -> Vec<u8> {
    let mut v = serde_json::json!({ "maxResults": max_results });
    if let Some(t) = next_token {
        v["nextToken"] = serde_json::Value::from(t);
    }
    serde_json::to_vec(&v).unwrap_or_default()
}

/// Signs a POST of `body` to `url` for `identity` at `time`.
pub fn signed_request(
    url: &str,
    body: Vec<u8>,
    identity: &Identity,
    time: SystemTime,
) -> Result<http::Request<Vec<u8>>, Error> {
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region(canned::REGION)
        .name("ivschat")
        .time(time)
        .settings(SigningSettings::default())
        .build()?
        .into();
    let headers = [("content-type", "application/json")];
    let signable =
        SignableRequest::new("POST", url, headers.into_iter(), SignableBody::Bytes(&body))?;
    let (instructions, _) = sign(signable, &params)?.into_parts();
    let mut request = http::Request::builder()
        .method(http::Method::POST)
        .uri(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body)?;
    instructions.apply_to_request_http1x(&mut request);
    Ok(request)
}

/// The benchmark credentials as a signing identity.
pub fn identity() -> Identity {
    aws_credential_types::Credentials::new(
        canned::ACCESS_KEY_ID,
        canned::SECRET_ACCESS_KEY,
        Some(canned::SESSION_TOKEN.to_owned()),
        None,
        "bench",
    )
    .into()
}

/// A raw client: one reqwest client (rustls, pooled keep-alive connections) and one identity.
#[derive(Clone)]
pub struct FloorClient {
    http: reqwest::Client,
    identity: Identity,
    get_room_url: String,
    create_chat_token_url: String,
    list_rooms_url: String,
}

impl std::fmt::Debug for FloorClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The identity holds the secret key: leave it out.
        f.debug_struct("FloorClient")
            .field("get_room_url", &self.get_room_url)
            .finish_non_exhaustive()
    }
}

impl FloorClient {
    /// A client for the server at `endpoint` (`http://host:port`).
    pub fn new(endpoint: &str) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()?;
        let endpoint = endpoint.trim_end_matches('/');
        Ok(Self {
            http,
            identity: identity(),
            get_room_url: format!("{endpoint}/GetRoom"),
            create_chat_token_url: format!("{endpoint}/CreateChatToken"),
            list_rooms_url: format!("{endpoint}/ListRooms"),
        })
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        body: Vec<u8>,
    ) -> Result<T, Error> {
        let request = signed_request(url, body, &self.identity, SystemTime::now())?;
        let response = self
            .http
            .execute(reqwest::Request::try_from(request)?)
            .await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if !status.is_success() {
            return Err(format!("HTTP {status}").into());
        }
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// `GetRoom` for `identifier`.
    pub async fn get_room(&self, identifier: &str) -> Result<Room, Error> {
        self.call(&self.get_room_url, get_room_body(identifier))
            .await
    }

    /// `CreateChatToken` for `user` in `room`.
    pub async fn create_chat_token(
        &self,
        room: &str,
        user: &str,
        minutes: i32,
    ) -> Result<ChatToken, Error> {
        self.call(
            &self.create_chat_token_url,
            create_chat_token_body(room, user, minutes),
        )
        .await
    }

    /// One `ListRooms` page.
    pub async fn list_rooms(
        &self,
        max_results: i32,
        next_token: Option<&str>,
    ) -> Result<RoomPage, Error> {
        self.call(
            &self.list_rooms_url,
            list_rooms_body(max_results, next_token),
        )
        .await
    }
}
