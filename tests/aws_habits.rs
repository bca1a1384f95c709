//! A program written as for aws-sdk-ivschat (the AWS SDK for Rust), compiled against this
//! client and run against the local IVS Chat service: map members from a `HashMap`, paginators
//! with `send()`, `into_service_error()` matched on the operation's error enum, and the
//! `ProvideErrorMetadata` trait on call errors, error enums and modelled errors.

use std::collections::HashMap;
use std::error::Error;

use ivschat::error::{ProvideErrorMetadata, SdkError};
use ivschat::operation::get_room::GetRoomError;
use ivschat::primitives::DateTime;
use ivschat::{Client, Config, Credentials};
use ivschat_local::{LocalConfig, LocalService};

const MISSING_ROOM: &str = "arn:aws:ivschat:us-west-2:123456789012:room/missing00000";

/// The local service and a client of it.
async fn start() -> (LocalService, Client) {
    let local = LocalService::start(LocalConfig::default())
        .await
        .expect("local service starts");
    let client = client(&local.endpoint());
    (local, client)
}

fn client(endpoint: &str) -> Client {
    Client::from_conf(
        Config::builder()
            .region("us-west-2")
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::from_keys(
                ivschat_local::DEFAULT_ACCESS_KEY_ID,
                ivschat_local::DEFAULT_SECRET_ACCESS_KEY,
                None,
            ))
            .build(),
    )
}

/// What an aws-sdk-ivschat user writes, unchanged but for the crate name: returns the names
/// of the rooms walked page by page, and those walked item by item.
async fn aws_style_program(client: &Client) -> Result<(Vec<String>, Vec<String>), Box<dyn Error>> {
    let mut tags = HashMap::new();
    tags.insert("team".to_string(), "chat".to_string());
    for name in ["habits-1", "habits-2", "habits-3"] {
        client
            .create_room()
            .name(name)
            .set_tags(Some(tags.clone()))
            .send()
            .await?;
    }

    let mut paged = Vec::new();
    let mut pages = client.list_rooms().max_results(1).into_paginator().send();
    while let Some(page) = pages.next().await {
        for room in page?.rooms() {
            paged.push(room.name().unwrap_or_default().to_owned());
        }
    }

    let rooms = client
        .list_rooms()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await?;
    let itemized = rooms
        .iter()
        .map(|r| r.name().unwrap_or_default().to_owned())
        .collect();
    Ok((paged, itemized))
}

#[tokio::test]
async fn an_aws_sdk_style_program_runs_unchanged() {
    let (_local, client) = start().await;

    let (mut paged, mut itemized) = aws_style_program(&client).await.expect("program runs");
    paged.sort();
    itemized.sort();
    assert_eq!(paged, ["habits-1", "habits-2", "habits-3"]);
    assert_eq!(itemized, paged);

    // Tags set from a HashMap come back whole; `tag_resource` takes one too.
    let arn = client
        .list_rooms()
        .name("habits-2")
        .send()
        .await
        .expect("list")
        .rooms()[0]
        .arn()
        .expect("arn")
        .to_owned();
    client
        .tag_resource()
        .resource_arn(&arn)
        .set_tags(Some(HashMap::from([(
            "stage".to_string(),
            "demo".to_string(),
        )])))
        .send()
        .await
        .expect("tag");
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("tags");
    let tags: HashMap<&str, &str> = tags
        .tags()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(tags, HashMap::from([("team", "chat"), ("stage", "demo")]));

    // `collect()` into a `Result`, as `PaginationStream::collect` allows.
    let collected: Result<Vec<_>, _> = client
        .list_rooms()
        .into_paginator()
        .items()
        .send()
        .collect()
        .await;
    assert_eq!(collected.expect("every room").len(), 3);
    let first = client
        .list_rooms()
        .max_results(1)
        .into_paginator()
        .send()
        .try_next()
        .await
        .expect("first page")
        .expect("a page");
    assert_eq!(first.rooms().len(), 1);
    let _: Option<&DateTime> = first.rooms()[0].create_time();
}

#[tokio::test]
async fn service_errors_match_as_with_the_aws_sdk() {
    let (_local, client) = start().await;

    let err = client
        .get_room()
        .identifier(MISSING_ROOM)
        .send()
        .await
        .expect_err("no such room");
    // `ProvideErrorMetadata` on the call error.
    assert_eq!(
        ProvideErrorMetadata::code(&err),
        Some("ResourceNotFoundException")
    );
    let message = err.message().expect("a message").to_owned();
    assert!(!message.is_empty());
    let request_id = err.meta().request_id().map(str::to_owned);
    assert_eq!(request_id.as_deref(), err.request_id());

    // `into_service_error()` gives the operation's error enum to match on.
    let service_error = err.into_service_error();
    assert_eq!(service_error.code(), Some("ResourceNotFoundException"));
    assert_eq!(service_error.meta().request_id(), request_id.as_deref());
    match service_error {
        GetRoomError::ResourceNotFoundException(e) => {
            // A modelled error: `message()` is an `Option`, and the trait gives its code and
            // the response's metadata.
            let m: Option<&str> = e.message();
            assert_eq!(m, Some(message.as_str()));
            assert_eq!(
                ProvideErrorMetadata::code(&e),
                Some("ResourceNotFoundException")
            );
            assert_eq!(ProvideErrorMetadata::message(&e), Some(message.as_str()));
            assert_eq!(
                ProvideErrorMetadata::meta(&e).request_id(),
                request_id.as_deref()
            );
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
}

#[tokio::test]
async fn other_failures_become_the_unhandled_variant_with_their_cause() {
    // Nothing listens on port 1: the call fails in transit, not at the service.
    let client = Client::from_conf(
        client("http://127.0.0.1:1")
            .config()
            .to_builder()
            .max_attempts(1)
            .build(),
    );
    let err = client
        .get_room()
        .identifier(MISSING_ROOM)
        .send()
        .await
        .expect_err("connection refused");
    assert!(err.is_dispatch(), "{err}");
    let shown = err.to_string();
    assert_eq!(ProvideErrorMetadata::code(&err), None);
    assert_eq!(err.meta(), &ivschat::error::ErrorMetadata::default());
    match err.into_service_error() {
        GetRoomError::Unhandled(u) => {
            assert_eq!((u.status(), u.code()), (None, None));
            assert_eq!(u.to_string(), shown);
            let cause = u.source().expect("the failure is the source");
            let cause = cause
                .downcast_ref::<SdkError<std::convert::Infallible>>()
                .expect("the original error");
            assert!(cause.is_dispatch());
        }
        other => panic!("expected Unhandled, got {other:?}"),
    }

    // `try_into_service_error()` keeps today's form: the error back when it is not a service
    // error.
    let err = client
        .get_room()
        .identifier(MISSING_ROOM)
        .send()
        .await
        .expect_err("connection refused");
    let back = err
        .try_into_service_error()
        .expect_err("not a service error");
    assert!(back.is_dispatch());
}
