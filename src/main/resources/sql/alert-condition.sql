SELECT level, detail, opened_at, last_sent_at FROM alert_conditions WHERE condition_key = :#${header.condition}
