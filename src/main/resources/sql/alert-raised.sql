INSERT INTO alert_conditions (condition_key, level, subject, detail, opened_at, last_sent_at, send_count)
VALUES (:#${header.condition}, :#${header.level}, :#${header.subject}, :#${header.detail}, :#${header.now}, :#${header.now},
        :#${header.sendCount})
ON CONFLICT (condition_key) DO UPDATE SET level = EXCLUDED.level, subject = EXCLUDED.subject,
    detail = EXCLUDED.detail,
    last_sent_at = CASE WHEN :#${header.send} THEN EXCLUDED.last_sent_at ELSE alert_conditions.last_sent_at END,
    send_count = alert_conditions.send_count + EXCLUDED.send_count
