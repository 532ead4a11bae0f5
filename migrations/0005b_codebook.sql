-- A codebook per project (issue 12, part 7): the tags annotators may use,
-- hierarchical (topic/xinjiang under topic), each with a description that
-- lets a second coder apply it the same way. With the project setting
-- strict_tags, a claim's tags must be in its project's codebook.
--
-- Written for teams (0003_teams.sql): entries belong to a project, row-level
-- security is FORCEd like on the annotation tables, and only curators (and
-- up) of the entry's project create, change or delete entries.

CREATE TABLE codebook_entries (
  id          uuid PRIMARY KEY DEFAULT uuidv7(),
  project_id  uuid NOT NULL REFERENCES projects ON DELETE CASCADE,
  tag         text NOT NULL CHECK (char_length(tag) BETWEEN 1 AND 200 AND tag !~ '(^/|/$|//)'),
  description text CHECK (char_length(description) <= 2000),
  parent      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  annotator   text CHECK (char_length(annotator) <= 200),
  created_by  uuid REFERENCES users DEFAULT claimdb_user_id(),
  updated_by  uuid REFERENCES users DEFAULT claimdb_user_id(),
  UNIQUE (project_id, tag),
  FOREIGN KEY (project_id, parent) REFERENCES codebook_entries (project_id, tag),
  CHECK (parent IS DISTINCT FROM tag)
);
COMMENT ON TABLE codebook_entries IS 'The tags a project''s annotators use, with descriptions; hierarchical through parent.';
COMMENT ON COLUMN codebook_entries.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN codebook_entries.project_id IS 'Owning project.';
COMMENT ON COLUMN codebook_entries.tag IS 'The tag as claims carry it, e.g. topic/xinjiang; unique in the project.';
COMMENT ON COLUMN codebook_entries.description IS 'When to apply the tag.';
COMMENT ON COLUMN codebook_entries.parent IS 'The tag of the entry this one refines (topic for topic/xinjiang), or null.';
COMMENT ON COLUMN codebook_entries.created_at IS 'When the row was created.';
COMMENT ON COLUMN codebook_entries.updated_at IS 'When the row last changed.';
COMMENT ON COLUMN codebook_entries.annotator IS 'Free-text provenance (who wrote the entry, e.g. in another tool); not an account.';
COMMENT ON COLUMN codebook_entries.created_by IS 'The user who created the row (set by the server; NULL: command line or migration).';
COMMENT ON COLUMN codebook_entries.updated_by IS 'The user who last changed the row (set by the server).';
CREATE INDEX codebook_entries_parent ON codebook_entries (project_id, parent) WHERE parent IS NOT NULL;
-- Suggestions for an unknown tag are the most similar entries.
CREATE INDEX codebook_entries_tag_trgm ON codebook_entries USING gin (tag gin_trgm_ops);
CREATE TRIGGER codebook_entries_touch BEFORE UPDATE ON codebook_entries
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Who may change or delete an entry: curators (and up) of its project, never
-- an annotator, not even the one who wrote it (claimdb_guard('curator') lets
-- annotators change their own rows, which suits claims, not a codebook).
-- Keeps created_by, sets updated_by; 42501 with the role in HINT is 403
-- role_needed (server/errors.c).
CREATE FUNCTION codebook_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT claimdb_is_admin() AND NOT OLD.project_id = ANY (claimdb_projects('curate')) THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = 'changing or deleting a codebook entry needs the curator role in its project', HINT = 'curator';
  END IF;
  IF TG_OP = 'UPDATE' THEN
    NEW.created_by := OLD.created_by;
    NEW.updated_by := claimdb_user_id();
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$;
COMMENT ON FUNCTION codebook_guard() IS 'Refuses (42501, HINT curator) a change or deletion of a codebook entry by a non-curator; sets updated_by.';
CREATE TRIGGER codebook_entries_guard BEFORE UPDATE OR DELETE ON codebook_entries
  FOR EACH ROW EXECUTE FUNCTION codebook_guard();

-- Row-level security as on the annotation tables (0003_teams.sql): read in
-- readable projects, created in curated ones. The rows below are inserted by
-- the migration itself, which the command line runs as admin.
ALTER TABLE codebook_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE codebook_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY codebook_entries_read ON codebook_entries FOR SELECT
  USING (project_id = ANY ((SELECT claimdb_projects('read'))::uuid[]) OR (SELECT claimdb_is_admin()));
