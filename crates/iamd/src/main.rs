//! The `iamd` binary: parses the command line and hands over to `iamd::cli`.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = iamd::cli::Cli::parse();
    match iamd::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iamd: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
