//! The `baton` command line: parse arguments, resolve configuration, call into the library.

use baton::config::{Config, ConfigArgs, DataArgs, DatabaseArgs};
use baton::{bootstrap, server, store};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

mod cli_tokens;
mod demo;
mod healthcheck;

/// Settings read only from the environment (or the `--config` file), never from flags, so
/// that secrets stay out of process listings and shell history.
const SECRET_SETTINGS: &str = "\
Settings from the environment (or --config) only, never flags:
  BATON_KEY_ENCRYPTION_KEY  32 bytes (base64, base64url or hex) encrypting private signing keys at rest;
                            unset: a development key is generated into <keys-dir>/kek
  BATON_ADMIN_API_TOKEN     creates or updates a super-admin Management API token with this value
  BATON_ADMIN_LOGIN         login of the admin console's bootstrap admin [default: admin@baton.local]
  BATON_ADMIN_PASSWORD      creates or updates that admin (ACTIVE, in Administrators); sign in at /admin";

/// baton: a self-hosted, Okta-compatible authorization server for AI agents.
#[derive(Debug, Parser)]
#[command(name = "baton", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (migrates, bootstraps and applies --seed first).
    #[command(after_help = SECRET_SETTINGS)]
    Serve(ConfigArgs),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Apply a seed file (idempotent) and exit.
    Seed {
        /// The seed file (YAML); see docs/seed.md.
        file: PathBuf,
        #[command(flatten)]
        config: DataArgs,
    },
    /// Signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Walk the Streamward chain (xaa.md §9) against a running, seeded baton, printing each token.
    ///
    /// Signs the demo user in through the real sign-in page (authorization code + PKCE), then
    /// exchanges and redeems hop by hop (orchestrator, then Corp-Knowledge-Agent), printing every
    /// token decoded so the `act` chain can be watched growing. Start the server first with
    /// `baton serve --seed examples/streamward.yaml`. Exits non-zero, after printing the OAuth
    /// error body, if any hop fails.
    Demo(demo::DemoArgs),
    /// Probe a running server's readiness (`GET /readyz`): exit 0 when it answers 200, 1 otherwise.
    ///
    /// The container image's HEALTHCHECK. Without --url it probes the address in --listen or
    /// `BATON_LISTEN`, over loopback when that is 0.0.0.0 or [::].
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Management API tokens (`Authorization: SSWS …`): create one, or list them.
    ApiTokens {
        #[command(subcommand)]
        command: cli_tokens::TokensCommand,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Rotate signing keys: NEXT becomes ACTIVE, ACTIVE becomes EXPIRED, a new NEXT is made.
    Rotate {
        /// Custom authorization server id; the org AS when omitted.
        #[arg(long = "auth-server")]
        auth_server: Option<String>,
        #[command(flatten)]
        config: DataArgs,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // The clients of a running server: no configuration, database or logging of their own.
    let client = match &cli.command {
        Command::Demo(args) => Some(("demo", demo::run(args).await)),
        Command::Healthcheck(args) => Some(("healthcheck", healthcheck::run(args).await)),
        _ => None,
    };
    if let Some((name, result)) = client {
        return match result {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("baton {name}: {e:#}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let args = match &cli.command {
        Command::Demo(_) | Command::Healthcheck(_) => unreachable!("handled above"),
        Command::Serve(a) => a.clone(),
        Command::Migrate(a) => ConfigArgs::from(a),
        Command::Seed { config, .. } | Command::Keys { command: KeysCommand::Rotate { config, .. } } => {
            ConfigArgs::from(config)
        }
        Command::ApiTokens { command } => ConfigArgs::from(command.config()),
    };
    let config = match Config::resolve(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("baton: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    // Traces are exported by the server only; the one-shot commands just log.
    let otlp = matches!(cli.command, Command::Serve(_)).then_some(config.otlp_endpoint.as_deref()).flatten();
    let telemetry = match baton::telemetry::init(config.log_json, otlp) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("baton: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    let code = match run(cli.command, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("baton: {e:#}");
            std::process::ExitCode::FAILURE
        }
    };
    telemetry.shutdown().await;
    code
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve(_) => server::serve(config).await,
        Command::Migrate(_) => {
            store::connect(&config.database_url).await?;
            println!("migrations applied to {}", baton::config::redact(&config.database_url));
            Ok(())
        }
        Command::Seed { file, .. } => {
            let state = server::prepare(config, baton::clock::Clock::default()).await?;
            let report =
                baton::seed::apply_file(state.store.as_ref(), &state.keys, &state.org, &file, state.clock.now_ms())
                    .await?;
            println!(
                "seed {}: {} created, {} updated, {} unchanged",
                file.display(),
                report.created,
                report.updated,
                report.unchanged
            );
            Ok(())
        }
        Command::Keys { command: KeysCommand::Rotate { auth_server, .. } } => rotate(config, auth_server).await,
        Command::ApiTokens { command } => cli_tokens::run(config, command).await,
        Command::Demo(_) | Command::Healthcheck(_) => unreachable!("handled in main"),
    }
}

async fn rotate(config: Config, auth_server: Option<String>) -> anyhow::Result<()> {
    use baton::audit::{Actor, Context, Event, Target};
    let state = server::prepare(config, baton::clock::Clock::default()).await?;
    let now = state.clock.now_ms();
    let (owner, alg, issuer) = match auth_server.as_deref() {
        None => (state.org.id.clone(), baton::domain::SigningAlg::Rs256, state.base().to_owned()),
        Some(id) => {
            let server = state
                .store
                .find_auth_server(id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no authorization server {id:?}"))?;
            (server.id.clone(), server.signing_alg, state.custom_issuer(&server.id))
        }
    };
    let event = Event::new("oauth2.as.key.rollover", "Authorization server key rollover", Actor::system())
        .target(Target::new(
            &owner,
            "AuthorizationServer",
            &issuer,
            auth_server.as_deref().unwrap_or(bootstrap::ORG_AS_NAME),
        ))
        .build(&Context::system(), now);
    state.keys.rotate(state.store.as_ref(), &owner, alg, now, &[event]).await?;
    for key in state.store.list_signing_keys(&owner).await? {
        println!(
            "{}\t{}\t{}",
            key.kid,
            baton::domain::TextEnum::as_str(key.status),
            baton::domain::TextEnum::as_str(key.alg)
        );
    }
    Ok(())
}
