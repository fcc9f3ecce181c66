-- Silo archive catalog, version 7: repack (docs/archive.md, "Repack"). See the sqlite folder for the
-- comments; here the request table's CHECK is replaced instead of rebuilding the table.
ALTER TABLE request DROP CONSTRAINT request_kind_check;
ALTER TABLE request ADD CONSTRAINT request_kind_check CHECK (kind IN ('read', 'write', 'copy', 'verify', 'repack'));
