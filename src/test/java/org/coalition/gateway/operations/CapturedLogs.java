package org.coalition.gateway.operations;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;

/**
 * Every record the running gateway logs while installed, as the root handler sees it: level, category,
 * formatted message, MDC at the time of logging, and the whole stack trace with every cause's message.
 */
final class CapturedLogs extends Handler implements AutoCloseable {

    record Line(Level level, String category, String message, Map<String, String> mdc, String thrown) {

        /** Everything a log sink could be shown of this record. */
        String text() {
            return level + " " + category + " " + message + " " + mdc + (thrown.isEmpty() ? "" : "\n" + thrown);
        }
    }

    private final Queue<Line> lines = new ConcurrentLinkedQueue<>();
    private final Logger root = Logger.getLogger("");
    private final List<Logger> raised = new ArrayList<>();
    private final List<Level> previousLevels = new ArrayList<>();

    /** Captures from now on; the given categories log at DEBUG while captured. */
    static CapturedLogs install(String... debugCategories) {
        CapturedLogs logs = new CapturedLogs();
        logs.setLevel(Level.ALL);
        for (String category : debugCategories) {
            Logger logger = Logger.getLogger(category);
            logs.raised.add(logger);
            logs.previousLevels.add(logger.getLevel());
            logger.setLevel(org.jboss.logmanager.Level.DEBUG);
        }
        logs.root.addHandler(logs);
        return logs;
    }

    @Override
    public void publish(LogRecord record) {
        ExtLogRecord ext = ExtLogRecord.wrap(record);
        // The MDC is read now, on the thread and Vert.x context that logged.
        lines.add(new Line(record.getLevel(), String.valueOf(record.getLoggerName()), String.valueOf(ext.getFormattedMessage()),
                new java.util.HashMap<>(ext.getMdcCopy()), stackTrace(record.getThrown())));
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    private static String stackTrace(Throwable thrown) {
        if (thrown == null) {
            return "";
        }
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
        for (int i = 0; i < raised.size(); i++) {
            raised.get(i).setLevel(previousLevels.get(i));
        }
    }
}
