package dev.recograph.neo4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A Neo4j Community DBMS embedded in this JVM with its Bolt connector on loopback, auth on: the
 * test and development server of recograph (never part of the product: Neo4j Community is GPLv3).
 *
 * <p>Usage: {@code TestServer [--port N] [--data DIR] [--password P] [--page-cache SIZE]}. Once
 * Bolt accepts connections it prints one line, {@code NEO4J_URI=… NEO4J_USER=… NEO4J_PASSWORD=…},
 * and runs until SIGTERM or SIGINT, when it shuts the DBMS down (and deletes a temporary store).
 */
public final class TestServer {
    private static final String USER = "neo4j";

    private TestServer() {}

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Path home = options.data != null ? Path.of(options.data).toAbsolutePath() : Files.createTempDirectory("recograph-neo4j-");
        boolean temporary = options.data == null;

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", options.port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(options.pageCache))
                // Tests erase and re-seed constantly; keep the transaction log small.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 files")
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            if (temporary) deleteRecursively(home);
            stopped.countDown();
        }, "recograph-neo4j-shutdown"));

        // The system database gives the built-in user its password without the change-on-first-login step.
        dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
                .executeTransactionally("ALTER USER " + USER + " SET PASSWORD $password CHANGE NOT REQUIRED",
                        Map.of("password", options.password));

        GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        int port = db.getDependencyResolver().resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT).getPort();
        System.out.println("NEO4J_URI=bolt://127.0.0.1:" + port + " NEO4J_USER=" + USER + " NEO4J_PASSWORD=" + options.password);
        System.out.flush();
        stopped.await();
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Options(int port, String data, String password, String pageCache) {
        static Options parse(String[] args) {
            int port = 7687;
            String data = null;
            String password = "recograph-test";
            String pageCache = "256m";
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) throw usage("missing value after " + flag);
                String value = args[++i];
                switch (flag) {
                    case "--port" -> port = Integer.parseInt(value);
                    case "--data" -> data = value;
                    case "--password" -> password = value;
                    case "--page-cache" -> pageCache = value;
                    default -> throw usage("unknown option " + flag);
                }
            }
            if (port < 0 || port > 65535) throw usage("--port must be 0-65535 (0: any free port)");
            if (password.length() < 8) throw usage("--password must have at least 8 characters");
            return new Options(port, data, password, pageCache);
        }

        private static IllegalArgumentException usage(String why) {
            return new IllegalArgumentException(
                    why + "; usage: TestServer [--port N] [--data DIR] [--password P] [--page-cache SIZE]");
        }
    }
}
