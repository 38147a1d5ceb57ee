-- camguard registry, schema version 3: accounts, API tokens, sessions and the audit log.
-- Secrets are never stored: passwords as Argon2id PHC strings, API tokens and session ids as
-- the lower-case hex SHA-256 of their text. Usernames are stored lower-case.

-- role: admin, regulator, unit, isp, assessor or auditor; org_id is NULL only for admin.
CREATE TABLE users (
    id {ID},
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    org_id BIGINT REFERENCES orgs(id) ON DELETE RESTRICT,
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE api_tokens (
    id {ID},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE sessions (
    id {ID},
    session_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- The audit log: append-only, hash-chained. id is given by the writer (1, 2, 3 … without
-- gaps, so that a deleted entry shows as a gap); hash = SHA-256 over a canonical encoding of
-- the entry's fields and prev_hash (the previous entry's hash, '' for the first).
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    client_addr TEXT,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);

-- The chain's head: the last id given and its hash. Every append updates it first, in the
-- append's transaction, which serialises writers (PostgreSQL: the row lock; SQLite: the
-- write lock), so the chain never forks; it also shows entries deleted at the end.
CREATE TABLE audit_head (
    one BIGINT PRIMARY KEY,
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (one, last_id, last_hash) VALUES (1, 0, '');
