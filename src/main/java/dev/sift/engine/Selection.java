package dev.sift.engine;

import java.util.Arrays;

/**
 * The result of a selection: the picks in order (positions into the candidate list), the posterior-variance
 * gain of each pick, the posterior variance {@code V(S_n)} after each pick, the prior variance {@code V([])},
 * and which picks an {@code alpha} mask kept. For baselines (nearest, MMR) the gains and variances are those of
 * SIFT's surrogate model for the order the baseline chose, so methods can be compared on one scale.
 */
public final class Selection {

    private final int[] picks;
    private final double[] gains;
    private final double[] variances;
    private final double priorVariance;
    private final boolean[] kept;

    Selection(int[] picks, double[] gains, double[] variances, double priorVariance, boolean[] kept) {
        this.picks = picks;
        this.gains = gains;
        this.variances = variances;
        this.priorVariance = priorVariance;
        this.kept = kept;
    }

    /** Number of greedy steps made (kept or not). */
    public int steps() {
        return picks.length;
    }

    /** Candidate position picked at step {@code n} (0-based). */
    public int pick(int n) {
        return picks[n];
    }

    /** {@code V(S_{n-1}) - V(S_n)} for step {@code n} (0-based). */
    public double gain(int n) {
        return gains[n];
    }

    /** Posterior variance after step {@code n} (0-based) was picked. */
    public double variance(int n) {
        return variances[n];
    }

    /** {@code V([])}: the sum of the targets' squared norms. */
    public double priorVariance() {
        return priorVariance;
    }

    /** Whether step {@code n} survived the {@code alpha} mask (always true without one). */
    public boolean kept(int n) {
        return kept[n];
    }

    /** The kept picks, in selection order. */
    public int[] selected() {
        int count = 0;
        for (boolean k : kept) {
            count += k ? 1 : 0;
        }
        int[] out = new int[count];
        for (int n = 0, i = 0; n < picks.length; n++) {
            if (kept[n]) {
                out[i++] = picks[n];
            }
        }
        return out;
    }

    /** The steps' picks, kept or not, in selection order. */
    public int[] picks() {
        return picks.clone();
    }

    /** The variance trajectory {@code V(S_1), …, V(S_steps)}. */
    public double[] variances() {
        return variances.clone();
    }

    @Override
    public String toString() {
        return "Selection{picks=" + Arrays.toString(picks) + ", prior=" + priorVariance + ", variances=" + Arrays.toString(variances)
            + ", kept=" + Arrays.toString(kept) + "}";
    }
}
