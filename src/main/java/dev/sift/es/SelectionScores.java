package dev.sift.es;

/**
 * The {@code _score}s the clauses give: strictly decreasing in selection order, and meaningful.
 *
 * <p>The {@code n}-th of {@code N} selected hits (1-based) scores {@code N − n + 1 + gain_n / (2·V([]))}: the
 * integer part orders the selection, the fraction is half the share of the prior uncertainty that the pick
 * removed (so it is in [0, 0.5]). Hits that follow the selection (unselected ones, kept in their incoming
 * order) score in (0, 1): the {@code p}-th of {@code T} (0-based) scores {@code (T − p) / (T + 1)}.
 */
public final class SelectionScores {

    private SelectionScores() {}

    public static float selected(int step, int selectedCount, double gain, double priorVariance) {
        double share = priorVariance > 0 ? Math.min(1.0, Math.max(0.0, gain / priorVariance)) : 0.0;
        return (float) (selectedCount - step + share / 2); // step is 0-based here: N − n + 1 with n = step + 1
    }

    public static float following(int position, int followingCount) {
        return (float) ((double) (followingCount - position) / (followingCount + 1));
    }
}
