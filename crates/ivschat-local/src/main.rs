//! `ivschat-local`: runs the local IVS Chat service until Ctrl-C.

use std::process::ExitCode;

use ivschat_local::{LocalConfig, LocalService, ReviewHandler};

const USAGE: &str = "\
usage: ivschat-local [options]

options:
  --port PORT                 control-plane port on 127.0.0.1 (default 0: pick a free one)
  --messaging-port PORT       WebSocket messaging port on 127.0.0.1 (default 0: pick a free one)
  --region REGION             region of ARNs and SigV4 scope (default us-west-2)
  --account ACCOUNT_ID        12-digit account id of ARNs (default 123456789012)
  --access-key-id AKID        accepted access key id (default AKIDLOCAL)
  --secret-access-key SECRET  its secret (default ivschat-local-secret-access-key)
  --no-verify                 accept requests without checking SigV4 signatures
  --review-handler ARN=URL    review messages of rooms whose messageReviewHandler.uri is ARN
                              by POSTing them to the http:// URL (repeatable)
  -h, --help                  print this help";

enum Command {
    Run(Box<LocalConfig>),
    Help,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut config = LocalConfig::default();
    let mut access_key_id = None;
    let mut secret = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--port" => config.port = port(&value("--port")?, "--port")?,
            "--messaging-port" => {
                config.messaging_port = port(&value("--messaging-port")?, "--messaging-port")?;
            }
            "--review-handler" => {
                let v = value("--review-handler")?;
                let Some((uri, url)) = v.split_once('=') else {
                    return Err(format!("--review-handler: {v:?} must be ARN=URL"));
                };
                let handler =
                    ReviewHandler::http(url).map_err(|e| format!("--review-handler: {e}"))?;
                config = config.with_review_handler(uri, handler);
            }
            "--region" => config.region = value("--region")?,
            "--account" => config.account_id = value("--account")?,
            "--access-key-id" => access_key_id = Some(value("--access-key-id")?),
            "--secret-access-key" => secret = Some(value("--secret-access-key")?),
            "--no-verify" => config.verify_signatures = false,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if access_key_id.is_some() || secret.is_some() {
        let defaults = ivschat_local::LocalCredentials::default();
        config = config.with_credentials(
            access_key_id.unwrap_or(defaults.access_key_id),
            secret.unwrap_or(defaults.secret_access_key),
        );
    }
    Ok(Command::Run(Box::new(config)))
}

fn port(v: &str, flag: &str) -> Result<u16, String> {
    v.parse()
        .map_err(|_| format!("{flag}: {v:?} is not a port number (0-65535)"))
}

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => *config,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("ivschat-local: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ivschat-local: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let service = match LocalService::start(config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("ivschat-local: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("ivschat-local listening on {}", service.endpoint());
        println!(
            "ivschat-local messaging on {}",
            service.messaging_endpoint()
        );
        let signal = tokio::signal::ctrl_c().await;
        service.shutdown().await;
        match signal {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ivschat-local: could not wait for Ctrl-C: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_every_flag() {
        let Ok(Command::Run(c)) = parse(&[
            "--port",
            "4566",
            "--messaging-port=4567",
            "--review-handler",
            "arn:aws:lambda:us-west-2:123456789012:function:f=http://127.0.0.1:9000/review",
            "--region=eu-west-1",
            "--account",
            "111122223333",
            "--access-key-id",
            "AK",
            "--secret-access-key",
            "SK",
            "--no-verify",
        ]) else {
            panic!("expected a run command");
        };
        assert_eq!(c.port, 4566);
        assert_eq!(c.messaging_port, 4567);
        assert_eq!(
            format!("{:?}", c.review_handlers),
            "{\"arn:aws:lambda:us-west-2:123456789012:function:f\": \
             ReviewHandler::http(\"http://127.0.0.1:9000/review\")}"
        );
        assert_eq!(c.region, "eu-west-1");
        assert_eq!(c.account_id, "111122223333");
        assert_eq!(c.credentials.len(), 1);
        assert_eq!(c.credentials[0].access_key_id, "AK");
        assert_eq!(c.credentials[0].secret_access_key, "SK");
        assert!(!c.verify_signatures);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(
            parse(&["--port"]).err().as_deref(),
            Some("--port needs a value")
        );
        assert_eq!(
            parse(&["--port", "x"]).err().as_deref(),
            Some("--port: \"x\" is not a port number (0-65535)")
        );
        assert_eq!(
            parse(&["--bogus"]).err().as_deref(),
            Some("unknown argument \"--bogus\"")
        );
        assert_eq!(
            parse(&["--review-handler", "arn-only"]).err().as_deref(),
            Some("--review-handler: \"arn-only\" must be ARN=URL")
        );
        assert_eq!(
            parse(&["--review-handler=a=https://x/"]).err().as_deref(),
            Some(
                "--review-handler: review handler URL \"https://x/\" must start with http:// (no TLS)"
            )
        );
        assert!(matches!(parse(&["-h"]), Ok(Command::Help)));
    }
}
