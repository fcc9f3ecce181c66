package org.silo.archive;

/** The queue suite on SQLite in the data directory. */
class SqliteQueueTest extends QueueContract {
    @Override
    String freshCatalog() {
        return null;
    }
}
