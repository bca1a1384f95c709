//! Paginators of the generated IVS Chat client against a local server serving canned pages:
//! token chaining, page size, items, laziness, the end conditions (absent or empty token, a
//! failed page, a repeated token) and cancellation safety.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, UNIX_EPOCH};

use futures_util::StreamExt;
use integration_tests::server::{Canned, CaptureServer};
use ivschat::error::{PaginationError, ValidationError};
use ivschat::{Client, Config, Credentials};

fn client(server: &CaptureServer) -> Client {
    Client::from_conf(
        Config::builder()
            .region("us-west-2")
            .endpoint_url(server.url())
            .credentials_provider(Credentials::from_keys("AKID", "SECRET", None))
            .time_source(ivschat::config::StaticTimeSource::new(
                UNIX_EPOCH + Duration::from_secs(1_704_164_645),
            ))
            .build(),
    )
}

fn page(names: &[&str], token: Option<&str>) -> Canned {
    let rooms: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"name":"{n}"}}"#))
        .collect();
    let token = token
        .map(|t| format!(r#","nextToken":"{t}""#))
        .unwrap_or_default();
    Canned::json(200, &format!(r#"{{"rooms":[{}]{token}}}"#, rooms.join(",")))
}

fn bodies(server: &CaptureServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| {
            assert_eq!(
                (r.method.as_str(), r.target.as_str()),
                ("POST", "/ListRooms")
            );
            r.body_text()
        })
        .collect()
}

fn names(page: &ivschat::operation::list_rooms::ListRoomsOutput) -> Vec<&str> {
    page.rooms().iter().filter_map(|r| r.name()).collect()
}

#[tokio::test]
async fn pages_follow_the_tokens_until_one_is_absent() {
    let server = CaptureServer::start().await;
    server.respond(page(&["a"], Some("t1")));
    server.respond(page(&["b", "c"], Some("t2")));
    server.respond(page(&[], None));
    let mut pages = client(&server)
        .list_rooms()
        .name("lobby")
        .into_paginator()
        .page_size(2);
    let mut seen = Vec::new();
    while let Some(p) = pages.next().await {
        let p = p.expect("page");
        assert_eq!(p.request_id(), Some("req-0001"));
        seen.push(names(&p).join(","));
    }
    assert_eq!(seen, ["a", "b,c", ""]);
    assert_eq!(pages.pages_received(), 3);
    assert!(pages.next().await.is_none(), "the stream stays ended");
    assert_eq!(
        bodies(&server),
        [
            r#"{"name":"lobby","maxResults":2}"#,
            r#"{"name":"lobby","nextToken":"t1","maxResults":2}"#,
            r#"{"name":"lobby","nextToken":"t2","maxResults":2}"#,
        ]
    );
}

#[tokio::test]
async fn items_flatten_the_pages_and_an_empty_token_ends_them() {
    let server = CaptureServer::start().await;
    server.respond(page(&["a", "b"], Some("t1")));
    server.respond(page(&[], Some("t2")));
    server.respond(page(&["c"], Some("")));
    let rooms = client(&server)
        .list_rooms()
        .into_paginator()
        .items()
        .try_collect()
        .await
        .expect("items");
    let got: Vec<&str> = rooms.iter().filter_map(|r| r.name()).collect();
    assert_eq!(got, ["a", "b", "c"]);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn nothing_is_sent_until_the_stream_is_polled() {
    let server = CaptureServer::start().await;
    server.respond(page(&["a"], None));
    let mut pages = client(&server).list_rooms().into_paginator();
    tokio::task::yield_now().await;
    assert!(server.requests().is_empty());
    // Through the `Stream` implementation this time.
    let first = StreamExt::next(&mut pages).await.expect("a page");
    assert_eq!(names(&first.expect("page")), ["a"]);
    assert!(StreamExt::next(&mut pages).await.is_none());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_failed_page_ends_the_stream_after_the_earlier_items() {
    let server = CaptureServer::start().await;
    server.respond(page(&["a", "b"], Some("t1")));
    // A 4xx: a 5xx would be retried (and meet the next canned page).
    server.respond(Canned::error(
        400,
        "ValidationException",
        r#"{"message":"bad token","reason":"OTHER"}"#,
    ));
    server.respond(page(&["never"], None));
    let mut items = client(&server).list_rooms().into_paginator().items();
    let mut got = Vec::new();
    while let Some(item) = items.next().await {
        got.push(match item {
            Ok(room) => room.name().unwrap_or_default().to_owned(),
            Err(e) => format!("error: {}", e.code().unwrap_or_default()),
        });
    }
    assert_eq!(got, ["a", "b", "error: ValidationException"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_repeated_token_is_an_error_not_a_loop() {
    let server = CaptureServer::start().await;
    server.respond(page(&["a"], Some("t1")));
    server.respond(page(&["b"], Some("t2")));
    server.respond(page(&["c"], Some("t1")));
    for _ in 0..3 {
        server.respond(page(&["loop"], Some("t1")));
    }
    let mut pages = client(&server).list_rooms().into_paginator();
    let mut seen = Vec::new();
    let mut errors = Vec::new();
    while let Some(p) = pages.next().await {
        match p {
            Ok(p) => seen.push(names(&p).join(",")),
            Err(e) => {
                assert_eq!(
                    PaginationError::from_sdk_error(&e),
                    Some(&PaginationError::RepeatedToken { page: 3 })
                );
                assert!(e.is_construction());
                errors.push(e.to_string());
            }
        }
    }
    assert_eq!(seen, ["a", "b", "c"]);
    assert_eq!(
        errors,
        [
            "ListRooms: request not sent: page 3 carried a pagination token that was already sent; stopping instead of requesting the same pages again"
        ]
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_token_the_caller_started_from_counts_as_sent() {
    let server = CaptureServer::start().await;
    server.respond(page(&["a"], Some("start")));
    let mut pages = client(&server)
        .list_rooms()
        .next_token("start")
        .into_paginator();
    assert!(pages.next().await.expect("page").is_ok());
    let err = pages.next().await.expect("error").expect_err("repeated");
    assert_eq!(
        PaginationError::from_sdk_error(&err),
        Some(&PaginationError::RepeatedToken { page: 1 })
    );
    assert!(pages.next().await.is_none());
    assert_eq!(bodies(&server), [r#"{"nextToken":"start"}"#]);
}

#[tokio::test]
async fn an_invalid_input_fails_the_first_poll_without_sending() {
    let server = CaptureServer::start().await;
    let mut pages = client(&server).list_rooms().into_paginator().page_size(0);
    let err = pages.next().await.expect("an item").expect_err("invalid");
    assert!(err.is_construction());
    let source = std::error::Error::source(&err).expect("source");
    let validation = source
        .downcast_ref::<ValidationError>()
        .expect("a validation error");
    assert_eq!(validation.violations()[0].path(), "maxResults");
    assert!(pages.next().await.is_none());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_dropped_next_future_does_not_lose_or_repeat_the_request() {
    let server = CaptureServer::start().await;
    server.respond(page(&["a"], Some("t1")));
    server.respond(page(&["b"], None));
    let mut pages = client(&server).list_rooms().into_paginator();
    {
        // Start the first request, then give up waiting for it.
        let mut next = pin!(pages.next());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(matches!(next.as_mut().poll(&mut cx), Poll::Pending));
    }
    let first = pages.next().await.expect("page").expect("ok");
    assert_eq!(names(&first), ["a"]);
    let second = pages.next().await.expect("page").expect("ok");
    assert_eq!(names(&second), ["b"]);
    assert!(pages.next().await.is_none());
    assert_eq!(bodies(&server), [r#"{}"#, r#"{"nextToken":"t1"}"#]);
}

#[tokio::test]
async fn logging_configurations_page_too() {
    let server = CaptureServer::start().await;
    server.respond(Canned::json(
        200,
        r#"{"loggingConfigurations":[{"id":"LcId12345678"}],"nextToken":"n"}"#,
    ));
    server.respond(Canned::json(200, r#"{"loggingConfigurations":[]}"#));
    let items = client(&server)
        .list_logging_configurations()
        .into_paginator()
        .page_size(1)
        .items()
        .try_collect()
        .await
        .expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].id(), Some("LcId12345678"));
    let requests = server.requests();
    assert_eq!(
        requests.iter().map(|r| r.body_text()).collect::<Vec<_>>(),
        [r#"{"maxResults":1}"#, r#"{"nextToken":"n","maxResults":1}"#]
    );
}

#[tokio::test]
async fn empty_pages_with_new_tokens_end_the_walk_after_the_limit() {
    let server = CaptureServer::start().await;
    for i in 1..=5 {
        server.respond(page(&[], Some(&format!("t{i}"))));
    }
    let mut items = client(&server)
        .list_rooms()
        .into_paginator()
        .max_empty_pages(Some(3))
        .items();
    let err = items
        .next()
        .await
        .expect("an item")
        .expect_err("no progress");
    assert_eq!(
        PaginationError::from_sdk_error(&err),
        Some(&PaginationError::TooManyEmptyPages { page: 3, limit: 3 })
    );
    assert_eq!(
        err.to_string(),
        "ListRooms: request not sent: 3 pages in a row, up to page 3, listed nothing while carrying a new token; stopping (`max_empty_pages` changes the limit)"
    );
    assert!(items.next().await.is_none());
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_page_that_lists_something_restarts_the_count_and_the_limit_can_be_lifted() {
    let script = [
        page(&[], Some("t1")),
        page(&[], Some("t2")),
        page(&["a"], Some("t3")),
        page(&[], Some("t4")),
        page(&[], Some("t5")),
        page(&["b"], None),
    ];
    for limit in [Some(3), None] {
        let server = CaptureServer::start().await;
        for p in script.iter().cloned() {
            server.respond(p);
        }
        let rooms = client(&server)
            .list_rooms()
            .into_paginator()
            .max_empty_pages(limit)
            .items()
            .try_collect()
            .await
            .expect("progress every third page");
        let got: Vec<&str> = rooms.iter().filter_map(|r| r.name()).collect();
        assert_eq!(got, ["a", "b"]);
        assert_eq!(server.requests().len(), 6);
    }
    // Without a limit, empty pages are followed for as long as they come.
    let server = CaptureServer::start().await;
    for i in 1..=30 {
        server.respond(page(&[], Some(&format!("t{i}"))));
    }
    server.respond(page(&["last"], None));
    let pages = client(&server)
        .list_rooms()
        .into_paginator()
        .max_empty_pages(None)
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(pages.len(), 31);
}

#[tokio::test]
async fn an_empty_page_is_one_that_lists_no_items_and_a_zero_limit_counts_as_one() {
    let server = CaptureServer::start().await;
    server.respond(Canned::json(
        200,
        r#"{"loggingConfigurations":[],"nextToken":"a"}"#,
    ));
    server.respond(Canned::json(
        200,
        r#"{"loggingConfigurations":[{"id":"x"}],"nextToken":"b"}"#,
    ));
    server.respond(Canned::json(
        200,
        r#"{"loggingConfigurations":[],"nextToken":"c"}"#,
    ));
    let err = client(&server)
        .list_logging_configurations()
        .into_paginator()
        .max_empty_pages(Some(1))
        .try_collect()
        .await
        .expect_err("the first empty page is one too many");
    assert_eq!(
        PaginationError::from_sdk_error(&err),
        Some(&PaginationError::TooManyEmptyPages { page: 1, limit: 1 })
    );
    // 0 counts as 1.
    let server = CaptureServer::start().await;
    server.respond(page(&["a"], Some("t1")));
    server.respond(page(&[], Some("t2")));
    let err = client(&server)
        .list_rooms()
        .into_paginator()
        .max_empty_pages(Some(0))
        .try_collect()
        .await
        .expect_err("stops");
    assert_eq!(
        PaginationError::from_sdk_error(&err),
        Some(&PaginationError::TooManyEmptyPages { page: 2, limit: 1 })
    );
}
