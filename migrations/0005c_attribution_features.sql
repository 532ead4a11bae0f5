-- What the text says about an attribution (issue 12, part 5), the features
-- PARC 3.0 annotates: whether the source asserts or denies the content, how
-- certain it is, and when it was said.

CREATE TYPE attribution_polarity AS ENUM ('positive', 'negative');
CREATE TYPE attribution_factuality AS ENUM ('certain', 'probable', 'possible');
COMMENT ON TYPE attribution_polarity IS 'positive: the source asserts the content; negative: the source denies it.';
COMMENT ON TYPE attribution_factuality IS 'How certain the source presents the content: certain, probable or possible ("may amount to").';

ALTER TABLE attributions
  ADD COLUMN polarity attribution_polarity,
  ADD COLUMN factuality attribution_factuality,
  -- An ISO 8601 date, or a year-month or a year when the text gives no more;
  -- as text, so that the precision the text gives is kept and the values
  -- still sort and compare by prefix (2022 covers 2022-08-31).
  ADD COLUMN said_at text CONSTRAINT attributions_said_at_format
    CHECK (said_at ~ '^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$');
COMMENT ON COLUMN attributions.polarity IS 'positive (the source asserts the content) or negative (denies it); null when not annotated.';
COMMENT ON COLUMN attributions.factuality IS 'certain, probable or possible; null when not annotated.';
COMMENT ON COLUMN attributions.said_at IS 'When it was said: YYYY-MM-DD, YYYY-MM or YYYY, as precise as the text.';
