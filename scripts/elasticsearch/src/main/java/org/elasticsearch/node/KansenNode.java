package org.elasticsearch.node;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.KansenClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

import java.util.Map;

/**
 * A real Elasticsearch {@link Node} whose plugins are plain classes on the classpath instead of
 * plugin bundles unpacked under {@code $ES_HOME/modules} and {@code $ES_HOME/plugins}.
 *
 * <p>{@code classpathPlugins} maps a plugin name (as shown by {@code GET _nodes/plugins}) to its class.
 *
 * <p>It lives in {@code org.elasticsearch.node} only because {@link NodeConstruction} and
 * {@link NodeServiceProvider#newPluginService} are package-private; everything else is the stock node.
 */
public final class KansenNode extends Node {

    public KansenNode(Environment environment, Map<String, Class<? extends Plugin>> classpathPlugins) {
        super(NodeConstruction.prepareConstruction(environment, null, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment initialEnvironment, PluginsLoader ignored) {
                return new KansenClasspathPluginsService(initialEnvironment, classpathPlugins);
            }
        }, true));
    }
}
