package nl.kansen.elasticsearch.analysis;

import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;

import java.io.Reader;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The char filter types of {@link KansenAnalysisPlugin}, with Elasticsearch's setting names. */
final class CharFilters {

    private CharFilters() {}

    /** {@code html_strip}: {@code escaped_tags} are left in place. */
    static CharFilterFactory htmlStrip(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        Set<String> escapedTags = new HashSet<>(settings.getAsList("escaped_tags"));
        return new CharFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Reader create(Reader reader) {
                return new HTMLStripCharFilter(reader, escapedTags.isEmpty() ? null : escapedTags);
            }
        };
    }

    /** {@code mapping}: {@code mappings} / {@code mappings_path} lines like {@code "ß => ss"}. */
    static CharFilterFactory mapping(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        List<String> rules = Analysis.getWordList(env, settings, "mappings");
        if (rules == null) {
            throw new IllegalArgumentException("mapping requires either `mappings` or `mappings_path` to be configured");
        }
        NormalizeCharMap.Builder builder = new NormalizeCharMap.Builder();
        for (String rule : rules) {
            int arrow = rule.indexOf("=>");
            if (arrow < 0) {
                throw new IllegalArgumentException("Invalid mapping rule : [" + rule + "]");
            }
            String from = unescape(rule.substring(0, arrow).trim());
            String to = unescape(rule.substring(arrow + 2).trim());
            if (from.isEmpty()) {
                throw new IllegalArgumentException("Invalid mapping rule : [" + rule + "]");
            }
            builder.add(from, to);
        }
        NormalizeCharMap map = builder.build();
        return new NormalizingCharFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Reader create(Reader reader) {
                return new MappingCharFilter(map, reader);
            }
        };
    }

    /** {@code pattern_replace}: {@code pattern}, {@code replacement} (default empty). */
    static CharFilterFactory patternReplace(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        String regex = settings.get("pattern");
        if (regex == null || regex.isEmpty()) {
            throw new IllegalArgumentException("pattern is missing for [" + name + "] char filter of type 'pattern_replace'");
        }
        Pattern pattern = Pattern.compile(regex);
        String replacement = settings.get("replacement", "");
        return new NormalizingCharFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Reader create(Reader reader) {
                return new PatternReplaceCharFilter(pattern, replacement, reader);
            }
        };
    }

    /** Backslash escapes in mapping rules: \\, \n, \t, \r, \b, \f, \" , \' and \\uXXXX. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char next = s.charAt(++i);
            switch (next) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (i + 4 >= s.length()) {
                        throw new IllegalArgumentException("Invalid escaped char in [" + s + "]");
                    }
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(next);
            }
        }
        return out.toString();
    }
}
