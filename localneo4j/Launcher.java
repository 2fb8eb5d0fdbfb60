// Runs Neo4j Community embedded, with a Bolt listener on 127.0.0.1, until it is told to stop.
//
// Started by `python -m localneo4j start` as a single-file source program (no build step):
//   java -cp "lib/*" Launcher.java --home DIR --port N --plugins DIR [--pagecache SIZE]
// It prints one line "READY bolt://127.0.0.1:N" once Bolt answers, and on SIGTERM or SIGINT shuts the
// database down cleanly (checkpoint, store closed) before the process exits.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

public class Launcher {
    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        String port = options.getOrDefault("port", "7687");
        Path home = Path.of(options.get("home")).toAbsolutePath();

        Map<String, String> config = new LinkedHashMap<>();
        config.put("server.bolt.enabled", "true");
        config.put("server.bolt.listen_address", "127.0.0.1:" + port);
        config.put("server.bolt.tls_level", "DISABLED");
        config.put("dbms.security.auth_enabled", "false");
        config.put("server.directories.plugins", Path.of(options.get("plugins")).toAbsolutePath().toString());
        config.put("dbms.security.procedures.unrestricted", "apoc.*");
        config.put("server.memory.pagecache.size", options.getOrDefault("pagecache", "256m"));
        config.put("db.tx_log.rotation.retention_policy", "1 days");
        config.put("dbms.usage_report.enabled", "false");

        // The embedded builder takes raw settings only from a file, so they are written to one each start.
        Path conf = home.resolve("neo4j.conf");
        Files.createDirectories(home);
        StringBuilder text = new StringBuilder();
        config.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Files.writeString(conf, text.toString());

        DatabaseManagementService service =
                new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(conf).build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));

        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!options.containsKey("home") || !options.containsKey("plugins")) {
            throw new IllegalArgumentException("usage: Launcher --home DIR --plugins DIR [--port N]");
        }
        return options;
    }
}
