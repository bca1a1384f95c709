//! Client-side validation of the generated IVS Chat client: required members, and each
//! constraint kind (length, range, pattern) in the default and the strict mode, with member
//! paths through structures, unions, lists and maps. Inputs that pass are sent to a local
//! capturing server; inputs that fail send nothing.

use std::time::{Duration, UNIX_EPOCH};

use integration_tests::server::CaptureServer;
use ivschat::error::{Bound, BuildError, Constraint, SdkError};
use ivschat::types::{
    DestinationConfiguration, FirehoseDestinationConfiguration, MessageReviewHandler,
    S3DestinationConfiguration,
};
use ivschat::{Client, Config, Credentials};

/// A real room ARN: the model's `ResourceArn` pattern (`...:[a-z-]/...`) does not match it.
const ROOM_ARN: &str = "arn:aws:ivschat:us-west-2:123456789012:room/AbCd1234";

async fn setup(strict: bool) -> (CaptureServer, Client) {
    let server = CaptureServer::start().await;
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url(server.url())
        .credentials_provider(Credentials::from_keys("AKID", "SECRET", None))
        .time_source(ivschat::config::StaticTimeSource::new(
            UNIX_EPOCH + Duration::from_secs(1_704_164_645),
        ))
        .strict_validation(strict)
        .build();
    (server, Client::from_conf(config))
}

/// The violations as `(path, constraint)`, asserting nothing was sent.
fn violations<E: std::error::Error + 'static>(
    server: &CaptureServer,
    err: &SdkError<E>,
) -> Vec<(String, Constraint)> {
    assert!(err.is_construction(), "{err}");
    assert!(server.requests().is_empty(), "nothing may be sent");
    let v = err
        .as_validation_error()
        .unwrap_or_else(|| panic!("not a validation error: {err}"));
    v.violations()
        .iter()
        .map(|v| (v.path().to_owned(), v.constraint().clone()))
        .collect()
}

#[tokio::test]
async fn a_real_room_arn_passes_the_default_mode_but_not_the_model_pattern() {
    let (server, client) = setup(false).await;
    client
        .tag_resource()
        .resource_arn(ROOM_ARN)
        .tags("team", "chat")
        .send()
        .await
        .expect("sent");
    assert_eq!(server.requests().len(), 1);

    let (server, client) = setup(true).await;
    let err = client
        .tag_resource()
        .resource_arn(ROOM_ARN)
        .tags("team", "chat")
        .send()
        .await
        .expect_err("strict mode applies the model's pattern");
    assert_eq!(
        violations(&server, &err),
        [(
            "resourceArn".to_owned(),
            Constraint::Pattern {
                pattern: "^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:[a-z-]/[a-zA-Z0-9-]+$"
            }
        )]
    );
}

#[tokio::test]
async fn a_missing_required_member_is_named() {
    let (server, client) = setup(false).await;
    let err = client
        .create_chat_token()
        .user_id("u")
        .send()
        .await
        .expect_err("missing");
    assert!(err.is_construction());
    assert_eq!(
        err.to_string(),
        "CreateChatToken: request not sent: invalid input (1 problem): `roomIdentifier` is required but not set"
    );
    assert_eq!(
        violations(&server, &err),
        [("roomIdentifier".to_owned(), Constraint::Required)]
    );
}

#[tokio::test]
async fn every_missing_member_and_violated_constraint_is_reported_at_once() {
    let (server, client) = setup(false).await;
    // Both required members missing, and a present member below its minimum.
    let err = client
        .create_chat_token()
        .session_duration_in_minutes(0)
        .send()
        .await
        .expect_err("invalid");
    assert_eq!(
        violations(&server, &err),
        [
            ("roomIdentifier".to_owned(), Constraint::Required),
            ("userId".to_owned(), Constraint::Required),
            (
                "sessionDurationInMinutes".to_owned(),
                Constraint::Min {
                    min: Bound::Integer(1)
                }
            ),
        ]
    );
    let validation = err.as_validation_error().expect("validation error");
    assert_eq!(
        validation.missing().collect::<Vec<_>>(),
        ["roomIdentifier", "userId"]
    );
    // Integer bounds print as integers.
    assert_eq!(
        format!("{:?}", validation.violations()[2].constraint()),
        "Min { min: 1 }"
    );
    assert_eq!(
        err.to_string(),
        "CreateChatToken: request not sent: invalid input (3 problems): `roomIdentifier` is required but not set; `userId` is required but not set; `sessionDurationInMinutes` is below the minimum of 1"
    );
    // Other failures are not validation errors.
    let unreachable = Client::from_conf(
        client
            .config()
            .to_builder()
            .endpoint_url("http://127.0.0.1:1")
            .max_attempts(1)
            .build(),
    );
    let err = unreachable
        .get_room()
        .identifier(ROOM_ARN)
        .send()
        .await
        .expect_err("nothing listens on port 1");
    assert!(err.as_validation_error().is_none(), "{err}");
}

