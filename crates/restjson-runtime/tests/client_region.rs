//! A call without a region fails before anything is sent, even with an endpoint URL (it used
//! to be signed for us-east-1 and refused by the service with a signature error).

mod support;

use restjson_runtime::client::{Handle, OperationMeta, RequestParts, ServiceMeta};
use restjson_runtime::error::ErrorMetadata;
use restjson_runtime::http::HttpResponse;
use restjson_runtime::json::DeserializeError;
use restjson_runtime::{Config, Credentials, Unhandled};
use support::{FakeServer, Response};

static SERVICE: ServiceMeta = ServiceMeta {
    sdk_id: "demo",
    signing_name: "demo",
    crate_name: "demo",
    crate_version: "0.0.0",
    endpoint_prefix: "demo",
    resolve_endpoint: None,
};

static PING: OperationMeta = OperationMeta {
    name: "Ping",
    idempotent: true,
};

fn ok(_: &HttpResponse) -> Result<(), DeserializeError> {
    Ok(())
}

fn unhandled(meta: &ErrorMetadata, response: &HttpResponse) -> Result<Unhandled, DeserializeError> {
    Ok(Unhandled::new(response.status().as_u16(), meta.clone()))
}

async fn ping(config: Config) -> Result<(), restjson_runtime::SdkError<Unhandled>> {
    let request = RequestParts {
        method: http::Method::GET,
        path_and_query: "/ping".to_owned(),
        headers: http::HeaderMap::new(),
        body: bytes::Bytes::new(),
        host_prefix: None,
    };
    Handle::new(config, &SERVICE)
        .invoke(&PING, Ok(request), ok, unhandled)
        .await
}

#[tokio::test]
async fn no_region_fails_before_sending_even_with_an_endpoint_url() {
    let server = FakeServer::start(|_| Response::json(200, "{}")).await;
    let config = Config::builder()
        .endpoint_url(server.url())
        .credentials_provider(Credentials::from_keys("AKID", "SECRET", None));
    let error = ping(config.clone().build()).await.unwrap_err();
    assert!(error.is_construction(), "{error:?}");
    assert_eq!(
        error.to_string(),
        "Ping: request not sent: no region is configured for demo: set one with \
         `Config::builder().region(..)`, the AWS_REGION environment variable or `region` in the \
         shared config profile"
    );
    assert!(server.requests().is_empty());

    ping(config.region("eu-central-1").build()).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let scope = requests[0].verify_signature("SECRET").unwrap();
    assert!(scope.ends_with("/eu-central-1/demo/aws4_request"), "{scope}");
}
