-- History (issue 11): the change feed's horizon counts only transactions
-- that can write to this database.

-- The change feed serves entries of transactions older than every
-- transaction that may still add one. 0004 used the snapshot's xmin, which
-- is cluster-wide: a transaction open in ANOTHER database of the cluster
-- (an autovacuum's ANALYZE, another application's import) held every
-- follower back until it ended, and a long poll waited out its time for a
-- change committed long before. The horizon is now the oldest transaction
-- running at the statement's snapshot that is not known to belong to
-- another database (a backend is connected to one database and cannot write
-- this one's revisions) or to an autovacuum worker (its ANALYZE writes
-- statistics, never a row with triggers); one that ended meanwhile, or that
-- pg_stat_activity does not show (a prepared transaction), still counts,
-- so the horizon is never later than it must be. Without such a
-- transaction it is the snapshot's xmax: everything that committed before
-- the snapshot.
CREATE FUNCTION claimdb_feed_horizon() RETURNS xid8
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT min(x.xid) FROM pg_snapshot_xip(s.snap) AS x(xid)
                   WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                                     WHERE a.backend_xid = x.xid::xid
                                       AND (a.backend_type = 'autovacuum worker'
                                            OR a.datid IS DISTINCT FROM (SELECT d.oid FROM pg_database d
                                                                         WHERE d.datname = current_database())))),
                  pg_snapshot_xmax(s.snap))
  FROM (SELECT pg_current_snapshot() AS snap) s
$$;
COMMENT ON FUNCTION claimdb_feed_horizon() IS 'The change feed serves entries whose xid is below this: the oldest transaction of the snapshot that may still write this database''s revisions (other databases'' and autovacuum''s ignored), else the snapshot''s xmax.';
