//! The IVS Chat workflow end to end with the generated client.
//!
//! With no arguments it starts the embedded local IVS Chat service on 127.0.0.1 and runs
//! against it: no AWS account or configuration needed.
//!
//! - `--endpoint URL [--messaging-endpoint WS_URL]`: run against that endpoint instead (region
//!   and credentials come from the usual AWS environment variables and shared files; a local
//!   service started with `cargo run -p ivschat-local` accepts `AKIDLOCAL` /
//!   `ivschat-local-secret-access-key`). The participants of step 6 connect to the Messaging
//!   API at `WS_URL` (the local service prints it); without it that part is skipped.
//! - `--aws`: run against Amazon IVS Chat itself with your AWS configuration (this creates and
//!   then deletes a room and a logging configuration in your account); the participants connect
//!   to the region's Messaging API endpoint.

#[path = "quickstart/realtime.rs"]
mod realtime;

use std::error::Error;
use std::time::SystemTime;

use ivschat::types::{
    ChatTokenCapability, CloudWatchLogsDestinationConfiguration, DestinationConfiguration,
};
use ivschat::{Client, Config, Credentials};
use ivschat_local::{LocalConfig, LocalService};
use ivschat_messaging::{Endpoint, RoomEvent};
use realtime::Participant;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

enum Target {
    Embedded,
    Endpoint(String, Option<String>),
    Aws,
}

fn parse_args() -> Result<Target> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => Ok(Target::Embedded),
        ["--aws"] => Ok(Target::Aws),
        ["--endpoint", url] => Ok(Target::Endpoint((*url).to_owned(), None)),
        ["--endpoint", url, "--messaging-endpoint", ws]
        | ["--messaging-endpoint", ws, "--endpoint", url] => {
            Ok(Target::Endpoint((*url).to_owned(), Some((*ws).to_owned())))
        }
        _ => Err("usage: quickstart [--endpoint URL [--messaging-endpoint WS_URL] | --aws]".into()),
    }
}

fn step(n: u32, text: &str) {
    println!("\n{n:>2}. {text}");
}

