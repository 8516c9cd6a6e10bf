-- When a raw mail that failed for a passing reason is tried again. Keep in step with
-- ../postgres/0008_inbound_retry.sql.

-- NULL: as soon as the ingest task runs. A mail the parser refused is quarantined at once
-- instead; one that failed for a reason that may pass (its blob could not be read, the
-- database failed) waits until `retry_at`, and the ingest task wakes itself then.
ALTER TABLE inbound_mails ADD COLUMN retry_at BIGINT;