#[test]
fn builders_name_every_missing_member() {
    let err = ivschat::types::error::ConflictException::builder()
        .message("m")
        .build()
        .expect_err("two members missing");
    assert_eq!(err.fields(), ["resourceId", "resourceType"]);
    assert_eq!(
        err.to_string(),
        "required members `resourceId`, `resourceType` are not set"
    );
    let err: BuildError = S3DestinationConfiguration::builder()
        .build()
        .expect_err("one member missing");
    assert_eq!(err.to_string(), "required member `bucketName` is not set");
}

#[tokio::test]
async fn minimum_lengths_and_values_are_checked_by_default_with_paths() {
    let (server, client) = setup(false).await;
    let err = client
        .create_logging_configuration()
        .name("x".repeat(500))
        .destination_configuration(DestinationConfiguration::S3(
            S3DestinationConfiguration::builder()
                .bucket_name("ab")
                .build()
                .expect("built"),
        ))
        .send()
        .await
        .expect_err("bucket name too short");
    // The name is too long, but maximums are only checked in strict mode.
    assert_eq!(
        violations(&server, &err),
        [(
            "destinationConfiguration.s3.bucketName".to_owned(),
            Constraint::MinLength { min: 3, actual: 2 }
        )]
    );

    let err = client
        .create_room()
        .maximum_message_length(0)
        .maximum_message_rate_per_second(1000)
        .tags("", "v")
        .send()
        .await
        .expect_err("invalid");
    assert_eq!(
        violations(&server, &err),
        [
            (
                "maximumMessageLength".to_owned(),
                Constraint::Min {
                    min: Bound::Integer(1)
                }
            ),
            (
                "tags[\"\"]".to_owned(),
                Constraint::MinLength { min: 1, actual: 0 }
            ),
        ]
    );
    assert_eq!(
        err.to_string(),
        "CreateRoom: request not sent: invalid input (2 problems): `maximumMessageLength` is below the minimum of 1; `tags[\"\"]` has length 0, below the minimum of 1"
    );

    let err = client
        .untag_resource()
        .resource_arn(ROOM_ARN)
        .tag_keys("ok")
        .tag_keys("")
        .send()
        .await
        .expect_err("empty key");
    assert_eq!(
        violations(&server, &err),
        [(
            "tagKeys[1]".to_owned(),
            Constraint::MinLength { min: 1, actual: 0 }
        )]
    );
}

#[tokio::test]
async fn lengths_count_characters_not_bytes() {
    let (server, client) = setup(true).await;
    // Bounds are inclusive.
    client
        .update_room()
        .identifier(ROOM_ARN)
        .maximum_message_length(500)
        .send()
        .await
        .expect("sent");
    // 128 characters, 256 bytes: within `UserID`'s maximum of 128.
    client
        .create_chat_token()
        .room_identifier(ROOM_ARN)
        .user_id("é".repeat(128))
        .send()
        .await
        .expect("sent");
    assert_eq!(server.requests().len(), 2);
    server.clear();
    let err = client
        .create_chat_token()
        .room_identifier(ROOM_ARN)
        .user_id("é".repeat(129))
        .send()
        .await
        .expect_err("too long");
    assert_eq!(
        violations(&server, &err),
        [(
            "userId".to_owned(),
            Constraint::MaxLength {
                max: 128,
                actual: 129
            }
        )]
    );
}

