package org.silo.archive.volume;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** At most {@code length} bytes of another stream: a container member's range, never the bytes after it. */
final class RangeInputStream extends FilterInputStream {
    private long left;

    RangeInputStream(InputStream in, long length) {
        super(in);
        this.left = length;
    }

    @Override
    public int read() throws IOException {
        if (left <= 0) {
            return -1;
        }
        int b = super.read();
        if (b >= 0) {
            left--;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
            return -1;
        }
        int r = super.read(b, off, (int) Math.min(len, left));
        if (r > 0) {
            left -= r;
        }
        return r;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(Math.min(n, left));
        left -= s;
        return s;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(super.available(), left);
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
