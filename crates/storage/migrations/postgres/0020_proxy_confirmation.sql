-- 代为确认 (issue 17): a resident's answer recorded by a staff member (after a phone call or a
-- visit) keeps its rating apart, out of the satisfaction figure; `rating` is the resident's own.
ALTER TABLE cases ADD COLUMN proxy_rating BIGINT;
