//! The generated client against the local IVS Chat service: the whole workflow, and every kind
//! of service error arriving as the right typed value.

use ivschat::operation::create_room::CreateRoomError;
use ivschat::operation::delete_logging_configuration::DeleteLoggingConfigurationError;
use ivschat::operation::get_room::GetRoomError;
use ivschat::operation::list_tags_for_resource::ListTagsForResourceError;
use ivschat::operation::tag_resource::TagResourceError;
use ivschat::operation::untag_resource::UntagResourceError;
use ivschat::types::{
    ChatTokenCapability, DestinationConfiguration, S3DestinationConfiguration,
    ValidationExceptionReason,
};
use ivschat::{Client, Config, Credentials};
use ivschat_local::{LocalConfig, LocalService};

async fn start() -> (LocalService, Client) {
    let local = LocalService::start(LocalConfig::default())
        .await
        .expect("local service starts");
    let client = client_with_secret(&local, ivschat_local::DEFAULT_SECRET_ACCESS_KEY);
    (local, client)
}

fn client_with_secret(local: &LocalService, secret: &str) -> Client {
    Client::from_conf(
        Config::builder()
            .region("us-west-2")
            .endpoint_url(local.endpoint())
            .credentials_provider(Credentials::from_keys(
                ivschat_local::DEFAULT_ACCESS_KEY_ID,
                secret,
                None,
            ))
            .build(),
    )
}

