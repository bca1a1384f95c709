//! The generated client configured for the benchmarks, and one function per benchmarked
//! operation so the runner, the micro-benchmarks and callgrind runs exercise the same calls.

use ivschat::Client;
use ivschat::types::ChatTokenCapability;

use crate::canned;

/// Any failure of an SDK call.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A client for the server at `endpoint` with the static benchmark credentials.
pub fn client(endpoint: &str) -> Client {
    Client::from_conf(config(endpoint).build())
}

/// The benchmark configuration, to be finished by the caller (connector, clock).
pub fn config(endpoint: &str) -> ivschat::config::Builder {
    ivschat::Config::builder()
        .region(canned::REGION)
        .endpoint_url(endpoint)
        .proxy(ivschat::config::ProxySetting::Disabled)
        .credentials_provider(ivschat::Credentials::from_keys(
            canned::ACCESS_KEY_ID,
            canned::SECRET_ACCESS_KEY,
            Some(canned::SESSION_TOKEN.to_owned()),
        ))
}

/// One `GetRoom`; returns the room name length so the output is used.
pub async fn get_room(client: &Client) -> Result<usize, Error> {
    let out = client
        .get_room()
        .identifier(canned::ROOM_ARN)
        .send()
        .await?;
    Ok(out.name().map_or(0, str::len))
}

/// One `CreateChatToken`; returns the token length.
pub async fn create_chat_token(client: &Client) -> Result<usize, Error> {
    let out = client
        .create_chat_token()
        .room_identifier(canned::ROOM_ARN)
        .user_id(canned::USER_ID)
        .capabilities(ChatTokenCapability::SendMessage)
        .session_duration_in_minutes(canned::SESSION_MINUTES)
        .send()
        .await?;
    Ok(out.token().map_or(0, str::len))
}

/// A walk of every `ListRooms` page with the paginator; returns the rooms seen.
pub async fn list_rooms_walk(client: &Client) -> Result<usize, Error> {
    // The generated paginator: pages follow `nextToken` until the service stops sending one.
    let mut pages = client
        .list_rooms()
        .into_paginator()
        .page_size(canned::LIST_MAX_RESULTS);
    let mut rooms = 0;
    while let Some(page) = pages.next().await {
        rooms += page?.rooms().len();
    }
    Ok(rooms)
}
