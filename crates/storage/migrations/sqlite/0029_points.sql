-- 积分 (issue 19): one append-only ledger for party members and villager households. Rules per
-- county; a recording (claim) waits for a second person's approval, which writes the entry; a
-- correction is a reversing entry; a balance is kept with its entries in the same transaction and
-- always equals their sum.
CREATE TABLE points_rules (
    county_id         BIGINT NOT NULL,
    id                BIGINT NOT NULL,
    holder            TEXT NOT NULL,
    code              TEXT NOT NULL,
    dimension         TEXT NOT NULL,
    item              TEXT NOT NULL,
    points            BIGINT NOT NULL,
    month_cap         BIGINT,
    year_cap          BIGINT,
    evidence_required INTEGER NOT NULL,
    active            INTEGER NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, holder, code)
);
CREATE TABLE points_accounts (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    holder        TEXT NOT NULL,
    holder_id     BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    balance       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, holder, holder_id)
);
CREATE INDEX points_accounts_division ON points_accounts (county_id, division_code);
CREATE TABLE points_claims (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    account_id    BIGINT NOT NULL,
    rule_id       BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    points        BIGINT NOT NULL,
    month         TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    case_id       BIGINT,
    recorded_by   BIGINT NOT NULL,
    recorded_at   BIGINT NOT NULL,
    state         TEXT NOT NULL,
    decided_by    BIGINT,
    decided_at    BIGINT,
    note          TEXT NOT NULL,
    entry_id      BIGINT,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, account_id) REFERENCES points_accounts (county_id, id),
    FOREIGN KEY (county_id, rule_id) REFERENCES points_rules (county_id, id)
);
CREATE INDEX points_claims_state ON points_claims (county_id, state, division_code);
CREATE TABLE points_entries (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    account_id    BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    kind          TEXT NOT NULL,
    rule_id       BIGINT,
    claim_id      BIGINT,
    points        BIGINT NOT NULL,
    month         TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    approved_by   BIGINT,
    reverses_id   BIGINT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, reverses_id),
    FOREIGN KEY (county_id, account_id) REFERENCES points_accounts (county_id, id)
);
CREATE INDEX points_entries_account ON points_entries (county_id, account_id, id);
CREATE INDEX points_entries_rule_month ON points_entries (county_id, account_id, rule_id, month);