CREATE POLICY codebook_entries_create ON codebook_entries FOR INSERT
  WITH CHECK (project_id = ANY ((SELECT claimdb_projects('curate'))::uuid[]) OR (SELECT claimdb_is_admin()));
CREATE POLICY codebook_entries_change ON codebook_entries FOR UPDATE
  USING (project_id = ANY ((SELECT claimdb_projects('read'))::uuid[]) OR (SELECT claimdb_is_admin()))
  WITH CHECK (project_id = ANY ((SELECT claimdb_projects('read'))::uuid[]) OR (SELECT claimdb_is_admin()));
CREATE POLICY codebook_entries_delete ON codebook_entries FOR DELETE
  USING (project_id = ANY ((SELECT claimdb_projects('read'))::uuid[]) OR (SELECT claimdb_is_admin()));

-- The fixture dataset's codebook (fixtures/src/codebook.py) is the default
-- project's: the facets first, then each tag under its facet.
INSERT INTO codebook_entries (project_id, tag, description, parent, created_at, updated_at) VALUES
  ('00000000-0000-7000-8000-000000000001', 'topic', 'What a claim is about.', NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device', 'A rhetorical move the claim makes, coded neutrally: how a claim argues, not whether it is true.', NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/xinjiang', 'Xinjiang and the Uyghur and other Turkic Muslim populations.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/hong-kong', 'Hong Kong: its laws, institutions, civil society.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/detention', 'Detention, internment, ''vocational education and training centres'', prisons.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/forced-labour', 'Forced labour and labour transfer programmes.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/labour-rights', 'Work, wages, working conditions, migrant and domestic workers.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/trade-unions', 'Trade unions, collective bargaining, freedom of association.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/lgbti', 'Sexual minorities, same-sex partnerships, gender identity.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/gender-violence', 'Violence against women, domestic violence, sexual violence.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/covid', 'COVID-19 measures and their effects.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/health', 'Health care, right to health (other than COVID measures).', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/academic-freedom', 'Universities, research, freedom of teaching and publication.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/religion', 'Religious belief and practice, mosques, religious minorities.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/terrorism', 'Terrorism, extremism, counter-terrorism and security policy.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/development', 'Poverty alleviation, economic and social development, living standards.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/sovereignty', 'Sovereignty, non-interference in internal affairs, territorial integrity.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/un-process', 'UN bodies and procedures: mandates, reviews, resolutions, committees.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/methodology', 'Sources, evidence and research methods behind a report or allegation.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/human-rights-concept', 'What human rights are and who defines them (universality, ''development path'').', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/israel-gaza', 'Israel, Gaza and Palestine.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/geopolitics', 'Great-power rivalry, Western foreign policy, alliances, hegemony.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/media', 'News media, press coverage, disinformation as a subject.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/civil-liberties', 'Freedom of expression, assembly, political participation.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/democracy', 'Democracy as a political system or concept: electoral vs ''whole-process people''s democracy'', ''democracy vs autocracy'' framing, who counts as democratic.', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/racial-discrimination', 'Racism, racial or ethnic discrimination and hate crime (e.g. anti-Asian racism in the US).', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'topic/disability', 'Rights, inclusion and services for persons with disabilities (incl. Paralympic sport).', 'topic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/whataboutism', 'Answers an accusation by pointing to the accuser''s own record.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/double-standards', 'Charges the accuser with applying standards selectively.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/appeal-to-development', 'Justifies or rebuts by citing economic or social progress.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/appeal-to-sovereignty', 'Rejects scrutiny as interference in internal affairs.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/appeal-to-culture', 'Invokes history, culture or national conditions.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/appeal-to-numbers', 'Invokes how many countries, people or organisations agree.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/source-delegitimisation', 'Attacks the credibility, motives or funding of a source or accuser.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/conspiracy-framing', 'Presents a claim as orchestrated by hidden or hostile forces.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/denial', 'Flatly denies that an alleged fact or practice exists.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/security-framing', 'Frames a policy as a response to terrorism or a security threat.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/victim-testimony', 'Rests on the account of people who say they were affected.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('00000000-0000-7000-8000-000000000001', 'device/appeal-to-law', 'Justifies a measure or rebuts an accusation by citing its legal basis, legality or a court ruling.', 'device', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
