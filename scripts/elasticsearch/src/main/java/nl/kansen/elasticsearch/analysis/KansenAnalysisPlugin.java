package nl.kansen.elasticsearch.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

/**
 * Kansen's analysis plugin: the part of Elasticsearch's analysis that the bare server jar lacks and
 * that Kansen uses (Elastic does not publish its {@code analysis-common} module to Maven Central).
 * Everything is built from Lucene classes already on the server's classpath, under the standard
 * Elasticsearch names and settings, so index definitions look the same as on a full distribution.
 *
 * <p>The bare 8.x server already has: analyzers {@code standard}, {@code simple}, {@code whitespace},
 * {@code stop}, {@code keyword}, {@code classic} (by name), token filters {@code lowercase} (by name),
 * {@code stop}, {@code shingle}, {@code hunspell}, tokenizer {@code standard}, normalizer
 * {@code lowercase}. This plugin adds the rest listed in {@link #getAnalyzers()},
 * {@link #getTokenFilters()}, {@link #getTokenizers()} and {@link #getCharFilters()}.
 */
public final class KansenAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> analyzers = new TreeMap<>();
        analyzers.put(
            "dutch",
            (indexSettings, env, name, settings) -> new LanguageAnalyzerProvider<>(
                env,
                name,
                settings,
                DutchAnalyzer.getDefaultStopSet(),
                DutchAnalyzer::new
            )
        );
        analyzers.put(
            "english",
            (indexSettings, env, name, settings) -> new LanguageAnalyzerProvider<>(
                env,
                name,
                settings,
                EnglishAnalyzer.getDefaultStopSet(),
                EnglishAnalyzer::new
            )
        );
        return analyzers;
    }

    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        // Lets a mapping say "analyzer": "dutch" without defining anything in the index settings.
        return List.of(
            new PreBuiltAnalyzerProviderFactory("dutch", CachingStrategy.LUCENE, DutchAnalyzer::new),
            new PreBuiltAnalyzerProviderFactory("english", CachingStrategy.LUCENE, EnglishAnalyzer::new)
        );
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> filters = new TreeMap<>();
        filters.put("asciifolding", TokenFilters::asciiFolding);
        filters.put("lowercase", TokenFilters::lowercase);
        filters.put("uppercase", TokenFilters::uppercase);
        filters.put("trim", TokenFilters::trim);
        filters.put("reverse", TokenFilters::reverse);
        filters.put("length", TokenFilters::length);
        filters.put("truncate", TokenFilters::truncate);
        filters.put("stemmer", TokenFilters::stemmer);
        filters.put("snowball", TokenFilters::snowball);
        filters.put("porter_stem", TokenFilters::porterStem);
        filters.put("kstem", TokenFilters::kstem);
        filters.put("keyword_marker", requiresAnalysisSettings(TokenFilters::keywordMarker));
        filters.put("stemmer_override", requiresAnalysisSettings(TokenFilters::stemmerOverride));
        filters.put("edge_ngram", TokenFilters::edgeNGram);
        filters.put("ngram", TokenFilters::nGram);
        filters.put("synonym", requiresAnalysisSettings((is, env, name, settings) -> new SynonymTokenFilterFactory(env, name, settings, false)));
        filters.put(
            "synonym_graph",
            requiresAnalysisSettings((is, env, name, settings) -> new SynonymTokenFilterFactory(env, name, settings, true))
        );
        return filters;
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> tokenizers = new TreeMap<>();
        tokenizers.put("keyword", Tokenizers::keyword);
        tokenizers.put("whitespace", Tokenizers::whitespace);
        tokenizers.put("letter", Tokenizers::letter);
        tokenizers.put("edge_ngram", Tokenizers::edgeNGram);
        tokenizers.put("ngram", Tokenizers::nGram);
        return tokenizers;
    }

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        Map<String, AnalysisProvider<CharFilterFactory>> charFilters = new TreeMap<>();
        charFilters.put("html_strip", CharFilters::htmlStrip);
        charFilters.put("mapping", requiresAnalysisSettings(CharFilters::mapping));
        charFilters.put("pattern_replace", requiresAnalysisSettings(CharFilters::patternReplace));
        return charFilters;
    }
}
