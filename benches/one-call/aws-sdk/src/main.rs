//! One `GetRoom` call with aws-sdk-ivschat, configured from the environment. The room is the
//! first argument.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let identifier = std::env::args().nth(1).ok_or("usage: one-call-aws-sdk ROOM_ARN")?;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_ivschat::Client::new(&config);
    let room = client.get_room().identifier(identifier).send().await?;
    println!("{:?}", room.name());
    Ok(())
}
