-- Silo archive catalog, version 2: the library manager's request queue and its movers (archive part 2).
-- The placeholder tables of version 1 were never used; they are replaced. The two vendor folders differ
-- only in the identity column.
DROP TABLE request;
DROP TABLE mover;

-- A mover: its persistent id (kept on its host), the name an administrator gave it, what it serves,
-- its last known state and binding, and its statistics.
CREATE TABLE mover (
    id           VARCHAR(64) PRIMARY KEY,
    name         VARCHAR(128) NOT NULL UNIQUE,
    library      VARCHAR(64) NOT NULL,
    media_types  VARCHAR(256) NOT NULL,
    host         VARCHAR(256) NOT NULL,
    state        VARCHAR(16) NOT NULL,
    volume       VARCHAR(64),
    bytes        BIGINT NOT NULL DEFAULT 0,
    files        BIGINT NOT NULL DEFAULT 0,
    errors       BIGINT NOT NULL DEFAULT 0,
    mounts       BIGINT NOT NULL DEFAULT 0,
    created_ms   BIGINT NOT NULL,
    seen_ms      BIGINT NOT NULL
);

-- The queue: write_to_hsm and read_from_hsm requests. state: queued, active (given to a mover), done,
-- failed, cancelled. A read merged into another (same bit file, both queued) names it in merged_into
-- and is given to the same mover at the same time.
CREATE TABLE request (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          VARCHAR(8) NOT NULL CHECK (kind IN ('read', 'write')),
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
    updated_ms    BIGINT NOT NULL
);
CREATE INDEX request_queue ON request (library, state, kind);
CREATE INDEX request_volume ON request (volume, state);
CREATE INDEX request_bfid ON request (bfid, state);

-- The media changer of each library: 'none' (dir and S3 volumes are always there) or 'command:PROGRAM'
-- (run as PROGRAM mount|dismount VOLUME DRIVE).
ALTER TABLE library ADD COLUMN changer VARCHAR(1024) NOT NULL DEFAULT 'none';
