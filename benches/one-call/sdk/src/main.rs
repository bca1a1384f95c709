//! One `GetRoom` call with ivschat, configured from the environment as the AWS SDKs are
//! (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL_IVSCHAT`). The room is the first argument.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let identifier = std::env::args()
        .nth(1)
        .ok_or("usage: one-call-sdk ROOM_ARN")?;
    let client = ivschat::Client::from_conf(ivschat::Config::from_env()?.build());
    let room = client.get_room().identifier(identifier).send().await?;
    println!("{:?}", room.name());
    Ok(())
}
