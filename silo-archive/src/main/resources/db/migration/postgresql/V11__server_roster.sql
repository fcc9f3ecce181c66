-- Silo archive catalog, version 11: the servers that share this catalog (docs/architecture.md, "Cluster").
-- One row per server, by the address clients reach it at: written when it starts, its seen_ms moved on
-- every heartbeat, stopped_ms set when it stops cleanly. A server killed keeps its row with stopped_ms
-- NULL and a seen_ms that no longer moves: status calls it silent.
CREATE TABLE server (
    address     VARCHAR(256) PRIMARY KEY,
    name        VARCHAR(128) NOT NULL,
    version     VARCHAR(64) NOT NULL,
    host        VARCHAR(256) NOT NULL,
    pid         BIGINT NOT NULL,
    started_ms  BIGINT NOT NULL,
    seen_ms     BIGINT NOT NULL,
    stopped_ms  BIGINT
);

-- Which server a mover is connected to (the address of its row in server), as of its last registration.
ALTER TABLE mover ADD COLUMN server VARCHAR(256);
