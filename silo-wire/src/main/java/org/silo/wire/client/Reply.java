package org.silo.wire.client;

import java.util.List;
import org.silo.wire.codec.Result;

/**
 * The answer to one message: a result per operation run, and how the call went.
 *
 * @param transmissions how many times the request was sent (1 = no retransmission)
 * @param elapsedNanos  from the first transmission to the answer
 * @param overTcp       whether the answer came over TCP
 */
public record Reply(List<Result> results, int transmissions, long elapsedNanos, boolean overTcp) {}
