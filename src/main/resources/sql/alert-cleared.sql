DELETE FROM alert_conditions WHERE condition_key = :#${header.condition}
