-- Silo archive catalog, version 6: containers of small files (aggregation) and requests that carry
-- many files (put -r and get -r as batches). The two vendor folders are the same.

-- A container: one file of a volume holding many small files as tar members (docs/archive.md,
-- "Containers"). Its members are bit files whose container column names it; deleting a member
-- only lowers live_members and live_bytes, and repack frees containers with little left alive.
-- state: active (its bytes are on the volume), freed (repacked or emptied: its bytes were removed).
CREATE TABLE container (
    volume        VARCHAR(64) NOT NULL,
    cookie        VARCHAR(64) NOT NULL,
    size          BIGINT NOT NULL CHECK (size >= 0),
    members       INTEGER NOT NULL,
    member_bytes  BIGINT NOT NULL,
    live_members  INTEGER NOT NULL,
    live_bytes    BIGINT NOT NULL,
    state         VARCHAR(16) NOT NULL,
    created_ms    BIGINT NOT NULL,
    PRIMARY KEY (volume, cookie)
);
CREATE INDEX container_state ON container (volume, state);

-- The container (its cookie, on the bit file's volume) a file is a member of; NULL: a file of its own.
ALTER TABLE bit_file ADD COLUMN container VARCHAR(64);
CREATE INDEX bit_file_container ON bit_file (volume, container);

-- The files of a request that carries more than one (files > 0): a write's paths and sizes in the order
-- the client sends them, a read's bit files in the order the mover reads them. state: queued, done,
-- failed, cancelled.
CREATE TABLE request_file (
    request   BIGINT NOT NULL,
    idx       INTEGER NOT NULL,
    path      VARCHAR(4096) NOT NULL,
    size      BIGINT NOT NULL,
    state     VARCHAR(16) NOT NULL,
    bfid      VARCHAR(32),
    cookie    VARCHAR(64),
    adler32   CHAR(8),
    error     VARCHAR(2048),
    PRIMARY KEY (request, idx)
);
CREATE INDEX request_file_path ON request_file (path, state);
ALTER TABLE request ADD COLUMN files INTEGER NOT NULL DEFAULT 0;
