//! Benchmarks of the generated `ivschat` client against a raw floor (reqwest + aws-sigv4 +
//! serde doing only what every client must), on a canned local server.
//!
//! The runner (`cargo run --release -p ivschat-bench -- run`) starts the server and one
//! process per client run, so each run's peak RSS is its own; `benches/micro.rs` splits a call
//! into serialize, sign and parse.

pub mod canned;
pub mod floor;
pub mod local;
pub mod pool;
pub mod proc;
pub mod sdk;
pub mod server;
pub mod stats;
pub mod svg;
