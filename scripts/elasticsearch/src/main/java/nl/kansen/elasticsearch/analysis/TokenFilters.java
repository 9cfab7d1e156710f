package nl.kansen.elasticsearch.analysis;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.SetKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.reverse.ReverseStringFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** The token filter types of {@link KansenAnalysisPlugin}, with Elasticsearch's setting names and defaults. */
final class TokenFilters {

    private TokenFilters() {}

    /** A filter that only wraps the stream; {@code normalizing} ones are also allowed in normalizers. */
    static TokenFilterFactory filter(String name, boolean normalizing, UnaryOperator<TokenStream> wrap) {
        if (normalizing) {
            return new NormalizingTokenFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public TokenStream create(TokenStream tokenStream) {
                    return wrap.apply(tokenStream);
                }
            };
        }
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream tokenStream) {
                return wrap.apply(tokenStream);
            }
        };
    }

    static TokenFilterFactory asciiFolding(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        boolean preserveOriginal = settings.getAsBoolean("preserve_original", false);
        return new NormalizingTokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream tokenStream) {
                return new ASCIIFoldingFilter(tokenStream, preserveOriginal);
            }

            @Override
            public TokenStream normalize(TokenStream tokenStream) {
                // A normalized term must be a single token, so never keep the original here.
                return new ASCIIFoldingFilter(tokenStream, false);
            }
        };
    }

    static TokenFilterFactory lowercase(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        String language = settings.get("language");
        if (language == null) {
            return filter(name, true, LowerCaseFilter::new);
        }
        return switch (language.toLowerCase(Locale.ROOT)) {
            case "greek" -> filter(name, true, GreekLowerCaseFilter::new);
            case "irish" -> filter(name, true, IrishLowerCaseFilter::new);
            case "turkish" -> filter(name, true, TurkishLowerCaseFilter::new);
            default -> throw new IllegalArgumentException("language [" + language + "] not support for lowercase filter [" + name + "]");
        };
    }

    static TokenFilterFactory uppercase(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        return filter(name, true, UpperCaseFilter::new);
    }

    static TokenFilterFactory trim(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        return filter(name, true, TrimFilter::new);
    }

    static TokenFilterFactory reverse(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        return filter(name, false, ReverseStringFilter::new);
    }

    static TokenFilterFactory length(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        int min = settings.getAsInt("min", 0);
        int max = settings.getAsInt("max", Integer.MAX_VALUE);
        return filter(name, false, ts -> new LengthFilter(ts, min, max));
    }

    static TokenFilterFactory truncate(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        int length = settings.getAsInt("length", 10);
        if (length <= 0) {
            throw new IllegalArgumentException("length parameter must be provided and must be positive");
        }
        return filter(name, true, ts -> new TruncateTokenFilter(ts, length));
    }

    static TokenFilterFactory porterStem(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        return filter(name, false, PorterStemFilter::new);
    }

    static TokenFilterFactory kstem(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        return filter(name, false, KStemFilter::new);
    }

    /** {@code stemmer}: {@code language} (or {@code name}) as in Elasticsearch, default {@code english}. */
    static TokenFilterFactory stemmer(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        String language = settings.get("language", settings.get("name", "english"));
        return filter(name, false, stemmerFor(language));
    }

    static UnaryOperator<TokenStream> stemmerFor(String language) {
        return switch (language.toLowerCase(Locale.ROOT)) {
            case "english", "porter" -> PorterStemFilter::new;
            case "light_english", "lightenglish", "kstem" -> KStemFilter::new;
            case "minimal_english", "minimalenglish" -> EnglishMinimalStemFilter::new;
            case "possessive_english", "possessiveenglish" -> EnglishPossessiveFilter::new;
            case "porter2" -> snowballFor("English");
            case "dutch" -> snowballFor("Dutch");
            case "dutch_kp", "dutchkp", "kp" -> snowballFor("Kp");
            default -> snowballFor(language);
        };
    }

    /** {@code snowball}: {@code language} is a Snowball stemmer name such as {@code Dutch}, {@code English}, {@code Kp}. */
    static TokenFilterFactory snowball(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        return filter(name, false, snowballFor(settings.get("language", "English")));
    }

    private static UnaryOperator<TokenStream> snowballFor(String language) {
        String stemmer = language.isEmpty() ? language : language.substring(0, 1).toUpperCase(Locale.ROOT) + language.substring(1);
        try {
            Class.forName("org.tartarus.snowball.ext." + stemmer + "Stemmer", false, TokenFilters.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("unknown stemmer language [" + language + "]");
        }
        return ts -> new SnowballFilter(ts, stemmer);
    }

    static TokenFilterFactory keywordMarker(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        CharArraySet keywords = Analysis.getWordSet(env, settings, "keywords");
        if (keywords == null) {
            throw new IllegalArgumentException("keyword filter requires either `keywords` or `keywords_path` to be configured");
        }
        return filter(name, false, ts -> new SetKeywordMarkerFilter(ts, keywords));
    }

    /** {@code stemmer_override}: {@code rules} / {@code rules_path} lines like {@code "fietsen, fiets => fiets"}. */
    static TokenFilterFactory stemmerOverride(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        List<String> rules = Analysis.getWordList(env, settings, "rules");
        if (rules == null) {
            throw new IllegalArgumentException("stemmer override filter requires either `rules` or `rules_path` to be configured");
        }
        StemmerOverrideFilter.Builder builder = new StemmerOverrideFilter.Builder(false);
        for (String rule : rules) {
            String[] sides = rule.split("=>");
            if (sides.length != 2 || sides[1].trim().isEmpty()) {
                throw new IllegalArgumentException("Invalid Keyword override Rule:" + rule);
            }
            String override = sides[1].trim();
            for (String key : sides[0].split(",")) {
                if (key.trim().isEmpty() == false) {
                    builder.add(key.trim(), override);
                }
            }
        }
        final StemmerOverrideFilter.StemmerOverrideMap map;
        try {
            map = builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return filter(name, false, ts -> new StemmerOverrideFilter(ts, map));
    }

    /** {@code edge_ngram}: {@code min_gram} (1), {@code max_gram} (2), {@code preserve_original} (false). */
    static TokenFilterFactory edgeNGram(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        int minGram = settings.getAsInt("min_gram", 1);
        int maxGram = settings.getAsInt("max_gram", 2);
        boolean preserveOriginal = settings.getAsBoolean("preserve_original", false);
        return filter(name, false, ts -> new EdgeNGramTokenFilter(ts, minGram, maxGram, preserveOriginal));
    }

    /** {@code ngram}: like {@code edge_ngram}; {@code max_gram - min_gram} is limited by {@code index.max_ngram_diff}. */
    static TokenFilterFactory nGram(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        int minGram = settings.getAsInt("min_gram", 1);
        int maxGram = settings.getAsInt("max_gram", 2);
        boolean preserveOriginal = settings.getAsBoolean("preserve_original", false);
        checkNGramDiff(indexSettings, minGram, maxGram);
        return filter(name, false, ts -> new NGramTokenFilter(ts, minGram, maxGram, preserveOriginal));
    }

    static void checkNGramDiff(IndexSettings indexSettings, int minGram, int maxGram) {
        int maxAllowed = indexSettings.getMaxNgramDiff();
        if (maxGram - minGram > maxAllowed) {
            throw new IllegalArgumentException(
                "The difference between max_gram and min_gram in NGram Tokenizer must be less than or equal to: ["
                    + maxAllowed
                    + "] but was ["
                    + (maxGram - minGram)
                    + "]. This limit can be set by changing the ["
                    + IndexSettings.MAX_NGRAM_DIFF_SETTING.getKey()
                    + "] index level setting."
            );
        }
    }
}
