package dev.sift.engine.backend;

/**
 * Told of every selection a backend ran, for a node's statistics. Called on the thread that asked for the
 * selection; implementations are thread-safe and cheap.
 */
public interface SelectionListener {

    SelectionListener NONE = new SelectionListener() {
        @Override
        public void selected(String backend, int candidates, long nanos) {}

        @Override
        public void fellBack(String backend, String reason) {}
    };

    /** A selection over {@code candidates} candidates ran on {@code backend} and took {@code nanos} there. */
    void selected(String backend, int candidates, long nanos);

    /**
     * A selection meant for {@code backend} ran on the CPU instead (it will be reported by {@link #selected} as a
     * CPU selection), for {@code reason}.
     */
    void fellBack(String backend, String reason);
}
