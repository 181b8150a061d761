-- A refusal's reason in both languages, apart: `reason` holds the Chinese,
-- `reason_en` the English. Rows kept before this held both in `reason`
-- (`中文 (English)`); their `reason_en` is empty and they show as they were.
ALTER TABLE refused_copies ADD COLUMN reason_en TEXT NOT NULL DEFAULT '';
