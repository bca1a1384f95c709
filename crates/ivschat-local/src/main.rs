//! `ivschat-local`: runs the local IVS Chat service until Ctrl-C.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use ivschat_local::{LocalConfig, LocalService, ReviewHandler};
use tracing_subscriber::EnvFilter;

const USAGE: &str = "\
usage: ivschat-local [options]

options:
  --port PORT                 control-plane port (default 0: pick a free one)
  --messaging-port PORT       WebSocket messaging port (default 0: pick a free one)
  --bind ADDR                 IP address to listen on (default 127.0.0.1)
  --region REGION             region of ARNs and SigV4 scope (default us-west-2)
  --account ACCOUNT_ID        12-digit account id of ARNs (default 123456789012)
  --access-key-id AKID        accepted access key id (default AKIDLOCAL)
  --secret-access-key SECRET  its secret (default ivschat-local-secret-access-key)
  --no-verify                 accept requests without checking SigV4 signatures
  --state FILE                keep rooms, logging configurations and tags in FILE
                              across restarts (written after every change)
  --review-handler ARN=URL    review messages of rooms whose messageReviewHandler.uri is ARN
                              by POSTing them to the http:// URL (repeatable)
  -h, --help                  print this help

Logs go to stderr; RUST_LOG sets what is logged (default: info, one line per request).";

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
            "--bind" => {
                let v = value("--bind")?;
                config.bind_address = v
                    .parse()
                    .map_err(|_| format!("--bind: {v:?} is not an IP address"))?;
            }
            "--state" => {
                let v = value("--state")?;
                if v.is_empty() {
                    return Err("--state needs a file name".into());
                }
                config.state_file = Some(PathBuf::from(v));
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

/// What the program prints once it listens: where, with which region and
/// credentials, and how to point the AWS CLI or an SDK at it.
fn banner(service: &LocalService) -> String {
    let config = service.config();
    // A wildcard address is where the service listens, not where to connect.
    let reachable = |addr: SocketAddr| match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    };
    let endpoint = format!("http://{}", reachable(service.local_addr()));
    let credentials = config.credentials.first().cloned().unwrap_or_default();
    // The default secret is public; a secret given on the command line is not
    // repeated on the screen.
    let secret = if credentials.secret_access_key == ivschat_local::DEFAULT_SECRET_ACCESS_KEY {
        credentials.secret_access_key.clone()
    } else {
        "<the --secret-access-key value>".to_string()
    };
    let signatures = if config.verify_signatures {
        "verified (sign with the credentials above)"
    } else {
        "not verified (--no-verify: any credentials work)"
    };
    let state = match &config.state_file {
        Some(path) => path.display().to_string(),
        None => "none (state lives in memory until the program ends; see --state)".into(),
    };
    let region = &config.region;
    let akid = &credentials.access_key_id;
    format!(
        "\
ivschat-local listening on {listening}
ivschat-local messaging on {messaging}

  region:            {region}
  account id:        {account}
  access key id:     {akid}
  secret access key: {secret}
  signatures:        {signatures}
  state file:        {state}

Try it with the AWS CLI:

  AWS_ENDPOINT_URL_IVSCHAT={endpoint} AWS_ACCESS_KEY_ID={akid} AWS_SECRET_ACCESS_KEY={secret} AWS_REGION={region} aws ivschat list-rooms

or set these for any AWS SDK (and ivschat::Config::from_env):

  export AWS_ENDPOINT_URL_IVSCHAT={endpoint}
  export AWS_ACCESS_KEY_ID={akid}
  export AWS_SECRET_ACCESS_KEY={secret}
  export AWS_REGION={region}

Chat clients connect to ws://{ws}. Ctrl-C stops the service.",
        listening = service.endpoint(),
        messaging = service.messaging_endpoint(),
        account = config.account_id,
        ws = reachable(service.messaging_addr()),
    )
}

/// Logs to stderr, filtered by RUST_LOG (default `info`). Only `tracing`
/// events are shown: no `log` records are bridged, because tungstenite logs
/// frame payloads and tokens through `log` at TRACE.
fn init_logging() -> Result<(), String> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => {
            EnvFilter::try_new(&v).map_err(|e| format!("RUST_LOG {v:?} is not a filter: {e}"))?
        }
        _ => EnvFilter::new("info"),
    };
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter)
        .finish();
    // `set_global_default`, not `init`: `init` would also install the `log`
    // bridge if some crate in the build turned that feature on.
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|e| format!("could not install the logger: {e}"))
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
    if let Err(message) = init_logging() {
        eprintln!("ivschat-local: {message}");
        return ExitCode::from(2);
    }
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
        // A closed stdout (a parent that read what it needed) is no reason to stop.
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", banner(&service)).and_then(|()| stdout.flush());
        drop(stdout);
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
            "--bind",
            "0.0.0.0",
            "--state=/tmp/ivschat-state.json",
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
        assert_eq!(c.bind_address, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        assert_eq!(
            c.state_file.as_deref(),
            Some(std::path::Path::new("/tmp/ivschat-state.json"))
        );
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
        assert_eq!(
            parse(&["--bind", "localhost"]).err().as_deref(),
            Some("--bind: \"localhost\" is not an IP address")
        );
        assert_eq!(
            parse(&["--state="]).err().as_deref(),
            Some("--state needs a file name")
        );
        assert!(matches!(parse(&["-h"]), Ok(Command::Help)));
    }
}
