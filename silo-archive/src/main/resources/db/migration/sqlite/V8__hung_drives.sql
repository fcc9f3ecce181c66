-- Silo archive catalog, version 8: hung drives (docs/archive.md, "Hung drives"). A request whose mover
-- stopped making progress is handed to another mover once; hangs counts how often it hung, so that a
-- second hang fails it (also after a restart) instead of handing it on for ever.
ALTER TABLE request ADD COLUMN hangs INTEGER NOT NULL DEFAULT 0;
