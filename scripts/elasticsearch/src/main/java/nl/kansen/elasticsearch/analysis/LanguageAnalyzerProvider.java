package nl.kansen.elasticsearch.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;

import java.util.function.BiFunction;

/**
 * A Lucene language analyzer configured the way Elasticsearch configures its language analyzers:
 * {@code stopwords} (a list, or a named set such as {@code _dutch_} / {@code _none_}),
 * {@code stopwords_path} and {@code stem_exclusion}.
 */
final class LanguageAnalyzerProvider<A extends Analyzer> extends AbstractIndexAnalyzerProvider<A> {

    private final A analyzer;

    LanguageAnalyzerProvider(
        Environment env,
        String name,
        Settings settings,
        CharArraySet defaultStopWords,
        BiFunction<CharArraySet, CharArraySet, A> constructor
    ) {
        super(name, settings);
        CharArraySet stopWords = Analysis.parseStopWords(env, settings, defaultStopWords);
        CharArraySet stemExclusion = Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET);
        this.analyzer = constructor.apply(stopWords, stemExclusion);
    }

    @Override
    public A get() {
        return analyzer;
    }
}
