/**
 * The PostgreSQL store's schema, as ordered migrations applied at start-up (postgres-store.ts
 * records each in schema_migrations). A migration that has been applied anywhere is never edited:
 * a change is a new migration with the next version. Each runs in one transaction with the
 * store's schema as search_path, so the SQL names tables without a schema.
 *
 * Values are `json`, not `jsonb`: json keeps the exact text JavaScript wrote, and jsonb cannot hold
 * a string with U+0000 or an unpaired surrogate, both of which a citizen can type. Cast to jsonb
 * in ad-hoc queries when needed.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents, logs and leases',
    sql: `
      create table documents (
        collection text not null,
        key text not null,
        value json not null,
        updated_at timestamptz not null default now(),
        primary key (collection, key)
      );
      create table logs (
        name text not null,
        id bigserial,
        at timestamptz,
        record json not null,
        primary key (name, id)
      );
      -- LogStore.between: one log's records in a time range, in time order, without a sort.
      create index logs_name_at on logs (name, at, id);
      create table leases (
        name text primary key,
        holder text not null,
        until timestamptz not null
      );
    `,
  },
  {
    version: 2,
    name: 'tallies',
    sql: `
      -- TallyStore: running totals, one row per counter; adding is an upsert that increments n.
      create table tallies (
        name text not null,
        bucket text not null,
        key text not null,
        n bigint not null,
        primary key (name, bucket, key)
      );
    `,
  },
  {
    version: 3,
    name: 'document versions',
    // DocumentStore.commit: a conditional update on the version read replaces a lock per message.
    sql: `alter table documents add column version bigint not null default 1;`,
  },
  {
    version: 4,
    name: 'document changes',
    // DocumentStore.commit with a change (a chat message) adds the change here and raises the
    // document's version, instead of rewriting (and compressing) the whole document; a document's
    // value is its row's value (written whole at version `base`) with its changes after `base`,
    // up to its version, applied in order. Every JOURNAL_LIMIT changes a commit writes the value
    // whole again and removes them (document-change.ts).
    sql: `
      alter table documents add column base bigint not null default 0;
      create table document_changes (
        collection text not null,
        key text not null,
        version bigint not null,
        change json not null,
        primary key (collection, key, version)
      );
    `,
  },
  {
    version: 5,
    name: 'lz4 compression',
    // Long values (a conversation written whole, a log record with the bot's replies) are
    // compressed with lz4 rather than pglz, which took ~10 % of PostgreSQL's CPU under chat load
    // (perf, docs/benchmarks.md). A server built without lz4 keeps pglz.
    sql: `
      do $$
      begin
        alter table documents alter column value set compression lz4;
        alter table document_changes alter column change set compression lz4;
        alter table logs alter column record set compression lz4;
      exception when feature_not_supported then
        raise notice 'lz4 is not available: values stay compressed with pglz';
      end $$;
    `,
  },
];
