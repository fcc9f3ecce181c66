package org.silo.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

/** The logging set-up in code says what the logback.xml it replaced said, and steps aside for a test's XML. */
class LogConfiguratorTest {

    private static LoggerContext setUp(String siloLog) {
        String old = System.getProperty("silo.log");
        if (siloLog == null) {
            System.clearProperty("silo.log");
        } else {
            System.setProperty("silo.log", siloLog);
        }
        try {
            LoggerContext context = new LoggerContext();
            LogConfigurator.setUp(context);
            return context;
        } finally {
            if (old == null) {
                System.clearProperty("silo.log");
            } else {
                System.setProperty("silo.log", old);
            }
        }
    }

    @Test
    void theServerLogsInfoToStderrInTheOldPattern() {
        LoggerContext context = setUp(null);
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        ConsoleAppender<?> err = (ConsoleAppender<?>) root.getAppender("ERR");
        assertThat(err.isStarted()).isTrue();
        assertThat(err.getTarget()).isEqualTo("System.err");
        assertThat(((PatternLayoutEncoder) err.getEncoder()).getPattern())
                .isEqualTo("%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n");
        context.stop();
    }

    @Test
    void clientCommandsSetTheLevelThroughSiloLog() {
        LoggerContext context = setUp("WARN");
        assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel())
                .isEqualTo(Level.WARN);
        context.stop();
    }

    @Test
    void aTestsLogbackXmlWins() {
        LoggerContext context = new LoggerContext();
        LogConfigurator c = new LogConfigurator();
        c.setContext(context);
        boolean testXml = LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null;
        assertThat(c.configure(context))
                .isEqualTo(
                        testXml
                                ? Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY
                                : Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        context.stop();
    }
}
