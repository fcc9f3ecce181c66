-- Silo archive catalog, version 12: snapshots of the block service's images (docs/block.md, "Snapshots").
-- One row per snapshot, numbered 1, 2, 3... per image. Each is one archive file (path); an incremental one
-- names its parent by uid, and a full one has parent NULL. Thinning rewrites a child's row in the same
-- transaction that deletes the merged snapshot's, so the chain is whole at every commit.
CREATE TABLE block_snapshot (
    image       VARCHAR(256) NOT NULL,
    number      BIGINT NOT NULL,
    uid         VARCHAR(36) NOT NULL UNIQUE,
    parent      VARCHAR(36),
    path        VARCHAR(4096) NOT NULL,
    taken_ms    BIGINT NOT NULL,
    took_ms     BIGINT NOT NULL,
    image_size  BIGINT NOT NULL,
    stored      BIGINT NOT NULL,
    data_bytes  BIGINT NOT NULL,
    PRIMARY KEY (image, number)
);
