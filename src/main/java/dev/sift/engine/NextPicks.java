package dev.sift.engine;

import java.util.Arrays;

/**
 * Guesses SIFT's next picks, so that the pass computing one pick's column computes theirs too (see
 * {@link PosteriorState}). It runs the greedy ahead on a small pool: the pick and the strongest other
 * candidates, with their exact posterior covariances (one product per pair). The guess is right whenever the next
 * picks come from the pool, as they do unless a weaker candidate gains on the way; a wrong guess costs a pass,
 * never a change of result.
 */
final class NextPicks {

    /**
     * Candidates besides the pick in the pool for {@code candidates} in all: about sqrt(K/3), so that the pool's
     * P² products cost a third of a fast pass over the K candidates (19 for K=1000, 31 for K=10000 and beyond),
     * and one less than a multiple of 4, so the pool with the pick fills the kernels' blocks of 4 (and 5) vectors
     * in {@code PoolProducts}. A larger pool guesses better (K=1000, d=768, N=50 on clustered data: 34 passes
     * with 5, 21 with 16, 18 with 32).
     */
    static int poolSize(int candidates) {
        long members = Math.max(4, Math.min(32, Math.round(Math.sqrt(candidates / 3.0) / 4) * 4));
        return (int) members - 1;
    }

    private NextPicks() {}

    /**
     * Up to {@code count} guesses of the picks after {@code pick}, in order.
     *
     * @param taken candidates that cannot be picked again
     */
    static int[] after(PosteriorState state, boolean[] taken, int pick, int count) {
        if (count <= 0) {
            return new int[0];
        }
        int[] pool = strongest(state, taken, pick, poolSize(taken.length));
        int size = pool.length + 1;
        int[] members = new int[size];
        members[0] = pick;
        System.arraycopy(pool, 0, members, 1, pool.length);
        int targets = state.targetCount();
        double[][] covariance = state.covariances(members);
        double[] variance = new double[size];
        double[][] cross = new double[targets][size];
        for (int i = 0; i < size; i++) {
            variance[i] = state.pointVariance(members[i]);
            for (int a = 0; a < targets; a++) {
                cross[a][i] = state.targetRow(a)[members[i]];
            }
        }
        boolean[] used = new boolean[size];
        int[] guesses = new int[Math.min(count, pool.length)];
        int at = 0;
        for (int step = 0; ; step++) {
            observe(at, covariance, variance, cross, state.lambda());
            used[at] = true;
            if (step == guesses.length) {
                return guesses;
            }
            at = -1;
            double bestGain = Double.NEGATIVE_INFINITY;
            for (int i = 1; i < size; i++) {
                double g = used[i] ? Double.NEGATIVE_INFINITY : gain(i, variance, cross, state.lambda());
                if (g > bestGain) {
                    bestGain = g;
                    at = i;
                }
            }
            guesses[step] = members[at];
        }
    }

    /** The posterior update of {@link PosteriorState#observe(int, double[])}, restricted to the pool. */
    private static void observe(int x, double[][] covariance, double[] variance, double[][] cross, double lambda) {
        int size = variance.length;
        double scale = 1.0 / Math.sqrt(variance[x] + lambda);
        double[] column = new double[size];
        for (int i = 0; i < size; i++) {
            column[i] = (i == x ? variance[x] : covariance[i][x]) * scale;
        }
        for (int i = 0; i < size; i++) {
            variance[i] = Math.max(0.0, variance[i] - column[i] * column[i]);
            for (int j = 0; j < i; j++) {
                covariance[i][j] = covariance[j][i] = covariance[i][j] - column[i] * column[j];
            }
        }
        for (double[] targetRow : cross) {
            double weight = targetRow[x] * scale;
            for (int i = 0; i < size; i++) {
                targetRow[i] -= weight * column[i];
            }
        }
    }

    private static double gain(int i, double[] variance, double[][] cross, double lambda) {
        double numerator = 0;
        for (double[] targetRow : cross) {
            numerator += targetRow[i] * targetRow[i];
        }
        return numerator / (variance[i] + lambda);
    }

    /** The {@code count} candidates of largest gain besides {@code pick} and the taken ones, largest first. */
    private static int[] strongest(PosteriorState state, boolean[] taken, int pick, int count) {
        int[] best = new int[count];
        double[] bestGains = new double[count];
        int found = 0;
        for (int x = 0; x < taken.length; x++) {
            if (taken[x] || x == pick) {
                continue;
            }
            double g = state.gain(x);
            if (found < count || g > bestGains[found - 1]) {
                int at = Math.min(found, count - 1);
                while (at > 0 && g > bestGains[at - 1]) {
                    best[at] = best[at - 1];
                    bestGains[at] = bestGains[at - 1];
                    at--;
                }
                best[at] = x;
                bestGains[at] = g;
                found = Math.min(found + 1, count);
            }
        }
        return Arrays.copyOf(best, found);
    }
}
