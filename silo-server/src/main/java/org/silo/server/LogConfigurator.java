package org.silo.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Silo's logging set-up, in code: to stderr, INFO for the server, the level in the system property
 * {@code silo.log} (client commands set WARN, so that only trouble shows), Netty at WARN. It was a
 * logback.xml; reading XML (Joran) took about a quarter of a short client command's start-up
 * (docs/benchmarks.md, "CLI start"). Found by logback through META-INF/services. It steps aside for
 * an XML configuration someone asks for, {@code -Dlogback.configurationFile=FILE}, and for the tests'
 * logback-test.xml. (Not for a logback.xml: a copy of the old one may linger in a target/classes that
 * was never cleaned.)
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = LogConfigurator.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        setUp(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** What logback.xml said: stderr, the pattern, root at silo.log (default INFO), Netty at WARN. */
    static void setUp(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> err = new ConsoleAppender<>();
        err.setContext(context);
        err.setName("ERR");
        err.setTarget("System.err");
        err.setEncoder(encoder);
        err.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty("silo.log"), Level.INFO));
        root.addAppender(err);
        context.getLogger("io.netty").setLevel(Level.WARN);
    }
}
