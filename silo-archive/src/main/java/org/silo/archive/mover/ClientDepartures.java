package org.silo.archive.mover;

import java.io.EOFException;
import java.io.IOException;
import org.silo.archive.ops.LibraryMessages.ClientGone;
import org.silo.archive.ops.LibraryMessages.Target;

/**
 * What a mover tells the library manager about a client it found gone (transfer_done's {@code gone}), so
 * that the client's request is cancelled, saying why, instead of failed: no one waits for it.
 */
final class ClientDepartures {
    private ClientDepartures() {}

    /** Nothing listens at the client's callback (or the way there is cut): the client is gone, and so are its other requests. */
    static ClientGone unreachable(Target t, IOException e) {
        return new ClientGone(
                t.request(), true, "the client at " + t.callback() + " cannot be reached: " + describe(e));
    }

    /** The client answered, but waits for no transfer with this token (it gave the request up, or restarted). */
    static ClientGone notWaiting(Target t, long job, String refused) {
        return new ClientGone(
                t.request(),
                false,
                "the client at " + t.callback() + " no longer waits for job " + job + ": " + refused);
    }

    /** The client's connection ended or broke in the middle of the transfer (it was stopped, or died). */
    static ClientGone wentAway(Target t, Exception e) {
        return new ClientGone(
                t.request(),
                false,
                "the client at " + t.callback() + " went away in the middle of the transfer (" + describe(e) + ")");
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e instanceof EOFException
                ? "its connection ended"
                : m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
