-- A volume's state changes in the order they happened, even within one millisecond: a per-volume
-- sequence number, set from the last one in the same transaction as the change.
ALTER TABLE volume_event ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
