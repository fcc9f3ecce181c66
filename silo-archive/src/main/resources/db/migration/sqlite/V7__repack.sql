-- Silo archive catalog, version 7: repack (docs/archive.md, "Repack"). A request of kind repack copies the
-- live members of a volume's containers into new containers on another volume, switches each member's
-- location, and frees the old containers. The container table (V6) already counts live members and bytes
-- and has the state freed; only the request table's kinds change. SQLite cannot change a CHECK, so the
-- table is rebuilt, with every column and index it had after V6.
CREATE TABLE request_v7 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          VARCHAR(8) NOT NULL CHECK (kind IN ('read', 'write', 'copy', 'verify', 'repack')),
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
    result        VARCHAR(2048),
    files         INTEGER NOT NULL DEFAULT 0
);
INSERT INTO request_v7 (id, kind, library, storage_group, file_family, volume, bfid, path, size, adler32, base_pri, admin_pri,
        state, mover, merged_into, callback, token, verify, avoid, owner, cookie, error, attempts, created_ms, updated_ms,
        target, copies, hash, parent, result, files)
    SELECT id, kind, library, storage_group, file_family, volume, bfid, path, size, adler32, base_pri, admin_pri,
        state, mover, merged_into, callback, token, verify, avoid, owner, cookie, error, attempts, created_ms, updated_ms,
        target, copies, hash, parent, result, files
    FROM request;
DROP TABLE request;
ALTER TABLE request_v7 RENAME TO request;
CREATE INDEX request_queue ON request (library, state, kind);
CREATE INDEX request_volume ON request (volume, state);
CREATE INDEX request_bfid ON request (bfid, state);
CREATE INDEX request_parent ON request (parent);
CREATE INDEX request_token ON request (token);
CREATE INDEX request_callback ON request (callback, state);
