-- camguard registry, schema version 2: a saved scan is held by one process at a time.
-- lease_holder names the process (random token, process id, host); lease_until is the lease's
-- expiry in milliseconds since the Unix epoch. The holder renews the lease while it runs; a
-- process that dies (even by kill -9) stops renewing, and another may take the scan over once
-- the lease has expired.
ALTER TABLE scans ADD COLUMN lease_holder TEXT;
ALTER TABLE scans ADD COLUMN lease_until BIGINT;
