package nl.kansen.elasticsearch.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code synonym} and {@code synonym_graph} with inline rules: {@code synonyms} (a list) or
 * {@code synonyms_path} (a file under the node's config dir), {@code format} ({@code solr} or
 * {@code wordnet}), {@code expand} (true) and {@code lenient} (false, true skips bad rules).
 * As in Elasticsearch, rules are analysed with the analysis chain that precedes the filter.
 * (Synonym sets stored through the {@code _synonyms} API are not supported.)
 */
final class SynonymTokenFilterFactory implements TokenFilterFactory {

    private final String name;
    private final boolean graph;
    private final List<String> rules;
    private final boolean expand;
    private final boolean lenient;
    private final boolean wordnet;

    SynonymTokenFilterFactory(Environment env, String name, Settings settings, boolean graph) {
        this.name = name;
        this.graph = graph;
        if (settings.get("synonyms_set") != null) {
            throw new IllegalArgumentException("[synonyms_set] (the synonyms API) is not supported by this node; use [synonyms]");
        }
        List<String> configured = Analysis.getWordList(env, settings, "synonyms_path", "synonyms", true);
        if (configured == null) {
            throw new IllegalArgumentException("synonym requires either `synonyms` or `synonyms_path` to be configured");
        }
        this.rules = configured;
        this.expand = settings.getAsBoolean("expand", true);
        this.lenient = settings.getAsBoolean("lenient", false);
        String format = settings.get("format", "solr").toLowerCase(Locale.ROOT);
        if (format.equals("solr") == false && format.equals("wordnet") == false) {
            throw new IllegalArgumentException("unknown synonym format [" + format + "]");
        }
        this.wordnet = format.equals("wordnet");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        throw new IllegalStateException("synonym filter [" + name + "] must be built with getChainAwareTokenFilterFactory");
    }

    @Override
    public TokenFilterFactory getSynonymFilter() {
        // A synonym filter earlier in the chain does not take part in parsing a later filter's rules.
        return IDENTITY_FILTER;
    }

    @Override
    public TokenFilterFactory getChainAwareTokenFilterFactory(
        IndexCreationContext context,
        TokenizerFactory tokenizer,
        List<CharFilterFactory> charFilters,
        List<TokenFilterFactory> previousTokenFilters,
        Function<String, TokenFilterFactory> allFilters
    ) {
        TokenFilterFactory[] parseFilters = previousTokenFilters.stream()
            .map(TokenFilterFactory::getSynonymFilter)
            .toArray(TokenFilterFactory[]::new);
        Analyzer parseAnalyzer = new CustomAnalyzer(tokenizer, charFilters.toArray(new CharFilterFactory[0]), parseFilters);
        SynonymMap map = buildMap(parseAnalyzer);
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream tokenStream) {
                if (map.fst == null) {
                    return tokenStream;
                }
                return graph ? new SynonymGraphFilter(tokenStream, map, false) : newSynonymFilter(tokenStream, map);
            }

            @Override
            public TokenFilterFactory getSynonymFilter() {
                return IDENTITY_FILTER;
            }
        };
    }

    @SuppressWarnings("deprecation")
    private static TokenStream newSynonymFilter(TokenStream tokenStream, SynonymMap map) {
        return new SynonymFilter(tokenStream, map, false);
    }

    private SynonymMap buildMap(Analyzer analyzer) {
        List<String> usable = rules;
        if (lenient) {
            usable = new ArrayList<>();
            for (String rule : rules) {
                try {
                    parse(analyzer, List.of(rule));
                    usable.add(rule);
                } catch (Exception e) {
                    // lenient: skip rules that do not parse or analyse to nothing
                }
            }
        }
        try {
            return parse(analyzer, usable);
        } catch (Exception e) {
            throw new IllegalArgumentException("failed to build synonyms for [" + name + "]: " + e.getMessage(), e);
        }
    }

    private SynonymMap parse(Analyzer analyzer, List<String> lines) throws Exception {
        String text = String.join("\n", lines);
        if (wordnet) {
            WordnetSynonymParser parser = new WordnetSynonymParser(true, expand, analyzer);
            parser.parse(new StringReader(text));
            return parser.build();
        }
        SolrSynonymParser parser = new SolrSynonymParser(true, expand, analyzer);
        parser.parse(new StringReader(text));
        return parser.build();
    }
}