fn until(t: Option<&ivschat::DateTime>) -> String {
    let Some(t) = t.and_then(|t| SystemTime::try_from(*t).ok()) else {
        return "unknown".into();
    };
    match t.duration_since(SystemTime::now()) {
        Ok(d) => format!("in {} min", d.as_secs().div_ceil(60)),
        Err(_) => "already".into(),
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match start().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // `Display`, not `Debug`: the SDK's errors already name their causes in words.
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn start() -> Result<()> {
    let target = parse_args()?;
    let (client, local, messaging) = match target {
        Target::Embedded => {
            let local = LocalService::start(LocalConfig::default()).await?;
            let config = Config::builder()
                .region(local.config().region.clone())
                .endpoint_url(local.endpoint())
                .credentials_provider(Credentials::from_keys(
                    ivschat_local::DEFAULT_ACCESS_KEY_ID,
                    ivschat_local::DEFAULT_SECRET_ACCESS_KEY,
                    None,
                ))
                .build();
            println!(
                "Started the embedded local IVS Chat service at {}",
                local.endpoint()
            );
            let messaging = Endpoint::url(&local.messaging_endpoint())?;
            (Client::from_conf(config), Some(local), Some(messaging))
        }
        Target::Endpoint(url, ws) => {
            println!("Using the IVS Chat endpoint {url}");
            let messaging = ws.as_deref().map(Endpoint::url).transpose()?;
            (
                Client::from_conf(Config::from_env()?.endpoint_url(url).build()),
                None,
                messaging,
            )
        }
        Target::Aws => {
            println!("Using Amazon IVS Chat with your AWS configuration");
            let client = Client::from_conf(Config::from_env()?.build());
            let region = client.config().region().unwrap_or_default();
            let messaging = Endpoint::region(region)?;
            (client, None, Some(messaging))
        }
    };
    run(&client, local.as_ref(), messaging.as_ref()).await
}

async fn run(
    client: &Client,
    local: Option<&LocalService>,
    messaging: Option<&Endpoint>,
) -> Result<()> {
    step(
        1,
        "Create a logging configuration (CloudWatch Logs destination)",
    );
    let logging = client
        .create_logging_configuration()
        .name("quickstart-logs")
        .destination_configuration(DestinationConfiguration::CloudWatchLogs(
            CloudWatchLogsDestinationConfiguration::builder()
                .log_group_name("/ivs/chat/quickstart")
                .build()?,
        ))
        .send()
        .await?;
    let logging_arn = logging
        .arn()
        .ok_or("the service returned no logging configuration ARN")?
        .to_owned();
    println!(
        "    {logging_arn} is {}",
        logging.state().map(|s| s.as_str()).unwrap_or("?")
    );

    step(2, "Create a room that logs to it");
    let room = client
        .create_room()
        .name("quickstart-lobby")
        .maximum_message_length(200)
        .logging_configuration_identifiers(&logging_arn)
        .tags("project", "quickstart")
        .send()
        .await?;
    let room_arn = room
        .arn()
        .ok_or("the service returned no room ARN")?
        .to_owned();
    println!(
        "    {room_arn}: messages up to {} characters, {} per second",
        room.maximum_message_length().unwrap_or_default(),
        room.maximum_message_rate_per_second().unwrap_or_default()
    );

    let second = client
        .create_room()
        .name("quickstart-backstage")
        .send()
        .await?;
    let second_arn = second
        .arn()
        .ok_or("the service returned no room ARN")?
        .to_owned();
    println!("    and a second room, {second_arn}");

    step(3, "Tag the room");
    client
        .tag_resource()
        .resource_arn(&room_arn)
        .tags("stage", "demo")
        .send()
        .await?;
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&room_arn)
        .send()
        .await?;
    for (k, v) in tags.tags() {
        println!("    {k} = {v}");
    }

    step(4, "List rooms with the paginator, one room per page");
    let mut pages = client.list_rooms().into_paginator().page_size(1);
    let mut page = 0;
    while let Some(out) = pages.next().await {
        page += 1;
        for r in out?.rooms() {
            println!(
                "    page {page}: {} ({})",
                r.name().unwrap_or(""),
                r.id().unwrap_or("")
            );
        }
    }
    let mut rooms = client.list_rooms().into_paginator().items();
    let mut names = Vec::new();
    while let Some(room) = rooms.next().await {
        names.push(room?.name().unwrap_or("").to_owned());
    }
    println!(
        "    every room, as one stream of items: {}",
        names.join(", ")
    );

    step(5, "Create chat tokens for a viewer and a moderator");
    let viewer = client
        .create_chat_token()
        .room_identifier(&room_arn)
        .user_id("viewer-1")
        .capabilities(ChatTokenCapability::SendMessage)
        .attributes("displayName", "Viewer One")
        .send()
        .await?;
    println!(
        "    viewer token: expires {}, session ends {} (expired now: {})",
        until(viewer.token_expiration_time()),
        until(viewer.session_expiration_time()),
        viewer.is_token_expired_at(SystemTime::now())
    );
    let moderator = client
        .create_chat_token()
        .room_identifier(&room_arn)
        .user_id("moderator-1")
        .capabilities(ChatTokenCapability::SendMessage)
        .capabilities(ChatTokenCapability::DeleteMessage)
        .capabilities(ChatTokenCapability::DisconnectUser)
        .session_duration_in_minutes(30)
        .send()
        .await?;
    println!(
        "    moderator token: expires {}, session ends {}",
        until(moderator.token_expiration_time()),
        until(moderator.session_expiration_time())
    );
    if let (Some(local), Some(token)) = (local, viewer.token()) {
        let info = local
            .verify_chat_token(token)
            .ok_or("the local service did not recognise the token")?;
        println!(
            "    the local service verified the viewer token: capabilities {:?}",
            info.capabilities
        );
    }

    step(
        6,
        "Two participants join the room through the Messaging API",
    );
    let mut participants = Vec::new();
    match messaging {
        Some(endpoint) => {
            println!("    {endpoint}: viewer-1 connects with its token from step 5; moderator-1,");
            println!("    a backend bot, creates its own tokens (ControlPlaneTokens)");
            let viewer = Participant::with_token("viewer-1", endpoint, &viewer).await?;
            let moderator = Participant::with_control_plane(
                "moderator-1",
                endpoint,
                client,
                &room_arn,
                [ChatTokenCapability::DeleteMessage],
            )
            .await?;
            participants = vec![viewer, moderator];
        }
        None => println!("    skipped: pass --messaging-endpoint WS_URL to chat too"),
    }
    let mut spam_id = "AbCdEfGh1234".to_owned();
    if let Some(viewer) = participants.first() {
        for text in ["Hello, everyone!", "Cheap followers at spam.example"] {
            let sent = viewer.room.send_message(text, None).await?;
            println!(
                "    viewer-1 sent {text:?}: delivered as message {}",
                sent.id
            );
            spam_id = sent.id;
        }
    }

    step(
        7,
        "The backend sends an event, deletes the spam and disconnects viewer-1",
    );
    let event = client
        .send_event()
        .room_identifier(&room_arn)
        .event_name("app:poll-opened")
        .attributes("question", "Tea or coffee?")
        .send()
        .await?;
    println!("    event id {}", event.id().unwrap_or("?"));
    let deleted = client
        .delete_message()
        .room_identifier(&room_arn)
        .id(&spam_id)
        .reason("spam")
        .send()
        .await?;
    println!("    deletion event id {}", deleted.id().unwrap_or("?"));
    client
        .disconnect_user()
        .room_identifier(&room_arn)
        .user_id("viewer-1")
        .reason("demo over")
        .send()
        .await?;
    println!("    viewer-1 disconnected");
    for p in &mut participants {
        // The viewer's connection ends; the moderator sees the viewer leave.
        let last: fn(&RoomEvent) -> bool = if p.name == "viewer-1" {
            |e| matches!(e, RoomEvent::Disconnected(_))
        } else {
            |e| matches!(e, RoomEvent::UserDisconnected(_))
        };
        p.receive_until(last).await;
        p.print_received();
    }
    for p in &participants {
        p.room.disconnect().await;
    }
    if let Some(local) = local {
        println!(
            "    the local service recorded {} actions for the room",
            local.recorded_actions(&room_arn).len()
        );
    }

    step(8, "Update the room");
    let updated = client
        .update_room()
        .identifier(&room_arn)
        .maximum_message_rate_per_second(5)
        .send()
        .await?;
    println!(
        "    {} now allows {} messages per second",
        updated.name().unwrap_or(""),
        updated
            .maximum_message_rate_per_second()
            .unwrap_or_default()
    );

    step(9, "A call that fails, and the typed error it returns");
    match client
        .get_room()
        .identifier("arn:aws:ivschat:us-west-2:123456789012:room/NoSuchRoom12")
        .send()
        .await
    {
        Ok(_) => println!("    unexpectedly found the room"),
        Err(e) => println!(
            "    {e}{}",
            if e.is_not_found() {
                " [is_not_found]"
            } else {
                ""
            }
        ),
    }

    step(10, "Clean up");
    for arn in [&room_arn, &second_arn] {
        client.delete_room().identifier(arn).send().await?;
    }
    println!("    deleted the rooms");
    client
        .delete_logging_configuration()
        .identifier(&logging_arn)
        .send()
        .await?;
    println!("    deleted the logging configuration");
    println!("\nDone.");
    Ok(())
}
