-- camguard registry, schema version 4: scans as durable jobs (queued by the HTTP API, run by
-- workers). A queued scan is a `scans` row in state 'queued'; the job queue itself (apalis'
-- tables) only carries the scan's id.
--   requested_by      who asked for the scan (account name), NULL for command-line scans;
--   cancel_requested  1 once a cancel was asked for; the worker stops the scan within moments;
--   error             why a scan failed (state 'failed'), in words;
--   targets_total     addresses the targets hold (progress: addresses_done of targets_total);
--   addresses_done    addresses the worker has finished with (may run ahead of resume_from,
--                     the watermark, which only covers stored hosts);
--   queued_at         when the scan was queued.
ALTER TABLE scans ADD COLUMN requested_by TEXT;
ALTER TABLE scans ADD COLUMN cancel_requested BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN error TEXT;
ALTER TABLE scans ADD COLUMN targets_total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN addresses_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN queued_at TEXT;
CREATE INDEX scans_state ON scans(state);
