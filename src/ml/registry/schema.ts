/**
 * The registry's tables in the embedded DuckDB file, and the queries that answer "what does this
 * alias point to now" and "what did it point to at time T". Times are TIMESTAMP in UTC.
 *
 * `alias_events` is append-only: the code only ever INSERTs into it (never UPDATE or DELETE), and
 * the current state of every alias is derived from it. `seq` is the append order; the registry
 * refuses an event whose `changed_at` is earlier than the previous event of the same alias, so
 * ordering by `seq` and by `changed_at` agree within an alias.
 */

/** Idempotent schema creation, one statement per entry. */
export const SCHEMA_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS model_versions (
    id          VARCHAR PRIMARY KEY,            -- sha256 content address
    name        VARCHAR NOT NULL,               -- model line, e.g. credit-default
    kind        VARCHAR NOT NULL,               -- xgboost, logistic, ...
    created_at  TIMESTAMP NOT NULL,             -- UTC
    created_by  VARCHAR NOT NULL,
    parent      VARCHAR REFERENCES model_versions(id),
    size_bytes  BIGINT NOT NULL,                -- sum of file sizes
    metadata    JSON NOT NULL,                  -- the full ModelMetadata
    files       JSON NOT NULL                   -- [{ name, sha256, size }] sorted by name
  )`,
  `CREATE SEQUENCE IF NOT EXISTS alias_events_seq START 1`,
  `CREATE TABLE IF NOT EXISTS alias_events (
    seq           BIGINT PRIMARY KEY DEFAULT nextval('alias_events_seq'),
    name          VARCHAR NOT NULL,             -- model line
    alias         VARCHAR NOT NULL,
    from_version  VARCHAR REFERENCES model_versions(id),   -- null: alias was unset
    to_version    VARCHAR REFERENCES model_versions(id),   -- null: alias retired
    changed_at    TIMESTAMP NOT NULL,           -- UTC
    reason        VARCHAR NOT NULL,
    actor         VARCHAR NOT NULL
  )`,
  `CREATE INDEX IF NOT EXISTS alias_events_by_alias ON alias_events (name, alias, changed_at)`,
];

/** Columns of alias_events as read back. */
export const EVENT_COLUMNS = 'seq, name, alias, from_version, to_version, changed_at, reason, actor';

/**
 * The current target of one alias of one line: the latest event's `to_version` (NULL or no row:
 * not set). Parameters: name, alias.
 */
export const CURRENT_ALIAS_SQL = `SELECT ${EVENT_COLUMNS} FROM alias_events WHERE name = ? AND alias = ? ORDER BY seq DESC LIMIT 1`;

/**
 * Every alias currently set, optionally of one line: the latest event per (name, alias) whose
 * `to_version` is not NULL. Parameters: name-or-NULL, name-or-NULL.
 */
export const CURRENT_ALIASES_SQL = `SELECT ${EVENT_COLUMNS} FROM alias_events
  WHERE (?::VARCHAR IS NULL OR name = ?::VARCHAR)
  QUALIFY row_number() OVER (PARTITION BY name, alias ORDER BY seq DESC) = 1 AND to_version IS NOT NULL
  ORDER BY name, alias`;

/**
 * What alias A of line N pointed to at time T: the last event of (N, A) at or before T.
 * No row: the alias had never been set by T. A row with NULL `to_version`: it was retired at T.
 * An event stamped exactly T is already in effect at T. Parameters: name, alias, T.
 */
export const ALIAS_AT_SQL = `SELECT ${EVENT_COLUMNS} FROM alias_events
  WHERE name = ? AND alias = ? AND changed_at <= ?
  ORDER BY changed_at DESC, seq DESC LIMIT 1`;

/**
 * The same question for every (line, alias), optionally filtered: the last event of each pair at or
 * before T (retired pairs included, with NULL `to_version`). Parameters: T, name-or-NULL x2, alias-or-NULL x2.
 */
export const ALIASES_AT_SQL = `SELECT ${EVENT_COLUMNS} FROM alias_events
  WHERE changed_at <= ? AND (?::VARCHAR IS NULL OR name = ?::VARCHAR) AND (?::VARCHAR IS NULL OR alias = ?::VARCHAR)
  QUALIFY row_number() OVER (PARTITION BY name, alias ORDER BY changed_at DESC, seq DESC) = 1
  ORDER BY name, alias`;
