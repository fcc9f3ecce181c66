-- Silo archive catalog, version 1. The two vendor folders differ only in the identity columns.
CREATE TABLE library (
    name        VARCHAR(64) PRIMARY KEY,
    created_ms  BIGINT NOT NULL
);

-- File family: how many of its volumes may be written at once (Enstore's file family width).
CREATE TABLE file_family (
    name   VARCHAR(64) PRIMARY KEY,
    width  INTEGER NOT NULL DEFAULT 1 CHECK (width >= 1)
);

-- Storage group quota: how many volumes of one library a storage group may hold (NULL: no limit).
CREATE TABLE sg_quota (
    library        VARCHAR(64) NOT NULL REFERENCES library(name),
    storage_group  VARCHAR(64) NOT NULL,
    max_volumes    INTEGER NOT NULL CHECK (max_volumes >= 0),
    PRIMARY KEY (library, storage_group)
);

CREATE TABLE volume (
    label           VARCHAR(64) PRIMARY KEY,
    library         VARCHAR(64) NOT NULL REFERENCES library(name),
    media_type      VARCHAR(32) NOT NULL,
    backend         VARCHAR(1024) NOT NULL,
    capacity        BIGINT NOT NULL CHECK (capacity >= 0),
    remaining       BIGINT NOT NULL CHECK (remaining >= 0),
    storage_group   VARCHAR(64) NOT NULL,
    file_family     VARCHAR(64) NOT NULL,
    state           VARCHAR(16) NOT NULL,
    state_by        VARCHAR(128) NOT NULL,
    state_reason    VARCHAR(1024) NOT NULL,
    state_ms        BIGINT NOT NULL,
    writing         VARCHAR(128),
    mounts          BIGINT NOT NULL DEFAULT 0,
    read_errors     BIGINT NOT NULL DEFAULT 0,
    write_errors    BIGINT NOT NULL DEFAULT 0,
    files           BIGINT NOT NULL DEFAULT 0,
    bytes_read      BIGINT NOT NULL DEFAULT 0,
    created_ms      BIGINT NOT NULL,
    last_access_ms  BIGINT NOT NULL
);
CREATE INDEX volume_select ON volume (library, storage_group, file_family, state);

-- Failures of a volume, by mover: three different movers since the volume was last set ok make it
-- noaccess (suspect volume).
CREATE TABLE volume_error (
    label   VARCHAR(64) NOT NULL REFERENCES volume(label) ON DELETE CASCADE,
    mover   VARCHAR(128) NOT NULL,
    reason  VARCHAR(1024) NOT NULL,
    at_ms   BIGINT NOT NULL
);
CREATE INDEX volume_error_label ON volume_error (label);

-- Every state change, who made it and why.
CREATE TABLE volume_event (
    label       VARCHAR(64) NOT NULL REFERENCES volume(label) ON DELETE CASCADE,
    from_state  VARCHAR(16),
    to_state    VARCHAR(16) NOT NULL,
    by_whom     VARCHAR(128) NOT NULL,
    reason      VARCHAR(1024) NOT NULL,
    at_ms       BIGINT NOT NULL
);
CREATE INDEX volume_event_label ON volume_event (label);

CREATE TABLE bit_file (
    bfid         VARCHAR(32) PRIMARY KEY,
    volume       VARCHAR(64) NOT NULL, -- no foreign key: a file record outlives a deleted volume
    cookie       VARCHAR(64) NOT NULL,
    size         BIGINT NOT NULL CHECK (size >= 0),
    adler32      CHAR(8) NOT NULL,
    path         VARCHAR(4096) NOT NULL,
    owner        VARCHAR(128) NOT NULL,
    state        VARCHAR(16) NOT NULL,
    client_req   VARCHAR(128) UNIQUE,
    created_ms   BIGINT NOT NULL,
    updated_ms   BIGINT NOT NULL,
    UNIQUE (volume, cookie)
);
CREATE INDEX bit_file_volume ON bit_file (volume, state);
CREATE INDEX bit_file_path ON bit_file (path);

-- Namespace: a tree of entries; a file entry points at its bit file. Entry 1 is the root '/'.
CREATE TABLE ns_entry (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id   BIGINT REFERENCES ns_entry(id),
    name        VARCHAR(255) NOT NULL,
    kind        CHAR(1) NOT NULL CHECK (kind IN ('d', 'f')),
    bfid        VARCHAR(32) REFERENCES bit_file(bfid),
    owner       VARCHAR(128) NOT NULL,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    UNIQUE (parent_id, name)
);
INSERT INTO ns_entry (parent_id, name, kind, owner, created_ms, modified_ms) VALUES (NULL, '', 'd', 'root', 0, 0);

-- For the library manager (archive part 2): its request queue and its movers.
CREATE TABLE mover (
    name        VARCHAR(128) PRIMARY KEY,
    library     VARCHAR(64) NOT NULL REFERENCES library(name),
    address     VARCHAR(256) NOT NULL,
    state       VARCHAR(16) NOT NULL,
    volume      VARCHAR(64) REFERENCES volume(label),
    updated_ms  BIGINT NOT NULL
);

CREATE TABLE request (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        VARCHAR(8) NOT NULL CHECK (kind IN ('read', 'write')),
    library     VARCHAR(64) NOT NULL REFERENCES library(name),
    bfid        VARCHAR(32) REFERENCES bit_file(bfid),
    path        VARCHAR(4096) NOT NULL,
    priority    INTEGER NOT NULL DEFAULT 0,
    state       VARCHAR(16) NOT NULL,
    mover       VARCHAR(128) REFERENCES mover(name),
    client      VARCHAR(256) NOT NULL,
    created_ms  BIGINT NOT NULL,
    updated_ms  BIGINT NOT NULL
);
CREATE INDEX request_queue ON request (library, state, priority);
