-- camguard registry, schema version 6: indexes for the compliance status at scale
-- (BENCHMARKS §10: the camera groups and the urgent-findings count read every row without them).
CREATE INDEX cameras_status ON cameras(org_id, vendor_key, model_key, cert_conformity);
CREATE INDEX findings_urgent ON findings(org_id, state, accepted_until)
    WHERE severity IN ('critical', 'high');
