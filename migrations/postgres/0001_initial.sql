-- baton schema, Postgres flavour. migrations/sqlite/0001_initial.sql is the same schema in
-- SQLite's dialect: keep both in step (same numbers, names, columns and indexes).
-- Portable types only: TEXT ids, BIGINT Unix milliseconds, BOOLEAN, TEXT holding JSON.
-- Ids are COLLATE "C" so that keyset pagination orders them byte by byte, as SQLite's default
-- BINARY collation does, whatever locale the database was created with.

CREATE TABLE org (
    id TEXT COLLATE "C" PRIMARY KEY,
    company_name TEXT NOT NULL,
    subdomain TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY,
    status TEXT NOT NULL,
    login_lower TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    profile TEXT NOT NULL,
    password_hash TEXT,
    created BIGINT NOT NULL,
    activated BIGINT,
    status_changed BIGINT,
    last_login BIGINT,
    last_updated BIGINT NOT NULL,
    password_changed BIGINT
);
CREATE INDEX users_status ON users (status, id);

CREATE TABLE groups (
    id TEXT COLLATE "C" PRIMARY KEY,
    group_type TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    last_membership_updated BIGINT NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE apps (
    id TEXT COLLATE "C" PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    status TEXT NOT NULL,
    application_type TEXT NOT NULL,
    token_endpoint_auth_method TEXT NOT NULL,
    pkce_required BOOLEAN NOT NULL,
    consent_method TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    response_types TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    refresh_rotation TEXT NOT NULL,
    refresh_leeway BIGINT NOT NULL,
    auto_key_rotation BOOLEAN NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL
);

CREATE TABLE client_secrets (
    id TEXT COLLATE "C" PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL
);
CREATE INDEX client_secrets_app ON client_secrets (app_id);

-- Public keys of apps and agents alike (no foreign key: the owner is either kind).
CREATE TABLE client_keys (
    client_id TEXT NOT NULL,
    kid TEXT NOT NULL,
    jwk TEXT NOT NULL,
    status TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    PRIMARY KEY (client_id, kid)
);

CREATE TABLE app_user_assignments (
    app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_name TEXT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (app_id, user_id)
);
CREATE INDEX app_user_assignments_user ON app_user_assignments (user_id);

CREATE TABLE app_group_assignments (
    app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    priority BIGINT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (app_id, group_id)
);
CREATE INDEX app_group_assignments_group ON app_group_assignments (group_id);

CREATE TABLE agents (
    id TEXT COLLATE "C" PRIMARY KEY,
    status TEXT NOT NULL,
    app_id TEXT REFERENCES apps (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    description TEXT,
    resource_url TEXT,
    owners TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL
);

CREATE TABLE operations (
    id TEXT COLLATE "C" PRIMARY KEY,
    op_type TEXT NOT NULL,
    status TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_status TEXT NOT NULL,
    created BIGINT NOT NULL,
    started BIGINT NOT NULL,
    completed BIGINT
);

CREATE TABLE auth_servers (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    audiences TEXT NOT NULL,
    resources TEXT NOT NULL,
    issuer_mode TEXT NOT NULL,
    status TEXT NOT NULL,
    signing_alg TEXT NOT NULL,
    rotation_mode TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL
);

CREATE TABLE trusted_issuers (
    id TEXT COLLATE "C" PRIMARY KEY,
    auth_server_id TEXT NOT NULL REFERENCES auth_servers (id) ON DELETE CASCADE,
    issuer TEXT NOT NULL,
    jwks_uri TEXT,
    jwks TEXT,
    created BIGINT NOT NULL,
    UNIQUE (auth_server_id, issuer)
);

CREATE TABLE scopes (
    id TEXT COLLATE "C" PRIMARY KEY,
    auth_server_id TEXT NOT NULL REFERENCES auth_servers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    display_name TEXT,
    system BOOLEAN NOT NULL,
    is_default BOOLEAN NOT NULL,
    optional BOOLEAN NOT NULL,
    consent TEXT NOT NULL,
    metadata_publish TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    UNIQUE (auth_server_id, name)
);

CREATE TABLE claims (
    id TEXT COLLATE "C" PRIMARY KEY,
    auth_server_id TEXT NOT NULL REFERENCES auth_servers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    claim_type TEXT NOT NULL,
    value_type TEXT NOT NULL,
    value TEXT NOT NULL,
    group_filter_type TEXT,
    scopes TEXT NOT NULL,
    always_include BOOLEAN NOT NULL,
    system BOOLEAN NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL
);
CREATE INDEX claims_server ON claims (auth_server_id);

CREATE TABLE policies (
    id TEXT COLLATE "C" PRIMARY KEY,
    auth_server_id TEXT NOT NULL REFERENCES auth_servers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    priority BIGINT NOT NULL,
    status TEXT NOT NULL,
    system BOOLEAN NOT NULL,
    clients TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL
);
CREATE INDEX policies_server ON policies (auth_server_id, priority);

CREATE TABLE policy_rules (
    id TEXT COLLATE "C" PRIMARY KEY,
    policy_id TEXT NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    auth_server_id TEXT NOT NULL,
    name TEXT NOT NULL,
    priority BIGINT NOT NULL,
    status TEXT NOT NULL,
    system BOOLEAN NOT NULL,
    conditions TEXT NOT NULL,
    access_token_minutes BIGINT NOT NULL,
    refresh_token_minutes BIGINT NOT NULL,
    refresh_window_minutes BIGINT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL
);
CREATE INDEX policy_rules_policy ON policy_rules (policy_id, priority);

CREATE TABLE resource_connections (
    id TEXT COLLATE "C" PRIMARY KEY,
    owner_id TEXT NOT NULL,
    connection_type TEXT NOT NULL,
    auth_server_id TEXT NOT NULL REFERENCES auth_servers (id) ON DELETE CASCADE,
    resource_indicator TEXT,
    scope_condition TEXT NOT NULL,
    scopes TEXT NOT NULL,
    target_client_id TEXT,
    consent_required BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    UNIQUE (owner_id, auth_server_id)
);

CREATE TABLE delegation_links (
    id TEXT COLLATE "C" PRIMARY KEY,
    from_client_id TEXT NOT NULL,
    token_type TEXT NOT NULL,
    to_agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    UNIQUE (from_client_id, token_type, to_agent_id)
);

-- Keys of every AS; owner_id is a custom AS id or the org id (org AS), hence no foreign key.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    alg TEXT NOT NULL,
    status TEXT NOT NULL,
    private_key_enc TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created BIGINT NOT NULL,
    activated BIGINT,
    expired BIGINT
);
CREATE INDEX signing_keys_owner ON signing_keys (owner_id, status);

CREATE TABLE sessions (
    id TEXT COLLATE "C" PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    auth_time BIGINT NOT NULL,
    amr TEXT NOT NULL,
    ended BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires);

CREATE TABLE session_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL
);

CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY,
    auth_server_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id TEXT,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    code_challenge_method TEXT,
    auth_time BIGINT NOT NULL,
    policy_id TEXT,
    rule_id TEXT,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    consumed BIGINT
);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires);

CREATE TABLE refresh_families (
    id TEXT COLLATE "C" PRIMARY KEY,
    auth_server_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    policy_id TEXT,
    rule_id TEXT,
    session_id TEXT,
    grant_id TEXT,
    auth_time BIGINT NOT NULL,
    created BIGINT NOT NULL,
    last_used BIGINT NOT NULL,
    expires BIGINT,
    idle_window_ms BIGINT NOT NULL,
    revoked BIGINT
);
CREATE INDEX refresh_families_grant ON refresh_families (grant_id);
CREATE INDEX refresh_families_user ON refresh_families (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
    created BIGINT NOT NULL,
    rotated BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE access_tokens (
    jti TEXT PRIMARY KEY,
    auth_server_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT,
    grant_id TEXT,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    revoked BIGINT
);
CREATE INDEX access_tokens_grant ON access_tokens (grant_id);
CREATE INDEX access_tokens_expires ON access_tokens (expires);

CREATE TABLE consumed_jtis (
    namespace TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires BIGINT NOT NULL,
    PRIMARY KEY (namespace, jti)
);
CREATE INDEX consumed_jtis_expires ON consumed_jtis (expires);

CREATE TABLE consent_grants (
    id TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    auth_server_id TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    scope_name TEXT NOT NULL,
    source TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    UNIQUE (user_id, client_id, auth_server_id, scope_name)
);

CREATE TABLE consent_requests (
    id TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    auth_server_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    status TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    decided BIGINT
);
CREATE INDEX consent_requests_user ON consent_requests (user_id, status);

CREATE TABLE api_tokens (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    user_id TEXT,
    client_name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    super_admin BOOLEAN NOT NULL,
    created BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    expires BIGINT,
    last_used BIGINT,
    token_window TEXT NOT NULL
);

CREATE TABLE log_events (
    seq BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    published BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    severity TEXT NOT NULL,
    outcome_result TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    client_id TEXT,
    transaction_id TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX log_events_published ON log_events (published, seq);
CREATE INDEX log_events_type ON log_events (event_type, published);
CREATE INDEX log_events_transaction ON log_events (transaction_id);
CREATE INDEX log_events_actor ON log_events (actor_id, published);

CREATE TABLE log_event_targets (
    seq BIGINT NOT NULL REFERENCES log_events (seq) ON DELETE CASCADE,
    target_id TEXT NOT NULL,
    target_type TEXT NOT NULL,
    PRIMARY KEY (seq, target_id, target_type)
);
CREATE INDEX log_event_targets_target ON log_event_targets (target_id, seq);
