package org.iteralign.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The run's SQLite database ({@code run.db}). One connection, every write committed at once (WAL), and all
 * access serialised: backends report finished calls from many threads, and a process killed at any moment
 * must find every finished row on disk and no half-written one.
 */
public final class RunStore implements AutoCloseable {
    /** Reads one row of a result set. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private final Connection connection;

    private RunStore(Connection connection) {
        this.connection = connection;
    }

    public static RunStore open(Path dbFile) {
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=10000");
                for (String sql : schema().split(";\\s*\\n")) {
                    if (!sql.isBlank()) s.execute(sql);
                }
            }
            return new RunStore(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open " + dbFile + ": " + e.getMessage(), e);
        }
    }

    private static String schema() {
        try (InputStream in = RunStore.class.getResourceAsStream("schema.sql")) {
            if (in == null) throw new IllegalStateException("schema.sql missing from the classpath");
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.replaceAll("--[^\\n]*", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized int update(String sql, Object... args) {
        try (PreparedStatement ps = prepare(sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw StoreException.inStatement(sql, e);
        }
    }

    public synchronized <T> List<T> query(String sql, RowReader<T> reader, Object... args) {
        try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) out.add(reader.read(rs));
            return out;
        } catch (SQLException e) {
            throw StoreException.inStatement(sql, e);
        }
    }

    public <T> Optional<T> queryOne(String sql, RowReader<T> reader, Object... args) {
        List<T> rows = query(sql, reader, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
    }

    public long count(String sql, Object... args) {
        return queryOne(sql, r -> r.getLong(1), args).orElse(0L);
    }

    /** Runs {@code work} in one transaction: all of its writes land, or none do. */
    public synchronized void transaction(Runnable work) {
        try {
            connection.setAutoCommit(false);
            try {
                work.run();
                connection.commit();
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw StoreException.inStatement("transaction", e);
        }
    }

    public Optional<String> meta(String key) {
        return queryOne("SELECT value FROM meta WHERE key = ?", r -> r.getString(1), key);
    }

    public void putMeta(String key, String value) {
        update("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
    }

    public boolean stageDone(int iteration, String stage) {
        return count("SELECT COUNT(*) FROM stages WHERE iteration = ? AND stage = ?", iteration, stage) > 0;
    }

    public void markStageDone(int iteration, String stage) {
        update("INSERT OR IGNORE INTO stages(iteration, stage, finished_at) VALUES (?, ?, ?)",
                iteration, stage, Instant.now().toString());
    }

    public void increment(String counter, long by) {
        update("INSERT INTO counters(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
                counter, by);
    }

    public long counter(String name) {
        return count("SELECT value FROM counters WHERE name = ?", name);
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
        return ps;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw StoreException.inStatement("close", e);
        }
    }
}