#[tokio::test]
async fn room_lifecycle_with_defaults_paging_tags_and_tokens() {
    let (local, client) = start().await;
    let room = client
        .create_room()
        .name("lobby")
        .send()
        .await
        .expect("create");
    assert_eq!(room.maximum_message_rate_per_second(), Some(10));
    assert_eq!(room.maximum_message_length(), Some(500));
    let arn = room.arn().expect("arn").to_owned();
    assert!(
        arn.starts_with("arn:aws:ivschat:us-west-2:123456789012:room/"),
        "{arn}"
    );
    assert_eq!(room.id().map(str::len), Some(12));
    for name in ["second", "third"] {
        client
            .create_room()
            .name(name)
            .send()
            .await
            .expect("create");
    }

    let mut names = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = client
            .list_rooms()
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .expect("list");
        pages += 1;
        names.extend(
            page.rooms()
                .iter()
                .filter_map(|r| r.name().map(str::to_owned)),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    // Newest update first, as the service lists rooms.
    assert_eq!(
        (pages, names),
        (2, vec!["third".to_owned(), "second".into(), "lobby".into()])
    );

    client
        .tag_resource()
        .resource_arn(&arn)
        .tags("a b", "1")
        .tags("k:v/w", "2")
        .send()
        .await
        .expect("tag");
    client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("a b")
        .send()
        .await
        .expect("untag");
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("tags");
    assert_eq!(tags.tags().keys().collect::<Vec<_>>(), ["k:v/w"]);

    let token = client
        .create_chat_token()
        .room_identifier(&arn)
        .user_id("viewer")
        .capabilities(ChatTokenCapability::SendMessage)
        .session_duration_in_minutes(15)
        .send()
        .await
        .expect("token");
    let info = local
        .verify_chat_token(token.token().expect("token"))
        .expect("the service knows the token");
    assert_eq!(info.capabilities, ["SEND_MESSAGE"]);
    assert_eq!(info.session_duration_in_minutes, 15);
    let expiry = std::time::SystemTime::try_from(*token.session_expiration_time().expect("expiry"))
        .expect("in range");
    assert_eq!(expiry, info.session_expiration_time);

    client
        .send_event()
        .room_identifier(&arn)
        .event_name("e")
        .send()
        .await
        .expect("event");
    client
        .delete_message()
        .room_identifier(&arn)
        .id("AbCdEfGh1234")
        .send()
        .await
        .expect("delete message");
    client
        .disconnect_user()
        .room_identifier(&arn)
        .user_id("viewer")
        .send()
        .await
        .expect("disconnect");
    assert_eq!(local.recorded_actions(&arn).len(), 3);

    let updated = client
        .update_room()
        .identifier(&arn)
        .maximum_message_length(20)
        .send()
        .await
        .expect("update");
    assert_eq!(updated.maximum_message_length(), Some(20));
    assert!(updated.update_time() > room.update_time());
    client
        .delete_room()
        .identifier(&arn)
        .send()
        .await
        .expect("delete");
    let err = client
        .get_room()
        .identifier(&arn)
        .send()
        .await
        .expect_err("gone");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn service_errors_arrive_typed() {
    let (_local, client) = start().await;

    let err = client
        .create_room()
        .name("not valid!")
        .maximum_message_length(501)
        .send()
        .await
        .expect_err("invalid");
    match err.as_service_error() {
        Some(CreateRoomError::ValidationException(v)) => {
            assert_eq!(v.reason, ValidationExceptionReason::FieldValidationFailed);
            let fields: Vec<&str> = v.field_list().iter().map(|f| f.name()).collect();
            assert_eq!(fields, ["name", "maximumMessageLength"]);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.status(), Some(400));

    let err = client
        .get_room()
        .identifier("arn:aws:ivschat:us-west-2:123456789012:room/NoSuchRoom12")
        .send()
        .await
        .expect_err("missing");
    match err.as_service_error() {
        Some(GetRoomError::ResourceNotFoundException(e)) => {
            assert_eq!(e.resource_id, "NoSuchRoom12")
        }
        other => panic!("unexpected {other:?}"),
    }

    let err = client
        .get_room()
        .identifier("arn:aws:ivschat:us-west-2:999999999999:room/AbCdEfGh1234")
        .send()
        .await
        .expect_err("other account");
    assert!(
        matches!(
            err.as_service_error(),
            Some(GetRoomError::AccessDeniedException(_))
        ),
        "{err:?}"
    );

    let logging = client
        .create_logging_configuration()
        .destination_configuration(DestinationConfiguration::S3(
            S3DestinationConfiguration::builder()
                .bucket_name("my-bucket")
                .build()
                .expect("bucket"),
        ))
        .send()
        .await
        .expect("logging configuration");
    let logging_arn = logging.arn().expect("arn");
    client
        .create_room()
        .logging_configuration_identifiers(logging_arn)
        .send()
        .await
        .expect("room using it");
    let err = client
        .delete_logging_configuration()
        .identifier(logging_arn)
        .send()
        .await
        .expect_err("in use");
    assert!(
        matches!(
            err.as_service_error(),
            Some(DeleteLoggingConfigurationError::ConflictException(_))
        ),
        "{err:?}"
    );

    let room = client.create_room().send().await.expect("room");
    let arn = room.arn().expect("arn");
    // 51 tags in one request break the model's length constraint on the map...
    let mut tag = client.tag_resource().resource_arn(arn);
    for i in 0..51 {
        tag = tag.tags(format!("k{i}"), "v");
    }
    let err = tag.send().await.expect_err("too many in one request");
    assert_eq!(err.code(), Some("ValidationException"));
    // ...and so does a 51st tag on a resource that has 50: TagResource models no quota error.
    let mut tag = client.tag_resource().resource_arn(arn);
    for i in 0..50 {
        tag = tag.tags(format!("k{i}"), "v");
    }
    tag.send().await.expect("50 tags");
    let err = client
        .tag_resource()
        .resource_arn(arn)
        .tags("one", "more")
        .send()
        .await
        .expect_err("quota");
    match err.as_service_error() {
        Some(TagResourceError::ValidationException(e)) => {
            assert_eq!(
                e.reason(),
                &ValidationExceptionReason::FieldValidationFailed
            );
            let fields: Vec<&str> = e.field_list().iter().map(|f| f.name()).collect();
            assert_eq!(fields, ["tags"]);
        }
        other => panic!("expected a typed ValidationException, got {other:?}"),
    }

    // An ARN of another account or region is a resource the tag operations cannot find.
    let id = room.id().expect("id");
    for foreign in [
        format!("arn:aws:ivschat:us-west-2:999999999999:room/{id}"),
        format!("arn:aws:ivschat:eu-west-1:123456789012:room/{id}"),
    ] {
        let err = client
            .list_tags_for_resource()
            .resource_arn(&foreign)
            .send()
            .await
            .expect_err("foreign");
        assert!(
            matches!(
                err.as_service_error(),
                Some(ListTagsForResourceError::ResourceNotFoundException(e)) if e.resource_id() == id
            ),
            "{err:?}"
        );
        let err = client
            .tag_resource()
            .resource_arn(&foreign)
            .tags("a", "b")
            .send()
            .await
            .expect_err("foreign");
        assert!(
            matches!(
                err.as_service_error(),
                Some(TagResourceError::ResourceNotFoundException(_))
            ),
            "{err:?}"
        );
        let err = client
            .untag_resource()
            .resource_arn(&foreign)
            .tag_keys("a")
            .send()
            .await
            .expect_err("foreign");
        assert!(
            matches!(
                err.as_service_error(),
                Some(UntagResourceError::ResourceNotFoundException(_))
            ),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn a_wrong_secret_is_refused_like_aws_does() {
    let (local, _client) = start().await;
    let client = client_with_secret(&local, "not-the-secret");
    let err = client.list_rooms().send().await.expect_err("refused");
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), Some("InvalidSignatureException"))
    );
    assert!(err.is_access_denied());
}
