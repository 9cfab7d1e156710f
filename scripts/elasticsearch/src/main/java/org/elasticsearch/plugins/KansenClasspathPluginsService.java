package org.elasticsearch.plugins;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.env.Environment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link PluginsService} for an embedded node: every plugin is a class that is already on the
 * application classpath, all loaded by one class loader.
 *
 * <p>Because everything shares one class loader, Java service providers ({@code META-INF/services})
 * are discovered once for the whole classpath and each provider class is instantiated exactly once:
 * with the plugin instance its constructor asks for, or with its no-argument constructor. The stock
 * implementation would ask every plugin's (identical) class loader and create duplicates.
 *
 * <p>It is in {@code org.elasticsearch.plugins} because {@link PluginsService.LoadedPlugin},
 * {@link PluginsLoader}'s constructor and {@link PluginsService#loadPlugin} are package-private.
 */
public final class KansenClasspathPluginsService extends PluginsService {

    private static final Logger logger = LogManager.getLogger(KansenClasspathPluginsService.class);

    private final List<LoadedPlugin> classpathPlugins;
    private final PluginsAndModules info;

    public KansenClasspathPluginsService(Environment environment, Map<String, Class<? extends Plugin>> pluginClasses) {
        super(environment.settings(), environment.configDir(), emptyLoader());
        List<LoadedPlugin> loaded = new ArrayList<>();
        List<PluginRuntimeInfo> infos = new ArrayList<>();
        for (Map.Entry<String, Class<? extends Plugin>> entry : pluginClasses.entrySet()) {
            Class<? extends Plugin> pluginClass = entry.getValue();
            Plugin instance = loadPlugin(pluginClass, environment.settings(), environment.configDir());
            PluginDescriptor descriptor = new PluginDescriptor(
                entry.getKey(),
                "classpath plugin " + pluginClass.getName(),
                Build.current().version(),
                Build.current().version(),
                Integer.toString(Runtime.version().feature()),
                pluginClass.getName(),
                null,
                List.of(),
                false,
                false,
                false,
                false
            );
            loaded.add(new LoadedPlugin(descriptor, instance, pluginClass.getClassLoader()));
            infos.add(new PluginRuntimeInfo(descriptor));
            logger.info("loaded classpath plugin [{}] ({})", entry.getKey(), pluginClass.getName());
        }
        loadExtensions(loaded);
        this.classpathPlugins = List.copyOf(loaded);
        this.info = new PluginsAndModules(List.copyOf(infos), List.of());
    }

    @SuppressWarnings("unchecked")
    private static PluginsLoader emptyLoader() {
        return new PluginsLoader(Collections.emptySet(), Collections.emptySet(), Collections.emptyMap());
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return classpathPlugins;
    }

    @Override
    public PluginsAndModules info() {
        return info;
    }

    @Override
    public <T> List<? extends T> loadServiceProviders(Class<T> service) {
        List<T> result = new ArrayList<>();
        for (Class<? extends T> providerClass : providerClasses(service)) {
            T provider = instantiate(service, providerClass);
            if (provider != null) {
                result.add(provider);
            }
        }
        return Collections.unmodifiableList(result);
    }

    private <T> T instantiate(Class<T> service, Class<? extends T> providerClass) {
        if (Modifier.isAbstract(providerClass.getModifiers())) {
            return null;
        }
        Constructor<?> noArg = null;
        for (Constructor<?> constructor : providerClass.getConstructors()) {
            Class<?>[] params = constructor.getParameterTypes();
            if (params.length == 0) {
                noArg = constructor;
            } else if (params.length == 1) {
                for (LoadedPlugin plugin : classpathPlugins) {
                    if (params[0].isInstance(plugin.instance())) {
                        return service.cast(newInstance(constructor, plugin.instance()));
                    }
                }
            }
        }
        if (noArg != null) {
            return service.cast(newInstance(noArg));
        }
        // A provider that needs a plugin we do not run (e.g. an x-pack class): not ours to create.
        logger.debug("skipping service provider [{}] for [{}]: no matching plugin", providerClass.getName(), service.getName());
        return null;
    }

    private static Object newInstance(Constructor<?> constructor, Object... args) {
        try {
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("failed to create service provider " + constructor.getDeclaringClass().getName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("failed to create service provider " + constructor.getDeclaringClass().getName(), e);
        }
    }

    /** The distinct provider classes named in every {@code META-INF/services/<service>} file on the classpath. */
    private static <T> Set<Class<? extends T>> providerClasses(Class<T> service) {
        ClassLoader loader = KansenClasspathPluginsService.class.getClassLoader();
        Set<Class<? extends T>> classes = new LinkedHashSet<>();
        try {
            Enumeration<URL> files = loader.getResources("META-INF/services/" + service.getName());
            while (files.hasMoreElements()) {
                URL file = files.nextElement();
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(file.openStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        int comment = line.indexOf('#');
                        String name = (comment >= 0 ? line.substring(0, comment) : line).trim();
                        if (name.isEmpty()) {
                            continue;
                        }
                        Class<?> candidate = Class.forName(name, false, loader);
                        if (service.isAssignableFrom(candidate) == false) {
                            throw new IllegalStateException(name + " listed in " + file + " does not implement " + service.getName());
                        }
                        classes.add(candidate.asSubclass(service));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("service provider class not found for " + service.getName(), e);
        }
        return classes;
    }
}
