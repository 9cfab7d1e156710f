package nl.kansen.elasticsearch.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.TokenizerFactory;

import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;

/** The tokenizer types of {@link KansenAnalysisPlugin}, with Elasticsearch's setting names and defaults. */
final class Tokenizers {

    private Tokenizers() {}

    static TokenizerFactory keyword(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        int bufferSize = settings.getAsInt("buffer_size", 256);
        return TokenizerFactory.newFactory(name, () -> new KeywordTokenizer(bufferSize));
    }

    static TokenizerFactory whitespace(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        int maxTokenLength = settings.getAsInt("max_token_length", 255);
        return TokenizerFactory.newFactory(
            name,
            () -> new WhitespaceTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, maxTokenLength)
        );
    }

    static TokenizerFactory letter(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        return TokenizerFactory.newFactory(name, LetterTokenizer::new);
    }

    /** {@code edge_ngram}: {@code min_gram} (1), {@code max_gram} (2), {@code token_chars}, {@code custom_token_chars}. */
    static TokenizerFactory edgeNGram(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        int minGram = settings.getAsInt("min_gram", 1);
        int maxGram = settings.getAsInt("max_gram", 2);
        IntPredicate tokenChars = tokenChars(settings);
        return TokenizerFactory.newFactory(name, () -> tokenChars == null ? new EdgeNGramTokenizer(minGram, maxGram) : new EdgeNGramTokenizer(minGram, maxGram) {
            @Override
            protected boolean isTokenChar(int chr) {
                return tokenChars.test(chr);
            }
        });
    }

    /** {@code ngram}: like {@code edge_ngram}; {@code max_gram - min_gram} is limited by {@code index.max_ngram_diff}. */
    static TokenizerFactory nGram(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        int minGram = settings.getAsInt("min_gram", 1);
        int maxGram = settings.getAsInt("max_gram", 2);
        TokenFilters.checkNGramDiff(indexSettings, minGram, maxGram);
        IntPredicate tokenChars = tokenChars(settings);
        return TokenizerFactory.newFactory(name, () -> tokenChars == null ? new NGramTokenizer(minGram, maxGram) : new NGramTokenizer(minGram, maxGram) {
            @Override
            protected boolean isTokenChar(int chr) {
                return tokenChars.test(chr);
            }
        });
    }

    /** {@code token_chars} classes; {@code null} (every character belongs to a token) when none are given. */
    private static IntPredicate tokenChars(Settings settings) {
        List<String> classes = settings.getAsList("token_chars");
        if (classes.isEmpty()) {
            return null;
        }
        IntPredicate result = c -> false;
        for (String charClass : classes) {
            IntPredicate next = switch (charClass.toLowerCase(Locale.ROOT).trim()) {
                case "letter" -> Character::isLetter;
                case "digit" -> Character::isDigit;
                case "whitespace" -> Character::isWhitespace;
                case "punctuation" -> c -> switch (Character.getType(c)) {
                    case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                        Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                        Character.OTHER_PUNCTUATION -> true;
                    default -> false;
                };
                case "symbol" -> c -> switch (Character.getType(c)) {
                    case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
                    default -> false;
                };
                case "custom" -> {
                    String custom = settings.get("custom_token_chars");
                    if (custom == null) {
                        throw new IllegalArgumentException("Token type: [custom] requires setting `custom_token_chars`");
                    }
                    yield c -> custom.indexOf(c) >= 0;
                }
                default -> throw new IllegalArgumentException(
                    "Unknown token type: '" + charClass + "', must be one of [letter, digit, whitespace, punctuation, symbol, custom]"
                );
            };
            result = result.or(next);
        }
        return result;
    }
}
