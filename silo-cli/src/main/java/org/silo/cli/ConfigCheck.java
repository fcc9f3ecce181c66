package org.silo.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.silo.archive.catalog.Catalog;
import org.silo.server.Version;
import org.silo.server.config.ConfigReader;
import org.silo.server.config.SiloConfig;

/**
 * What {@code silo server --check-config} prints (docs/configuration.md, "Checking a configuration"): on
 * standard error each renamed key and each problem, one a line; on standard output, if there is no
 * problem, the whole configuration a start would use, as a file {@code --config} reads, each value not a
 * default preceded by where it came from. Nothing is started, bound or created.
 */
final class ConfigCheck {
    private ConfigCheck() {}

    /** Prints the report; the exit status: 0 valid (warnings or not), 1 not. */
    static int print(ConfigReader.Report report, Path file, PrintStream out, PrintStream err) {
        report.warnings().forEach(w -> err.println("silo: warning: " + w));
        report.problems().forEach(p -> err.println("silo: " + p));
        if (!report.problems().isEmpty()) {
            int n = report.problems().size();
            err.println("silo: the configuration has " + n + " problem" + (n == 1 ? "" : "s")
                    + "; a start would be refused");
            return Failures.FAILED;
        }
        SiloConfig c = report.config();
        out.println("# silo " + Version.VERSION
                + ": this configuration is valid; the settings a start would use, from the defaults"
                + (file == null ? "" : ", " + file) + " and the command line");
        for (String key : c.keys()) {
            String origin = c.origin(key);
            if (!origin.equals("the defaults")) {
                out.println("# from " + origin);
            }
            String value = key.equals("catalog") ? Catalog.redact(c.get(key)) : c.get(key);
            out.println(key + " =" + (value.isEmpty() ? "" : " " + value));
        }
        out.flush();
        return 0;
    }
}
