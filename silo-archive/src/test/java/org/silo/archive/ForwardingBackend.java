package org.silo.archive;

import java.io.InputStream;
import java.util.List;
import org.silo.archive.volume.Backend;
import org.silo.wire.SiloException;

/** A volume backend that passes every call to another: tests override the calls they watch or break. */
class ForwardingBackend implements Backend {
    protected final Backend b;

    ForwardingBackend(Backend b) {
        this.b = b;
    }

    @Override
    public String append(byte[] data) throws SiloException {
        return b.append(data);
    }

    @Override
    public String append(InputStream in, long size, BeforeCommit beforeCommit) throws SiloException {
        return b.append(in, size, beforeCommit);
    }

    @Override
    public NewFile create() throws SiloException {
        return b.create();
    }

    @Override
    public InputStream open(String cookie) throws SiloException {
        return b.open(cookie);
    }

    @Override
    public void delete(String cookie) throws SiloException {
        b.delete(cookie);
    }

    @Override
    public List<Long> fileNumbers() throws SiloException {
        return b.fileNumbers();
    }

    @Override
    public void check() throws SiloException {
        b.check();
    }

    @Override
    public void startWriter(long nextFile) {
        b.startWriter(nextFile);
    }

    @Override
    public String uri() {
        return b.uri();
    }

    @Override
    public long freeBytes() {
        return b.freeBytes();
    }

    @Override
    public void close() {
        b.close();
    }

    /** A new file whose bytes go to {@code out} (a test's stream that watches or breaks them); the rest is {@code f}'s. */
    static NewFile writingTo(NewFile f, java.io.OutputStream out) {
        return new NewFile() {
            @Override
            public java.io.OutputStream out() {
                return out;
            }

            @Override
            public String cookie() {
                return f.cookie();
            }

            @Override
            public void rewind(long position) throws java.io.IOException {
                f.rewind(position);
            }

            @Override
            public void commit(BeforeCommit check) throws SiloException {
                f.commit(check);
            }

            @Override
            public void close() {
                f.close();
            }
        };
    }
}
