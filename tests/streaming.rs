//! Streaming payloads and bearer tokens of a generated client (the `streaming` snapshot
//! fixture), against a raw HTTP/1.1 server on 127.0.0.1: bodies go out as they are produced
//! (chunked when their length is unknown), come back as they arrive, and outlive the
//! operation timeout.

use std::time::Duration;

use bytes::Bytes;
use snapshot_streaming::config::Token;
use snapshot_streaming::{ByteStream, Client, Config, Credentials};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server read it: the head (request line and headers, lowercased names)
/// and the body, de-chunked.
struct Seen {
    head: Vec<String>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.iter().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            (n.eq_ignore_ascii_case(name)).then(|| v.trim())
        })
    }
}

async fn read_request(reader: &mut BufReader<TcpStream>) -> Seen {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.expect("reads a line");
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let mut seen = Seen {
        head,
        body: Vec::new(),
    };
    if let Some(n) = seen.header("content-length") {
        let mut body = vec![0; n.parse().expect("a length")];
        reader.read_exact(&mut body).await.expect("reads the body");
        seen.body = body;
    } else if seen.header("transfer-encoding") == Some("chunked") {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).await.expect("chunk size");
            let size = usize::from_str_radix(size.trim(), 16).expect("hex size");
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).await.expect("chunk");
            if size == 0 {
                break;
            }
            seen.body.extend_from_slice(&chunk[..size]);
        }
    }
    seen
}

/// Serves one request with `response` and hands back what was sent.
async fn serve_once(response: &'static str) -> (String, tokio::task::JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.expect("accepts");
        let mut reader = BufReader::new(socket);
        let seen = read_request(&mut reader).await;
        reader
            .get_mut()
            .write_all(response.as_bytes())
            .await
            .expect("answers");
        seen
    });
    (url, task)
}

fn config(url: &str) -> snapshot_streaming::config::Builder {
    Config::builder()
        .region("us-west-2")
        .endpoint_url(url)
        .token_provider(Token::new("secret-token", None))
        .credentials_provider(Credentials::from_keys("AKIDEXAMPLE", "secret", None))
}

#[tokio::test]
async fn a_stream_of_unknown_length_is_sent_chunked_with_the_bearer_token() {
    let (url, server) = serve_once(
        "HTTP/1.1 200 OK\r\nx-file-request-id: file-42\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"size\":11}",
    )
    .await;
    let client = Client::from_conf(config(&url).build());
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"hello")),
        Ok(Bytes::from_static(b", ")),
        Ok(Bytes::from_static(b"wire")),
    ];
    let output = client
        .put_file()
        .name("a.txt")
        .body(ByteStream::from_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .expect("the upload succeeds");
    let seen = server.await.expect("the server ran");
    assert_eq!(seen.head[0], "PUT /files/a.txt HTTP/1.1");
    assert_eq!(seen.header("authorization"), Some("Bearer secret-token"));
    assert_eq!(seen.header("transfer-encoding"), Some("chunked"));
    assert_eq!(seen.header("content-length"), None);
    assert_eq!(
        seen.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(seen.body, b"hello, wire");
    // The model's `requestId` member is not the output's request id accessor.
    assert_eq!(output.request_id_value(), Some("file-42"));
    assert_eq!(output.size(), 11);
}

#[tokio::test]
async fn a_file_is_sent_with_its_length() {
    let path = std::env::temp_dir().join(format!("streaming-{}.bin", std::process::id()));
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &data).expect("writes the file");
    let (url, server) = serve_once(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
    )
    .await;
    let client = Client::from_conf(config(&url).build());
    let body = ByteStream::from_path(&path).await.expect("opens the file");
    assert_eq!(body.known_length(), Some(200_000));
    client
        .put_file()
        .name("big.bin")
        .body(body)
        .send()
        .await
        .expect("the upload succeeds");
    let seen = server.await.expect("the server ran");
    std::fs::remove_file(&path).ok();
    assert_eq!(seen.header("content-length"), Some("200000"));
    assert_eq!(seen.body, data);
}

#[tokio::test]
async fn a_download_is_read_as_it_arrives_and_outlives_the_operation_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.expect("accepts");
        let mut reader = BufReader::new(socket);
        let seen = read_request(&mut reader).await;
        let socket = reader.get_mut();
        socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\nconnection: close\r\n\r\n01234")
            .await
            .expect("sends the head and half the body");
        // The rest only once the client has read the first half.
        released.await.expect("released");
        socket.write_all(b"56789").await.expect("sends the rest");
        seen
    });
    let client = Client::from_conf(
        config(&url)
            .operation_timeout(Duration::from_millis(200))
            .build(),
    );
    let mut output = client
        .get_file()
        .name("a.txt")
        .send()
        .await
        .expect("the headers arrive");
    assert_eq!(output.content_length(), Some(10));
    let first = output.body.next().await.expect("a chunk").expect("reads");
    assert_eq!(&first[..], b"01234");
    // Longer than the operation timeout: reading the body is not cut off.
    tokio::time::sleep(Duration::from_millis(300)).await;
    release.send(()).expect("the server waits");
    let rest = std::mem::take(&mut output.body)
        .collect()
        .await
        .expect("reads the rest");
    assert_eq!(&rest[..], b"56789");
    let seen = server.await.expect("the server ran");
    // Without `@auth`, the service's schemes apply in order: SigV4 first.
    assert!(
        seen.header("authorization")
            .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 ")),
        "{:?}",
        seen.header("authorization")
    );
}

#[tokio::test]
async fn an_operation_that_requires_a_length_refuses_a_stream_without_one() {
    let client = Client::from_conf(config("http://127.0.0.1:1").build());
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Ok(Bytes::from_static(b"x"))];
    let err = client
        .put_chunk()
        .shelf("s1")
        .chunk(ByteStream::from_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .expect_err("refused before sending");
    assert!(err.is_construction(), "{err:?}");
    assert_eq!(
        std::error::Error::source(&err).map(|e| e.to_string()),
        Some(
            "member `chunk` is invalid: the operation needs the body's length: use `ByteStream::with_length`"
                .to_owned()
        )
    );
}

#[tokio::test]
async fn a_bearer_only_operation_without_a_token_fails_before_sending() {
    let client = Client::from_conf(
        Config::builder()
            .region("us-west-2")
            .endpoint_url("http://127.0.0.1:1")
            .credentials_provider(Credentials::from_keys("AKIDEXAMPLE", "secret", None))
            .build(),
    );
    let err = client
        .put_file()
        .name("a.txt")
        .body(ByteStream::from(b"x".to_vec()))
        .send()
        .await
        .expect_err("no token");
    assert!(err.is_construction(), "{err:?}");
    let shown = format!("{err:?}");
    assert!(shown.contains("token_provider"), "{shown}");
}
