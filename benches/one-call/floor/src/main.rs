//! One `GetRoom` call written directly on reqwest, aws-sigv4 and serde: what any client must
//! do (region and static credentials from the environment, sign, send, parse). The room is the
//! first argument.
//!
//! Standalone on purpose: its dependency tree and build are what is measured, so it repeats
//! the few lines of `benches/src/floor.rs` that send and read a call instead of depending on
//! the benchmark crate (which depends on ivschat).

use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Room {
    name: Option<String>,
}

fn env(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let identifier = std::env::args()
        .nth(1)
        .ok_or("usage: one-call-floor ROOM_ARN")?;
    let region = env("AWS_REGION")?;
    let identity: Identity = aws_credential_types::Credentials::new(
        env("AWS_ACCESS_KEY_ID")?,
        env("AWS_SECRET_ACCESS_KEY")?,
        std::env::var("AWS_SESSION_TOKEN").ok(),
        None,
        "environment",
    )
    .into();
    let url = format!("https://ivschat.{region}.amazonaws.com/GetRoom");
    let body = serde_json::to_vec(&serde_json::json!({ "identifier": identifier }))?;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name("ivschat")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()?
        .into();
    let headers = [("content-type", "application/json")];
    let signable = SignableRequest::new(
        "POST",
        &url,
        headers.into_iter(),
        SignableBody::Bytes(&body),
    )?;
    let (instructions, _) = sign(signable, &params)?.into_parts();
    let mut request = http::Request::builder()
        .method(http::Method::POST)
        .uri(&url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body)?;
    instructions.apply_to_request_http1x(&mut request);
    let response = reqwest::Client::new()
        .execute(reqwest::Request::try_from(request)?)
        .await?;
    let status = response.status();
    let bytes = response.bytes().await?;
    if !status.is_success() {
        return Err(format!("HTTP {status}").into());
    }
    let room: Room = serde_json::from_slice(&bytes)?;
    println!("{:?}", room.name);
    Ok(())
}
