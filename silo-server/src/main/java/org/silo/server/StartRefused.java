package org.silo.server;

import java.io.IOException;

/**
 * The server would not start, for a reason a person can act on (another server on the data directory, a
 * port in use); its message is the whole story, said before anything was created.
 */
public final class StartRefused extends IOException {
    public StartRefused(String message) {
        super(message);
    }
}
