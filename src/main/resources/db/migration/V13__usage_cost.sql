-- What a proxied request cost: the model that answered, prompt-cache reads and writes, and the
-- cost in nano-dollars at the prices of its day (NULL: unpriced; rows before this migration were
-- never priced and count as unpriced).
ALTER TABLE usage_records ADD COLUMN model TEXT;
ALTER TABLE usage_records ADD COLUMN cached_input_tokens BIGINT;
ALTER TABLE usage_records ADD COLUMN cache_write_tokens BIGINT;
ALTER TABLE usage_records ADD COLUMN cost_nano_usd BIGINT;
