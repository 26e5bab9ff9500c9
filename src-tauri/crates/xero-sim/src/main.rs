//! `xero-sim [--port N] [--auto-approve] [--token-ttl-secs N] [--no-seed] [--redirect-uri URI]…
//! [--app-created YYYY-MM-DD]`: runs the Xero simulator on 127.0.0.1, prints its URLs and serves
//! until Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use xero_sim::{SimConfig, start_on_port};

const USAGE: &str = "usage: xero-sim [--port N] [--auto-approve] [--token-ttl-secs N] [--no-seed] \
[--redirect-uri URI]... [--app-created YYYY-MM-DD]";

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = SimConfig::default();
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let parsed = match arg.as_str() {
            "--port" => args.next().and_then(|v| v.parse().ok()).map(|v| port = v),
            "--auto-approve" => {
                config.auto_approve = true;
                Some(())
            }
            "--no-seed" => {
                config.seed = false;
                Some(())
            }
            "--redirect-uri" => args.next().map(|uri| config.redirect_uris.push(uri)),
            "--app-created" => args
                .next()
                .and_then(|v| chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok())
                .map(|day| config.app_created = day),
            "--token-ttl-secs" => args
                .next()
                .and_then(|v| v.parse().ok())
                .map(|secs| config.access_token_ttl = Duration::from_secs(secs)),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => None,
        };
        if parsed.is_none() {
            eprintln!("xero-sim: bad argument '{arg}'\n{USAGE}");
            return ExitCode::from(2);
        }
    }

    let config_uris = config.redirect_uris.clone();
    let sim = match start_on_port(config, port).await {
        Ok(sim) => sim,
        Err(error) => {
            eprintln!("xero-sim: cannot listen: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("xero-sim listening on {}", sim.base_url());
    println!("  client id      {}", sim.client_id());
    println!("  redirect URIs  {}", config_uris.join(", "));
    println!("  authorize      {}", sim.authorize_url());
    println!("  token          {}", sim.token_url());
    println!("  revocation     {}", sim.revocation_url());
    println!("  connections    {}", sim.connections_url());
    println!("  accounting api {}", sim.api_url());
    println!("  admin          {}", sim.admin_url());
    println!("Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    ExitCode::SUCCESS
}