#[tokio::test]
async fn strict_mode_checks_maximums_and_patterns_everywhere() {
    let (server, client) = setup(true).await;
    let err = client
        .create_room()
        .name("bad name!")
        .maximum_message_length(501)
        .maximum_message_rate_per_second(100)
        .message_review_handler(
            MessageReviewHandler::builder()
                .uri("arn:aws:lambda:us-west-2:12345:function:f")
                .build(),
        )
        .tags("k", "v".repeat(257))
        .logging_configuration_identifiers("a")
        .logging_configuration_identifiers("b")
        .logging_configuration_identifiers("c")
        .logging_configuration_identifiers(
            "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/AbCd1234",
        )
        .send()
        .await
        .expect_err("invalid");
    let log_pattern = "^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:logging-configuration/[a-zA-Z0-9-]+$";
    assert_eq!(
        violations(&server, &err),
        [
            (
                "name".to_owned(),
                Constraint::Pattern {
                    pattern: "^[a-zA-Z0-9-_]*$"
                }
            ),
            (
                "maximumMessageLength".to_owned(),
                Constraint::Max {
                    max: Bound::Integer(500)
                }
            ),
            (
                "messageReviewHandler.uri".to_owned(),
                Constraint::Pattern {
                    pattern: "^$|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+"
                }
            ),
            (
                "tags[\"k\"]".to_owned(),
                Constraint::MaxLength {
                    max: 256,
                    actual: 257
                }
            ),
            (
                "loggingConfigurationIdentifiers".to_owned(),
                Constraint::MaxLength { max: 3, actual: 4 }
            ),
            (
                "loggingConfigurationIdentifiers[0]".to_owned(),
                Constraint::Pattern {
                    pattern: log_pattern
                }
            ),
            (
                "loggingConfigurationIdentifiers[1]".to_owned(),
                Constraint::Pattern {
                    pattern: log_pattern
                }
            ),
            (
                "loggingConfigurationIdentifiers[2]".to_owned(),
                Constraint::Pattern {
                    pattern: log_pattern
                }
            ),
        ]
    );
}

#[tokio::test]
async fn strict_mode_accepts_valid_inputs_through_unions() {
    let (server, client) = setup(true).await;
    client
        .create_logging_configuration()
        .name("log-config_1")
        .destination_configuration(DestinationConfiguration::Firehose(
            FirehoseDestinationConfiguration::builder()
                .delivery_stream_name("stream.name-1")
                .build()
                .expect("built"),
        ))
        .send()
        .await
        .expect("sent");
    client
        .create_room()
        .name("lobby-1_a")
        .message_review_handler(
            MessageReviewHandler::builder()
                .uri("arn:aws:lambda:us-west-2:123456789012:function:review")
                .build(),
        )
        .send()
        .await
        .expect("sent");
    client
        .create_logging_configuration()
        .destination_configuration(DestinationConfiguration::S3(
            S3DestinationConfiguration::builder()
                .bucket_name("my.bucket-1")
                .build()
                .expect("built"),
        ))
        .send()
        .await
        .expect("sent");
    client
        .delete_logging_configuration()
        .identifier("arn:aws:ivschat:us-west-2:123456789012:logging-configuration/AbCd1234")
        .send()
        .await
        .expect("sent");
    assert_eq!(server.requests().len(), 4);
    server.clear();
    let err = client
        .create_logging_configuration()
        .destination_configuration(DestinationConfiguration::Firehose(
            FirehoseDestinationConfiguration::builder()
                .delivery_stream_name("a/b")
                .build()
                .expect("built"),
        ))
        .send()
        .await
        .expect_err("invalid stream name");
    assert_eq!(
        violations(&server, &err),
        [(
            "destinationConfiguration.firehose.deliveryStreamName".to_owned(),
            Constraint::Pattern {
                pattern: "^[a-zA-Z0-9_.-]+$"
            }
        )]
    );
    let err = client
        .create_logging_configuration()
        .destination_configuration(DestinationConfiguration::S3(
            S3DestinationConfiguration::builder()
                .bucket_name("My_Bucket")
                .build()
                .expect("built"),
        ))
        .send()
        .await
        .expect_err("invalid bucket name");
    assert_eq!(
        violations(&server, &err),
        [(
            "destinationConfiguration.s3.bucketName".to_owned(),
            Constraint::Pattern {
                pattern: "^[a-z0-9-.]+$"
            }
        )]
    );
}
