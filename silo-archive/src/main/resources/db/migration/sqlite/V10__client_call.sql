-- Silo archive catalog, version 10: the record of mutating calls by client and request id (docs/archive.md,
-- "At most once across servers"). A mutating call's outcome is written in the same transaction as its
-- effect, so a repeat of the call on any server that shares the catalog (the client moved there after the
-- first server died before answering) is answered from here and does not run again. Rows go when the
-- client's session ends with END, or after a day.
CREATE TABLE client_call (
    client_id   BIGINT NOT NULL,        -- the client incarnation's id from START (docs/protocol.md §4)
    request_id  BIGINT NOT NULL,        -- the message's request id
    seq         INTEGER NOT NULL,       -- which recorded operation of the message, from 0
    op          INTEGER NOT NULL,       -- its operation code
    request_crc BIGINT NOT NULL,        -- CRC32C of its request data: a repeat must be the same call
    by_user     VARCHAR(128) NOT NULL,  -- the session's user: another may not read the outcome
    outcome     BLOB NOT NULL,        -- the encoded reply data
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (client_id, request_id, seq)
) WITHOUT ROWID;
-- No index on created_ms: each call writes one row, and one B-tree (WITHOUT ROWID: the key is the table) is
-- what it costs; the purge of rows older than a day scans the table every ten minutes, and rows of clients
-- that end their session go at once.
