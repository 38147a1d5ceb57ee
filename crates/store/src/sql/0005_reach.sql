-- camguard registry, schema version 5: what an account may reach.
-- An assessor works for the organisations it is assigned to (and their subtrees).
CREATE TABLE user_orgs (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, org_id)
);
CREATE INDEX user_orgs_org ON user_orgs(org_id);

-- The organisation an audit entry concerns (NULL for the service as a whole), so that an
-- auditor reads the entries of its own subtree. It is part of the entry's hash when present.
ALTER TABLE audit_log ADD COLUMN org_id BIGINT;
CREATE INDEX audit_log_org ON audit_log(org_id);

-- Keyset pagination of the inventory and the findings within an organisation.
CREATE INDEX cameras_org_id ON cameras(org_id, id);
CREATE INDEX findings_org_id ON findings(org_id, id);
