//! A call without a region fails before anything is sent, even with an endpoint URL (it used
//! to be signed for us-east-1 and refused by the service with a signature error).

mod support;

use restjson_runtime::{Config, Credentials};
use support::{FakeServer, Response, demo_client, ping};

#[tokio::test]
async fn no_region_fails_before_sending_even_with_an_endpoint_url() {
    let server = FakeServer::start(|_| Response::json(200, "{}")).await;
    let config = Config::builder()
        .endpoint_url(server.url())
        .credentials_provider(Credentials::from_keys("AKID", "SECRET", None));
    let error = ping(&demo_client(config.clone().build()))
        .await
        .unwrap_err();
    assert!(error.is_construction(), "{error:?}");
    assert_eq!(
        error.to_string(),
        "Ping: request not sent: no region is configured for demo: set one with \
         `Config::builder().region(..)`, the AWS_REGION environment variable or `region` in the \
         shared config profile"
    );
    assert!(server.requests().is_empty());

    ping(&demo_client(config.region("eu-central-1").build()))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let scope = requests[0].verify_signature("SECRET").unwrap();
    assert!(
        scope.ends_with("/eu-central-1/demo/aws4_request"),
        "{scope}"
    );
}
