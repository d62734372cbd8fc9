package dev.sift.engine;

import java.util.Arrays;

/**
 * The prior columns {@link PosteriorState} computed ahead of their candidates' observation (see its class comment):
 * a fixed number of slots, each holding a candidate, its column, how many earlier observations' terms the column
 * already had subtracted, and the pass that computed it. A column leaves when its candidate is observed or when a
 * newer guess needs its slot.
 */
final class ColumnsAhead {

    /** Candidate per slot, or -1 for a free slot. */
    private final int[] candidates;
    /** Their columns, {@code k_0(·,x)} less the first {@link #corrected} observations' terms, or null. */
    private final double[][] columns;
    /** How many earlier observations' terms each column already had subtracted. */
    private final int[] corrected;
    /** The pass that computed each column. */
    private final int[] pass;

    ColumnsAhead(int slots) {
        this.candidates = new int[slots];
        Arrays.fill(candidates, -1);
        this.columns = new double[slots][];
        this.corrected = new int[slots];
        this.pass = new int[slots];
    }

    int slots() {
        return candidates.length;
    }

    /** The slot holding {@code candidate}'s column, or -1. */
    int slotOf(int candidate) {
        for (int slot = 0; slot < candidates.length; slot++) {
            if (candidates[slot] == candidate) {
                return slot;
            }
        }
        return -1;
    }

    double[] column(int slot) {
        return columns[slot];
    }

    int corrected(int slot) {
        return corrected[slot];
    }

    /** Frees the slot (its candidate is being observed). */
    void free(int slot) {
        candidates[slot] = -1;
        columns[slot] = null;
    }

    /**
     * Puts {@code candidate}'s column, about to be computed in pass {@code currentPass} with {@code observed} terms
     * subtracted, in the slot {@link #slotToReplace} gives, and returns the array to compute it into: the replaced
     * column's, reused, or a new one of {@code length}.
     */
    double[] claim(int candidate, int observed, int currentPass, int[] guesses, int length) {
        int slot = slotToReplace(guesses, currentPass);
        double[] column = columns[slot] != null ? columns[slot] : new double[length];
        candidates[slot] = candidate;
        columns[slot] = column;
        corrected[slot] = observed;
        pass[slot] = currentPass;
        return column;
    }

    /**
     * A free slot, else the one computed longest ago, preferring those not guessed again; never one of the current
     * pass.
     */
    private int slotToReplace(int[] guesses, int currentPass) {
        int oldest = -1;
        boolean oldestGuessed = true;
        for (int slot = 0; slot < candidates.length; slot++) {
            int candidate = candidates[slot];
            if (candidate < 0) {
                return slot;
            }
            if (pass[slot] == currentPass) {
                continue;
            }
            boolean guessed = false;
            for (int i = 0; i < guesses.length && guessed == false; i++) {
                guessed = guesses[i] == candidate;
            }
            if (oldest < 0 || (oldestGuessed && guessed == false) || (guessed == oldestGuessed && pass[slot] < pass[oldest])) {
                oldest = slot;
                oldestGuessed = guessed;
            }
        }
        return oldest;
    }

    /** The first {@code wanted} distinct entries of {@code guesses} other than {@code x} and not held here. */
    int[] newGuesses(int x, int[] guesses, int wanted) {
        int[] out = new int[wanted];
        int count = 0;
        for (int i = 0; i < guesses.length && count < wanted; i++) {
            int candidate = guesses[i];
            boolean seen = candidate == x || slotOf(candidate) >= 0;
            for (int j = 0; j < count && seen == false; j++) {
                seen = out[j] == candidate;
            }
            if (seen == false) {
                out[count++] = candidate;
            }
        }
        return Arrays.copyOf(out, count);
    }
}
