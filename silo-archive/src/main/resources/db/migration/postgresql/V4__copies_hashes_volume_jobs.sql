-- Silo archive catalog, version 4: copies of a file on other volumes, content hashes, and two more
-- kinds of request (copy a file to a volume, verify a volume). See the sqlite folder for the comments;
-- here the request table's CHECK is replaced instead of rebuilding the table.
ALTER TABLE bit_file ADD COLUMN original VARCHAR(32);
ALTER TABLE bit_file ADD COLUMN hash VARCHAR(80);
CREATE INDEX bit_file_original ON bit_file (original);
CREATE INDEX bit_file_hash ON bit_file (hash);

ALTER TABLE request DROP CONSTRAINT request_kind_check;
ALTER TABLE request ADD CONSTRAINT request_kind_check CHECK (kind IN ('read', 'write', 'copy', 'verify'));
ALTER TABLE request ADD COLUMN target VARCHAR(64);
ALTER TABLE request ADD COLUMN copies INTEGER NOT NULL DEFAULT 1;
ALTER TABLE request ADD COLUMN hash VARCHAR(80);
ALTER TABLE request ADD COLUMN parent BIGINT;
ALTER TABLE request ADD COLUMN result VARCHAR(2048);
CREATE INDEX request_parent ON request (parent);
