package nl.kansen.elasticsearch;

import nl.kansen.elasticsearch.analysis.KansenAnalysisPlugin;
import nl.kansen.elasticsearch.rest.KansenRestRootPlugin;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.health.ClusterHealthResponse;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.KansenNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts one real Elasticsearch node in this JVM, for tests and local development.
 *
 * <pre>
 *   java -Xms256m -Xmx1g -cp 'lib/*' nl.kansen.elasticsearch.KansenElasticsearch --port 9200 --path var/elasticsearch
 * </pre>
 *
 * Single-node discovery, bound to 127.0.0.1, no security (x-pack is not on the classpath), HTTP via
 * the transport-netty4 plugin, Dutch/English analysis via {@link KansenAnalysisPlugin} and
 * {@code GET /} via {@link KansenRestRootPlugin}.
 * Prints {@value #READY_PREFIX} followed by the URL once the cluster is at least yellow.
 * SIGINT/SIGTERM close the node cleanly.
 */
public final class KansenElasticsearch {

    public static final String READY_PREFIX = "KANSEN-ELASTICSEARCH-READY ";

    private static final String USAGE = """
        usage: KansenElasticsearch [--port N] [--path DIR] [--host ADDR] [--transport-port N|RANGE]
                                   [--cluster-name NAME] [--node-name NAME] [-E setting=value]...
          --port            HTTP port (default 9200; 0 picks a free port, the ready line shows it)
          --path            base directory: config/, data/ and logs/ live under it (default var/elasticsearch)
          --host            address to bind (default 127.0.0.1)
          --transport-port  internal transport port or range (default 9300-9399)
          -E key=value      any other Elasticsearch node setting
        """;

    private static final Map<String, Class<? extends Plugin>> PLUGINS = new LinkedHashMap<>();
    static {
        PLUGINS.put("transport-netty4", Netty4Plugin.class);
        PLUGINS.put("kansen-analysis", KansenAnalysisPlugin.class);
        PLUGINS.put("kansen-rest-root", KansenRestRootPlugin.class);
    }

    private KansenElasticsearch() {}

    public static void main(String[] args) throws Exception {
        // Same JVM-level defaults as the Elasticsearch distribution's jvm.options (unless set with -D).
        setDefaultProperty("log4j.shutdownHookEnabled", "false");
        setDefaultProperty("log4j2.disable.jmx", "true");
        setDefaultProperty("log4j2.formatMsgNoLookups", "true");
        setDefaultProperty("io.netty.noUnsafe", "true");
        setDefaultProperty("io.netty.noKeySetOptimization", "true");
        setDefaultProperty("io.netty.recycler.maxCapacityPerThread", "0");

        Map<String, String> options = new LinkedHashMap<>();
        Settings.Builder extra = Settings.builder();
        try {
            parseArgs(args, options, extra);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
        if (options.containsKey("help")) {
            System.out.print(USAGE);
            return;
        }

        // LogConfigurator redirects System.out/err into log4j; keep the real console for our own lines.
        PrintStream console = System.out;
        PrintStream errors = System.err;

        Path home = Paths.get(options.getOrDefault("path", "var/elasticsearch")).toAbsolutePath().normalize();
        Path config = home.resolve("config");
        Files.createDirectories(config);
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        writeLoggingConfig(config);

        String clusterName = options.getOrDefault("cluster-name", "kansen");
        String nodeName = options.getOrDefault("node-name", "kansen-node");
        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", clusterName)
            .put("node.name", nodeName)
            .put("discovery.type", "single-node")
            .put("network.host", options.getOrDefault("host", "127.0.0.1"))
            .put("http.port", options.getOrDefault("port", "9200"))
            .put("transport.port", options.getOrDefault("transport-port", "9300-9399"))
            // A developer disk that is 90% full must not turn indices read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put(extra.build())
            .build();

        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.setClusterName(clusterName);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), config, () -> nodeName);
        LogConfigurator.configure(environment, true);

        long startNanos = System.nanoTime();
        Node node;
        try {
            node = new KansenNode(environment, PLUGINS);
        } catch (Throwable t) {
            fail(errors, "could not create the Elasticsearch node", t);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop(node, console);
            stopped.countDown();
        }, "kansen-elasticsearch-shutdown"));

        String url;
        try {
            node.start();
            ClusterHealthResponse health = node.client()
                .admin()
                .cluster()
                .prepareHealth(TimeValue.timeValueSeconds(60))
                .setWaitForYellowStatus()
                .setTimeout(TimeValue.timeValueSeconds(60))
                .get();
            if (health.isTimedOut()) {
                throw new IllegalStateException("cluster did not reach yellow within 60s: " + health.getStatus());
            }
            HttpServerTransport http = node.injector().getInstance(HttpServerTransport.class);
            url = "http://" + http.boundAddress().publishAddress();
        } catch (Throwable t) {
            fail(errors, "could not start the Elasticsearch node", t);
            return;
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        console.printf(
            Locale.ROOT,
            "%s%s (Elasticsearch %s, Java %s, data in %s, started in %.1fs)%n",
            READY_PREFIX,
            url,
            Build.current().version(),
            Runtime.version(),
            home,
            seconds
        );
        console.flush();
        stopped.await();
    }

    private static synchronized void stop(Node node, PrintStream console) {
        try {
            node.close();
            if (node.awaitClose(30, TimeUnit.SECONDS) == false) {
                console.println("Elasticsearch node did not stop within 30s");
            } else {
                console.println("Elasticsearch node stopped");
            }
        } catch (Throwable t) {
            console.println("error while stopping Elasticsearch: " + t);
        } finally {
            console.flush();
            org.apache.logging.log4j.LogManager.shutdown();
        }
    }

    private static void fail(PrintStream errors, String message, Throwable t) {
        errors.println("ERROR: " + message + ": " + t);
        t.printStackTrace(errors);
        errors.flush();
        // Runs the shutdown hook, which closes whatever part of the node was started.
        System.exit(1);
    }

    private static void parseArgs(String[] args, Map<String, String> options, Settings.Builder extra) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                options.put("help", "true");
            } else if (arg.startsWith("-E")) {
                String setting = arg.length() > 2 ? arg.substring(2) : value(args, ++i, "-E");
                int eq = setting.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("-E expects key=value, got [" + setting + "]");
                }
                extra.put(setting.substring(0, eq), setting.substring(eq + 1));
            } else if (arg.startsWith("--")) {
                String name = arg.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else {
                    value = value(args, ++i, arg);
                }
                switch (name) {
                    case "port", "path", "host", "transport-port", "cluster-name", "node-name" -> options.put(name, value);
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            } else {
                throw new IllegalArgumentException("unexpected argument " + arg);
            }
        }
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static void setDefaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** The node's config dir is managed by this launcher: log4j2.properties is (re)written on every start. */
    private static void writeLoggingConfig(Path config) throws IOException {
        try (InputStream in = KansenElasticsearch.class.getResourceAsStream("log4j2.properties")) {
            if (in == null) {
                throw new IllegalStateException("log4j2.properties missing from the launcher jar");
            }
            Files.write(config.resolve("log4j2.properties"), in.readAllBytes());
        }
    }
}
