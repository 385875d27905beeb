-- Open alert conditions: what was already said, so the same problem does not alert again and again.
CREATE TABLE alert_conditions (
    condition_key VARCHAR(200) PRIMARY KEY,
    level VARCHAR(20) NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    opened_at TIMESTAMPTZ NOT NULL,
    last_sent_at TIMESTAMPTZ NOT NULL,
    send_count INTEGER NOT NULL DEFAULT 0
);
