package dev.sift.demo.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Plants duplicates the way the web makes them: copies of a paragraph ("unit") that add no information, in groups
 * of varying size. Deterministic for a seed.
 *
 * <p>Each unit, independently with probability {@link #DUPLICATED_SHARE}, gets a group of 1 to
 * {@link #MAX_COPIES} copies, the number drawn with probability proportional to {@code 1/c^}{@value #GROUP_SIZE_EXPONENT}
 * (many small groups, a few large ones; mean about 2.3). Each copy is, independently:
 * <ul>
 *   <li>{@link Kind#EXACT} (share {@value #EXACT_SHARE}): the same text, as mirrors and syndication produce;</li>
 *   <li>{@link Kind#NEAR} (share {@value #NEAR_SHARE}): 1 to 3 small edits — a word deleted, two neighbouring
 *       words swapped, a scraper's boilerplate prefix or suffix added, the final full stop dropped;</li>
 *   <li>{@link Kind#REWRITE} (the rest): paraphrase-like — the sentences shuffled and, with three or more, one
 *       dropped; a single sentence is cut to 60–85% of its words instead; then one small edit as above.</li>
 * </ul>
 * Nothing is planted across units: a copy always belongs to its unit's group, and the group id is the unit id.
 */
public final class DuplicatePlanter {

    public static final double DUPLICATED_SHARE = 0.3;
    public static final int MAX_COPIES = 8;
    public static final double GROUP_SIZE_EXPONENT = 1.5;
    public static final double EXACT_SHARE = 0.25;
    public static final double NEAR_SHARE = 0.40;
    private static final int MIN_WORDS_TO_DELETE = 6;
    private static final double MIN_CUT = 0.60;
    private static final double MAX_CUT = 0.85;
    private static final int MAX_NEAR_EDITS = 3;
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z(\"])");
    private static final List<String> PREFIXES = List.of(
        "Note: ",
        "From the manual: ",
        "Summary: ",
        "Quick answer: ",
        "As documented in the Linux man-pages, "
    );
    private static final List<String> SUFFIXES = List.of(
        " (Source: Linux manual page.)",
        " Read more in the manual.",
        " Hope this helps!",
        " [copied from man7.org]"
    );

    public enum Kind {
        ORIGINAL,
        EXACT,
        NEAR,
        REWRITE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A copy of unit {@code unit}: {@code copy} counts from 1 within the group. */
    public record Copy(int unit, int copy, Kind kind, String text) {}

    private final Random random;
    private final double[] groupSizeCdf;

    public DuplicatePlanter(long seed) {
        this.random = new Random(seed);
        double[] w = new double[MAX_COPIES];
        double sum = 0;
        for (int c = 1; c <= MAX_COPIES; c++) {
            sum += Math.pow(c, -GROUP_SIZE_EXPONENT);
            w[c - 1] = sum;
        }
        for (int c = 0; c < MAX_COPIES; c++) {
            w[c] /= sum;
        }
        this.groupSizeCdf = w;
    }

    /** The copies for units {@code 0..units.size()-1}, in unit order. */
    public List<Copy> plant(List<String> units) {
        List<Copy> copies = new ArrayList<>();
        for (int u = 0; u < units.size(); u++) {
            if (random.nextDouble() >= DUPLICATED_SHARE) {
                continue;
            }
            int n = groupSize();
            for (int c = 1; c <= n; c++) {
                double r = random.nextDouble();
                Kind kind = r < EXACT_SHARE ? Kind.EXACT : r < EXACT_SHARE + NEAR_SHARE ? Kind.NEAR : Kind.REWRITE;
                String text = switch (kind) {
                    case EXACT -> units.get(u);
                    case NEAR -> nearCopy(units.get(u));
                    case REWRITE -> rewrite(units.get(u));
                    case ORIGINAL -> throw new AssertionError();
                };
                copies.add(new Copy(u, c, kind, text));
            }
        }
        return copies;
    }

    private int groupSize() {
        double r = random.nextDouble();
        for (int c = 0; c < MAX_COPIES; c++) {
            if (r < groupSizeCdf[c]) {
                return c + 1;
            }
        }
        return MAX_COPIES;
    }

    String nearCopy(String text) {
        String out = text;
        int edits = 1 + random.nextInt(MAX_NEAR_EDITS);
        for (int e = 0; e < edits; e++) {
            out = smallEdit(out);
        }
        return out.equals(text) ? PREFIXES.get(0) + text : out;
    }

    String rewrite(String text) {
        List<String> sentences = new ArrayList<>(Arrays.asList(SENTENCE_END.split(text)));
        String out;
        if (sentences.size() >= 2) {
            List<String> shuffled = new ArrayList<>(sentences);
            for (int attempt = 0; attempt < 5 && shuffled.equals(sentences); attempt++) {
                Collections.shuffle(shuffled, random);
            }
            if (shuffled.size() >= 3) {
                shuffled.remove(random.nextInt(shuffled.size()));
            }
            out = String.join(" ", shuffled);
        } else {
            String[] words = text.split(" ");
            double cut = MIN_CUT + (MAX_CUT - MIN_CUT) * random.nextDouble();
            int keep = Math.max(Math.min(words.length, ManPages.MIN_WORDS), (int) Math.round(words.length * cut));
            out = String.join(" ", Arrays.copyOf(words, keep)) + (keep < words.length ? " ..." : "");
        }
        return smallEdit(out);
    }

    private String smallEdit(String text) {
        String[] words = text.split(" ");
        switch (random.nextInt(5)) {
            case 0 -> {
                if (words.length >= MIN_WORDS_TO_DELETE) {
                    int i = random.nextInt(words.length);
                    List<String> w = new ArrayList<>(Arrays.asList(words));
                    w.remove(i);
                    return String.join(" ", w);
                }
                return text;
            }
            case 1 -> {
                if (words.length >= 2) {
                    int i = random.nextInt(words.length - 1);
                    String t = words[i];
                    words[i] = words[i + 1];
                    words[i + 1] = t;
                }
                return String.join(" ", words);
            }
            case 2 -> {
                return PREFIXES.get(random.nextInt(PREFIXES.size())) + text;
            }
            case 3 -> {
                return text + SUFFIXES.get(random.nextInt(SUFFIXES.size()));
            }
            default -> {
                return text.endsWith(".") ? text.substring(0, text.length() - 1) : text + ".";
            }
        }
    }
}
