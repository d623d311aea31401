-- 集体经济 (issue 21): PostgreSQL drops the foreign key from a distribution's lines to their
-- distribution (see postgres/0048); SQLite checks it through the parent's primary key at no
-- measurable cost and keeps it. This file keeps the two backends' migrations in step.
SELECT 1;
