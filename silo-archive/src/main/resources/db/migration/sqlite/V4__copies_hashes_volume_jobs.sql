-- Silo archive catalog, version 4: copies of a file on other volumes, content hashes, and two more
-- kinds of request (copy a file to a volume, verify a volume). The two vendor folders differ in how
-- the request table takes its new kinds: SQLite cannot change a CHECK, so the table is rebuilt.

-- A copy is a bit file of its own (its own volume, cookie and bfid) naming its original, as Enstore's
-- file_copies_map does; only the original is in the namespace. NULL: an original.
ALTER TABLE bit_file ADD COLUMN original VARCHAR(32);
-- 'md5:HEX' or 'sha256:HEX' for files put with --hash (seed 004 names files by content).
ALTER TABLE bit_file ADD COLUMN hash VARCHAR(80);
CREATE INDEX bit_file_original ON bit_file (original);
CREATE INDEX bit_file_hash ON bit_file (hash);

-- kind copy: bfid's file from volume to target (chosen when bound unless given);
-- kind verify: every live file of volume read and checked.
-- copies: a write's number of copies (its copy requests name it in parent); hash: the algorithm a write
-- asks for, then 'ALG:HEX' once written; result: what a finished copy or verify found.
CREATE TABLE request_v4 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          VARCHAR(8) NOT NULL CHECK (kind IN ('read', 'write', 'copy', 'verify')),
    library       VARCHAR(64) NOT NULL,
    storage_group VARCHAR(64) NOT NULL,
    file_family   VARCHAR(64) NOT NULL,
    volume        VARCHAR(64),
    bfid          VARCHAR(32),
    path          VARCHAR(4096) NOT NULL,
    size          BIGINT NOT NULL,
    adler32       CHAR(8),
    base_pri      INTEGER NOT NULL,
    admin_pri     INTEGER,
    state         VARCHAR(16) NOT NULL,
    mover         VARCHAR(64),
    merged_into   BIGINT,
    callback      VARCHAR(256) NOT NULL,
    token         VARCHAR(64) NOT NULL,
    verify        INTEGER NOT NULL DEFAULT 0,
    avoid         VARCHAR(1024) NOT NULL DEFAULT '',
    owner         VARCHAR(128) NOT NULL,
    cookie        VARCHAR(64),
    error         VARCHAR(2048),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_ms    BIGINT NOT NULL,
    updated_ms    BIGINT NOT NULL,
    target        VARCHAR(64),
    copies        INTEGER NOT NULL DEFAULT 1,
    hash          VARCHAR(80),
    parent        BIGINT,
    result        VARCHAR(2048)
);
INSERT INTO request_v4 (id, kind, library, storage_group, file_family, volume, bfid, path, size, adler32, base_pri, admin_pri,
        state, mover, merged_into, callback, token, verify, avoid, owner, cookie, error, attempts, created_ms, updated_ms)
    SELECT id, kind, library, storage_group, file_family, volume, bfid, path, size, adler32, base_pri, admin_pri,
        state, mover, merged_into, callback, token, verify, avoid, owner, cookie, error, attempts, created_ms, updated_ms
    FROM request;
DROP TABLE request;
ALTER TABLE request_v4 RENAME TO request;
CREATE INDEX request_queue ON request (library, state, kind);
CREATE INDEX request_volume ON request (volume, state);
CREATE INDEX request_bfid ON request (bfid, state);
CREATE INDEX request_parent ON request (parent);
