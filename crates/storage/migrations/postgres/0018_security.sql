-- Security fixes (issue 15).
--
-- Trusted devices: a browser that has logged in to an account before carries a device cookie; its
-- failed logins are counted against that device only, so a stranger's wrong passwords lock
-- strangers out, not the owner (the account-wide count applies to logins from unknown devices).
CREATE TABLE login_devices (
    token_hash    TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    last_used     BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT
);
CREATE INDEX login_devices_user ON login_devices (user_id);

-- Failed logins per source address in a fixed window (the per-source throttle).
CREATE TABLE login_throttle (
    source       TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures     BIGINT NOT NULL
);

-- Separation of duties: creating a privileged account (county administrator, auditor, security
-- administrator) or resetting the password of one at or above the requester's rank waits for a
-- second person's approval. The proposed password is kept only as its argon2id hash.
CREATE TABLE account_requests (
    id             BIGINT PRIMARY KEY,
    kind           TEXT NOT NULL,
    requested_by   BIGINT NOT NULL REFERENCES users (id),
    requested_at   BIGINT NOT NULL,
    target_user_id BIGINT REFERENCES users (id),
    login          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    division_code  TEXT NOT NULL,
    grid_id        BIGINT,
    password_hash  TEXT NOT NULL,
    state          TEXT NOT NULL,
    decided_by     BIGINT REFERENCES users (id),
    decided_at     BIGINT,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX account_requests_state ON account_requests (state, id);

-- Signed checkpoints of the audit chain (sequence number, the entry's keyed hash, SM2 signature),
-- for an auditor to keep apart from the database.
CREATE TABLE audit_checkpoints (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    hash      TEXT NOT NULL,
    signature TEXT NOT NULL
);

-- Entries before this sequence number were chained with plain SHA-256; from it on, with HMAC-SM3
-- under a key derived from the data key. The value is signed with the key at the first start.
INSERT INTO settings (name, value) SELECT 'audit_keyed_from', CAST(seq + 1 AS TEXT) FROM audit_head WHERE id = 1;

-- Which case categories the county publishes in the public Open311 feed.
ALTER TABLE case_categories ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT FALSE;
