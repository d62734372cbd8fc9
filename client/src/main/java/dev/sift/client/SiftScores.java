package dev.sift.client;

import co.elastic.clients.elasticsearch.core.search.Hit;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the selection out of the scores the {@code sift} clause and retriever give, without parsing {@code _score}
 * by hand. The n-th of N selected hits as listed scores {@code N − n + 1 + gain / (2·V([]))}: the integer part
 * counts down the listed positions, the fraction is half the share of the query's prior uncertainty that the
 * hit's pick removed. Hits that follow the selection (the rescore clause's {@code keep_unselected}) score below 1.
 */
public final class SiftScores {

    private SiftScores() {}

    /**
     * One selected hit.
     *
     * @param position        its 1-based listed position among the selected hits
     * @param gainShare       the share of the query's prior uncertainty its pick removed, in [0, 1]
     * @param uncertaintyLeft the share of the prior uncertainty left after this hit and those listed before it; the
     *                        posterior variance V(S_n)/V([]) when the hits are in selection order (the default
     *                        {@code order}), a running total of the gains otherwise
     */
    public record Selected<T>(Hit<T> hit, int position, double gainShare, double uncertaintyLeft) {}

    /** The selected hits among {@code hits} (those scoring at least 1), in their order, with their figures. */
    public static <T> List<Selected<T>> selected(List<Hit<T>> hits) {
        List<Selected<T>> out = new ArrayList<>();
        if (hits.isEmpty() || hits.get(0).score() == null || hits.get(0).score() < 1) {
            return out;
        }
        double first = hits.get(0).score();
        int count = (int) Math.floor(first); // the first listed of N scores N + fraction
        double left = 1;
        for (Hit<T> hit : hits) {
            Double score = hit.score();
            if (score == null || score < 1) {
                break;
            }
            double whole = Math.floor(score);
            double share = Math.min(1, Math.max(0, 2 * (score - whole)));
            left = Math.max(0, left - share);
            out.add(new Selected<>(hit, count - (int) whole + 1, share, left));
        }
        return out;
    }
}
