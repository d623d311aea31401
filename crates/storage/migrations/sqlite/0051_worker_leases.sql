-- Leases: a background job (the case clock, the webhook sender, import recovery, the roll-up
-- folder, the audit linker and checkpoints) runs on one server of several at a time. The holder
-- renews its lease on each round; when it stops, another server takes the job over once the
-- lease has run out.
CREATE TABLE worker_leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  BIGINT NOT NULL
);
