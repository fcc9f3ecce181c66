-- Silo archive catalog, version 9: what several servers on one catalog must agree on (docs/archive.md,
-- "Several servers on one catalog"). The two vendor folders are the same.

-- The lowest file number a volume's next file may take: raised in the transaction that records a file
-- (a whole file or a container), and handed to the mover with each writer binding, so that a writer
-- never starts below a file another server's mover has written. 0: not known (catalogs from before
-- version 9 until their next file is recorded); the mover then counts from what it lists on the volume.
ALTER TABLE volume ADD COLUMN next_file BIGINT NOT NULL DEFAULT 0;

-- Fair share among users: whose request was given out when, as a turn number shared by every server
-- (the owner served longest ago goes first among equals).
CREATE TABLE owner_turn (
    owner  VARCHAR(128) PRIMARY KEY,
    turn   BIGINT NOT NULL
);
