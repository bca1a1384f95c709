//! `LocalConfig::state_file` from a program that embeds the service.

use ivschat_local::{LocalConfig, LocalError, LocalService};
use serde_json::json;

use crate::client::*;

#[tokio::test]
async fn state_file_restores_and_ignores_a_torn_temporary_file() {
    let dir = std::env::temp_dir().join(format!("ivschat-local-embedded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("state.json");
    let config = || LocalConfig::default().with_state_file(&path);

    let svc = start_with(config()).await;
    assert_eq!(svc.config().state_file.as_deref(), Some(path.as_path()));
    let room = create_room(&svc, json!({"name": "kept", "tags": {"a": "b"}})).await;
    svc.shutdown().await;

    // What a crash in the middle of a write leaves beside the file.
    let temp = dir.join("state.json.tmp");
    std::fs::write(&temp, "{\"format\": \"ivschat-local-st").expect("write");
    let svc = start_with(config()).await;
    let got = call(&svc, "GetRoom", json!({"identifier": room["id"]}))
        .await
        .expect_ok();
    assert_eq!(got, room);
    // The next write goes through the temporary file and renames it away.
    assert!(!temp.exists());
    svc.shutdown().await;

    // Another region's service refuses the file, naming it.
    let err = LocalService::start(config().with_region("eu-west-1"))
        .await
        .expect_err("refused");
    assert!(matches!(&err, LocalError::StateFile { path: p, .. } if *p == path));
    assert_eq!(
        err.to_string(),
        format!(
            "state file {}: holds the resources of region us-west-2 and account 123456789012, but \
             this service runs region eu-west-1 and account 123456789012 (set the same region and \
             account, or use another state file)",
            path.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}
