//! iamd: the server. Configuration, start-up, use cases (`service`), credentials (`token`),
//! the HTTP surface (`http`) and the operator commands (`cli`). The decision engine lives in
//! iam-core and the SQL in iam-store; nothing here talks to a database directly.

pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod http;
pub mod metrics;
pub mod serve;
pub mod service;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tls;
pub mod token;
