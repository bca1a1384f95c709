//! A small moderation bot: it joins a room with a token it creates itself (`CreateChatToken`,
//! AWS configuration from the environment), deletes every message with a banned word and
//! disconnects a user at the third strike.
//!
//! ```sh
//! cargo run -p ivschat-messaging --features control-plane --example moderation_bot -- \
//!     ROOM_ARN [--url ws://127.0.0.1:PORT/] [BANNED_WORD ...]
//! ```
//!
//! Without `--url` it connects to the messaging endpoint of the configured region. Against the
//! local service, point the control plane at it too (`AWS_ENDPOINT_URL_IVSCHAT`).

use std::collections::HashMap;

use ivschat::types::ChatTokenCapability;
use ivschat_messaging::{ChatMessage, ControlPlaneTokens, Endpoint, Room, RoomEvent};

const BOT: &str = "moderation-bot";
const STRIKES: u32 = 3;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let room_arn = args
        .next()
        .ok_or("usage: moderation_bot ROOM_ARN [--url WS_URL] [BANNED_WORD ...]")?;
    let mut url = None;
    let mut banned = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => url = Some(args.next().ok_or("--url needs a value")?),
            word => banned.push(word.to_lowercase()),
        }
    }
    if banned.is_empty() {
        banned.push("spam".to_owned());
    }

    let client = ivschat::Client::from_conf(ivschat::Config::from_env()?.build());
    let tokens = ControlPlaneTokens::new(client, room_arn, BOT).capabilities([
        ChatTokenCapability::SendMessage,
        ChatTokenCapability::DeleteMessage,
        ChatTokenCapability::DisconnectUser,
    ]);
    let endpoint = match url {
        Some(url) => Endpoint::url(&url)?,
        None => tokens.endpoint()?,
    };
    let room = Room::new(endpoint, tokens);
    let mut events = room.events();
    room.connect().await?;
    room.send_message("Moderation bot online.", None).await?;

    let mut strikes = HashMap::new();
    while let Some(event) = events.recv().await {
        match event {
            RoomEvent::Message(message) if message.sender.user_id != BOT => {
                moderate(&room, &message, &banned, &mut strikes).await;
            }
            RoomEvent::MessageDeleted(deleted) => println!("deleted {}", deleted.message_id),
            RoomEvent::UserDisconnected(_) => println!("a user was disconnected"),
            RoomEvent::Connecting { attempt, after } => match after {
                Some(error) => println!("reconnecting (attempt {attempt}): {error}"),
                None => println!("connecting"),
            },
            RoomEvent::Connected => println!("connected"),
            RoomEvent::Lagged { skipped } => println!("fell behind: {skipped} events skipped"),
            RoomEvent::Disconnected(reason) => {
                println!("{reason}");
                break;
            }
            _ => {}
        }
    }
    Ok(())
}

async fn moderate(
    room: &Room,
    message: &ChatMessage,
    banned: &[String],
    strikes: &mut HashMap<String, u32>,
) {
    let text = message.content.to_lowercase();
    if !banned.iter().any(|word| text.contains(word.as_str())) {
        return;
    }
    if let Err(e) = room.delete_message(&message.id, Some("banned word")).await {
        println!("could not delete {}: {e}", message.id);
        return;
    }
    let count = strikes.entry(message.sender.user_id.clone()).or_insert(0);
    *count += 1;
    if *count >= STRIKES {
        strikes.remove(&message.sender.user_id);
        if let Err(e) = room
            .disconnect_user(&message.sender.user_id, Some("three strikes"))
            .await
        {
            println!("could not disconnect the sender of {}: {e}", message.id);
        }
    }
}
