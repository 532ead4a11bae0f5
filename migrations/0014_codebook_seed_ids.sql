-- The default project's seeded codebook (0005b_codebook.sql) gets the same ids in every database
-- (issue 12). The codebook is now part of the NDJSON export, and an export imported into another
-- database, freshly migrated and so holding the same seeded entries, must find them under the
-- same ids (as it finds the default project under its fixed id); with ids drawn by uuidv7() at
-- migration time every seeded tag was a conflict. The id is an MD5 of the tag laid out as a UUID
-- of version 8 ("custom", RFC 9562). Only the rows the seed wrote change (no author, the seed's
-- time); nothing refers to a codebook entry by id (parent names a tag). updated_at keeps its value.
ALTER TABLE codebook_entries DISABLE TRIGGER codebook_entries_touch;
UPDATE codebook_entries
   SET id = overlay(overlay(md5('claimdb codebook ' || tag) PLACING '8' FROM 13) PLACING '8' FROM 17)::uuid
 WHERE project_id = '00000000-0000-7000-8000-000000000001'
   AND created_by IS NULL AND created_at = '2026-01-01T00:00:00Z';
ALTER TABLE codebook_entries ENABLE TRIGGER codebook_entries_touch;

-- A parent names a tag, so it was never longer than a tag; said as a CHECK too, as every
-- length limit the API states (tests/api/test_description.py).
ALTER TABLE codebook_entries ADD CONSTRAINT codebook_entries_parent_length CHECK (char_length(parent) <= 200);
