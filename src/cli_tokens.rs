//! `baton api-tokens create|list`: Okta has no endpoint that creates API tokens, so baton makes
//! them here. The token is printed once and stored only as its SHA-256 hash; its creation logs
//! `system.api_token.create`.
//!
//! A token made with `--user LOGIN` belongs to that user and works while the user is ACTIVE and
//! a member of the `Administrators` group; without `--user` it is a super-admin token of the
//! system principal, like the one `BATON_ADMIN_API_TOKEN` makes.

use baton::audit::{Actor, Context, Event, Target};
use baton::config::{Config, DataArgs};
use baton::domain::ids::{hash_secret, new_id, new_secret, Prefix};
use baton::domain::user::ADMINISTRATORS_GROUP;
use baton::domain::{ApiToken, UserStatus};
use baton::server;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create an API token and print it (the only time it is shown).
    Create {
        /// The token's name.
        #[arg(long)]
        name: String,
        /// Login (or id) of the owning user, who must be in the Administrators group; a
        /// super-admin token of the system principal when omitted.
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        config: DataArgs,
    },
    /// List API tokens (never their values).
    List {
        #[command(flatten)]
        config: DataArgs,
    },
}

impl TokensCommand {
    pub fn config(&self) -> &DataArgs {
        match self {
            Self::Create { config, .. } | Self::List { config } => config,
        }
    }
}

pub async fn run(config: Config, command: TokensCommand) -> anyhow::Result<()> {
    let state = server::prepare(config, baton::clock::Clock::default()).await?;
    match command {
        TokensCommand::List { .. } => {
            for t in state.store.list_api_tokens().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.name,
                    t.user_id.as_deref().unwrap_or("-"),
                    baton::clock::iso8601(t.created),
                    t.last_used.map_or_else(|| "-".to_owned(), baton::clock::iso8601)
                );
            }
            Ok(())
        }
        TokensCommand::Create { name, user, .. } => {
            let name = name.trim().to_owned();
            anyhow::ensure!(!name.is_empty(), "--name must not be empty");
            anyhow::ensure!(
                name != baton::bootstrap::ADMIN_TOKEN_NAME,
                "the name {name:?} is reserved for the token set by the environment variable of that name"
            );
            anyhow::ensure!(
                state.store.find_api_token_by_name(&name).await?.is_none(),
                "an API token named {name:?} already exists"
            );
            let owner = match &user {
                None => None,
                Some(login) => {
                    let found = match state.store.find_user_by_login(login).await? {
                        Some(u) => Some(u),
                        None => state.store.find_user(login).await?,
                    };
                    Some(found.ok_or_else(|| anyhow::anyhow!("no user with login {login:?}"))?)
                }
            };
            if let Some(u) = &owner {
                let admin = state.store.list_user_groups(&u.id).await?.iter().any(|g| g.name == ADMINISTRATORS_GROUP);
                if !admin {
                    eprintln!(
                        "warning: {} is not in the {ADMINISTRATORS_GROUP} group; the token gets 403 until they are",
                        u.profile.login()
                    );
                }
                if u.status != UserStatus::Active {
                    eprintln!("warning: {} is not ACTIVE; the token gets 401 until they are", u.profile.login());
                }
            }
            let now = state.clock.now_ms();
            let secret = format!("00{}", new_secret());
            let token = ApiToken {
                id: new_id(Prefix::ApiToken),
                name,
                user_id: owner.as_ref().map(|u| u.id.clone()),
                client_name: "baton CLI".into(),
                token_hash: hash_secret(&secret),
                super_admin: owner.is_none(),
                created: now,
                last_updated: now,
                expires: None,
                last_used: None,
                token_window: "P30D".into(),
            };
            let event = Event::new("system.api_token.create", "Create API token", Actor::system())
                .target(Target::new(&token.id, "Token", &token.name, &token.name))
                .build(&Context::system(), now);
            state.store.create_api_token(&token, &[event]).await?;
            eprintln!("created API token {} ({}); it is shown only once:", token.id, token.name);
            println!("{secret}");
            Ok(())
        }
    }
}
