package org.silo.files.server;

import org.silo.wire.SiloException;

/** Something opened by name: a block image, an archived file, a URL, an application's answer. */
interface OpenObject extends AutoCloseable {

    long size() throws SiloException;

    /** Up to {@code length} bytes from {@code offset}; fewer at the end, none at or past it. */
    byte[] read(long offset, int length) throws SiloException;

    int write(long offset, byte[] data) throws SiloException;

    boolean writable();

    long modifiedMillis();

    int nameType();

    @Override
    void close();
}
