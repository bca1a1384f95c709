//! `ControlPlaneTokens` against the local IVS Chat service's `CreateChatToken`.
#![cfg(feature = "control-plane")]

use std::time::{Duration, SystemTime};

use ivschat::types::ChatTokenCapability;
use ivschat::{Client, Config, Credentials};
use ivschat_local::{LocalConfig, LocalService};
use ivschat_messaging::{ControlPlaneTokens, Endpoint, TokenProvider};

#[tokio::test]
async fn tokens_come_from_create_chat_token_with_what_was_asked() {
    let local = LocalService::start(LocalConfig::default().with_region("eu-central-1"))
        .await
        .unwrap();
    let client = Client::from_conf(
        Config::builder()
            .region("eu-central-1")
            .endpoint_url(local.endpoint())
            .credentials_provider(Credentials::from_keys(
                ivschat_local::DEFAULT_ACCESS_KEY_ID,
                ivschat_local::DEFAULT_SECRET_ACCESS_KEY,
                None,
            ))
            .build(),
    );
    let room = client.create_room().name("lobby").send().await.unwrap();
    let arn = room.arn().unwrap().to_owned();
    let tokens = ControlPlaneTokens::new(client.clone(), &arn, "user-SECRET")
        .capabilities([
            ChatTokenCapability::SendMessage,
            ChatTokenCapability::DeleteMessage,
        ])
        .attribute("color", "attribute-SECRET")
        .session_duration_in_minutes(5);
    assert_eq!(
        tokens.endpoint().unwrap(),
        Endpoint::region("eu-central-1").unwrap()
    );
    let shown = format!("{tokens:?}");
    assert!(!shown.contains("SECRET"), "{shown}");

    let before = SystemTime::now();
    let first = tokens.token().await.unwrap();
    let second = tokens.token().await.unwrap();
    assert_ne!(first.token(), second.token(), "a new token each time");
    let info = local
        .verify_chat_token(first.token())
        .expect("issued by the service");
    assert_eq!(info.room_arn, arn);
    assert_eq!(info.user_id, "user-SECRET");
    assert_eq!(info.capabilities, ["SEND_MESSAGE", "DELETE_MESSAGE"]);
    assert_eq!(
        info.attributes.get("color").map(String::as_str),
        Some("attribute-SECRET")
    );
    assert_eq!(info.session_duration_in_minutes, 5);
    // The times the service returned, to the second (the wire format's precision).
    let session = first.session_expiration_time().unwrap();
    let expected = info.session_expiration_time;
    assert!(
        session
            .max(expected)
            .duration_since(session.min(expected))
            .unwrap()
            < Duration::from_secs(1)
    );
    assert!(session >= before + Duration::from_secs(299), "{session:?}");
    assert!(first.token_expiration_time().is_some());

    // A failure of the call is the provider's error.
    let missing = ControlPlaneTokens::new(
        client,
        "arn:aws:ivschat:eu-central-1:123456789012:room/AbCdEfGhIjKl",
        "u",
    );
    let err = missing.token().await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the token provider failed: CreateChatToken: ResourceNotFoundException"),
        "{err}"
    );
}
