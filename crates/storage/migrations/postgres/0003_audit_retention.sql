-- Retention: entries older than the retention period (never less than six months) may be pruned.
-- The anchor keeps the sequence number and hash of the last pruned entry, so the chain that remains
-- still verifies from its first entry and a removal at its start is still detected.
CREATE TABLE audit_anchor (
    id   BIGINT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_anchor (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
