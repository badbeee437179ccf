-- oopsy trace database, schema version 1 (meta 'schema_version').
--
-- Storage (measured by bench/trace.py; the byte budget is 16 bytes per step):
-- * integers everywhere: 64-bit values, addresses and ips are stored as SQLite's signed
--   64-bit integers (two's complement), so `WHERE value = 0xaaaaaaaaaaaaaaaa` works
--   (SQLite reads a hex literal as the same two's complement) and
--   printf('0x%016x', value) prints them; registers and writer kinds are small integer
--   ids, named by the views;
-- * steps are not stored one row each: `runs` holds one row per control-flow
--   discontinuity (a taken branch, an interruption); the steps in between are the
--   following slots (an MLX bundle has two, `bundles.last_slot`). `skipped` lists the
--   steps whose qualifying predicate was false. The `steps` view expands them;
-- * the write tables are clustered on their lookup key (WITHOUT ROWID), so "the last
--   writer of X before step N" is one B-tree descent and there is no second index.
-- Step -1 holds the state before the first instruction: the loader's and the emulated
-- kernel's memory writes and every non-zero register.

CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;

-- The executed image itself (so a trace replays without the original file).
CREATE TABLE image (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, data BLOB NOT NULL) WITHOUT ROWID;

CREATE TABLE registers (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE writer_kinds (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);

-- One row per translated bundle: its last slot (1 for MLX, else 2) and the
-- instruction text of each slot, as objdump prints it.
CREATE TABLE bundles (ip INTEGER PRIMARY KEY, last_slot INTEGER NOT NULL,
                      slot0 TEXT, slot1 TEXT, slot2 TEXT);

-- A run starts at `step` at (ip, slot) and continues slot by slot until the next run.
CREATE TABLE runs (step INTEGER PRIMARY KEY, ip INTEGER NOT NULL, slot INTEGER NOT NULL);
CREATE TABLE skipped (step INTEGER PRIMARY KEY);  -- qualifying predicate false

CREATE TABLE reg_write (reg INTEGER NOT NULL, step INTEGER NOT NULL, value INTEGER NOT NULL,
                        nat INTEGER NOT NULL, PRIMARY KEY (reg, step)) WITHOUT ROWID;
CREATE TABLE mem_write (addr INTEGER NOT NULL, step INTEGER NOT NULL, kind INTEGER NOT NULL,
                        size INTEGER NOT NULL, value INTEGER NOT NULL,
                        PRIMARY KEY (addr, step, kind)) WITHOUT ROWID;

CREATE TABLE events (id INTEGER PRIMARY KEY, step INTEGER NOT NULL, kind TEXT NOT NULL,
                     detail TEXT NOT NULL);  -- detail is JSON

-- Full machine state every `checkpoint_interval` steps, taken before the step runs:
-- a zlib-compressed blob (JSON header: registers, RSE, page permissions, emulated
-- kernel; then the non-zero pages) and Machine.state_hash() of that state.
CREATE TABLE checkpoints (step INTEGER PRIMARY KEY, hash TEXT NOT NULL, state BLOB NOT NULL);

-- Provenance hops found by `oopsy why` (one chain per query), walked by origin_of.
CREATE TABLE provenance (step INTEGER NOT NULL, location TEXT NOT NULL, value INTEGER,
                         how TEXT NOT NULL, source_step INTEGER, source_location TEXT,
                         PRIMARY KEY (step, location)) WITHOUT ROWID;

-- ------------------------------------------------------------------ views --------

CREATE VIEW reg_writes AS
    SELECT w.step, r.name AS reg, w.value, w.nat
    FROM reg_write AS w JOIN registers AS r ON r.id = w.reg;

CREATE VIEW mem_writes AS
    SELECT w.step, w.addr, w.size, w.value, k.name AS kind
    FROM mem_write AS w JOIN writer_kinds AS k ON k.id = w.kind;

-- Every step: (step, ip, slot, qp). It expands every run (a recursive CTE the
-- planner cannot bound): fine for traces of up to ~10^5 steps. On a big trace ask
-- `runs` directly: SELECT * FROM runs WHERE step <= N ORDER BY step DESC LIMIT 1
-- gives the run holding step N (N - step slots further on), or use `oopsy replay`.
CREATE VIEW steps AS
    WITH RECURSIVE
    bounds(step, ip, slot, stop) AS (
        SELECT step, ip, slot,
               coalesce(lead(step) OVER (ORDER BY step),
                        (SELECT value FROM meta WHERE key = 'steps')) - 1
        FROM runs),
    s(step, ip, slot, stop) AS (
        SELECT step, ip, slot, stop FROM bounds
        UNION ALL
        SELECT s.step + 1,
               CASE WHEN s.slot >= coalesce(b.last_slot, 2) THEN s.ip + 16 ELSE s.ip END,
               CASE WHEN s.slot >= coalesce(b.last_slot, 2) THEN 0 ELSE s.slot + 1 END,
               s.stop
        FROM s LEFT JOIN bundles AS b ON b.ip = s.ip
        WHERE s.step < s.stop)
    SELECT s.step, s.ip, s.slot, (k.step IS NULL) AS qp
    FROM s LEFT JOIN skipped AS k ON k.step = s.step
    ORDER BY s.step;

-- Live ranges: each write with `until`, the step of the next write of the same
-- location (1 << 62 if none). "Who last wrote r14 before step N" is one key lookup:
--   SELECT * FROM last_writer WHERE reg = 'r14' AND step < N ORDER BY step DESC LIMIT 1;
-- (`until` is computed only for the rows a query returns). Stacked registers are
-- named as in the frame current at the write; `oopsy why` follows them across calls,
-- returns and the backing store by their slot.
CREATE VIEW last_writer AS
    SELECT r.name AS reg, w.step,
           coalesce((SELECT min(n.step) FROM reg_write AS n WHERE n.reg = w.reg AND n.step > w.step),
                    1 << 62) AS until,
           w.value, w.nat
    FROM reg_write AS w JOIN registers AS r ON r.id = w.reg;

-- The same for memory, per written address (rse_fill rows are reads: left out):
--   SELECT * FROM last_mem_writer WHERE addr = 0x... AND step < N ORDER BY step DESC LIMIT 1;
CREATE VIEW last_mem_writer AS
    SELECT w.addr, w.step,
           coalesce((SELECT min(n.step) FROM mem_write AS n
                     WHERE n.addr = w.addr AND n.step > w.step AND n.kind <> 2), 1 << 62) AS until,
           w.size, w.value, k.name AS kind
    FROM mem_write AS w JOIN writer_kinds AS k ON k.id = w.kind
    WHERE w.kind <> 2;

-- The first step each value was written to memory, and where:
--   SELECT * FROM first_pattern WHERE value = 0xaaaaaaaaaaaaaaaa;
CREATE VIEW first_pattern AS
    SELECT w.value, min(w.step) AS step, w.addr, w.size, k.name AS kind
    FROM mem_write AS w JOIN writer_kinds AS k ON k.id = w.kind
    WHERE k.name <> 'rse_fill'
    GROUP BY w.value;

-- Where a value came from, hop by hop, for every chain `oopsy why` explained:
--   SELECT * FROM origin_of WHERE start_step = 57 AND start_location = 'r18' ORDER BY hop;
CREATE VIEW origin_of AS
    WITH RECURSIVE walk(start_step, start_location, hop, step, location, value, how,
                        source_step, source_location) AS (
        SELECT step, location, 0, step, location, value, how, source_step, source_location
        FROM provenance
        UNION ALL
        SELECT w.start_step, w.start_location, w.hop + 1, p.step, p.location, p.value, p.how,
               p.source_step, p.source_location
        FROM walk AS w JOIN provenance AS p
             ON p.step = w.source_step AND p.location = w.source_location)
    SELECT * FROM walk;
